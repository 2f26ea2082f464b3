"""Example rules for s3 logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
s3_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['s3:access'], outputs=['slack:security'])
def s3_access_example(rec):
    """
    author:       vigil init
    description:  Example rule for s3:access records: fires on every record.
    testing:      (a) The s3:access test event in s3_example.json.
    """
    return True


@rule(logs=['s3:access_legacy'], outputs=['slack:security'])
def s3_access_legacy_example(rec):
    """
    author:       vigil init
    description:  Example rule for s3:access_legacy records: fires on every record.
    testing:      (a) The s3:access_legacy test event in s3_example.json.
    """
    return True
