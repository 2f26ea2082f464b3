"""Example rules for packetbeat logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
packetbeat_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['packetbeat:dns'], outputs=['slack:security'])
def packetbeat_dns_example(rec):
    """
    author:       vigil init
    description:  Example rule for packetbeat:dns records: fires on every record.
    testing:      (a) The packetbeat:dns test event in packetbeat_example.json.
    """
    return True


@rule(logs=['packetbeat:flow'], outputs=['slack:security'])
def packetbeat_flow_example(rec):
    """
    author:       vigil init
    description:  Example rule for packetbeat:flow records: fires on every record.
    testing:      (a) The packetbeat:flow test event in packetbeat_example.json.
    """
    return True
