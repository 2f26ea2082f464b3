"""Example rules for osquery logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
osquery_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['osquery:differential'], outputs=['slack:security'])
def osquery_differential_example(rec):
    """
    author:       vigil init
    description:  Example rule for osquery:differential records: fires on every record.
    testing:      (a) The osquery:differential test event in osquery_example.json.
    """
    return True


@rule(logs=['osquery:snapshot'], outputs=['slack:security'])
def osquery_snapshot_example(rec):
    """
    author:       vigil init
    description:  Example rule for osquery:snapshot records: fires on every record.
    testing:      (a) The osquery:snapshot test event in osquery_example.json.
    """
    return True


@rule(logs=['osquery:batch'], outputs=['slack:security'])
def osquery_batch_example(rec):
    """
    author:       vigil init
    description:  Example rule for osquery:batch records: fires on every record.
    testing:      (a) The osquery:batch test event in osquery_example.json.
    """
    return True


@rule(logs=['osquery:status'], outputs=['slack:security'])
def osquery_status_example(rec):
    """
    author:       vigil init
    description:  Example rule for osquery:status records: fires on every record.
    testing:      (a) The osquery:status test event in osquery_example.json.
    """
    return True
