"""@rule, @disable, Rule and the legacy @matcher (compat 4.1, 4.2, 4.4, 4.6)."""
from streamalert.shared.rule import (
    DEFAULT_DESCRIPTION,
    MatcherCreationError,
    Rule,
    RuleCreationError,
    disable,
    matcher,
    rule,
)

from tests.support import RuntimeTestCase


class RuleOptionsTest(RuntimeTestCase):

    def test_rule_returns_registered_rule_object(self):
        @rule(logs=['cloudwatch:events'])
        def my_rule(rec):
            return True
        self.assertIsInstance(my_rule, Rule)
        self.assertIs(Rule.get_rule('my_rule'), my_rule)
        self.assertEqual(my_rule.name, 'my_rule')
        self.assertEqual(Rule.rule_names(), ['my_rule'])

    def test_every_option_is_stored(self):
        def matcher_func(rec):
            return True

        def dyn(rec):
            return ['slack:x']

        @rule(logs=['a:b'], datatypes=['ip'], matchers=[matcher_func],
              req_subkeys={'detail': ['x']}, context={'c': 1}, outputs=['slack:chan'],
              dynamic_outputs=[dyn], publishers=['p.q'], merge_by_keys=['k'],
              merge_window_mins=5, some_unknown_option=True)
        def opts(rec, context):
            """doc"""
            return True
        self.assertEqual(opts.logs, ['a:b'])
        self.assertEqual(opts.datatypes, ['ip'])
        self.assertEqual(opts.matcher_callables, (matcher_func,))
        self.assertEqual(opts.req_subkeys, {'detail': ['x']})
        self.assertEqual(opts.initial_context, {'c': 1})
        self.assertTrue(opts.has_context)
        self.assertEqual(opts.outputs_set, {'slack:chan'})
        self.assertEqual(opts.dynamic_outputs, [dyn])
        self.assertEqual(opts.publishers, ['p.q'])
        self.assertEqual(opts.merge_by_keys, ['k'])
        self.assertEqual(opts.merge_window_mins, 5)
        self.assertEqual(opts.description, 'doc')
        self.assertFalse(opts.disabled)

    def test_defaults(self):
        @rule(datatypes=['ip'])
        def bare(rec):
            return True
        self.assertIsNone(bare.logs)
        self.assertIsNone(bare.initial_context)
        self.assertFalse(bare.has_context)
        self.assertEqual(bare.outputs_set, set())
        self.assertEqual(bare.merge_window_mins, 0)
        self.assertEqual(bare.matcher_callables, ())
        self.assertEqual(bare.description, DEFAULT_DESCRIPTION)

    def test_empty_context_still_means_two_arguments(self):
        @rule(logs=['x'], context={})
        def ctx(rec, context):
            return context == {}
        self.assertTrue(ctx.has_context)
        self.assertTrue(ctx.process({}))

    def test_docstring_is_raw_not_dedented(self):
        @rule(logs=['x'])
        def documented(rec):
            """
            author: someone
            """
            return True
        self.assertEqual(documented.description,
                         '\n            author: someone\n            ')

    def test_bare_string_outputs_iterate_characters(self):
        self.quiet('streamalert.shared.rule')

        @rule(logs=['x'], outputs='slack:chan')
        def stringy(rec):
            return True
        self.assertEqual(stringy.outputs_set, set('slack:chan'))

    def test_rules_for_log_type(self):
        @rule(logs=['a:b', 'c:d'])
        def one(rec):
            return True

        @rule(datatypes=['ip'])
        def two(rec):
            return True

        @disable
        @rule(logs=['a:b'])
        def three(rec):
            return True

        @rule(logs='cloudwatch:events')
        def four(rec):
            return True
        self.assertEqual(Rule.rules_for_log_type('a:b'), [one, two])
        self.assertEqual(Rule.rules_for_log_type('x:y'), [two])
        # a bare string is a substring test (QUIRK kept)
        self.assertEqual(Rule.rules_for_log_type('cloudwatch'), [two, four])
        self.assertEqual(Rule.disabled_rules(), {'three'})
        self.assertEqual(Rule.rules_with_datatypes(), [two])


