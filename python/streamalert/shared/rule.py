"""The ``@rule`` decorator, ``@disable`` and the global rule registry (compat 4.1, 4.2, 4.4).

``rule(**options)`` returns a decorator that turns a function into a registered ``Rule``.
Rule names are the function names and are global across every folder and file: a second
rule with the same name raises ``RuleCreationError`` at import.

vigil's C engine reads the registry through ``vigil_runtime.rule_table()`` and evaluates
rules itself; ``Rule.process`` exists for users who call rules directly and follows the
same steps (req_subkeys, matchers, function with a fresh context copy).

Also here, for rules written against StreamAlert 2.x: ``matcher``, a decorator that
registers a named matcher, so that ``matchers=['name']`` keeps working.  Names are
resolved once all rule and matcher folders are imported (``resolve_named_matchers``).
"""
import copy
import logging
from collections import OrderedDict

LOGGER = logging.getLogger(__name__)

DEFAULT_DESCRIPTION = 'No rule description provided'


class RuleCreationError(Exception):
    """A rule declaration that StreamAlert refuses at import time."""


class MatcherCreationError(RuleCreationError):
    """A named matcher (``@matcher``) declared twice."""


def _location(func):
    code = getattr(func, '__code__', None)
    if code is None:
        return None, 0
    return code.co_filename, code.co_firstlineno


class Matcher(object):
    """Registry of named matchers declared with the StreamAlert 2.x ``@matcher`` decorator."""

    _matchers = OrderedDict()

    @classmethod
    def register(cls, func):
        name = func.__name__
        if name in cls._matchers:
            raise MatcherCreationError('Matcher [{}] already defined'.format(name))
        cls._matchers[name] = func
        return func

    @classmethod
    def get(cls, name):
        return cls._matchers.get(name)

    @classmethod
    def clear(cls):
        cls._matchers.clear()


def matcher(func=None):
    """Register ``func`` as a named matcher and return it unchanged (StreamAlert 2.x).

    Usable as ``@matcher`` or ``@matcher()``. The function stays an ordinary callable, so
    it also works in the current form ``matchers=[func]``.
    """
    if func is None:
        return matcher
    if not callable(func):
        raise MatcherCreationError('@matcher must decorate a function, got {!r}'.format(func))
    return Matcher.register(func)


