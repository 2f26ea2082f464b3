"""Lookup tables: API, every driver, caches (compat 8.1)."""
import gzip
import json
import os
import sqlite3
import zlib
from decimal import Decimal
from unittest import mock

from streamalert.shared.lookup_tables import LookupTables as PackageLookupTables
from streamalert.shared.lookup_tables import cache
from streamalert.shared.lookup_tables.core import LookupTables
from streamalert.shared.lookup_tables.errors import (
    LookupTablesConfigurationError,
    LookupTablesInitializationError,
    LookupTablesInputError,
)

from tests.support import FakeVigil, RuntimeTestCase, install_fake_vigil


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class LookupTablesTestCase(RuntimeTestCase):

    def setUp(self):
        super().setUp()
        self.clock = Clock()
        patcher = mock.patch.object(cache, 'now', self.clock)
        patcher.start()
        self.addCleanup(patcher.stop)

    def configure(self, tables, enabled=True):
        return LookupTables.configure({'enabled': enabled, 'tables': tables}, self.tmp,
                                      self.path('data'))

    def sqlite(self, name, statements):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        conn = sqlite3.connect(path)
        with conn:
            for statement in statements:
                if isinstance(statement, tuple):
                    conn.execute(*statement)
                else:
                    conn.execute(statement)
        conn.close()
        return path


class ApiTest(LookupTablesTestCase):

    def test_same_class_from_package(self):
        self.assertIs(PackageLookupTables, LookupTables)

    def test_disabled_or_missing_config_means_no_tables(self):
        self.quiet('streamalert.shared.lookup_tables.core')
        self.configure({'t': {'driver': 'ephemeral'}}, enabled=False)
        self.assertEqual(LookupTables.get('t', 'k', 'dflt'), 'dflt')
        LookupTables.configure({}, self.tmp)
        self.assertEqual(LookupTables.get_instance().table_names, [])

    def test_unknown_table_logs_once_and_gives_default(self):
        self.configure({})
        with self.assertLogs('streamalert.shared.lookup_tables.core', 'ERROR') as logs:
            self.assertEqual(LookupTables.get('nope', 'k', 7), 7)
            self.assertIsNone(LookupTables.get_instance().table('nope').get('k'))
        self.assertEqual(len(logs.output), 1)
        self.assertIn('Nonexistent LookupTable (nope)', logs.output[0])

    def test_get_instance_singleton_and_reset(self):
        self.configure({'a': {'driver': 'null'}})
        first = LookupTables.get_instance()
        self.assertIs(LookupTables.get_instance({'lookup_tables': {'enabled': False}}), first)
        second = LookupTables.get_instance(
            {'lookup_tables': {'enabled': True, 'tables': {'b': {'driver': 'null'}}}},
            reset=True)
        self.assertIsNot(second, first)
        self.assertEqual(second.table_names, ['b'])
        self.assertIs(second.get_table('b'), second.table('b'))

    def test_first_use_reads_conf_from_working_directory(self):
        LookupTables.reset()
        self.write('conf/lookup_tables.json', json.dumps(
            {'enabled': True, 'tables': {'from_cwd': {'driver': 'null'}}}))
        cwd = os.getcwd()
        os.chdir(self.tmp)
        self.addCleanup(os.chdir, cwd)
        self.assertEqual(LookupTables.get_instance().table_names, ['from_cwd'])

    def test_unknown_driver_is_a_configuration_error(self):
        with self.assertRaises(LookupTablesConfigurationError) as ctx:
            self.configure({'good': {'driver': 'null'}, 'bad': {'driver': 'redis'}})
        self.assertIn("lookup table 'bad': unknown driver 'redis'", str(ctx.exception))
        # the other tables still work
        self.assertEqual(LookupTables.get_instance().table_names, ['good'])

    def test_missing_required_options(self):
        cases = {'s3': {'bucket': 'b'}, 'json_file': {}, 'dynamodb': {'table': 't'}}
        for driver, options in cases.items():
            with self.subTest(driver=driver):
                with self.assertRaises(LookupTablesConfigurationError) as ctx:
                    self.configure({'t': dict(options, driver=driver)})
                self.assertIn("missing required option", str(ctx.exception))
                self.assertIn("lookup table 't' (driver '{}')".format(driver),
                              str(ctx.exception))

    def test_fixtures_replace_every_table(self):
        self.write('t.json', json.dumps({'k': 'real'}))
        self.configure({'real': {'driver': 'json_file', 'path': 't.json'}})
        instance = LookupTables.get_instance()
        self.quiet('streamalert.shared.lookup_tables.core')
        instance.set_fixtures({'fixture': {'k': 'v', 'n': None}})
        self.assertEqual(LookupTables.get('fixture', 'k'), 'v')
        self.assertIsNone(LookupTables.get('fixture', 'n', 'dflt'))
        self.assertEqual(LookupTables.get('real', 'k', 'absent'), 'absent')
        instance.clear_fixtures()
        self.assertEqual(LookupTables.get('real', 'k'), 'real')


