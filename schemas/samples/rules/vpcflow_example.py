"""Example rules for vpcflow logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
vpcflow_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['vpcflow:v2'], outputs=['slack:security'])
def vpcflow_v2_example(rec):
    """
    author:       vigil init
    description:  Example rule for vpcflow:v2 records: fires on every record.
    testing:      (a) The vpcflow:v2 test event in vpcflow_example.json.
    """
    return True


@rule(logs=['vpcflow:v2_nodata'], outputs=['slack:security'])
def vpcflow_v2_nodata_example(rec):
    """
    author:       vigil init
    description:  Example rule for vpcflow:v2_nodata records: fires on every record.
    testing:      (a) The vpcflow:v2_nodata test event in vpcflow_example.json.
    """
    return True


@rule(logs=['vpcflow:v5'], outputs=['slack:security'])
def vpcflow_v5_example(rec):
    """
    author:       vigil init
    description:  Example rule for vpcflow:v5 records: fires on every record.
    testing:      (a) The vpcflow:v5 test event in vpcflow_example.json.
    """
    return True


@rule(logs=['vpcflow:v5_nodata'], outputs=['slack:security'])
def vpcflow_v5_nodata_example(rec):
    """
    author:       vigil init
    description:  Example rule for vpcflow:v5_nodata records: fires on every record.
    testing:      (a) The vpcflow:v5_nodata test event in vpcflow_example.json.
    """
    return True
