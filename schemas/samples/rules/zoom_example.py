"""Example rules for zoom logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
zoom_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['zoom:operation'], outputs=['slack:security'])
def zoom_operation_example(rec):
    """
    author:       vigil init
    description:  Example rule for zoom:operation records: fires on every record.
    testing:      (a) The zoom:operation test event in zoom_example.json.
    """
    return True


@rule(logs=['zoom:activity'], outputs=['slack:security'])
def zoom_activity_example(rec):
    """
    author:       vigil init
    description:  Example rule for zoom:activity records: fires on every record.
    testing:      (a) The zoom:activity test event in zoom_example.json.
    """
    return True


@rule(logs=['zoom:webhook'], outputs=['slack:security'])
def zoom_webhook_example(rec):
    """
    author:       vigil init
    description:  Example rule for zoom:webhook records: fires on every record.
    testing:      (a) The zoom:webhook test event in zoom_example.json.
    """
    return True
