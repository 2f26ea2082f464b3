"""Lookup-table drivers (compat 8.1), with off-cloud storage.

| driver      | storage                                                                  |
| ----------- | ------------------------------------------------------------------------ |
| `null`      | nothing: every lookup gives the default                                  |
| `ephemeral` | an in-memory dict (tests and fixtures)                                   |
| `json_file` | one JSON object in the file `path` (relative to the project root)         |
| `s3`        | one JSON object: S3-compatible `endpoint` through `_vigil.s3_get`, or the |
|             | local file `<project_root>/lookup_tables/<bucket>/<key>`                  |
| `sqlite`    | `path` (default `<data_dir>/lookup_tables.sqlite3`), `table`,            |
|             | `key_column`, `value_column` (JSON text), opened read-only                |
| `dynamodb`  | the same SQLite file; table `table` with columns named `partition_key`,   |
|             | `sort_key` and `value_key`; DynamoDB's key rules and per-key cache        |

Whole-document drivers reload the document on the first ``get`` after
``cache_refresh_minutes`` (default 10). Keyed drivers cache each key (missing ones too)
for ``cache_refresh_minutes`` (default 3), at most ``cache_maximum_key_count`` keys
(0: unlimited) with random eviction. Every driver initializes on its first ``get``.
A stored ``null`` is returned as ``None``; only an absent key gives the default.
"""
import importlib
import json
import logging
import os
import pathlib
import sqlite3
import zlib
from decimal import Decimal

from streamalert.shared.lookup_tables import cache
from streamalert.shared.lookup_tables.errors import (
    LookupTablesConfigurationError,
    LookupTablesError,
    LookupTablesInitializationError,
    LookupTablesInputError,
)

LOGGER = logging.getLogger(__name__)

ABSENT = object()   # "no such key", cached like a value; distinct from cache.MISS


class SetupContext(object):
    """Where relative paths of table options point."""

    def __init__(self, project_root, data_dir=None):
        self.project_root = os.path.abspath(project_root or '.')
        self.data_dir = os.path.abspath(data_dir) if data_dir else None

    def project_path(self, path):
        return path if os.path.isabs(path) else os.path.join(self.project_root, path)

    def data_path(self, name):
        if not self.data_dir:
            return None
        return os.path.join(self.data_dir, name)


class Driver(object):
    """Base driver: ``get(key, default)`` after a lazy ``initialize()``."""

    driver_type = None
    required_options = ()

    def __init__(self, table_name, options, context):
        self.table_name = table_name
        self.options = options
        self.context = context
        self._initialized = False
        for option in self.required_options:
            if not options.get(option):
                raise self.config_error("missing required option '{}'".format(option))

    def config_error(self, message):
        return LookupTablesConfigurationError(
            "lookup table '{}' (driver '{}'): {}".format(self.table_name, self.driver_type,
                                                          message))

    def error(self, cls, message):
        return cls("lookup table '{}' (driver '{}'): {}".format(self.table_name,
                                                               self.driver_type, message))

    @property
    def id(self):  # pylint: disable=invalid-name
        return '{}:{}'.format(self.driver_type, self.table_name)

    def initialize(self):
        self._initialized = True

    def get(self, key, default=None):
        if not self._initialized:
            self.initialize()
        value = self._lookup(key)
        return default if value is ABSENT else value

    def _lookup(self, key):
        raise NotImplementedError


class NullDriver(Driver):
    driver_type = 'null'

    def _lookup(self, key):
        return ABSENT


class EphemeralDriver(Driver):
    driver_type = 'ephemeral'

    def __init__(self, table_name, options, context, data=None):
        super().__init__(table_name, options, context)
        self._data = dict(data or {})

    def _lookup(self, key):
        try:
            return self._data.get(key, ABSENT)
        except TypeError:  # unhashable key
            return ABSENT

    def set(self, key, value):
        self._data[key] = value


