"""Example rules for carbonblack logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
carbonblack_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['carbonblack:endpoint_event'], outputs=['slack:security'])
def carbonblack_endpoint_event_example(rec):
    """
    author:       vigil init
    description:  Example rule for carbonblack:endpoint_event records: fires on every record.
    testing:      (a) The carbonblack:endpoint_event test event in carbonblack_example.json.
    """
    return True


@rule(logs=['carbonblack:alert'], outputs=['slack:security'])
def carbonblack_alert_example(rec):
    """
    author:       vigil init
    description:  Example rule for carbonblack:alert records: fires on every record.
    testing:      (a) The carbonblack:alert test event in carbonblack_example.json.
    """
    return True


@rule(logs=['carbonblack:edr_event'], outputs=['slack:security'])
def carbonblack_edr_event_example(rec):
    """
    author:       vigil init
    description:  Example rule for carbonblack:edr_event records: fires on every record.
    testing:      (a) The carbonblack:edr_event test event in carbonblack_example.json.
    """
    return True
