from streamalert.shared.rule import disable, rule


@rule(logs=['t:event'], outputs=['slack:chan'])
def big_n(rec):
    """n is large."""
    return rec['n'] > 10


@rule(logs=['t:event'])
def broken(rec):
    return rec['missing_key'] == 1


@disable
@rule(logs=['t:event'])
def switched_off(rec):
    return True


@rule(logs=['t:event'])
def never_tested(rec):
    return False