# ------------------------------------------------------------------- whole documents
class DocumentDriver(Driver):
    """A table that is one JSON object, reloaded after ``cache_refresh_minutes``."""

    default_refresh_minutes = 10

    def __init__(self, table_name, options, context):
        super().__init__(table_name, options, context)
        minutes = options.get('cache_refresh_minutes', self.default_refresh_minutes)
        try:
            self._refresh_seconds = float(minutes) * 60
        except (TypeError, ValueError):
            raise self.config_error('cache_refresh_minutes must be a number, got {!r}'
                                    .format(minutes))
        self._data = None
        self._loaded_at = None

    def initialize(self):
        self._data = self._load()
        self._loaded_at = cache.now()
        self._initialized = True

    def _maybe_refresh(self):
        current = cache.now()
        if current - self._loaded_at < self._refresh_seconds:
            return
        try:
            self._data = self._load()
        except LookupTablesInitializationError as err:
            # StreamAlert raises here too; vigil keeps serving the previous contents.
            LOGGER.warning('%s; keeping the previous contents', err)
        self._loaded_at = current

    def _lookup(self, key):
        self._maybe_refresh()
        try:
            return self._data.get(key, ABSENT)
        except TypeError:
            return ABSENT

    def _fetch(self):
        raise NotImplementedError

    def _load(self):
        raw = self._fetch()
        if self.options.get('compression'):
            raw = self._decompress(raw)
        try:
            data = json.loads(raw)
        except ValueError as err:
            LOGGER.error("lookup table '%s': invalid JSON (%s); the table is empty",
                         self.table_name, err)
            return {}
        if not isinstance(data, dict):
            LOGGER.error("lookup table '%s': the document is a JSON %s, not an object; the "
                         "table is empty", self.table_name, type(data).__name__)
            return {}
        return data

    @staticmethod
    def _decompress(raw):
        # wbits 47 = 32 + 15: zlib or gzip header, detected automatically
        try:
            return zlib.decompress(raw, 47)
        except zlib.error:
            return raw

    def _read_file(self, path):
        try:
            with open(path, 'rb') as handle:
                return handle.read()
        except OSError as err:
            raise self.error(LookupTablesInitializationError,
                             'cannot read {}: {}'.format(path, err.strerror or err))


class JsonFileDriver(DocumentDriver):
    driver_type = 'json_file'
    required_options = ('path',)

    def _fetch(self):
        return self._read_file(self.context.project_path(self.options['path']))


class S3Driver(DocumentDriver):
    driver_type = 's3'
    required_options = ('bucket', 'key')

    def local_path(self):
        return os.path.join(self.context.project_root, 'lookup_tables',
                            self.options['bucket'], self.options['key'])

    def _option_or_env(self, option, env):
        value = self.options.get(option)
        if value:
            return value
        return os.environ.get(env) or None

    def _fetch(self):
        endpoint = self.options.get('endpoint')
        if not endpoint:
            return self._read_file(self.local_path())
        try:
            vigil = importlib.import_module('_vigil')
        except ImportError:
            raise self.error(LookupTablesInitializationError,
                             "an 'endpoint' needs the vigil engine's _vigil module")
        region = self.options.get('region') or os.environ.get('AWS_REGION') or 'us-east-1'
        try:
            # keys are strings ('' when unset); the session token is None when unset
            data = vigil.s3_get(
                endpoint, region, self.options['bucket'], self.options['key'],
                self._option_or_env('access_key_id', 'AWS_ACCESS_KEY_ID') or '',
                self._option_or_env('secret_access_key', 'AWS_SECRET_ACCESS_KEY') or '',
                self._option_or_env('session_token', 'AWS_SESSION_TOKEN'))
        except (OSError, TypeError, ValueError) as err:
            raise self.error(LookupTablesInitializationError,
                             's3://{}/{} from {}: {}'.format(self.options['bucket'],
                                                             self.options['key'], endpoint,
                                                             err))
        return bytes(data)


# ------------------------------------------------------------------- keyed (SQLite)
def _quote_ident(name):
    return '"{}"'.format(str(name).replace('"', '""'))


