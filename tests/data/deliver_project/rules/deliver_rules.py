"""Rules for the delivery end-to-end test."""
from streamalert.shared.rule import rule


@rule(logs=['app:event'],
      outputs=['slack:security', 'webhook:siem', 'file:audit'],
      publishers={'slack:security': ['publishers.e2e.pubs.shout'],
                  'webhook:siem': ['publishers.e2e.pubs.Minimal']})
def admin_login(rec):
    """An administrator logged in."""
    return rec['action'] == 'login' and rec['user'] == 'admin'


@rule(logs=['app:event'], outputs=['webhook:siem'], merge_by_keys=['user'], merge_window_mins=5)
def failed_login(rec):
    """Failed logins, merged per user."""
    return rec['action'] == 'failed_login'


@rule(logs=['app:event'], outputs=['webhook:flaky', 'webhook:slow', 'pagerduty-v2:oncall'])
def delete_all(rec):
    """Someone deleted everything."""
    return rec['action'] == 'delete_all'


@rule(logs=['app:event'], outputs=['webhook:nocreds', 'webhook:unconfigured'])
def misconfigured(rec):
    """Outputs that cannot work: no credentials, not in outputs.json."""
    return rec['action'] == 'poke'


@rule(logs=['app:event'], outputs=['slack:security'],
      publishers={'slack': ['publishers.e2e.slack_layout.Card',
                            'publishers.e2e.slack_layout.attach_previous']})
def root_shell(rec):
    """A root shell was opened <from> a "remote" host & logged."""
    return rec['action'] == 'shell' and rec['user'] == 'root'
