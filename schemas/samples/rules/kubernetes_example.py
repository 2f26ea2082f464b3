"""Example rules for kubernetes logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
kubernetes_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['kubernetes:audit'], outputs=['slack:security'])
def kubernetes_audit_example(rec):
    """
    author:       vigil init
    description:  Example rule for kubernetes:audit records: fires on every record.
    testing:      (a) The kubernetes:audit test event in kubernetes_example.json.
    """
    return True