class KeyedDriver(Driver):
    """One SQLite row per key, with a per-key TTL cache."""

    default_refresh_minutes = 3
    default_file = 'lookup_tables.sqlite3'

    def __init__(self, table_name, options, context):
        super().__init__(table_name, options, context)
        minutes = options.get('cache_refresh_minutes', self.default_refresh_minutes)
        count = options.get('cache_maximum_key_count', 0)
        try:
            ttl = float(minutes) * 60
            count = int(count or 0)
        except (TypeError, ValueError):
            raise self.config_error('cache_refresh_minutes and cache_maximum_key_count must '
                                    'be numbers')
        self._cache = cache.DriverCache(ttl, count)
        self._conn = None
        path = options.get('path')
        if path:
            self.path = context.project_path(path)
        else:
            self.path = context.data_path(self.default_file)
            if self.path is None:
                raise self.config_error("no 'path' and no data directory to default to")

    def initialize(self):
        if not os.path.isfile(self.path):
            raise self.error(LookupTablesInitializationError,
                             'database {} does not exist'.format(self.path))
        uri = pathlib.Path(self.path).resolve().as_uri() + '?mode=ro'
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as err:
            raise self.error(LookupTablesInitializationError,
                             'cannot open {}: {}'.format(self.path, err))
        self._initialized = True

    def _lookup(self, key):
        try:
            cached = self._cache.get(key)
        except TypeError:  # unhashable key
            return ABSENT
        if cached is not cache.MISS:
            return cached
        value = self._fetch_key(key)
        self._cache.set(key, value)
        return value

    def _select(self, sql, params):
        try:
            return self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as err:
            raise self.error(LookupTablesError, 'query failed on {}: {}'.format(self.path, err))

    def _fetch_key(self, key):
        raise NotImplementedError

    @staticmethod
    def _decode(value, **json_options):
        if isinstance(value, str):
            try:
                return json.loads(value, **json_options)
            except ValueError:
                return value
        return value


class SqliteDriver(KeyedDriver):
    driver_type = 'sqlite'

    def __init__(self, table_name, options, context):
        super().__init__(table_name, options, context)
        self._sql = 'SELECT {} FROM {} WHERE {} = ? LIMIT 1'.format(
            _quote_ident(options.get('value_column', 'value')),
            _quote_ident(options.get('table', table_name)),
            _quote_ident(options.get('key_column', 'key')))

    def _fetch_key(self, key):
        row = self._select(self._sql, (key,))
        if row is None or row[0] is None:
            return ABSENT
        return self._decode(row[0])


class DynamoDBDriver(KeyedDriver):
    driver_type = 'dynamodb'
    required_options = ('table', 'partition_key', 'value_key')

    def __init__(self, table_name, options, context):
        super().__init__(table_name, options, context)
        self._sort_key = options.get('sort_key')
        self._delimiter = options.get('key_delimiter', ':')
        where = '{} = ?'.format(_quote_ident(options['partition_key']))
        if self._sort_key:
            where += ' AND {} = ?'.format(_quote_ident(self._sort_key))
        self._sql = 'SELECT {} FROM {} WHERE {} LIMIT 1'.format(
            _quote_ident(options['value_key']), _quote_ident(options['table']), where)

    def _key_params(self, key):
        if not self._sort_key:
            return (key,)
        parts = str(key).split(self._delimiter, 2) if isinstance(key, str) else [key]
        if len(parts) != 2:
            raise self.error(
                LookupTablesInputError,
                "key {!r} must be '<{}>{}<{}>' with exactly one '{}'".format(
                    key, self.options['partition_key'], self._delimiter, self._sort_key,
                    self._delimiter))
        return tuple(parts)

    def get(self, key, default=None):
        # The key check comes before the cache, as DynamoDB validates every request.
        self._key_params(key)
        return super().get(key, default)

    def _fetch_key(self, key):
        row = self._select(self._sql, self._key_params(key))
        if row is None or row[0] is None:
            return ABSENT
        value = row[0]
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return Decimal(str(value))   # DynamoDB numbers come back as Decimal
        return self._decode(value, parse_float=Decimal, parse_int=Decimal)


DRIVERS = {
    cls.driver_type: cls
    for cls in (NullDriver, EphemeralDriver, JsonFileDriver, S3Driver, SqliteDriver,
                DynamoDBDriver)
}


def construct_driver(table_name, options, context):
    """A driver for one table of ``lookup_tables.json``; configuration errors raise."""
    if not isinstance(options, dict):
        raise LookupTablesConfigurationError(
            "lookup table '{}': configuration must be an object, got {}".format(
                table_name, type(options).__name__))
    driver_type = options.get('driver')
    cls = DRIVERS.get(driver_type)
    if cls is None:
        raise LookupTablesConfigurationError(
            "lookup table '{}': unknown driver {!r} (known drivers: {})".format(
                table_name, driver_type, ', '.join(sorted(DRIVERS))))
    return cls(table_name, options, context)
