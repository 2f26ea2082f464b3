"""Example rules for journald logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
journald_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['journald:sshd'], outputs=['slack:security'])
def journald_sshd_example(rec):
    """
    author:       vigil init
    description:  Example rule for journald:sshd records: fires on every record.
    testing:      (a) The journald:sshd test event in journald_example.json.
    """
    return True


@rule(logs=['journald:events'], outputs=['slack:security'])
def journald_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for journald:events records: fires on every record.
    testing:      (a) The journald:events test event in journald_example.json.
    """
    return True
