"""vigil_runtime.publisher_tests (compat 9.6)."""
import vigil_runtime
from streamalert.shared.publisher import AlertPublisher, Register
from streamalert.shared.rule import rule

from tests.support import RuntimeTestCase

MODULE = __name__


def build(name, record):
    return vigil_runtime.build_alert(name, record, None, 'prod', 'app:events', 'json',
                                     'kinesis', 'stream')


class PublisherTestsTest(RuntimeTestCase):

    def setUp(self):
        super().setUp()
        self.quiet('vigil')

        class Slack(AlertPublisher):
            def publish(self, alert, publication):
                return {'@slack.text': 'Rule triggered', 'user': alert.record.get('user'),
                        'tags': ['a', 'b'], 'count': 2}

        class Broken(AlertPublisher):
            def publish(self, alert, publication):
                raise NameError('undefined_thing')

        class VeryBroken(AlertPublisher):
            def publish(self, alert, publication):
                raise KeyError('other kind of error')
        Register(Slack)
        Register(Broken)
        Register(VeryBroken)

        @rule(logs=['app:events'], outputs=['slack:chan', 'pagerduty:broken', 'jira:worse'],
              publishers={'slack': MODULE + '.Slack', 'pagerduty': MODULE + '.Broken',
                          'jira': MODULE + '.VeryBroken'})
        def pub_rule(rec):
            return True
        self.alert = build('pub_rule', {'user': 'alice'})

    def run_tests(self, tests, alerts=None):
        return vigil_runtime.publisher_tests(alerts if alerts is not None else [self.alert],
                                             tests)

    def test_conditions_pass(self):
        results = self.run_tests({'slack:chan': [
            ['"@slack.text"', 'is', 'Rule triggered'],
            {'jmespath_expression': 'user', 'condition': 'in', 'value': ['alice', 'bob']},
            ['tags', 'contains', 'a'],
            ['"@slack.text"', 'contains', 'trigger'],
            ['user', 'in', 'malice'],          # non-list value: substring (StreamAlert crashes)
            ['count', 'is', 2],
            ['keys(@)', 'is', ['@slack.text', 'user', 'tags', 'count']],
        ]})
        self.assertEqual(results, [('slack:chan', True, '')] * 7)

    def test_default_publication_of_the_archive_output(self):
        results = self.run_tests({'aws-firehose:alerts': [
            ['rule_name', 'is', 'pub_rule'], ['record.user', 'is', 'alice'],
            ['publishers."slack:chan"', 'is', [MODULE + '.Slack']]]})
        self.assertEqual([r[1] for r in results], [True, True, True])

    def test_failure_messages(self):
        results = self.run_tests({'slack:chan': [
            ['"@slack.text"', 'is', 'Other'],
            ['user', 'in', ['bob']],
            ['tags', 'contains', 'z'],
            ['missing', 'is', 'x'],
        ]})
        self.assertEqual(results, [
            ('slack:chan', False,
             'Item at path ""@slack.text"" should have been "Other",\n'
             'Actual value: "Rule triggered"'),
            ('slack:chan', False,
             'Item at path "user" should have been one of "[\'bob\']",\nActual value: "alice"'),
            ('slack:chan', False,
             'Item at path "tags" should have contained "z",\n'
             'Actual value: "[\'a\', \'b\']"'),
            ('slack:chan', False,
             'Item at path "missing" should have been "x",\nActual value: "None"'),
        ])

    def test_type_errors_in_comparisons_are_failures(self):
        results = self.run_tests({'slack:chan': [['missing', 'contains', 'x'],
                                                 ['count', 'in', 5]]})
        self.assertEqual(results[0], ('slack:chan', False,
                                      'Item at path "missing" should have contained "x",\n'
                                      'Actual value: "None"'))
        self.assertFalse(results[1][1])
        self.assertIn('should have been one of "5"', results[1][2])

    def test_invalid_condition(self):
        results = self.run_tests({'slack:chan': [['user', 'equals', 'alice']]})
        self.assertEqual(results, [(
            'slack:chan', False,
            "Invalid condition specified: equals\nValid conditions are: ['is', 'in', 'contains']")])

    def test_malformed_tests(self):
        results = self.run_tests({'slack:chan': [
            ['user', 'is'],
            {'jmespath_expression': 'user', 'value': 'x'},
            'user is alice',
        ]})
        self.assertEqual([r[1] for r in results], [False, False, False])
        self.assertIn('must be a triple', results[0][2])
        self.assertIn('must be a dict with keys', results[1][2])
        self.assertIn('missing: condition', results[1][2])
        self.assertIn('must be list or dict', results[2][2])

    def test_unknown_output(self):
        results = self.run_tests({'slack:other': [['user', 'is', 'alice']]})
        self.assertEqual(results, [('slack:other', False,
                                    'No such output slack:other was configured for this alert')])

    def test_failed_publications_are_failures(self):
        results = self.run_tests({'pagerduty:broken': [['a', 'is', 1]],
                                  'jira:worse': [['a', 'is', 1]],
                                  'slack:chan': [['user', 'is', 'alice']]})
        self.assertEqual(results[0], ('pagerduty:broken', False,
                                      'Publication for pagerduty:broken failed: NameError: '
                                      'undefined_thing'))
        self.assertEqual(results[1][:2], ('jira:worse', False))
        self.assertIn('KeyError', results[1][2])
        self.assertEqual(results[2], ('slack:chan', True, ''))

    def test_bad_expression(self):
        results = self.run_tests({'slack:chan': [['user[', 'is', 'x'], [5, 'is', 'x'],
                                                 ['length(count)', 'is', 1]]})
        self.assertEqual([r[1] for r in results], [False, False, False])
        self.assertIn('Invalid jmespath expression "user["', results[0][2])
        self.assertIn('must be a string', results[1][2])
        self.assertIn('invalid type for value', results[2][2])

    def test_only_the_last_alert_counts(self):
        first = build('pub_rule', {'user': 'alice'})
        last = build('pub_rule', {'user': 'bob'})
        tests = {'slack:chan': [['user', 'is', 'alice']]}
        self.assertEqual(vigil_runtime.publisher_tests([last, first], tests),
                         [('slack:chan', True, '')])
        self.assertFalse(vigil_runtime.publisher_tests([first, last], tests)[0][1])

    def test_no_alerts_no_results(self):
        self.assertEqual(vigil_runtime.publisher_tests([], {'slack:chan': [['a', 'is', 1]]}),
                         [])

    def test_malformed_publisher_tests_object(self):
        self.assertFalse(self.run_tests([['user', 'is', 'alice']])[0][1])
        results = self.run_tests({'slack:chan': 'oops'})
        self.assertEqual(results[0][:2], ('slack:chan', False))
        self.assertIn('must be a list', results[0][2])
