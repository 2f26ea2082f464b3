"""``Normalizer`` (compat 3.2) and the older ``fetch_values_by_datatype`` helper (compat 3.3).

The classifier (C) writes normalization results under ``record["streamalert_normalization"]``
as ``{type: [{"function": ..., "values": [...]}, ...], "streamalert_record_id": ...}``.
"""

NORMALIZATION_KEY = 'streamalert_normalization'
RECORD_ID_KEY = 'streamalert_record_id'
LEGACY_NORMALIZATION_KEY = 'streamalert:normalization'


class Normalizer(object):
    """Read access to normalized values from a rule."""

    NORMALIZATION_KEY = NORMALIZATION_KEY
    RECORD_ID_KEY = RECORD_ID_KEY

    @classmethod
    def get_values_for_normalized_type(cls, record, datatype):
        """The set of every element of every ``values`` list under ``datatype``.

        Empty when the record has no such type. Unhashable elements (objects from
        list-valued paths) raise ``TypeError``, as in StreamAlert. A record that carries
        only the v3.0-3.2 key ``streamalert:normalization`` (vigil's opt-in legacy mode)
        gives the set of that type's list, as StreamAlert 3.0-3.2 did.
        """
        result = set()
        normalized = record.get(cls.NORMALIZATION_KEY)
        if not isinstance(normalized, dict):
            # vigil's opt-in v3.0-3.2 normalization stores plain value lists under the old key
            legacy = record.get(LEGACY_NORMALIZATION_KEY)
            if isinstance(legacy, dict) and isinstance(legacy.get(datatype), list):
                result.update(legacy[datatype])
            return result
        entries = normalized.get(datatype)
        if not entries or not isinstance(entries, list):
            return result
        for entry in entries:
            if isinstance(entry, dict):
                result.update(entry.get('values') or ())
        return result


def _walk_path(record, path):
    value = record
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def fetch_values_by_datatype(rec, datatype):
    """Values of normalized type ``datatype`` as a list, for rules written for StreamAlert 2.x.

    Works on every normalization shape vigil may produce:

    - current (v3.3+): the ``values`` of every entry under ``streamalert_normalization``,
      in order, duplicates kept;
    - v3.0-v3.2 (``streamalert:normalization`` holding values): that list;
    - v2.x (``streamalert:normalization`` holding key paths): the value at each path.
    """
    normalized = rec.get(NORMALIZATION_KEY)
    if isinstance(normalized, dict) and datatype in normalized:
        values = []
        for entry in normalized.get(datatype) or ():
            if isinstance(entry, dict):
                values.extend(entry.get('values') or ())
        return values

    legacy = rec.get(LEGACY_NORMALIZATION_KEY)
    if not isinstance(legacy, dict):
        return []
    items = legacy.get(datatype) or []
    if items and all(isinstance(item, list) for item in items):
        values = []
        for path in items:
            value = _walk_path(rec, path)
            if value is not None:
                values.append(value)
        return values
    return list(items)
