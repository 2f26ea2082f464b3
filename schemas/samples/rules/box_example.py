"""Example rules for box logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
box_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['box:admin_events'], outputs=['slack:security'])
def box_admin_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for box:admin_events records: fires on every record.
    testing:      (a) The box:admin_events test event in box_example.json.
    """
    return True
