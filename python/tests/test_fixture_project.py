"""Runs the test events of fixtures/project_basic through the runtime the way the C engine
does (compat 4.6, 9.4-9.7), with a stand-in classifier for its simple JSON schemas.

This keeps the fixture project honest: the lead's end-to-end tests reuse it with the real
classifier and ``vigil test rules``.
"""
import copy
import glob
import json
import os
import uuid

import vigil_runtime

from tests.support import RuntimeTestCase, fixture

ROOT = fixture('project_basic')


def load_schemas():
    schemas = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'conf', 'schemas', '*.json'))):
        with open(path) as handle:
            schemas.update(json.load(handle))
    return schemas


def classify(event, schemas):
    """The classified record for a JSON event of a schema with shorthand normalization."""
    schema = schemas[event['log']]
    record = copy.deepcopy(event['data'])
    assert sorted(record) == sorted(schema['schema']), event['description']
    normalization = schema.get('configuration', {}).get('normalization')
    if normalization:
        result = {}
        for name, path in normalization.items():
            value = record
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value:
                result[name] = [{'function': None,
                                 'values': value if isinstance(value, list) else [str(value)]}]
        if result:
            result['streamalert_record_id'] = str(uuid.uuid4())
        record['streamalert_normalization'] = result
    return record


def evaluate(record, log_type, service, source):
    """compat 4.6 for one record, as src/rules/ does it."""
    alerts = []
    for name, func, logs, subkeys, matchers, has_context, disabled, _ in \
            vigil_runtime.rule_table():
        if disabled or (logs is not None and log_type not in logs):
            continue
        if subkeys and not all(isinstance(record.get(key), dict) and
                               all(sub in record[key] for sub in subs)
                               for key, subs in subkeys.items()):
            continue
        if not all(matcher(record) for matcher in matchers):
            continue
        context = vigil_runtime.fresh_context(name) if has_context else None
        result = func(record, context) if has_context else func(record)
        if result:
            alerts.append(vigil_runtime.build_alert(name, record, context, 'prod', log_type,
                                                    'json', service, source))
    return alerts


class FixtureProjectTest(RuntimeTestCase):

    def setUp(self):
        super().setUp()
        self.assertEqual(
            vigil_runtime.configure(os.path.join(ROOT, 'conf'), ROOT, self.tmp), [])
        self.assertEqual(vigil_runtime.load_rules(['rules'], ['matchers']), [])
        self.schemas = load_schemas()
        self.disabled = {row[0] for row in vigil_runtime.rule_table() if row[6]}

    def run_event(self, event):
        fixtures = event.get('test_fixtures', {})
        vigil_runtime.set_test_fixtures(fixtures.get('lookup_tables'),
                                        fixtures.get('threat_intel'))
        try:
            records = [classify(event, self.schemas)]
            if vigil_runtime.threat_intel_active():
                vigil_runtime.threat_intel_annotate(records)
            alerts = []
            for record in records:
                alerts.extend(evaluate(record, event['log'], event['service'], event['source']))
            results = vigil_runtime.publisher_tests(alerts, event.get('publisher_tests', {}))
        finally:
            vigil_runtime.clear_test_fixtures()
        return alerts, results

    def test_every_event_passes(self):
        self.quiet('streamalert.shared.lookup_tables.core')
        files = sorted(glob.glob(os.path.join(ROOT, 'rules', '**', '*.json'), recursive=True))
        self.assertEqual(len(files), 6)
        tested = set()
        count = 0
        for path in files:
            with open(path) as handle:
                events = json.load(handle)
            for index, event in enumerate(events):
                with self.subTest(file=os.path.relpath(path, ROOT), index=index):
                    alerts, results = self.run_event(event)
                    fired = {alert['rule_name'] for alert in alerts}
                    expected = set(event['trigger_rules']) - self.disabled
                    self.assertEqual(fired, expected, event['description'])
                    self.assertEqual([r for r in results if not r[1]], [])
                    if 'publisher_tests' in event:
                        self.assertTrue(results)
                    tested |= expected
                    count += 1
        self.assertEqual(count, 13)
        enabled = {row[0] for row in vigil_runtime.rule_table() if not row[6]}
        self.assertEqual(enabled - tested, set())

    def test_fixtures_do_not_leak(self):
        self.quiet('streamalert.shared.lookup_tables.core')
        vigil_runtime.set_test_fixtures({'blocked_hosts': {'x': True}}, [{'ioc_value': 'y'}])
        from streamalert.shared.lookup_tables.core import LookupTables
        self.assertTrue(LookupTables.get('blocked_hosts', 'x'))
        self.assertEqual(LookupTables.get('app_admins', 'admins', 'absent'), 'absent')
        vigil_runtime.clear_test_fixtures()
        # the real tables again: json_file and s3 (local file) drivers
        self.assertIs(LookupTables.get('blocked_hosts', 'laptop-13'), True)
        self.assertIsNone(LookupTables.get('blocked_hosts', 'kiosk-2', 'default'))
        self.assertIsNone(LookupTables.get('blocked_hosts', 'x'))
        self.assertEqual(LookupTables.get('app_admins', 'admins'), ['bob'])

    def test_threat_intel_fixtures_replace_the_store(self):
        record = {'streamalert_normalization': {
            'ip_address': [{'function': None, 'values': ['198.51.100.23']}]}}
        vigil_runtime.set_test_fixtures(None, [{'ioc_value': '198.51.100.23'}])
        vigil_runtime.threat_intel_annotate([record])
        vigil_runtime.clear_test_fixtures()
        self.assertEqual(record['streamalert:ioc'], {'ip': {'198.51.100.23'}})
        # the real store (<data_dir>/threat_intel.sqlite3) does not exist: no match, logged
        other = copy.deepcopy(record)
        del other['streamalert:ioc']
        with self.assertLogs('streamalert.rules_engine.threat_intel', 'ERROR'):
            vigil_runtime.threat_intel_annotate([other])
        self.assertNotIn('streamalert:ioc', other)
        # loaded IOCs are found
        ioc_file = self.write('iocs.json', json.dumps(
            [{'ioc_value': '198.51.100.23', 'ioc_type': 'ip'}]))
        self.assertEqual(vigil_runtime.load_iocs(ioc_file), 1)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, 'threat_intel.sqlite3')))
        vigil_runtime.threat_intel_annotate([other])
        self.assertEqual(other['streamalert:ioc'], {'ip': {'198.51.100.23'}})

    def test_random_bool_patched_only_during_fixtures(self):
        import sys
        module = sys.modules['rules.default.app_audit']
        helpers = sys.modules['rules.helpers.base']
        original = module.random_bool
        vigil_runtime.set_test_fixtures(None, None)
        self.assertIsNot(module.random_bool, original)
        self.assertTrue(module.random_bool(0.0))
        self.assertIs(helpers.random_bool, original)         # the defining module is untouched
        vigil_runtime.clear_test_fixtures()
        self.assertIs(module.random_bool, original)
        with self.assertRaises(ValueError):
            module.random_bool(2)

    def test_scheduled_query_pack(self):
        from datetime import datetime
        from streamalert.scheduled_queries.query_packs.configuration import QueryPackRepository
        from streamalert import _importer
        self.assertEqual(_importer.import_folders(['scheduled_queries'], ROOT), [])
        packs = QueryPackRepository.get_packs()
        self.assertEqual([p.name for p in packs], ['app_failed_login_count'])
        query = packs[0].generate_query(datetime(2024, 1, 2, 3, 4, 5))
        self.assertIn("dt >= '2024-01-02-02'", query)