class SimpleDriversTest(LookupTablesTestCase):

    def test_null(self):
        self.configure({'t': {'driver': 'null'}})
        self.assertEqual(LookupTables.get('t', 'k', 'd'), 'd')

    def test_ephemeral(self):
        self.configure({'t': {'driver': 'ephemeral'}})
        table = LookupTables.get_instance().table('t')
        self.assertEqual(table.driver_type, 'ephemeral')
        self.assertEqual(table.get('k', 'd'), 'd')
        table._driver.set('k', None)  # pylint: disable=protected-access
        self.assertIsNone(table.get('k', 'd'))


class JsonFileDriverTest(LookupTablesTestCase):

    def test_defaults_versus_stored_none(self):
        self.write('lt/table.json', json.dumps({'present': 'yes', 'null': None, 'zero': 0}))
        self.configure({'t': {'driver': 'json_file', 'path': 'lt/table.json'}})
        self.assertEqual(LookupTables.get('t', 'present'), 'yes')
        self.assertIsNone(LookupTables.get('t', 'null', 'default'))
        self.assertEqual(LookupTables.get('t', 'zero', 'default'), 0)
        self.assertEqual(LookupTables.get('t', 'absent', 'default'), 'default')
        self.assertIsNone(LookupTables.get('t', 'absent'))
        self.assertEqual(LookupTables.get('t', ['unhashable'], 'default'), 'default')

    def test_refresh_after_cache_minutes(self):
        path = self.write('t.json', json.dumps({'k': 1}))
        self.configure({'t': {'driver': 'json_file', 'path': 't.json',
                              'cache_refresh_minutes': 5}})
        self.assertEqual(LookupTables.get('t', 'k'), 1)
        with open(path, 'w') as handle:
            json.dump({'k': 2}, handle)
        self.clock.now += 299
        self.assertEqual(LookupTables.get('t', 'k'), 1)
        self.clock.now += 1
        self.assertEqual(LookupTables.get('t', 'k'), 2)

    def test_default_refresh_is_ten_minutes(self):
        path = self.write('t.json', json.dumps({'k': 1}))
        self.configure({'t': {'driver': 'json_file', 'path': 't.json'}})
        self.assertEqual(LookupTables.get('t', 'k'), 1)
        with open(path, 'w') as handle:
            json.dump({'k': 2}, handle)
        self.clock.now += 599
        self.assertEqual(LookupTables.get('t', 'k'), 1)
        self.clock.now += 1
        self.assertEqual(LookupTables.get('t', 'k'), 2)

    def test_failed_refresh_keeps_old_contents(self):
        path = self.write('t.json', json.dumps({'k': 1}))
        self.configure({'t': {'driver': 'json_file', 'path': 't.json',
                              'cache_refresh_minutes': 1}})
        self.assertEqual(LookupTables.get('t', 'k'), 1)
        os.remove(path)
        self.clock.now += 60
        with self.assertLogs('streamalert.shared.lookup_tables.drivers', 'WARNING'):
            self.assertEqual(LookupTables.get('t', 'k'), 1)

    def test_missing_file_raises_initialization_error_each_time(self):
        self.configure({'t': {'driver': 'json_file', 'path': 'missing.json'}})
        for _ in range(2):
            with self.assertRaises(LookupTablesInitializationError) as ctx:
                LookupTables.get('t', 'k')
            self.assertIn('missing.json', str(ctx.exception))
        self.write('missing.json', '{"k": 3}')
        self.assertEqual(LookupTables.get('t', 'k'), 3)

    def test_invalid_json_or_non_object_is_an_empty_table(self):
        self.write('bad.json', '{nope')
        self.write('list.json', '[1, 2]')
        self.configure({'bad': {'driver': 'json_file', 'path': 'bad.json'},
                        'list': {'driver': 'json_file', 'path': 'list.json'}})
        with self.assertLogs('streamalert.shared.lookup_tables.drivers', 'ERROR'):
            self.assertEqual(LookupTables.get('bad', 'k', 'd'), 'd')
            self.assertEqual(LookupTables.get('list', 0, 'd'), 'd')

    def test_lazy_initialization(self):
        self.configure({'t': {'driver': 'json_file', 'path': 'later.json'}})
        self.write('later.json', '{"k": "made after configure"}')
        self.assertEqual(LookupTables.get('t', 'k'), 'made after configure')


