"""Example rules for cloudtrail logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
cloudtrail_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['cloudtrail:events'], outputs=['slack:security'])
def cloudtrail_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudtrail:events records: fires on every record.
    testing:      (a) The cloudtrail:events test event in cloudtrail_example.json.
    """
    return True
