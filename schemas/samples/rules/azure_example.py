"""Example rules for azure logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
azure_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['azure:activity'], outputs=['slack:security'])
def azure_activity_example(rec):
    """
    author:       vigil init
    description:  Example rule for azure:activity records: fires on every record.
    testing:      (a) The azure:activity test event in azure_example.json.
    """
    return True


@rule(logs=['azure:signin'], outputs=['slack:security'])
def azure_signin_example(rec):
    """
    author:       vigil init
    description:  Example rule for azure:signin records: fires on every record.
    testing:      (a) The azure:signin test event in azure_example.json.
    """
    return True
