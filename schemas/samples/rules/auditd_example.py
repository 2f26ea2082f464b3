"""Example rules for auditd logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
auditd_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['auditd:syscall'], outputs=['slack:security'])
def auditd_syscall_example(rec):
    """
    author:       vigil init
    description:  Example rule for auditd:syscall records: fires on every record.
    testing:      (a) The auditd:syscall test event in auditd_example.json.
    """
    return True


@rule(logs=['auditd:cwd'], outputs=['slack:security'])
def auditd_cwd_example(rec):
    """
    author:       vigil init
    description:  Example rule for auditd:cwd records: fires on every record.
    testing:      (a) The auditd:cwd test event in auditd_example.json.
    """
    return True


@rule(logs=['auditd:proctitle'], outputs=['slack:security'])
def auditd_proctitle_example(rec):
    """
    author:       vigil init
    description:  Example rule for auditd:proctitle records: fires on every record.
    testing:      (a) The auditd:proctitle test event in auditd_example.json.
    """
    return True