class S3DriverTest(LookupTablesTestCase):

    TABLE = {'driver': 's3', 'bucket': 'my-bucket', 'key': 'dir/table.json'}

    def test_local_file_without_endpoint(self):
        self.write('lookup_tables/my-bucket/dir/table.json', json.dumps({'k': 'local'}))
        self.configure({'t': dict(self.TABLE)})
        self.assertEqual(LookupTables.get('t', 'k'), 'local')

    def test_compression_gzip_zlib_and_plain(self):
        payload = json.dumps({'k': 'v'}).encode()
        for name, data in (('gz', gzip.compress(payload)), ('zl', zlib.compress(payload)),
                           ('plain', payload)):
            self.write('lookup_tables/b/{}.json'.format(name), data, mode='wb')
        self.configure({
            name: {'driver': 's3', 'bucket': 'b', 'key': name + '.json', 'compression': 'gzip'}
            for name in ('gz', 'zl', 'plain')})
        for name in ('gz', 'zl', 'plain'):
            self.assertEqual(LookupTables.get(name, 'k'), 'v', name)

    def test_compressed_data_without_compression_option_is_invalid_json(self):
        self.write('lookup_tables/b/gz.json', gzip.compress(b'{"k": 1}'), mode='wb')
        self.configure({'t': {'driver': 's3', 'bucket': 'b', 'key': 'gz.json'}})
        self.quiet('streamalert.shared.lookup_tables.drivers')
        self.assertEqual(LookupTables.get('t', 'k', 'd'), 'd')

    def test_endpoint_calls_vigil_with_config_credentials(self):
        fake = install_fake_vigil(self, FakeVigil({('my-bucket', 'dir/table.json'):
                                                   zlib.compress(b'{"k": "remote"}')}))
        self.configure({'t': dict(self.TABLE, endpoint='http://127.0.0.1:9000',
                                  region='eu-west-1', access_key_id='AK',
                                  secret_access_key='SK', session_token='ST',
                                  compression=True)})
        self.assertEqual(LookupTables.get('t', 'k'), 'remote')
        self.assertEqual(fake.calls, [('http://127.0.0.1:9000', 'eu-west-1', 'my-bucket',
                                       'dir/table.json', 'AK', 'SK', 'ST')])
        self.assertEqual(LookupTables.get('t', 'k'), 'remote')
        self.assertEqual(len(fake.calls), 1)          # cached
        self.clock.now += 600
        LookupTables.get('t', 'k')
        self.assertEqual(len(fake.calls), 2)          # refreshed after 10 minutes

    def test_endpoint_credentials_from_environment(self):
        fake = install_fake_vigil(self, FakeVigil({('my-bucket', 'dir/table.json'): b'{}'}))
        env = {'AWS_ACCESS_KEY_ID': 'EAK', 'AWS_SECRET_ACCESS_KEY': 'ESK',
               'AWS_SESSION_TOKEN': 'EST', 'AWS_REGION': 'ap-south-1'}
        with mock.patch.dict(os.environ, env):
            self.configure({'t': dict(self.TABLE, endpoint='http://127.0.0.1:9000')})
            LookupTables.get('t', 'k')
        self.assertEqual(fake.calls[0][1:], ('ap-south-1', 'my-bucket', 'dir/table.json',
                                             'EAK', 'ESK', 'EST'))

    def test_endpoint_defaults(self):
        fake = install_fake_vigil(self, FakeVigil({('my-bucket', 'dir/table.json'): b'{}'}))
        clean = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
        with mock.patch.dict(os.environ, clean, clear=True):
            self.configure({'t': dict(self.TABLE, endpoint='http://127.0.0.1:9000')})
            LookupTables.get('t', 'k')
        self.assertEqual(fake.calls[0][1], 'us-east-1')
        self.assertEqual(fake.calls[0][4:], ('', '', None))

    def test_download_failure_is_an_initialization_error(self):
        install_fake_vigil(self, FakeVigil(error='HTTP 403: AccessDenied'))
        self.configure({'t': dict(self.TABLE, endpoint='http://127.0.0.1:9000')})
        with self.assertRaises(LookupTablesInitializationError) as ctx:
            LookupTables.get('t', 'k')
        self.assertIn('HTTP 403: AccessDenied', str(ctx.exception))
        self.assertIn("lookup table 't' (driver 's3')", str(ctx.exception))


