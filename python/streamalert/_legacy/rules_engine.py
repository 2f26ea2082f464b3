"""StreamAlert 1.x ``StreamRules``: ``rule = StreamRules.rule``, ``disable = StreamRules.disable()``."""
from streamalert.shared.rule import Rule, disable, matcher, rule


class StreamRules(object):
    """The 1.x decorators, backed by the current registry."""

    rule = staticmethod(rule)
    matcher = staticmethod(matcher)

    @staticmethod
    def disable():
        """1.x called ``StreamRules.disable()`` to get the decorator."""
        return disable

    @staticmethod
    def get_rules():
        return {item.name: item for item in Rule.rules()}
