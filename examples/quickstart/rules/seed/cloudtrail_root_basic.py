from stream_alert.shared.rule import rule

@rule(logs=['cloudwatch:events'], outputs=['pagerduty:csirt', 'slack:security'])
def cloudtrail_root_account_usage_basic(record):
    """Page security team for any usage of AWS root account"""
    return (record['detail']['userIdentity']['type'] == 'Root'
            and record['detail']['userIdentity'].get('invokedBy') is None
            and record['detail']['eventType'] != 'AwsServiceEvent')
