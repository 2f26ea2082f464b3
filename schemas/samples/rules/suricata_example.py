"""Example rules for suricata logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
suricata_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['suricata:alert'], outputs=['slack:security'])
def suricata_alert_example(rec):
    """
    author:       vigil init
    description:  Example rule for suricata:alert records: fires on every record.
    testing:      (a) The suricata:alert test event in suricata_example.json.
    """
    return True


@rule(logs=['suricata:dns'], outputs=['slack:security'])
def suricata_dns_example(rec):
    """
    author:       vigil init
    description:  Example rule for suricata:dns records: fires on every record.
    testing:      (a) The suricata:dns test event in suricata_example.json.
    """
    return True


@rule(logs=['suricata:http'], outputs=['slack:security'])
def suricata_http_example(rec):
    """
    author:       vigil init
    description:  Example rule for suricata:http records: fires on every record.
    testing:      (a) The suricata:http test event in suricata_example.json.
    """
    return True


@rule(logs=['suricata:flow'], outputs=['slack:security'])
def suricata_flow_example(rec):
    """
    author:       vigil init
    description:  Example rule for suricata:flow records: fires on every record.
    testing:      (a) The suricata:flow test event in suricata_example.json.
    """
    return True
