from streamalert.shared.rule import rule

@rule(logs=["t:event"]
def oops(rec):
    return True
