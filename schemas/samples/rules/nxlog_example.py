"""Example rules for nxlog logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
nxlog_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['nxlog:security'], outputs=['slack:security'])
def nxlog_security_example(rec):
    """
    author:       vigil init
    description:  Example rule for nxlog:security records: fires on every record.
    testing:      (a) The nxlog:security test event in nxlog_example.json.
    """
    return True


@rule(logs=['nxlog:sysmon'], outputs=['slack:security'])
def nxlog_sysmon_example(rec):
    """
    author:       vigil init
    description:  Example rule for nxlog:sysmon records: fires on every record.
    testing:      (a) The nxlog:sysmon test event in nxlog_example.json.
    """
    return True
