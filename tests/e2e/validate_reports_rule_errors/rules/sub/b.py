from streamalert.shared.rule import rule


@rule(logs=['t:event'])
def dup(rec):
    return False
