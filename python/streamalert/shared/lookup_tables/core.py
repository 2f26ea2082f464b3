"""``LookupTables``: StreamAlert's lookup-table API (compat 8.1).

- ``LookupTables.get(table, key, default=None)``
- ``LookupTables.get_instance(config=None, reset=False).table(name).get(key, default)``
  (``get_table`` is the same as ``table``)

The instance is a process-wide singleton. vigil's engine sets it up with
``LookupTables.configure(lookup_tables_json, project_root, data_dir)``; without that, the
first ``get_instance()`` reads ``conf/lookup_tables.json`` from the working directory, as
StreamAlert does. Test fixtures (compat 9.7) replace every table for one test event.
"""
import json
import logging
import os

from streamalert.shared.lookup_tables.drivers import (
    EphemeralDriver,
    NullDriver,
    SetupContext,
    construct_driver,
)
from streamalert.shared.lookup_tables.errors import (
    LookupTablesConfigurationError,
    LookupTablesError,
    LookupTablesInitializationError,
    LookupTablesInputError,
)

__all__ = ['LookupTables', 'LookupTable', 'LookupTablesError',
           'LookupTablesConfigurationError', 'LookupTablesInitializationError',
           'LookupTablesInputError']

LOGGER = logging.getLogger(__name__)


class LookupTable(object):
    """One table: a name and its driver."""

    def __init__(self, table_name, driver):
        self._table_name = table_name
        self._driver = driver

    @property
    def table_name(self):
        return self._table_name

    @property
    def driver_id(self):
        return self._driver.id

    @property
    def driver_type(self):
        return self._driver.driver_type

    def get(self, key, default=None):
        """The stored value (``None`` if stored as null), or ``default`` if absent."""
        return self._driver.get(key, default)

    def __repr__(self):
        return '<LookupTable {} ({})>'.format(self._table_name, self._driver.driver_type)


def _lookup_tables_section(config):
    """Accept StreamAlert's whole config (``{'lookup_tables': ...}``) or the file itself."""
    if not config:
        return {}
    if 'lookup_tables' in config and 'tables' not in config:
        return config.get('lookup_tables') or {}
    return config


def build_tables(config, project_root, data_dir=None):
    """``(tables, errors)`` for a lookup_tables configuration; disabled gives no tables."""
    section = _lookup_tables_section(config)
    tables, errors = {}, []
    if not isinstance(section, dict) or section.get('enabled') is not True:
        return tables, errors
    table_configs = section.get('tables') or {}
    if not isinstance(table_configs, dict):
        return tables, ["lookup_tables.json: 'tables' must be an object"]
    context = SetupContext(project_root, data_dir)
    for name, options in table_configs.items():
        try:
            tables[name] = LookupTable(name, construct_driver(name, options, context))
        except LookupTablesConfigurationError as err:
            errors.append(str(err))
    return tables, errors


class LookupTables(object):
    """The process-wide set of lookup tables."""

    _instance = None
    _setup = None          # (config, project_root, data_dir) from configure()

    def __init__(self, tables):
        self._tables = dict(tables)
        self._fixtures = None
        self._reported_missing = set()

    # ----------------------------------------------------------------- construction
    @classmethod
    def configure(cls, config, project_root, data_dir=None):
        """Set up the singleton from ``lookup_tables.json`` contents; return it.

        Raises ``LookupTablesConfigurationError`` (every problem, one per line) if a table
        cannot be set up, for instance an unknown driver.
        """
        tables, errors = build_tables(config, project_root, data_dir)
        cls._setup = (config, project_root, data_dir)
        cls._instance = cls(tables)
        if errors:
            raise LookupTablesConfigurationError('\n'.join(errors))
        return cls._instance

    @classmethod
    def get_instance(cls, config=None, reset=False):
        """The singleton. Later configs are ignored unless ``reset`` (as in StreamAlert)."""
        if cls._instance is not None and not reset:
            return cls._instance
        if config is None and cls._setup is not None:
            config, project_root, data_dir = cls._setup
        else:
            project_root = cls._setup[1] if cls._setup else os.getcwd()
            data_dir = cls._setup[2] if cls._setup else None
            if config is None:
                config = cls._read_default_config()
        tables, errors = build_tables(config, project_root, data_dir)
        if errors:
            raise LookupTablesConfigurationError('\n'.join(errors))
        cls._instance = cls(tables)
        return cls._instance

    @staticmethod
    def _read_default_config():
        path = os.path.join('conf', 'lookup_tables.json')
        try:
            with open(path) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    @classmethod
    def reset(cls):
        """Forget the singleton and its setup."""
        cls._instance = None
        cls._setup = None

    # ----------------------------------------------------------------- fixtures
    def set_fixtures(self, fixtures):
        """Replace every table by an in-memory one with exactly ``fixtures`` (compat 9.7)."""
        tables = {}
        for name, contents in (fixtures or {}).items():
            if not isinstance(contents, dict):
                LOGGER.warning("lookup table fixture '%s' is not an object; the table is "
                               "empty", name)
                contents = {}
            tables[name] = LookupTable(
                name, EphemeralDriver(name, {}, SetupContext('.'), data=contents))
        self._fixtures = tables

    def clear_fixtures(self):
        self._fixtures = None

    # ----------------------------------------------------------------- lookups
    @property
    def table_names(self):
        return sorted(self._active_tables())

    def _active_tables(self):
        return self._fixtures if self._fixtures is not None else self._tables

    def table(self, table_name):
        """The named table; an unknown name logs an error and gives an empty table."""
        tables = self._active_tables()
        found = tables.get(table_name)
        if found is not None:
            return found
        if table_name not in self._reported_missing:
            self._reported_missing.add(table_name)
            LOGGER.error('Nonexistent LookupTable (%s) referenced. Defaulting to null table. '
                         'Valid tables were (%s)', table_name, ', '.join(sorted(tables)))
        return LookupTable(table_name, NullDriver(table_name, {}, SetupContext('.')))

    get_table = table

    @classmethod
    def get(cls, table_name, key, default=None):
        """``get_instance().table(table_name).get(key, default)``."""
        return cls.get_instance().table(table_name).get(key, default)