class SqliteDriverTest(LookupTablesTestCase):

    def test_lookup_json_values(self):
        self.sqlite('data/lookup_tables.sqlite3', [
            'CREATE TABLE t (key TEXT PRIMARY KEY, value TEXT)',
            ("INSERT INTO t VALUES ('obj', '{\"a\": [1, 2]}')",),
            ("INSERT INTO t VALUES ('null', 'null')",),
            ("INSERT INTO t VALUES ('sqlnull', NULL)",),
            ("INSERT INTO t VALUES ('text', 'not json')",),
        ])
        self.configure({'t': {'driver': 'sqlite'}})
        self.assertEqual(LookupTables.get('t', 'obj'), {'a': [1, 2]})
        self.assertIsNone(LookupTables.get('t', 'null', 'd'))
        self.assertEqual(LookupTables.get('t', 'sqlnull', 'd'), 'd')
        self.assertEqual(LookupTables.get('t', 'text'), 'not json')
        self.assertEqual(LookupTables.get('t', 'absent', 'd'), 'd')

    def test_options_and_read_only(self):
        path = self.sqlite('other.db', [
            'CREATE TABLE ips (addr TEXT, info TEXT)',
            ("INSERT INTO ips VALUES ('1.2.3.4', '\"bad\"')",),
        ])
        self.configure({'t': {'driver': 'sqlite', 'path': 'other.db', 'table': 'ips',
                              'key_column': 'addr', 'value_column': 'info'}})
        self.assertEqual(LookupTables.get('t', '1.2.3.4'), 'bad')
        driver = LookupTables.get_instance().table('t')._driver  # pylint: disable=protected-access
        with self.assertRaises(sqlite3.OperationalError):
            driver._conn.execute("INSERT INTO ips VALUES ('x', 'y')")  # pylint: disable=protected-access
        self.assertTrue(os.path.exists(path))

    def test_missing_database(self):
        self.configure({'t': {'driver': 'sqlite'}})
        with self.assertRaises(LookupTablesInitializationError) as ctx:
            LookupTables.get('t', 'k')
        self.assertIn('lookup_tables.sqlite3 does not exist', str(ctx.exception))
        self.assertFalse(os.path.exists(self.path('data', 'lookup_tables.sqlite3')))

    def test_bad_table_name_surfaces_as_error(self):
        self.sqlite('data/lookup_tables.sqlite3', ['CREATE TABLE other (key TEXT, value TEXT)'])
        self.configure({'t': {'driver': 'sqlite'}})
        with self.assertRaises(Exception) as ctx:
            LookupTables.get('t', 'k')
        self.assertIn('no such table', str(ctx.exception))

    def test_no_path_and_no_data_dir(self):
        with self.assertRaises(LookupTablesConfigurationError):
            LookupTables.configure({'enabled': True, 'tables': {'t': {'driver': 'sqlite'}}},
                                   self.tmp, None)