class Rule(object):
    """One registered rule. Created by ``@rule(...)``; see compat 4.1 for every option."""

    _rules = OrderedDict()

    def __init__(self, func, **kwargs):
        self.func = func
        self.name = func.__name__
        self.logs = kwargs.get('logs')
        self.datatypes = kwargs.get('datatypes')
        self.matchers = kwargs.get('matchers')
        self.req_subkeys = kwargs.get('req_subkeys')
        self.initial_context = kwargs.get('context')
        self.context = self.initial_context
        self.outputs = kwargs.get('outputs')
        self.dynamic_outputs = kwargs.get('dynamic_outputs')
        self.publishers = kwargs.get('publishers')
        self.merge_by_keys = kwargs.get('merge_by_keys')
        self.merge_window_mins = kwargs.get('merge_window_mins') or 0
        self.disabled = False
        self.staged = False
        self.source_file, self.source_line = _location(func)
        # Filled by resolve_named_matchers(); until then only callables are known.
        self._matcher_callables = None

        if not (self.logs or self.datatypes):
            raise RuleCreationError(
                "Invalid rule [{}] - rule must have either 'logs' or 'datatypes' declared"
                .format(self.name))

        if self.name in Rule._rules:
            raise RuleCreationError('Rule [{}] already defined'.format(self.name))

        self._check_matchers_declaration()
        self._check_req_subkeys_declaration()
        if isinstance(self.outputs, str):
            LOGGER.warning(
                "rule '%s': outputs is the string %r, not a list; like StreamAlert, vigil "
                "iterates it character by character, so its alerts go to the required output "
                "and to the bogus output ':' only", self.name, self.outputs)

        Rule._rules[self.name] = self

    # ----------------------------------------------------------------- declarations
    def _check_matchers_declaration(self):
        # StreamAlert fails at evaluation time (and then fails again while logging it);
        # vigil reports a bad matcher when the rule is declared (compat 4.4).
        if self.matchers is None:
            return
        if not isinstance(self.matchers, (list, tuple)):
            raise RuleCreationError(
                'Invalid rule [{}] - matchers must be a list of callables, got {}'
                .format(self.name, type(self.matchers).__name__))
        for index, item in enumerate(self.matchers):
            if callable(item) or isinstance(item, str):
                continue
            raise RuleCreationError(
                'Invalid rule [{}] - matcher {} is not callable: {!r}'
                .format(self.name, index, item))

    def _check_req_subkeys_declaration(self):
        if self.req_subkeys is None:
            return
        if not isinstance(self.req_subkeys, dict):
            raise RuleCreationError(
                'Invalid rule [{}] - req_subkeys must be a dict of lists, got {}'
                .format(self.name, type(self.req_subkeys).__name__))
        for key, subkeys in self.req_subkeys.items():
            if isinstance(subkeys, str):
                LOGGER.warning(
                    "rule '%s': req_subkeys[%r] is a string; like StreamAlert, each of its "
                    "characters must be a key", self.name, key)
            try:
                iter(subkeys)
            except TypeError:
                raise RuleCreationError(
                    'Invalid rule [{}] - req_subkeys[{!r}] must be a list of keys, got {!r}'
                    .format(self.name, key, subkeys))

    # ----------------------------------------------------------------- properties
    @property
    def description(self):
        """The function's raw docstring, or StreamAlert's default text."""
        return self.func.__doc__ or DEFAULT_DESCRIPTION

    @property
    def has_context(self):
        """True when ``context`` was given (even ``{}``): the function takes two arguments."""
        return self.initial_context is not None

    @property
    def outputs_set(self):
        """Static outputs as a set (a bare string gives its characters, compat 4.1)."""
        if not self.outputs:
            return set()
        try:
            return set(self.outputs)
        except TypeError:
            LOGGER.warning("rule '%s': outputs %r is not a list; ignored", self.name,
                           self.outputs)
            return set()

    @property
    def matcher_callables(self):
        """The matchers as callables (named matchers resolved), in declaration order."""
        if self._matcher_callables is not None:
            return self._matcher_callables
        result = []
        for item in self.matchers or ():
            if isinstance(item, str):
                func = Matcher.get(item)
                if func is None:
                    raise RuleCreationError(
                        "Invalid rule [{}] - matcher '{}' is not defined (matchers are "
                        "callables, or names declared with @matcher)".format(self.name, item))
                result.append(func)
            else:
                result.append(item)
        self._matcher_callables = tuple(result)
        return self._matcher_callables

    # ----------------------------------------------------------------- evaluation
    def check_req_subkeys(self, record):
        """compat 4.6 a: each key present with an object value holding every sub-key."""
        if not self.req_subkeys:
            return True
        for key, subkeys in self.req_subkeys.items():
            value = record.get(key) if isinstance(record, dict) else None
            if key not in record or not isinstance(value, dict):
                return False
            if not all(subkey in value for subkey in subkeys):
                return False
        return True

    def check_matchers(self, record):
        """compat 4.4: every matcher truthy, in order; an exception counts as false."""
        for func in self.matcher_callables:
            try:
                if not func(record):
                    return False
            except Exception:  # pylint: disable=broad-except
                LOGGER.exception("matcher '%s' of rule '%s' raised",
                                 getattr(func, '__name__', repr(func)), self.name)
                return False
        return True

    def fresh_context(self):
        """A deep copy of the declared context (compat 4.9)."""
        return copy.deepcopy(self.initial_context)

    def process(self, record):
        """Evaluate the rule on ``record`` as the rules engine does; returns a bool.

        A rule exception is logged and counts as false. The context copy the function saw
        is left in ``self.context`` (it becomes the alert's context).
        """
        if not self.check_req_subkeys(record):
            return False
        if not self.check_matchers(record):
            return False
        try:
            if self.has_context:
                self.context = self.fresh_context()
                result = self.func(record, self.context)
            else:
                result = self.func(record)
        except Exception:  # pylint: disable=broad-except
            LOGGER.exception("rule '%s' raised", self.name)
            return False
        return bool(result)

    def __call__(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def __repr__(self):
        return '<Rule {}>'.format(self.name)

    # ----------------------------------------------------------------- registry
    @classmethod
    def get_rule(cls, name):
        return cls._rules.get(name)

    @classmethod
    def rule_names(cls):
        return list(cls._rules)

    @classmethod
    def rules(cls):
        return list(cls._rules.values())

    @classmethod
    def disabled_rules(cls):
        return {name for name, item in cls._rules.items() if item.disabled}

    @classmethod
    def rules_for_log_type(cls, log_type):
        """Enabled rules offered a record of ``log_type``, in registration order (4.6)."""
        return [item for item in cls._rules.values()
                if not item.disabled and (item.logs is None or log_type in item.logs)]

    @classmethod
    def rules_with_datatypes(cls):
        return [item for item in cls._rules.values() if item.datatypes]

    @classmethod
    def clear(cls):
        cls._rules.clear()


def rule(*args, **opts):
    """``@rule(logs=[...], outputs=[...], ...)``: declare and register a rule (compat 4.1).

    Unknown options are ignored, as in StreamAlert.
    """
    if args:
        # ``@rule`` without parentheses: StreamAlert fails with a bare TypeError.
        raise RuleCreationError(
            '@rule takes keyword options only; write @rule(logs=[...]) above the function')

    def decorator(func):
        return Rule(func, **opts)
    return decorator


def disable(rule_instance):
    """Mark a rule disabled and return it. Must be written above ``@rule`` (compat 4.2)."""
    if isinstance(rule_instance, Rule):
        rule_instance.disabled = True
        return rule_instance
    # Below @rule it gets the plain function: StreamAlert silently keeps the rule enabled.
    LOGGER.warning("@disable applied to %r, not to a rule: it has no effect; write @disable "
                   "above @rule", rule_instance)
    try:
        rule_instance.disabled = True
    except AttributeError:
        pass
    return rule_instance
