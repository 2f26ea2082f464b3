"""Example rules for syslog logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
syslog_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['syslog:sshd'], outputs=['slack:security'])
def syslog_sshd_example(rec):
    """
    author:       vigil init
    description:  Example rule for syslog:sshd records: fires on every record.
    testing:      (a) The syslog:sshd test event in syslog_example.json.
    """
    return True


@rule(logs=['syslog:sudo'], outputs=['slack:security'])
def syslog_sudo_example(rec):
    """
    author:       vigil init
    description:  Example rule for syslog:sudo records: fires on every record.
    testing:      (a) The syslog:sudo test event in syslog_example.json.
    """
    return True


@rule(logs=['syslog:auth'], outputs=['slack:security'])
def syslog_auth_example(rec):
    """
    author:       vigil init
    description:  Example rule for syslog:auth records: fires on every record.
    testing:      (a) The syslog:auth test event in syslog_example.json.
    """
    return True