class DynamoDBDriverTest(LookupTablesTestCase):

    def setUp(self):
        super().setUp()
        self.sqlite('data/lookup_tables.sqlite3', [
            'CREATE TABLE users (pk TEXT, sk TEXT, val TEXT)',
            ("INSERT INTO users VALUES ('alice', 'home', '{\"n\": 1.5, \"i\": 2}')",),
            ("INSERT INTO users VALUES ('alice', 'work', '\"office\"')",),
            ("INSERT INTO users VALUES ('bob', 'home', NULL)",),
            'CREATE TABLE simple (pk TEXT, val)',
            ("INSERT INTO simple VALUES ('a', 7)",),
            ("INSERT INTO simple VALUES ('b', 'text')",),
            ("INSERT INTO simple VALUES ('c', '[1, 2]')",),
        ])

    def test_partition_key_only(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'simple', 'partition_key': 'pk',
                              'value_key': 'val'}})
        self.assertEqual(LookupTables.get('t', 'a'), Decimal('7'))
        self.assertIsInstance(LookupTables.get('t', 'a'), Decimal)
        self.assertEqual(LookupTables.get('t', 'b'), 'text')
        self.assertEqual(LookupTables.get('t', 'c'), [Decimal(1), Decimal(2)])
        self.assertEqual(LookupTables.get('t', 'zzz', 'd'), 'd')

    def test_sort_key(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'users', 'partition_key': 'pk',
                              'sort_key': 'sk', 'value_key': 'val'}})
        self.assertEqual(LookupTables.get('t', 'alice:home'), {'n': Decimal('1.5'),
                                                                 'i': Decimal('2')})
        self.assertEqual(LookupTables.get('t', 'alice:work'), 'office')
        self.assertEqual(LookupTables.get('t', 'bob:home', 'd'), 'd')   # no value attribute
        self.assertEqual(LookupTables.get('t', 'carol:home', 'd'), 'd')

    def test_sort_key_needs_exactly_one_delimiter(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'users', 'partition_key': 'pk',
                              'sort_key': 'sk', 'value_key': 'val'}})
        for key in ('alice', 'alice:home:x', 42):
            with self.subTest(key=key):
                with self.assertRaises(LookupTablesInputError) as ctx:
                    LookupTables.get('t', key)
                self.assertIn("exactly one ':'", str(ctx.exception))

    def test_custom_delimiter(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'users', 'partition_key': 'pk',
                              'sort_key': 'sk', 'value_key': 'val', 'key_delimiter': '|'}})
        self.assertEqual(LookupTables.get('t', 'alice|work'), 'office')
        with self.assertRaises(LookupTablesInputError):
            LookupTables.get('t', 'alice:work')

    def test_per_key_ttl_and_absent_caching(self):
        path = self.path('data', 'lookup_tables.sqlite3')
        self.configure({'t': {'driver': 'dynamodb', 'table': 'simple', 'partition_key': 'pk',
                              'value_key': 'val', 'cache_refresh_minutes': 2}})
        self.assertEqual(LookupTables.get('t', 'b'), 'text')
        self.assertEqual(LookupTables.get('t', 'new', 'd'), 'd')
        conn = sqlite3.connect(path)
        with conn:
            conn.execute("UPDATE simple SET val = 'changed' WHERE pk = 'b'")
            conn.execute("INSERT INTO simple VALUES ('new', '\"here\"')")
        conn.close()
        self.clock.now += 119
        self.assertEqual(LookupTables.get('t', 'b'), 'text')
        self.assertEqual(LookupTables.get('t', 'new', 'd'), 'd')       # absent is cached too
        self.clock.now += 1
        self.assertEqual(LookupTables.get('t', 'b'), 'changed')
        self.assertEqual(LookupTables.get('t', 'new', 'd'), 'here')

    def test_default_ttl_is_three_minutes(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'simple', 'partition_key': 'pk',
                              'value_key': 'val'}})
        driver = LookupTables.get_instance().table('t')._driver  # pylint: disable=protected-access
        LookupTables.get('t', 'a')
        with mock.patch.object(driver, '_fetch_key', return_value='fetched') as fetch:
            self.clock.now += 179
            self.assertEqual(LookupTables.get('t', 'a'), Decimal(7))
            self.clock.now += 1
            self.assertEqual(LookupTables.get('t', 'a'), 'fetched')
            self.assertEqual(fetch.call_count, 1)

    def test_random_eviction(self):
        self.configure({'t': {'driver': 'dynamodb', 'table': 'simple', 'partition_key': 'pk',
                              'value_key': 'val', 'cache_maximum_key_count': 2}})
        driver = LookupTables.get_instance().table('t')._driver  # pylint: disable=protected-access
        LookupTables.get('t', 'a')
        LookupTables.get('t', 'b')
        with mock.patch.object(cache.random, 'choice', side_effect=lambda keys: keys[0]) \
                as choice:
            LookupTables.get('t', 'c')
        choice.assert_called_once_with(['a', 'b'])
        self.assertEqual(sorted(driver._cache.keys()), ['b', 'c'])  # pylint: disable=protected-access
        LookupTables.get('t', 'c')              # cached: no eviction
        self.assertEqual(len(driver._cache), 2)  # pylint: disable=protected-access

    def test_random_eviction_really_is_random(self):
        seen = set()
        for seed in range(20):
            dcache = cache.DriverCache(60, 2)
            cache.random.seed(seed)
            for key in ('a', 'b', 'c'):
                dcache.set(key, 1)
            seen.add(tuple(sorted(dcache.keys())))
        self.assertEqual(seen, {('a', 'c'), ('b', 'c')})
