"""Example rules for okta logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
okta_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['okta:system'], outputs=['slack:security'])
def okta_system_example(rec):
    """
    author:       vigil init
    description:  Example rule for okta:system records: fires on every record.
    testing:      (a) The okta:system test event in okta_example.json.
    """
    return True
