"""Example rules for awsconfig logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
awsconfig_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['awsconfig:snapshot'], outputs=['slack:security'])
def awsconfig_snapshot_example(rec):
    """
    author:       vigil init
    description:  Example rule for awsconfig:snapshot records: fires on every record.
    testing:      (a) The awsconfig:snapshot test event in awsconfig_example.json.
    """
    return True


@rule(logs=['awsconfig:history'], outputs=['slack:security'])
def awsconfig_history_example(rec):
    """
    author:       vigil init
    description:  Example rule for awsconfig:history records: fires on every record.
    testing:      (a) The awsconfig:history test event in awsconfig_example.json.
    """
    return True
