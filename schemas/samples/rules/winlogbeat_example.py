"""Example rules for winlogbeat logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
winlogbeat_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['winlogbeat:security'], outputs=['slack:security'])
def winlogbeat_security_example(rec):
    """
    author:       vigil init
    description:  Example rule for winlogbeat:security records: fires on every record.
    testing:      (a) The winlogbeat:security test event in winlogbeat_example.json.
    """
    return True


@rule(logs=['winlogbeat:sysmon'], outputs=['slack:security'])
def winlogbeat_sysmon_example(rec):
    """
    author:       vigil init
    description:  Example rule for winlogbeat:sysmon records: fires on every record.
    testing:      (a) The winlogbeat:sysmon test event in winlogbeat_example.json.
    """
    return True


@rule(logs=['winlogbeat:events'], outputs=['slack:security'])
def winlogbeat_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for winlogbeat:events records: fires on every record.
    testing:      (a) The winlogbeat:events test event in winlogbeat_example.json.
    """
    return True
