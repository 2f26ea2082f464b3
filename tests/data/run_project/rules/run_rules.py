"""Rules for the vigil run end-to-end tests."""
from streamalert.shared.rule import rule


@rule(logs=['app:event'], outputs=['webhook:sink'])
def bad_action(rec):
    """The action is 'alert'."""
    return rec['action'] == 'alert'


@rule(logs=['app:syslog'], outputs=['webhook:sink'])
def syslog_alert(rec):
    """A syslog message says ALERT."""
    return 'ALERT' in rec['message']


@rule(logs=['app:event'], outputs=['webhook:sink'])
def fragile(rec):
    """Raises on records without a 'user' that starts with 'x' (dead letter: rule_error)."""
    return rec['user'][0] == 'x' and rec['user'][1] == '!'
