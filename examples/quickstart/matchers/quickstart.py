"""Matchers: plain callables that take the record and return True/False (compat 4.4)."""
from streamalert.shared.utils import in_network


class Network:
    """Matchers about where a request came from."""

    INTERNAL = ['10.0.0.0/8', '192.168.0.0/16']

    @staticmethod
    def external_source(rec):
        """The record's source address is outside the internal networks."""
        src = rec.get('src_ip') or rec.get('srcaddr') or ''
        return bool(src) and not in_network(src, Network.INTERNAL)


def business_hours_tz(rec):
    """Always true here: a stand-in for a matcher shared by several rules."""
    return True
