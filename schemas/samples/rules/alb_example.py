"""Example rules for alb logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
alb_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['alb:access'], outputs=['slack:security'])
def alb_access_example(rec):
    """
    author:       vigil init
    description:  Example rule for alb:access records: fires on every record.
    testing:      (a) The alb:access test event in alb_example.json.
    """
    return True


@rule(logs=['alb:access_legacy'], outputs=['slack:security'])
def alb_access_legacy_example(rec):
    """
    author:       vigil init
    description:  Example rule for alb:access_legacy records: fires on every record.
    testing:      (a) The alb:access_legacy test event in alb_example.json.
    """
    return True
