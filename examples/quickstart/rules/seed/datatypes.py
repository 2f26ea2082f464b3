"""These rules apply to several different log types, defined in conf/types.json"""
from helpers.base import fetch_values_by_datatype
from stream_alert.shared.rule import rule

@rule(datatypes=['sourceAddress:ioc_ip'], outputs=['aws-sns:my-topic'])
def ip_watchlist_hit(record):
    """Source IP address matches watchlist."""
    return '' in fetch_values_by_datatype(record, 'sourceAddress:ioc_ip')

@rule(datatypes=['command'], outputs=['aws-sns:my-topic'])
def command_etc_shadow(record):
    """Command line arguments include /etc/shadow"""
    return any(
        '/etc/shadow' in cmd.lower()
        for cmd in fetch_values_by_datatype(record, 'command')
    )
