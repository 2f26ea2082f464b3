"""Example rules for salesforce logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
salesforce_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['salesforce:login'], outputs=['slack:security'])
def salesforce_login_example(rec):
    """
    author:       vigil init
    description:  Example rule for salesforce:login records: fires on every record.
    testing:      (a) The salesforce:login test event in salesforce_example.json.
    """
    return True


@rule(logs=['salesforce:api'], outputs=['slack:security'])
def salesforce_api_example(rec):
    """
    author:       vigil init
    description:  Example rule for salesforce:api records: fires on every record.
    testing:      (a) The salesforce:api test event in salesforce_example.json.
    """
    return True


@rule(logs=['salesforce:logout'], outputs=['slack:security'])
def salesforce_logout_example(rec):
    """
    author:       vigil init
    description:  Example rule for salesforce:logout records: fires on every record.
    testing:      (a) The salesforce:logout test event in salesforce_example.json.
    """
    return True
