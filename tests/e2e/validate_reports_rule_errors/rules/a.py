from streamalert.shared.rule import rule


@rule(logs=['t:event'])
def dup(rec):
    return True


@rule(outputs=['slack:chan'])
def no_logs(rec):
    return True
