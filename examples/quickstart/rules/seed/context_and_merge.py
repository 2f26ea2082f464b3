from stream_alert.shared.rule import disable, rule

# Context provided to the pagerduty-incident output with
# instructions to assign the incident to a user.
@rule(logs=['slack:access'],
      outputs=['pagerduty-incident:csirt'],
      context={'pagerduty-incident': {'assigned_user': 'valid_user'}})
def my_rule(record, context):
    context['pagerduty-incident']['assigned_user'] = record['username']
    return True

@rule(logs=['osquery:differential'],
      merge_by_keys=['alpha', 'beta', 'gamma'],
      merge_window_mins=5)
def merged_rule(record):
    return True

# The 'columns' key must contain sub-keys of 'address' and 'hostnames'
@rule(logs=['osquery:differential'],
      outputs=['aws-sns:my-topic'],
      req_subkeys={'columns':['address', 'hostnames']})
def osquery_host_check(rec):
    # If all logs did not have the 'address' sub-key, this rule would
    # throw a KeyError.  Using req_subkeys avoids this.
    return rec['columns']['address'] == ''

@disable  # TODO: this rule is too noisy!
@rule(logs=['example'], outputs=['slack'])
def example_rule(record):
    return True
