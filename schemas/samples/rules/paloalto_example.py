"""Example rules for paloalto logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
paloalto_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['paloalto:traffic'], outputs=['slack:security'])
def paloalto_traffic_example(rec):
    """
    author:       vigil init
    description:  Example rule for paloalto:traffic records: fires on every record.
    testing:      (a) The paloalto:traffic test event in paloalto_example.json.
    """
    return True


@rule(logs=['paloalto:threat'], outputs=['slack:security'])
def paloalto_threat_example(rec):
    """
    author:       vigil init
    description:  Example rule for paloalto:threat records: fires on every record.
    testing:      (a) The paloalto:threat test event in paloalto_example.json.
    """
    return True
