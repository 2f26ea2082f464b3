"""Example rules for elb logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
elb_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['elb:access'], outputs=['slack:security'])
def elb_access_example(rec):
    """
    author:       vigil init
    description:  Example rule for elb:access records: fires on every record.
    testing:      (a) The elb:access test event in elb_example.json.
    """
    return True
