"""Example rules for nginx logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
nginx_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['nginx:json'], outputs=['slack:security'])
def nginx_json_example(rec):
    """
    author:       vigil init
    description:  Example rule for nginx:json records: fires on every record.
    testing:      (a) The nginx:json test event in nginx_example.json.
    """
    return True
