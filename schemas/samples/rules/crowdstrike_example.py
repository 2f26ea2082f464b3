"""Example rules for crowdstrike logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
crowdstrike_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['crowdstrike:fdr_process'], outputs=['slack:security'])
def crowdstrike_fdr_process_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:fdr_process records: fires on every record.
    testing:      (a) The crowdstrike:fdr_process test event in crowdstrike_example.json.
    """
    return True


@rule(logs=['crowdstrike:fdr_dns'], outputs=['slack:security'])
def crowdstrike_fdr_dns_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:fdr_dns records: fires on every record.
    testing:      (a) The crowdstrike:fdr_dns test event in crowdstrike_example.json.
    """
    return True


@rule(logs=['crowdstrike:fdr_network'], outputs=['slack:security'])
def crowdstrike_fdr_network_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:fdr_network records: fires on every record.
    testing:      (a) The crowdstrike:fdr_network test event in crowdstrike_example.json.
    """
    return True


@rule(logs=['crowdstrike:fdr_user_logon'], outputs=['slack:security'])
def crowdstrike_fdr_user_logon_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:fdr_user_logon records: fires on every record.
    testing:      (a) The crowdstrike:fdr_user_logon test event in crowdstrike_example.json.
    """
    return True


@rule(logs=['crowdstrike:fdr_events'], outputs=['slack:security'])
def crowdstrike_fdr_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:fdr_events records: fires on every record.
    testing:      (a) The crowdstrike:fdr_events test event in crowdstrike_example.json.
    """
    return True


@rule(logs=['crowdstrike:detection_summary'], outputs=['slack:security'])
def crowdstrike_detection_summary_example(rec):
    """
    author:       vigil init
    description:  Example rule for crowdstrike:detection_summary records: fires on every record.
    testing:      (a) The crowdstrike:detection_summary test event in crowdstrike_example.json.
    """
    return True
