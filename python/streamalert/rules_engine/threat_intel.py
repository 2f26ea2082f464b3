"""Threat intel: mark records whose normalized values are known IOCs (compat 8.2).

vigil implements the *intended* behaviour: every element of every normalized entry's
``values`` is a candidate (StreamAlert, at its last commit, iterates the entries
themselves and so only works with the old list-shaped normalization).

For each record with ``streamalert_normalization``, each normalized type that
``normalized_ioc_types`` maps to an IOC type contributes its values, minus excluded ones.
The candidates are looked up in the IOC store in chunks of at most 100; every known value
is added to ``record["streamalert:ioc"][ioc_type]`` (a ``set``). The IOC type comes from
the configuration, never from the store's ``sub_type``.

The store is an SQLite file (default ``<data_dir>/threat_intel.sqlite3``) with table
``iocs(ioc_value TEXT PRIMARY KEY, ioc_type, sub_type, source, expiration_ts)``; rows whose
``expiration_ts`` (epoch seconds) is in the past are ignored.
"""
import logging
import os
import pathlib
import sqlite3
import time

from streamalert.shared.normalize import Normalizer
from streamalert.shared.utils import address_in_network, parse_address, parse_network

LOGGER = logging.getLogger(__name__)

CHUNK_SIZE = 100

IOC_TABLE_SQL = ('CREATE TABLE IF NOT EXISTS iocs (ioc_value TEXT PRIMARY KEY, ioc_type TEXT, '
                 'sub_type TEXT, source TEXT, expiration_ts INTEGER)')


class IocStore(object):
    """Base IOC store: ``lookup(values)`` returns the subset of ``values`` that are IOCs."""

    def lookup(self, values):
        known = set()
        values = list(values)
        for start in range(0, len(values), CHUNK_SIZE):
            known.update(self.query_chunk(values[start:start + CHUNK_SIZE]))
        return known

    def query_chunk(self, values):
        raise NotImplementedError


class SqliteIocStore(IocStore):
    """The local IOC table, opened read-only on first use."""

    def __init__(self, path):
        self.path = path
        self._conn = None
        self._reported = False

    def _connect(self):
        if self._conn is not None:
            return self._conn
        if not os.path.isfile(self.path):
            if not self._reported:
                self._reported = True
                LOGGER.error('threat intel: IOC store %s does not exist; no IOC can match',
                             self.path)
            return None
        uri = pathlib.Path(self.path).resolve().as_uri() + '?mode=ro'
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        return self._conn

    def query_chunk(self, values):
        conn = self._connect()
        if conn is None or not values:
            return set()
        sql = ('SELECT ioc_value FROM iocs WHERE ioc_value IN ({}) AND '
               '(expiration_ts IS NULL OR expiration_ts = \'\' OR expiration_ts > ?)'
               .format(','.join('?' * len(values))))
        try:
            rows = conn.execute(sql, list(values) + [int(time.time())]).fetchall()
        except sqlite3.Error as err:
            LOGGER.error('threat intel: query on %s failed: %s', self.path, err)
            return set()
        return {row[0] for row in rows}


class FixtureIocStore(IocStore):
    """Test fixtures (compat 9.7): the fixtures whose ``ioc_value`` was queried."""

    def __init__(self, fixtures):
        self._values = set()
        for item in fixtures or ():
            if isinstance(item, dict) and isinstance(item.get('ioc_value'), str):
                self._values.add(item['ioc_value'])

    def query_chunk(self, values):
        return {value for value in values if value in self._values}


