"""Example rules for cloudwatch logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
cloudwatch_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['cloudwatch:api_call'], outputs=['slack:security'])
def cloudwatch_api_call_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:api_call records: fires on every record.
    testing:      (a) The cloudwatch:api_call test event in cloudwatch_example.json.
    """
    return True


@rule(logs=['cloudwatch:console_signin'], outputs=['slack:security'])
def cloudwatch_console_signin_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:console_signin records: fires on every record.
    testing:      (a) The cloudwatch:console_signin test event in cloudwatch_example.json.
    """
    return True


@rule(logs=['cloudwatch:ec2_state_change'], outputs=['slack:security'])
def cloudwatch_ec2_state_change_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:ec2_state_change records: fires on every record.
    testing:      (a) The cloudwatch:ec2_state_change test event in cloudwatch_example.json.
    """
    return True


@rule(logs=['cloudwatch:events'], outputs=['slack:security'])
def cloudwatch_events_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:events records: fires on every record.
    testing:      (a) The cloudwatch:events test event in cloudwatch_example.json.
    """
    return True


@rule(logs=['cloudwatch:cloudtrail'], outputs=['slack:security'])
def cloudwatch_cloudtrail_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:cloudtrail records: fires on every record.
    testing:      (a) The cloudwatch:cloudtrail test event in cloudwatch_example.json.
    """
    return True


@rule(logs=['cloudwatch:flow_logs'], outputs=['slack:security'])
def cloudwatch_flow_logs_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudwatch:flow_logs records: fires on every record.
    testing:      (a) The cloudwatch:flow_logs test event in cloudwatch_example.json.
    """
    return True
