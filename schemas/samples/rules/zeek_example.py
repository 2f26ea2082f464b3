"""Example rules for zeek logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
zeek_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['zeek:conn'], outputs=['slack:security'])
def zeek_conn_example(rec):
    """
    author:       vigil init
    description:  Example rule for zeek:conn records: fires on every record.
    testing:      (a) The zeek:conn test event in zeek_example.json.
    """
    return True


@rule(logs=['zeek:dns'], outputs=['slack:security'])
def zeek_dns_example(rec):
    """
    author:       vigil init
    description:  Example rule for zeek:dns records: fires on every record.
    testing:      (a) The zeek:dns test event in zeek_example.json.
    """
    return True


@rule(logs=['zeek:http'], outputs=['slack:security'])
def zeek_http_example(rec):
    """
    author:       vigil init
    description:  Example rule for zeek:http records: fires on every record.
    testing:      (a) The zeek:http test event in zeek_example.json.
    """
    return True


@rule(logs=['zeek:ssl'], outputs=['slack:security'])
def zeek_ssl_example(rec):
    """
    author:       vigil init
    description:  Example rule for zeek:ssl records: fires on every record.
    testing:      (a) The zeek:ssl test event in zeek_example.json.
    """
    return True
