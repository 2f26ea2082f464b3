"""Threat intel over normalized values (compat 8.2, intended behaviour) and the IOC store."""
import json
import os
import sqlite3
import time

from streamalert.rules_engine import threat_intel
from streamalert.rules_engine.threat_intel import (
    FixtureIocStore,
    IocStore,
    SqliteIocStore,
    ThreatIntel,
    load_iocs,
)

from tests.support import RuntimeTestCase

IOC_TYPES = {'ip': ['ip_address', 'src_ip'], 'domain': ['domain'], 'md5': ['file_hash']}


def record(**types):
    """A record whose normalization holds one entry per type with the given values."""
    normalized = {name: [{'function': None, 'values': values}] for name, values in types.items()}
    normalized['streamalert_record_id'] = 'id'
    return {'streamalert_normalization': normalized}


class CountingStore(IocStore):
    def __init__(self, known):
        self.known = set(known)
        self.chunks = []

    def query_chunk(self, values):
        self.chunks.append(list(values))
        return {value for value in values if value in self.known}


class ThreatIntelTest(RuntimeTestCase):

    def intel(self, known, excluded=None):
        self.store = CountingStore(known)
        return ThreatIntel(self.store, IOC_TYPES, excluded)

    def test_ioc_key(self):
        self.assertEqual(ThreatIntel.IOC_KEY, 'streamalert:ioc')

    def test_values_are_matched_and_types_come_from_config(self):
        intel = self.intel({'1.2.3.4', 'evil.com', 'abc'})
        rec = record(ip_address=['1.2.3.4', '5.6.7.8'], domain=['evil.com'],
                     file_hash=['abc'], user=['abc'])
        self.assertEqual(intel.threat_detection([rec]), 3)
        self.assertEqual(rec['streamalert:ioc'], {'ip': {'1.2.3.4'}, 'domain': {'evil.com'},
                                                  'md5': {'abc'}})
        self.assertIsInstance(rec['streamalert:ioc']['ip'], set)

    def test_several_entries_and_normalized_types_map_to_one_ioc_type(self):
        intel = self.intel({'1.1.1.1', '2.2.2.2'})
        rec = {'streamalert_normalization': {
            'ip_address': [{'function': 'a', 'values': ['1.1.1.1']},
                           {'function': 'b', 'values': ['9.9.9.9']}],
            'src_ip': [{'function': None, 'values': ['2.2.2.2']}]}}
        intel.threat_detection([rec])
        self.assertEqual(rec['streamalert:ioc'], {'ip': {'1.1.1.1', '2.2.2.2'}})

    def test_one_value_in_several_records(self):
        intel = self.intel({'1.1.1.1'})
        first, second, clean = (record(ip_address=['1.1.1.1']), record(src_ip=['1.1.1.1']),
                                record(ip_address=['8.8.8.8']))
        intel.threat_detection([first, second, clean, {'no': 'normalization'}])
        self.assertEqual(first['streamalert:ioc'], {'ip': {'1.1.1.1'}})
        self.assertEqual(second['streamalert:ioc'], {'ip': {'1.1.1.1'}})
        self.assertNotIn('streamalert:ioc', clean)
        self.assertEqual(self.store.chunks, [['1.1.1.1', '8.8.8.8']])

    def test_ip_exclusions_by_cidr_and_invalid_ips(self):
        intel = self.intel({'10.1.1.1', '11.1.1.1', 'not-an-ip', '::1', '192.168.0.1'},
                           {'ip': {'10.0.0.0/8': {'comment': 'RFC1918'},
                                   '192.168.0.1': {}}})
        rec = record(ip_address=['10.1.1.1', '11.1.1.1', 'not-an-ip', '::1', '192.168.0.1'])
        intel.threat_detection([rec])
        self.assertEqual(rec['streamalert:ioc'], {'ip': {'11.1.1.1'}})
        self.assertEqual(self.store.chunks, [['11.1.1.1']])

    def test_without_ip_exclusions_invalid_ips_are_looked_up(self):
        intel = self.intel({'not-an-ip'})
        rec = record(ip_address=['not-an-ip'])
        intel.threat_detection([rec])
        self.assertEqual(rec['streamalert:ioc'], {'ip': {'not-an-ip'}})

    def test_other_types_excluded_by_value(self):
        intel = self.intel({'good.com', 'evil.com'},
                           {'domain': {'good.com': {'comment': 'ours'}}})
        rec = record(domain=['good.com', 'evil.com'])
        intel.threat_detection([rec])
        self.assertEqual(rec['streamalert:ioc'], {'domain': {'evil.com'}})

    def test_chunks_of_100(self):
        values = ['10.0.{}.{}'.format(i // 256, i % 256) for i in range(250)]
        intel = self.intel({values[0], values[249]})
        rec = record(ip_address=values)
        intel.threat_detection([rec])
        self.assertEqual([len(chunk) for chunk in self.store.chunks], [100, 100, 50])
        self.assertEqual(rec['streamalert:ioc'], {'ip': {values[0], values[249]}})

    def test_odd_values_are_skipped_not_crashing(self):
        intel = self.intel({'1.1.1.1'})
        rec = {'streamalert_normalization': {
            'ip_address': [{'function': None, 'values': [{'nested': 1}, ['x'], 5, '', None]},
                           'not-an-entry'],
            'domain': 'not-a-list',
            'streamalert_record_id': 'x'}}
        self.assertEqual(intel.threat_detection([rec]), 0)
        self.assertNotIn('streamalert:ioc', rec)
        self.assertEqual(self.store.chunks, [])

    def test_record_id_never_maps(self):
        store = CountingStore({'id'})
        intel = ThreatIntel(store, {'ip': ['streamalert_record_id']})
        rec = record()
        intel.threat_detection([rec])
        self.assertEqual(store.chunks, [])

    def test_is_active(self):
        config = {'threat_intel': {'enabled': True}, 'clusters': {
            'a': {'enable_threat_intel': False}, 'b': {'enable_threat_intel': True}}}
        self.assertTrue(ThreatIntel.is_active(config))
        config['clusters']['b']['enable_threat_intel'] = False
        self.assertFalse(ThreatIntel.is_active(config))
        self.assertFalse(ThreatIntel.is_active({'threat_intel': {'enabled': False},
                                                'clusters': {'b': {'enable_threat_intel': 1}}}))
        self.assertFalse(ThreatIntel.is_active({}))
        self.assertIsNone(ThreatIntel.load_from_config({}))


class StoreTest(RuntimeTestCase):

    def make_store(self, rows):
        path = self.path('iocs.sqlite3')
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(threat_intel.IOC_TABLE_SQL)
            conn.executemany('INSERT INTO iocs VALUES (?, ?, ?, ?, ?)', rows)
        conn.close()
        return path

    def test_sqlite_store_ignores_expired_rows(self):
        now = int(time.time())
        path = self.make_store([
            ('1.1.1.1', 'ip', 'mal_ip', 'feed', now + 3600),
            ('2.2.2.2', 'ip', 'mal_ip', 'feed', now - 1),
            ('3.3.3.3', 'ip', 'mal_ip', 'feed', None),
        ])
        store = SqliteIocStore(path)
        self.assertEqual(store.lookup(['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']),
                         {'1.1.1.1', '3.3.3.3'})

    def test_sqlite_store_queries_in_chunks(self):
        path = self.make_store([('v{}'.format(i), 'ip', None, None, None) for i in range(0, 205, 2)])
        store = SqliteIocStore(path)
        statements = []
        store._connect().set_trace_callback(statements.append)  # pylint: disable=protected-access
        known = store.lookup(['v{}'.format(i) for i in range(205)])
        self.assertEqual(len(known), 103)
        selects = [s for s in statements if s.startswith('SELECT')]
        self.assertEqual(len(selects), 3)

    def test_missing_store_logs_once_and_matches_nothing(self):
        store = SqliteIocStore(self.path('absent.sqlite3'))
        with self.assertLogs('streamalert.rules_engine.threat_intel', 'ERROR') as logs:
            self.assertEqual(store.lookup(['1.1.1.1']), set())
            self.assertEqual(store.lookup(['1.1.1.1']), set())
        self.assertEqual(len(logs.output), 1)
        self.assertFalse(os.path.exists(self.path('absent.sqlite3')))

    def test_fixture_store_matches_ioc_value_only(self):
        store = FixtureIocStore([{'ioc_value': '1.1.1.1', 'ioc_type': 'domain',
                                  'sub_type': 'x'}, {'no_value': 1}, 'junk'])
        self.assertEqual(store.lookup(['1.1.1.1', '2.2.2.2']), {'1.1.1.1'})
        intel = ThreatIntel(store, {'ip': ['ip_address']})
        rec = record(ip_address=['1.1.1.1'])
        intel.threat_detection([rec])
        self.assertEqual(rec['streamalert:ioc'], {'ip': {'1.1.1.1'}})   # type from config


class LoadIocsTest(RuntimeTestCase):

    def test_json_and_csv(self):
        json_file = self.write('iocs.json', json.dumps([
            {'ioc_value': '1.1.1.1', 'ioc_type': 'ip', 'sub_type': 'mal_ip', 'source': 'x',
             'expiration_ts': int(time.time()) + 60},
            {'ioc_value': 'evil.com', 'ioc_type': 'domain'}]))
        csv_file = self.write('more.csv', 'ioc_value,ioc_type,sub_type,source,expiration_ts\n'
                                          '2.2.2.2,ip,mal_ip,feed,\n'
                                          '3.3.3.3,ip,mal_ip,feed,1\n')
        db = self.path('store', 'threat_intel.sqlite3')
        self.assertEqual(load_iocs(json_file, db), 2)
        self.assertEqual(load_iocs(csv_file, db), 2)
        self.assertEqual(load_iocs(json_file, db), 2)     # replaces, no duplicates
        store = SqliteIocStore(db)
        self.assertEqual(store.lookup(['1.1.1.1', 'evil.com', '2.2.2.2', '3.3.3.3']),
                         {'1.1.1.1', 'evil.com', '2.2.2.2'})

    def test_bad_rows(self):
        cases = {
            'a.json': ('{"ioc_value": "x"}', 'expected a JSON list'),
            'b.json': ('[{"ioc_type": "ip"}]', "IOC 1: 'ioc_value'"),
            'c.json': ('[{"ioc_value": "x", "ioc_type": "ip"}, {"ioc_value": "y"}]',
                       "IOC 2: 'ioc_type'"),
            'd.json': ('[{"ioc_value": "x", "ioc_type": "ip", "expiration_ts": "soon"}]',
                       "'expiration_ts' must be epoch seconds"),
            'e.txt': ('', "unknown IOC file format 'txt'"),
        }
        for name, (content, message) in cases.items():
            with self.subTest(name=name):
                path = self.write(name, content)
                with self.assertRaises(ValueError) as ctx:
                    load_iocs(path, self.path('db.sqlite3'))
                self.assertIn(message, str(ctx.exception))
