"""The seed documents show this rule three times as it grows; the first two forms live in
cloudtrail_root_basic.py, this is the generalised one (helpers, a named matcher, merging)."""
from helpers.base import get_first_key  # Find first key recursively in record
from stream_alert.shared.rule import matcher, rule

# This could alternatively be defined in matchers/ to be more shareable
_PROD_ACCOUNTS = {'111111111111', '222222222222'}

@matcher
def prod_account(record):
    """Match logs for one of the production AWS accounts"""
    return (
        record.get('account') in _PROD_ACCOUNTS or
        get_first_key(record, 'userIdentity', {}).get('accountId') in _PROD_ACCOUNTS
    )

@rule(
    logs=['cloudtrail:events', 'cloudwatch:events'],  # Rule applies to these 2 schemas
    matchers=['prod_account'],  # Must be satisfied before rule is evaluated
    merge_by_keys=['useragent'],  # Merge alerts with the same 'useragent' key-value pair
    merge_window_mins=5,  # Merge alerts every 5 minutes
    outputs=['pagerduty:csirt', 'slack:security']  # Send alerts to these 2 outputs
)
def cloudtrail_root_account_usage(record):
    """Page security team for any usage of AWS root account"""
    return (
        get_first_key(record, 'userIdentity', {}).get('type') == 'Root' and
        not get_first_key(record, 'invokedBy') and
        get_first_key(record, 'eventType') != 'AwsServiceEvent'
    )
