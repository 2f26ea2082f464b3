"""Example rules for onelogin logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
onelogin_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['onelogin:events'], outputs=['slack:security'])
def onelogin_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for onelogin:events records: fires on every record.
    testing:      (a) The onelogin:events test event in onelogin_example.json.
    """
    return True
