"""Example rules for cloudflare logs, written by `vigil init` from vigil's schema library.

One rule per log type, each firing on every record of its type, with a test event in
cloudflare_example.json that expects it. Replace each body with a real detection and keep
its test event in step.
"""
from streamalert.shared.rule import rule


@rule(logs=['cloudflare:http_request'], outputs=['slack:security'])
def cloudflare_http_request_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudflare:http_request records: fires on every record.
    testing:      (a) The cloudflare:http_request test event in cloudflare_example.json.
    """
    return True


@rule(logs=['cloudflare:firewall_event'], outputs=['slack:security'])
def cloudflare_firewall_event_example(rec):
    """
    author:       vigil init
    description:  Example rule for cloudflare:firewall_event records: fires on every record.
    testing:      (a) The cloudflare:firewall_event test event in cloudflare_example.json.
    """
    return True
