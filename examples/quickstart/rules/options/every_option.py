"""Rules that together use every @rule option (logs, datatypes, matchers, req_subkeys,
context, outputs, dynamic_outputs, publishers, merge_by_keys, merge_window_mins) and
@disable, on the quickstart's log types."""
from matchers.quickstart import Network, business_hours_tz
from publishers.quickstart.layout import OnlyRecord, add_summary
from streamalert.shared.normalize import Normalizer
from streamalert.shared.rule import disable, rule


def owner_channel(record):
    """dynamic output: route to the team that owns the account, if known."""
    owners = {'123456789012': 'slack:cloud-team'}
    return owners.get(record.get('account'))


@rule(logs=['app:auth'],
      matchers=[Network.external_source, business_hours_tz],
      outputs=['slack:security'],
      publishers={'slack': [add_summary]},
      context={'slack': {'mention': '@oncall'}})
def failed_external_login(rec, context):
    """Failed login from outside the company network.

    author: quickstart
    reference: https://example.com/runbooks/
      failed-logins
    """
    context['slack']['user'] = rec['user']
    return rec['action'] == 'login' and rec['success'] is False


@rule(datatypes=['ip_address'],
      outputs=['slack:security'],
      dynamic_outputs=[owner_channel],
      publishers=OnlyRecord)
def known_bad_address(rec):
    """Any log type with a normalized ip_address from a known-bad range."""
    return any(ip.startswith('185.220.101.')
               for ip in Normalizer.get_values_for_normalized_type(rec, 'ip_address'))


@rule(logs=['cloudwatch:events', 'cloudtrail:events'],
      req_subkeys={'detail': ['eventName', 'userIdentity']},
      outputs=['slack:security', 'pagerduty:csirt'],
      merge_by_keys=['eventName'],
      merge_window_mins=15,
      publishers=['publishers.quickstart.layout.add_summary'])
def cloudtrail_logging_disabled(rec):
    """Someone stopped or deleted a trail."""
    return rec['detail']['eventName'] in ('StopLogging', 'DeleteTrail', 'UpdateTrail')


# vigil's own outputs: `scripts/run-example.sh` shows these alerts arriving on stdout and in
# data/alerts.jsonl with nothing to set up (conf/outputs.json).
@rule(logs=['vpcflow:default'], outputs=['stdout:console', 'file:alerts'])
def rdp_from_internet_rejected(rec):
    """Inbound RDP attempts, rejected by a security group."""
    return rec['dstport'] == 3389 and rec['action'] == 'REJECT'


@rule(logs=['sshd:auth'], outputs=['stdout:console', 'file:alerts'])
def sshd_invalid_user(rec):
    """Password attempts for users that do not exist."""
    return 'invalid user' in rec['message']


@disable
@rule(logs=['osquery:snapshot'], outputs=['slack:security'])
def noisy_snapshot(rec):
    """Disabled: every snapshot would alert."""
    return True