class RuleCreationErrorTest(RuntimeTestCase):

    def test_needs_logs_or_datatypes(self):
        for options in ({}, {'logs': []}, {'datatypes': []}, {'logs': None, 'outputs': ['a:b']}):
            with self.subTest(options=options):
                with self.assertRaises(RuleCreationError) as ctx:
                    rule(**options)(lambda rec: True)
                self.assertEqual(
                    str(ctx.exception),
                    "Invalid rule [<lambda>] - rule must have either 'logs' or 'datatypes' "
                    "declared")

    def test_duplicate_name(self):
        @rule(logs=['x'])
        def twice(rec):
            return True
        with self.assertRaises(RuleCreationError) as ctx:
            @rule(logs=['y'])
            def twice(rec):  # noqa: F811
                return False
        self.assertEqual(str(ctx.exception), 'Rule [twice] already defined')
        self.assertEqual(Rule.get_rule('twice').logs, ['x'])

    def test_bad_matchers(self):
        for matchers in ([42], 'name', 5, [None]):
            with self.subTest(matchers=matchers):
                with self.assertRaises(RuleCreationError):
                    rule(logs=['x'], matchers=matchers)(lambda rec: True)
        self.assertEqual(Rule.rule_names(), [])

    def test_bad_req_subkeys(self):
        with self.assertRaises(RuleCreationError):
            rule(logs=['x'], req_subkeys=['a'])(lambda rec: True)
        with self.assertRaises(RuleCreationError):
            rule(logs=['x'], req_subkeys={'a': 3})(lambda rec: True)

    def test_rule_without_parentheses(self):
        with self.assertRaises(RuleCreationError) as ctx:
            rule(lambda rec: True)
        self.assertIn('keyword options', str(ctx.exception))

    def test_unknown_named_matcher(self):
        @rule(logs=['x'], matchers=['nope'])
        def named(rec):
            return True
        with self.assertRaises(RuleCreationError) as ctx:
            named.matcher_callables  # pylint: disable=pointless-statement
        self.assertIn("matcher 'nope' is not defined", str(ctx.exception))


class DisableTest(RuntimeTestCase):

    def test_disable_above_rule(self):
        @disable
        @rule(logs=['x'])
        def off(rec):
            return True
        self.assertIsInstance(off, Rule)
        self.assertTrue(off.disabled)
        self.assertEqual(Rule.disabled_rules(), {'off'})

    def test_disable_below_rule_has_no_effect(self):
        self.quiet('streamalert.shared.rule')

        @rule(logs=['x'])
        @disable
        def still_on(rec):
            return True
        self.assertFalse(still_on.disabled)


class ProcessTest(RuntimeTestCase):

    def test_req_subkeys_presence_only(self):
        @rule(logs=['x'], req_subkeys={'detail': ['a', 'b']})
        def sub(rec):
            return True
        self.assertTrue(sub.process({'detail': {'a': None, 'b': 0}}))
        self.assertFalse(sub.process({'detail': {'a': 1}}))
        self.assertFalse(sub.process({'detail': 'ab'}))
        self.assertFalse(sub.process({}))

    def test_matchers_in_order_short_circuit(self):
        calls = []

        def first(rec):
            calls.append('first')
            return rec.get('go')

        def second(rec):
            calls.append('second')
            return True

        @rule(logs=['x'], matchers=[first, second])
        def matched(rec):
            return True
        self.assertFalse(matched.process({'go': False}))
        self.assertEqual(calls, ['first'])
        self.assertTrue(matched.process({'go': True}))
        self.assertEqual(calls, ['first', 'first', 'second'])

    def test_matcher_and_rule_exceptions_are_false(self):
        self.quiet('streamalert.shared.rule')

        def boom(rec):
            raise ValueError('x')

        @rule(logs=['x'], matchers=[boom])
        def m(rec):
            return True

        @rule(logs=['x'])
        def r(rec):
            return rec['missing']
        self.assertFalse(m.process({}))
        self.assertFalse(r.process({}))

    def test_context_is_a_fresh_copy_each_call(self):
        @rule(logs=['x'], context={'items': []})
        def ctx(rec, context):
            context['items'].append(rec['v'])
            return context
        self.assertTrue(ctx.process({'v': 1}))
        self.assertEqual(ctx.context, {'items': [1]})
        self.assertTrue(ctx.process({'v': 2}))
        self.assertEqual(ctx.context, {'items': [2]})
        self.assertEqual(ctx.initial_context, {'items': []})
        self.assertEqual(ctx.fresh_context(), {'items': []})

    def test_truthiness(self):
        @rule(logs=['x'])
        def truthy(rec):
            return rec['v']
        self.assertTrue(truthy.process({'v': 'yes'}))
        self.assertFalse(truthy.process({'v': []}))


class LegacyMatcherTest(RuntimeTestCase):

    def test_named_matcher_resolves(self):
        @matcher
        def prod(rec):
            return rec.get('account') == '1'

        @rule(logs=['x'], matchers=['prod'])
        def uses(rec):
            return True
        self.assertEqual(uses.matcher_callables, (prod,))
        self.assertTrue(uses.process({'account': '1'}))
        self.assertFalse(uses.process({'account': '2'}))
        self.assertTrue(prod({'account': '1'}))   # still a plain function

    def test_matcher_with_parentheses_and_duplicates(self):
        @matcher()
        def once(rec):
            return True
        self.assertTrue(callable(once))
        with self.assertRaises(MatcherCreationError):
            @matcher
            def once(rec):  # noqa: F811
                return True
