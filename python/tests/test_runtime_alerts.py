"""vigil_runtime.build_alert and publication (compat 4.7-4.10, 6.2, 7.4)."""
import os
import re

import vigil_runtime
from streamalert.shared.publisher import AlertPublisher, Register
from streamalert.shared.rule import rule

from tests.support import RuntimeTestCase, fixture

MODULE = __name__
TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$')


def build(name, record=None, context=None, staged=False):
    return vigil_runtime.build_alert(name, record if record is not None else {'k': 'v'},
                                     context, 'prod', 'cloudwatch:events', 'json', 'kinesis',
                                     'my_stream', staged=staged)


class BuildAlertTest(RuntimeTestCase):

    def test_fields(self):
        @rule(logs=['cloudwatch:events'], outputs=['slack:chan'], merge_by_keys=['k'],
              merge_window_mins=5)
        def fields(rec):
            """the description"""
            return True
        record = {'k': 'v'}
        alert = build('fields', record, None)
        self.assertIs(alert['record'], record)
        self.assertEqual(alert['rule_name'], 'fields')
        self.assertEqual(alert['outputs'], ['aws-firehose:alerts', 'slack:chan'])
        self.assertEqual(alert['cluster'], 'prod')
        self.assertEqual(alert['log_source'], 'cloudwatch:events')
        self.assertEqual(alert['log_type'], 'json')
        self.assertEqual(alert['source_service'], 'kinesis')
        self.assertEqual(alert['source_entity'], 'my_stream')
        self.assertEqual(alert['context'], {})
        self.assertEqual(alert['publishers'], {})
        self.assertEqual(alert['rule_description'], 'the description')
        self.assertIs(alert['staged'], False)
        self.assertEqual(alert['merge_by_keys'], ['k'])
        self.assertEqual(alert['merge_window_mins'], 5)
        self.assertRegex(alert['created'], TIMESTAMP)
        self.assertEqual(len(alert['id']), 36)
        self.assertEqual(sorted(alert), [
            'cluster', 'context', 'created', 'id', 'log_source', 'log_type', 'merge_by_keys',
            'merge_window_mins', 'outputs', 'publishers', 'record', 'rule_description',
            'rule_name', 'source_entity', 'source_service', 'staged'])

    def test_defaults(self):
        @rule(datatypes=['ip'])
        def plain(rec):
            return True
        alert = build('plain')
        self.assertEqual(alert['outputs'], ['aws-firehose:alerts'])
        self.assertEqual(alert['merge_by_keys'], [])
        self.assertEqual(alert['merge_window_mins'], 0)
        self.assertEqual(alert['rule_description'], 'No rule description provided')

    def test_context_is_the_copy_given(self):
        @rule(logs=['x'], context={'a': 1})
        def ctx(rec, context):
            return True
        context = vigil_runtime.fresh_context('ctx')
        context['added'] = True
        self.assertEqual(build('ctx', context=context)['context'], {'a': 1, 'added': True})

    def test_invalid_outputs_dropped_with_warning(self):

        @rule(logs=['x'], outputs=['slack:chan', 'nocolon', 5, None])
        def bad(rec):
            return True
        with self.assertLogs('vigil', 'WARNING') as logs:
            alert = build('bad')
        self.assertEqual(alert['outputs'], ['aws-firehose:alerts', 'slack:chan'])
        self.assertEqual(len(logs.output), 3)

    def test_bare_string_outputs_quirk(self):
        self.quiet('streamalert.shared.rule')
        self.quiet('vigil')

        @rule(logs=['x'], outputs='slack:chan')
        def stringy(rec):
            return True
        # iterated character by character; only ':' contains a colon (as in StreamAlert)
        self.assertEqual(build('stringy')['outputs'], [':', 'aws-firehose:alerts'])

    def test_dynamic_outputs_arity(self):
        calls = []

        def one_arg(rec):
            calls.append(('one', rec))
            return 'pagerduty:one'

        def two_args(rec, context):
            calls.append(('two', context))
            return ['pagerduty:two', 'slack:two']

        @rule(logs=['x'], dynamic_outputs=[one_arg, one_arg])
        def dyn_no_context(rec):
            return True

        @rule(logs=['x'], dynamic_outputs=[two_args], context={})
        def dyn_empty_context(rec, context):
            return True

        @rule(logs=['x'], dynamic_outputs=[two_args], context={'on': True})
        def dyn_context(rec, context):
            return True
        record = {'r': 1}
        self.assertEqual(build('dyn_no_context', record)['outputs'],
                         ['aws-firehose:alerts', 'pagerduty:one'])
        self.assertEqual(calls, [('one', record)])        # deduplicated: called once
        # an empty context is falsy: one argument, so two_args raises and gives []
        self.quiet('vigil')
        self.assertEqual(build('dyn_empty_context', record, {})['outputs'],
                         ['aws-firehose:alerts'])
        self.assertEqual(build('dyn_context', record, {'on': True})['outputs'],
                         ['aws-firehose:alerts', 'pagerduty:two', 'slack:two'])
        self.assertEqual(calls[-1], ('two', {'on': True}))

    def test_dynamic_output_results(self):
        self.quiet('vigil')

        def none(rec):
            return None

        def number(rec):
            return 5

        def tuple_(rec):
            return ('slack:tuple',)

        def raises(rec):
            raise ValueError('boom')

        def invalid(rec):
            return ['ok:yes', 'no-colon', 7]

        @rule(logs=['x'], dynamic_outputs=[none, number, tuple_, raises, invalid],
              outputs=['slack:static'])
        def dyn(rec):
            return True
        self.assertEqual(build('dyn')['outputs'],
                         ['aws-firehose:alerts', 'ok:yes', 'slack:static'])

    def test_staged_rules_only_get_the_required_output(self):
        called = []

        def dynamic(rec):
            called.append(1)
            return ['pagerduty:x']

        @rule(logs=['x'], outputs=['slack:chan'], dynamic_outputs=[dynamic],
              publishers=['streamalert.shared.publisher.DefaultPublisher'])
        def staged(rec):
            return True
        alert = build('staged', staged=True)
        self.assertEqual(alert['outputs'], ['aws-firehose:alerts'])
        self.assertEqual(alert['publishers'], {})
        self.assertIs(alert['staged'], True)
        self.assertEqual(called, [])

    def test_publishers_resolved_to_names(self):
        self.quiet('streamalert.shared.publisher')

        def pub_func(alert, publication):
            return publication

        class PubClass(AlertPublisher):
            def publish(self, alert, publication):
                return publication
        Register(pub_func)
        Register(PubClass)

        @rule(logs=['x'], outputs=['slack:a', 'slack:b', 'pagerduty:p'],
              publishers={'slack': [pub_func, 'no.such.publisher'], 'slack:b': PubClass,
                          'aws-firehose:alerts': pub_func})
        def dict_pubs(rec):
            return True

        @rule(logs=['x'], outputs=['slack:a'], publishers=PubClass)
        def single_pub(rec):
            return True
        self.assertEqual(build('dict_pubs')['publishers'], {
            'pagerduty:p': [],
            'slack:a': [MODULE + '.pub_func'],
            'slack:b': [MODULE + '.pub_func', MODULE + '.PubClass']})
        self.assertEqual(build('single_pub')['publishers'], {'slack:a': [MODULE + '.PubClass']})

    def test_publisher_folders_imported_on_first_lookup(self):
        root = fixture('project_basic')
        self.assertEqual(vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp), [])

        @rule(logs=['x'], outputs=['slack:a'],
              publishers=['publishers.community.generic.add_rule_name'])
        def by_name(rec):
            return True
        alert = build('by_name')
        self.assertEqual(alert['publishers'],
                         {'slack:a': ['publishers.community.generic.add_rule_name']})
        self.assertEqual(vigil_runtime.load_publishers(), [])

    def test_unknown_rule(self):
        with self.assertRaises(KeyError):
            build('nope')


