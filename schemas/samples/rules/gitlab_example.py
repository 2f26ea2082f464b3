"""Example rules for gitlab logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
gitlab_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['gitlab:audit'], outputs=['slack:security'])
def gitlab_audit_example(rec):
    """
    author:       vigil init
    description:  Example rule for gitlab:audit records: fires on every record.
    testing:      (a) The gitlab:audit test event in gitlab_example.json.
    """
    return True
