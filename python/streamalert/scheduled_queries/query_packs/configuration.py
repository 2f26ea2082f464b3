"""``QueryPackConfiguration``: declare a scheduled query (compat 10.4).

A query-pack file calls ``QueryPackConfiguration(name=..., description=..., query=...,
params=..., tags=[...])`` at import; the pack registers itself by name.
"""
import calendar
import logging
from collections import OrderedDict
from datetime import timedelta

LOGGER = logging.getLogger(__name__)


def _datehour(clock, **delta):
    return (clock - timedelta(**delta)).strftime('%Y-%m-%d-%H')


def _timestamp(clock, **delta):
    return str(int(round(calendar.timegm((clock - timedelta(**delta)).timetuple()))))


BUILTIN_PARAMETERS = {
    'utcdatehour': lambda clock: _datehour(clock),
    'utcdatehour_minus1hour': lambda clock: _datehour(clock, hours=1),
    'utcdatehour_minus2hour': lambda clock: _datehour(clock, hours=2),
    'utcdatehour_minus1day': lambda clock: _datehour(clock, days=1),
    'utcdatehour_minus2day': lambda clock: _datehour(clock, days=2),
    'utcdatehour_minus7day': lambda clock: _datehour(clock, days=7),
    'utctimestamp': lambda clock: _timestamp(clock),
    'utctimestamp_minus1hour': lambda clock: _timestamp(clock, hours=1),
    # QUIRK kept (compat 10.4): an epoch string, not ISO text
    'utcisotime': lambda clock: _timestamp(clock),
}


class QueryPackRepository(object):
    """Every declared query pack, by name."""

    _packs = OrderedDict()

    @classmethod
    def register(cls, pack):
        if pack.name in cls._packs:
            raise RuntimeError('ERROR: Duplicate query pack name: "{}"'.format(pack.name))
        cls._packs[pack.name] = pack

    @classmethod
    def get_packs(cls):
        return list(cls._packs.values())

    @classmethod
    def clear(cls):
        cls._packs.clear()


class QueryPackConfiguration(object):
    """One scheduled query. ``name``, ``query`` and ``tags`` are required."""

    def __init__(self, query=None, params=None, name=None, description=None, tags=None):
        if not name:
            raise RuntimeError('Query Pack missing name')
        if not query:
            raise RuntimeError('Query Pack "{}" missing query template'.format(name))
        if not tags:
            raise RuntimeError('Query Pack "{}" has no tags?'.format(name))
        self._name = name
        self._description = description
        self._query_template = query
        self._query_parameters = params
        self._tags = tags
        QueryPackRepository.register(self)

    @property
    def name(self):
        return self._name

    @property
    def description(self):
        return self._description

    @property
    def query_template(self):
        return self._query_template

    @property
    def query_parameters(self):
        return self._query_parameters

    @property
    def tags(self):
        return self._tags

    def runs_for(self, tags):
        """A pack runs iff its tags contain every configured tag (no tags: always)."""
        return all(tag in self._tags for tag in tags or ())

    def generate_parameters(self, clock):
        """``{name: value}`` for this pack's ``params`` at ``clock`` (a UTC datetime)."""
        params = self._query_parameters or []
        result = OrderedDict()
        items = params.items() if isinstance(params, dict) else ((name, None) for name in params)
        for name, func in items:
            if callable(func):
                result[name] = func(clock)
            elif name in BUILTIN_PARAMETERS:
                result[name] = BUILTIN_PARAMETERS[name](clock)
            else:
                LOGGER.error('Query pack "%s": unknown parameter "%s"', self._name, name)
                result[name] = None
        return result

    def generate_query(self, clock):
        """The query text with its parameters filled in (``str.format``)."""
        return self._query_template.format(**self.generate_parameters(clock))
