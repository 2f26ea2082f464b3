"""Example rules for duo logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
duo_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['duo:authentication'], outputs=['slack:security'])
def duo_authentication_example(rec):
    """
    author:       vigil init
    description:  Example rule for duo:authentication records: fires on every record.
    testing:      (a) The duo:authentication test event in duo_example.json.
    """
    return True


@rule(logs=['duo:administrator'], outputs=['slack:security'])
def duo_administrator_example(rec):
    """
    author:       vigil init
    description:  Example rule for duo:administrator records: fires on every record.
    testing:      (a) The duo:administrator test event in duo_example.json.
    """
    return True
