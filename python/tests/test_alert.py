"""Alert fields and serializations (compat 6.1, 6.2, 6.3)."""
import json
import unittest
from datetime import datetime, timedelta

from streamalert.shared.alert import Alert, AlertCreationError

CREATED = datetime(2020, 1, 2, 3, 4, 5, 6789)


def make(**kwargs):
    options = dict(alert_id='ed96', cluster='prod', context={'c': 1}, created=CREATED,
                   log_source='cloudwatch:events', log_type='json', merge_by_keys=['k'],
                   merge_window=timedelta(minutes=5), rule_description='desc',
                   source_entity='stream', source_service='kinesis')
    options.update(kwargs)
    return Alert('my_rule', {'k': 'v', 'n': {'x': 1}}, {'slack:chan', 'aws-firehose:alerts'},
                 **options)


class AlertTest(unittest.TestCase):

    def test_defaults(self):
        alert = Alert('r', {}, set())
        self.assertEqual(len(alert.alert_id), 36)
        self.assertEqual(alert.attempts, 0)
        self.assertIsNone(alert.cluster)
        self.assertEqual(alert.context, {})
        self.assertIsInstance(alert.created, datetime)
        self.assertIsNone(alert.created.tzinfo)
        self.assertEqual(alert.dispatched, datetime(1970, 1, 1))
        self.assertEqual(alert.merge_by_keys, [])
        self.assertEqual(alert.merge_window, timedelta(0))
        self.assertEqual(alert.outputs_sent, set())
        self.assertEqual(alert.publishers, {})
        self.assertIsNone(alert.rule_description)
        self.assertFalse(alert.staged)
        self.assertIsInstance(alert.outputs, set)

    def test_falsy_arguments_take_defaults(self):
        alert = Alert('r', {}, [], context=None, cluster='', publishers=[], staged=0)
        self.assertEqual(alert.context, {})
        self.assertIsNone(alert.cluster)
        self.assertEqual(alert.publishers, {})
        self.assertIs(alert.staged, False)

    def test_unknown_keyword(self):
        with self.assertRaises(AlertCreationError):
            Alert('r', {}, set(), colour='red')

    def test_ordering_by_created(self):
        older = make(created=CREATED)
        newer = make(created=CREATED + timedelta(seconds=1))
        self.assertEqual(sorted([newer, older]), [older, newer])

    def test_output_dict(self):
        self.assertEqual(make().output_dict(), {
            'cluster': 'prod', 'context': {'c': 1}, 'created': '2020-01-02T03:04:05.006789Z',
            'id': 'ed96', 'log_source': 'cloudwatch:events', 'log_type': 'json',
            'outputs': ['aws-firehose:alerts', 'slack:chan'], 'publishers': {},
            'record': {'k': 'v', 'n': {'x': 1}}, 'rule_description': 'desc',
            'rule_name': 'my_rule', 'source_entity': 'stream', 'source_service': 'kinesis',
            'staged': False})
        empty = Alert('r', {}, set()).output_dict()
        self.assertEqual(empty['cluster'], '')
        self.assertEqual(empty['rule_description'], '')
        self.assertEqual(list(make().output_dict()), sorted(make().output_dict()))

    def test_dynamo_record(self):
        record = make(publishers={'slack:chan': ['p']}).dynamo_record()
        self.assertEqual(record, {
            'RuleName': 'my_rule', 'AlertID': 'ed96', 'Attempts': 0, 'Cluster': 'prod',
            'Context': {'c': 1}, 'Created': '2020-01-02T03:04:05.006789Z',
            'Dispatched': '1970-01-01T00:00:00.000000Z', 'LogSource': 'cloudwatch:events',
            'LogType': 'json', 'MergeByKeys': ['k'], 'MergeWindowMins': 5,
            'Outputs': ['aws-firehose:alerts', 'slack:chan'], 'OutputsSent': None,
            'Publishers': {'slack:chan': ['p']}, 'Record': '{"k":"v","n":{"x":1}}',
            'RuleDescription': 'desc', 'SourceEntity': 'stream', 'SourceService': 'kinesis',
            'Staged': False})
        self.assertIsNone(make().dynamo_record()['Publishers'])

    def test_dynamo_record_truncates_window_and_serializes_sets(self):
        alert = make(merge_window=timedelta(seconds=599))
        alert.record = {'streamalert:ioc': {'ip': {'2.2.2.2', '1.1.1.1'}}}
        record = alert.dynamo_record()
        self.assertEqual(record['MergeWindowMins'], 9)
        self.assertEqual(json.loads(record['Record']),
                         {'streamalert:ioc': {'ip': ['1.1.1.1', '2.2.2.2']}})

    def test_dynamo_round_trip(self):
        alert = make(attempts=3, outputs_sent={'slack:chan'}, staged=True)
        again = Alert.create_from_dynamo_record(alert.dynamo_record())
        for attr in ('alert_id', 'attempts', 'cluster', 'context', 'created', 'dispatched',
                     'log_source', 'log_type', 'merge_by_keys', 'merge_window', 'outputs',
                     'outputs_sent', 'record', 'rule_description', 'rule_name',
                     'source_entity', 'source_service', 'staged'):
            self.assertEqual(getattr(again, attr), getattr(alert, attr), attr)

    def test_dynamo_record_needs_attempts(self):
        record = make().dynamo_record()
        del record['Attempts']
        with self.assertRaises(AlertCreationError):
            Alert.create_from_dynamo_record(record)
        record = make().dynamo_record()
        del record['Dispatched'], record['MergeWindowMins']
        alert = Alert.create_from_dynamo_record(record)
        self.assertEqual(alert.dispatched, datetime(1970, 1, 1))
        self.assertEqual(alert.merge_window, timedelta(0))

    def test_output_dict_round_trip(self):
        alert = make(publishers={'slack:chan': ['p']})
        data = alert.output_dict()
        data['merge_by_keys'] = ['k']
        data['merge_window_mins'] = 5
        again = Alert.from_output_dict(data)
        self.assertEqual(again.output_dict(), alert.output_dict())
        self.assertEqual(again.merge_window, timedelta(minutes=5))

    def test_remaining_outputs(self):
        alert = make()
        self.assertTrue(alert.merge_enabled)
        self.assertEqual(alert.remaining_outputs, {'aws-firehose:alerts'})
        alert = make(merge_window=timedelta(0), outputs_sent={'slack:chan'})
        self.assertFalse(alert.merge_enabled)
        self.assertEqual(alert.remaining_outputs, {'aws-firehose:alerts'})