class PublicationTest(RuntimeTestCase):

    def setUp(self):
        super().setUp()

        def add_tag(alert, publication):
            publication['tag'] = alert.rule_name
            publication['keys'] = sorted(alert.record)
            return publication

        class Summary(AlertPublisher):
            def publish(self, alert, publication):
                return {'summary': alert.rule_name, 'previous': publication}
        Register(add_tag)
        Register(Summary)

        @rule(logs=['x'], outputs=['slack:chan', 'pagerduty:p'],
              publishers={'slack': [MODULE + '.Summary', add_tag]})
        def pub_rule(rec):
            return True
        self.record = {'a': 1, 'streamalert_normalization': {'t': []}}
        self.alert = build('pub_rule', self.record)

    def test_chain_for_output(self):
        self.assertEqual(vigil_runtime.publication(self.alert, 'slack:chan'), {
            'summary': 'pub_rule', 'previous': {}, 'tag': 'pub_rule', 'keys': ['a']})

    def test_default_publication_without_normalization(self):
        pub = vigil_runtime.publication(self.alert, 'aws-firehose:alerts')
        expected = dict(self.alert)
        del expected['merge_by_keys'], expected['merge_window_mins']
        expected['record'] = {'a': 1}
        self.assertEqual(pub, expected)
        self.assertEqual(vigil_runtime.publication(self.alert, 'pagerduty:p'), expected)
        self.assertIn('streamalert_normalization', self.alert['record'])   # input untouched

    def test_publisher_errors_propagate(self):
        class Broken(AlertPublisher):
            def publish(self, alert, publication):
                raise TypeError('bad publisher')
        Register(Broken)
        alert = dict(self.alert, publishers={'slack:chan': [MODULE + '.Broken']})
        with self.assertRaises(TypeError):
            vigil_runtime.publication(alert, 'slack:chan')

    def test_round_trip_through_json_like_dict(self):
        # C may hand back a dict rebuilt from storage: timestamps as text, lists for sets
        alert = dict(self.alert, record={'ioc': ['1.1.1.1']})
        pub = vigil_runtime.publication(alert, 'aws-firehose:alerts')
        self.assertEqual(pub['created'], self.alert['created'])
        self.assertEqual(pub['id'], self.alert['id'])