class ThreatIntel(object):
    """Threat-intel annotation of a batch of records."""

    IOC_KEY = 'streamalert:ioc'
    EXCLUDED_IOCS = 'excluded_iocs'

    def __init__(self, store, normalized_ioc_types, excluded_iocs=None):
        self.store = store
        # normalized type -> IOC type
        self._ioc_types_map = {}
        for ioc_type, normalized_types in (normalized_ioc_types or {}).items():
            for normalized_type in normalized_types or ():
                self._ioc_types_map[normalized_type] = ioc_type
        self._excluded = {}
        self._excluded_networks = []
        for ioc_type, entries in (excluded_iocs or {}).items():
            keys = set(entries or ())
            self._excluded[ioc_type] = keys
            if ioc_type == 'ip':
                for cidr in sorted(keys, key=str):
                    try:
                        self._excluded_networks.append(parse_network(cidr))
                    except ValueError:
                        LOGGER.error('Invalid IP Network: %s', cidr)

    @classmethod
    def is_active(cls, config):
        """compat 8.2: ``threat_intel.enabled`` and some cluster's ``enable_threat_intel``."""
        intel = config.get('threat_intel') or {}
        if intel.get('enabled') is not True:
            return False
        clusters = config.get('clusters') or {}
        return any(isinstance(cluster, dict) and cluster.get('enable_threat_intel')
                   for cluster in clusters.values())

    @classmethod
    def load_from_config(cls, config, store=None, default_store_path=None):
        """An instance if threat intel is active in ``config``, else None."""
        if not cls.is_active(config):
            return None
        intel = config['threat_intel']
        if store is None:
            path = intel.get('path') or default_store_path
            if not path:
                raise ValueError('threat intel: no IOC store path (set "path" in '
                                 'threat_intel.json or give a data directory)')
            store = SqliteIocStore(path)
        return cls(store, intel.get('normalized_ioc_types'), intel.get(cls.EXCLUDED_IOCS))

    def is_excluded(self, ioc_type, value):
        """compat 8.2: only types with exclusions exclude; for ``ip`` also invalid IPs."""
        exclusions = self._excluded.get(ioc_type)
        if not exclusions:
            return False
        if ioc_type == 'ip':
            try:
                address = parse_address(value)
            except ValueError:
                return True
            if isinstance(value, str) and value == '::1':
                return True   # valid_ip() says no to exactly this string
            return any(address_in_network(address, network)
                       for network in self._excluded_networks)
        return value in exclusions

    def _candidates(self, records):
        candidates = {}   # value -> [(ioc_type, record), ...], in first-seen order
        for record in records:
            normalized = record.get(Normalizer.NORMALIZATION_KEY)
            if not isinstance(normalized, dict):
                continue
            for normalized_type, entries in normalized.items():
                if normalized_type == Normalizer.RECORD_ID_KEY:
                    continue
                ioc_type = self._ioc_types_map.get(normalized_type)
                if not ioc_type or not isinstance(entries, list):
                    continue
                for entry in entries:
                    if not isinstance(entry, dict):
                        continue
                    for value in entry.get('values') or ():
                        # IOC values are strings; objects from list-valued paths, numbers
                        # and empty strings can never match the store.
                        if not isinstance(value, str) or not value:
                            continue
                        if self.is_excluded(ioc_type, value):
                            continue
                        pairs = candidates.setdefault(value, [])
                        if not any(t == ioc_type and r is record for t, r in pairs):
                            pairs.append((ioc_type, record))
        return candidates

    def threat_detection(self, records):
        """Annotate ``records`` in place; return the number of IOC hits added."""
        candidates = self._candidates(records)
        if not candidates:
            return 0
        known = self.store.lookup(candidates)
        hits = 0
        for value in candidates:
            if value not in known:
                continue
            for ioc_type, record in candidates[value]:
                iocs = record.setdefault(self.IOC_KEY, {})
                iocs.setdefault(ioc_type, set()).add(value)
                hits += 1
        return hits


def load_iocs(source_file, db_path, file_format=None):
    """Load IOCs from a JSON or CSV file into the SQLite store; return the row count.

    JSON: a list of objects; CSV: a header row. Columns: ``ioc_value`` and ``ioc_type``
    (required), ``sub_type``, ``source``, ``expiration_ts`` (epoch seconds; empty or absent
    means never). Existing values are replaced. ``file_format`` is ``json`` or ``csv``
    (default: from the file extension). Raises ``ValueError`` naming the bad row.
    """
    import csv  # pylint: disable=import-outside-toplevel
    import json  # pylint: disable=import-outside-toplevel

    fmt = (file_format or os.path.splitext(source_file)[1].lstrip('.')).lower()
    with open(source_file, newline='') as handle:
        if fmt == 'json':
            items = json.load(handle)
            if not isinstance(items, list):
                raise ValueError('{}: expected a JSON list of IOC objects'.format(source_file))
        elif fmt == 'csv':
            items = list(csv.DictReader(handle))
        else:
            raise ValueError('{}: unknown IOC file format {!r} (json or csv)'.format(
                source_file, fmt))
    rows = []
    for index, item in enumerate(items, 1):
        where = '{}: IOC {}'.format(source_file, index)
        if not isinstance(item, dict):
            raise ValueError('{}: not an object'.format(where))
        value, ioc_type = item.get('ioc_value'), item.get('ioc_type')
        if not isinstance(value, str) or not value:
            raise ValueError("{}: 'ioc_value' must be a non-empty string".format(where))
        if not isinstance(ioc_type, str) or not ioc_type:
            raise ValueError("{}: 'ioc_type' must be a non-empty string".format(where))
        expiration = item.get('expiration_ts')
        if expiration in (None, ''):
            expiration = None
        else:
            try:
                expiration = int(float(expiration))
            except (TypeError, ValueError):
                raise ValueError("{}: 'expiration_ts' must be epoch seconds, got {!r}".format(
                    where, expiration))
        rows.append((value, ioc_type, item.get('sub_type') or None,
                     item.get('source') or None, expiration))
    directory = os.path.dirname(os.path.abspath(db_path))
    os.makedirs(directory, exist_ok=True)
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(IOC_TABLE_SQL)
            conn.executemany('INSERT OR REPLACE INTO iocs (ioc_value, ioc_type, sub_type, '
                             'source, expiration_ts) VALUES (?, ?, ?, ?, ?)', rows)
    finally:
        conn.close()
    return len(rows)


# StreamAlert 1.x/2.x name of the class (``stream_alert.rule_processor.threat_intel``).
StreamThreatIntel = ThreatIntel
