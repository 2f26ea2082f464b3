"""Example rules for slack logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
slack_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['slack:audit'], outputs=['slack:security'])
def slack_audit_example(rec):
    """
    author:       vigil init
    description:  Example rule for slack:audit records: fires on every record.
    testing:      (a) The slack:audit test event in slack_example.json.
    """
    return True


@rule(logs=['slack:access'], outputs=['slack:security'])
def slack_access_example(rec):
    """
    author:       vigil init
    description:  Example rule for slack:access records: fires on every record.
    testing:      (a) The slack:access test event in slack_example.json.
    """
    return True


@rule(logs=['slack:integration'], outputs=['slack:security'])
def slack_integration_example(rec):
    """
    author:       vigil init
    description:  Example rule for slack:integration records: fires on every record.
    testing:      (a) The slack:integration test event in slack_example.json.
    """
    return True
