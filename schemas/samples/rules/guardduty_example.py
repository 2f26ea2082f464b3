"""Example rules for guardduty logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
guardduty_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['guardduty:finding'], outputs=['slack:security'])
def guardduty_finding_example(rec):
    """
    author:       vigil init
    description:  Example rule for guardduty:finding records: fires on every record.
    testing:      (a) The guardduty:finding test event in guardduty_example.json.
    """
    return True


@rule(logs=['guardduty:event'], outputs=['slack:security'])
def guardduty_event_example(rec):
    """
    author:       vigil init
    description:  Example rule for guardduty:event records: fires on every record.
    testing:      (a) The guardduty:event test event in guardduty_example.json.
    """
    return True
