"""Example rules for accesslog logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
accesslog_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['accesslog:combined'], outputs=['slack:security'])
def accesslog_combined_example(rec):
    """
    author:       vigil init
    description:  Example rule for accesslog:combined records: fires on every record.
    testing:      (a) The accesslog:combined test event in accesslog_example.json.
    """
    return True


@rule(logs=['accesslog:common'], outputs=['slack:security'])
def accesslog_common_example(rec):
    """
    author:       vigil init
    description:  Example rule for accesslog:common records: fires on every record.
    testing:      (a) The accesslog:common test event in accesslog_example.json.
    """
    return True


@rule(logs=['accesslog:vhost_combined'], outputs=['slack:security'])
def accesslog_vhost_combined_example(rec):
    """
    author:       vigil init
    description:  Example rule for accesslog:vhost_combined records: fires on every record.
    testing:      (a) The accesslog:vhost_combined test event in accesslog_example.json.
    """
    return True
