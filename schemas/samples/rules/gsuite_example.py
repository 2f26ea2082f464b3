"""Example rules for gsuite logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
gsuite_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['gsuite:reports'], outputs=['slack:security'])
def gsuite_reports_example(rec):
    """
    author:       vigil init
    description:  Example rule for gsuite:reports records: fires on every record.
    testing:      (a) The gsuite:reports test event in gsuite_example.json.
    """
    return True
