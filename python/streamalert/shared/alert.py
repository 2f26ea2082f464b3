"""The ``Alert`` object that publishers receive (compat 5.5, 6.1, 6.2, 6.3).

Timestamps are naive UTC datetimes, serialized as ``%Y-%m-%dT%H:%M:%S.%fZ``. Falsy
constructor arguments take the defaults of compat 6.1; unknown keywords raise
``AlertCreationError``.
"""
import json
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

DATETIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'
REQUIRED_OUTPUTS = frozenset(['aws-firehose:alerts'])
EPOCH = datetime(1970, 1, 1)


class AlertCreationError(Exception):
    """Bad arguments to ``Alert`` or a table record that cannot be parsed."""


def utcnow():
    """Naive UTC now (what StreamAlert stores in ``created``)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def format_timestamp(value):
    return value.strftime(DATETIME_FORMAT)


def parse_timestamp(text):
    return datetime.strptime(text, DATETIME_FORMAT)


def _json_default(obj):
    if isinstance(obj, (set, frozenset)):
        try:
            return sorted(obj)
        except TypeError:
            return list(obj)
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, datetime):
        return format_timestamp(obj)
    raise TypeError('Object of type {} is not JSON serializable'.format(type(obj).__name__))


def compact_json(value):
    """JSON with ``,``/``:`` separators; sets become (sorted) lists."""
    return json.dumps(value, separators=(',', ':'), default=_json_default)


class Alert(object):
    """One alert: a rule's verdict on one record, plus delivery bookkeeping."""

    _EXPECTED_INIT_KWARGS = frozenset([
        'alert_id', 'attempts', 'cluster', 'context', 'created', 'dispatched',
        'log_source', 'log_type', 'merge_by_keys', 'merge_window', 'outputs_sent',
        'publishers', 'rule_description', 'source_entity', 'source_service', 'staged',
    ])

    def __init__(self, rule_name, record, outputs, **kwargs):
        unknown = set(kwargs) - self._EXPECTED_INIT_KWARGS
        if unknown:
            raise AlertCreationError(
                'Invalid Alert kwargs: {} is not in the expected set of {}'.format(
                    ', '.join(sorted(unknown)), ', '.join(sorted(self._EXPECTED_INIT_KWARGS))))

        self.alert_id = kwargs.get('alert_id') or str(uuid.uuid4())
        self.attempts = int(kwargs.get('attempts') or 0)
        self.cluster = kwargs.get('cluster') or None
        self.context = kwargs.get('context') or {}
        self.created = kwargs.get('created') or utcnow()
        self.dispatched = kwargs.get('dispatched') or EPOCH
        self.log_source = kwargs.get('log_source') or None
        self.log_type = kwargs.get('log_type') or None
        self.merge_by_keys = kwargs.get('merge_by_keys') or []
        self.merge_window = kwargs.get('merge_window') or timedelta(minutes=0)
        self.outputs_sent = kwargs.get('outputs_sent') or set()
        self.publishers = kwargs.get('publishers') or {}
        self.rule_description = kwargs.get('rule_description') or None
        self.source_entity = kwargs.get('source_entity') or None
        self.source_service = kwargs.get('source_service') or None
        self.staged = kwargs.get('staged') or False

        self.rule_name = rule_name
        self.record = record
        self.outputs = set(outputs) if not isinstance(outputs, set) else outputs

    def __lt__(self, other):
        return self.created < other.created

    def __repr__(self):
        return '<Alert {} triggered from {}>'.format(self.alert_id, self.rule_name)

    # ----------------------------------------------------------------- delivery
    @property
    def dynamo_key(self):
        return {'RuleName': self.rule_name, 'AlertID': self.alert_id}

    @property
    def merge_enabled(self):
        """compat 6.3: merge keys and a non-zero window."""
        return bool(self.merge_by_keys) and bool(self.merge_window)

    @property
    def remaining_outputs(self):
        """compat 6.3: what is still to be delivered for this (unmerged) alert."""
        if self.merge_enabled:
            return (self.outputs & REQUIRED_OUTPUTS) - self.outputs_sent
        return self.outputs - self.outputs_sent

    # ----------------------------------------------------------------- serializations
    def dynamo_record(self):
        """The alerts-table item (compat 6.2); ``Record`` is compact JSON text."""
        return {
            'RuleName': self.rule_name,
            'AlertID': self.alert_id,
            'Attempts': self.attempts,
            'Cluster': self.cluster,
            'Context': self.context,
            'Created': format_timestamp(self.created),
            'Dispatched': format_timestamp(self.dispatched),
            'LogSource': self.log_source,
            'LogType': self.log_type,
            'MergeByKeys': self.merge_by_keys,
            'MergeWindowMins': int(self.merge_window.total_seconds() / 60),
            'Outputs': sorted(self.outputs),
            'OutputsSent': sorted(self.outputs_sent) or None,
            'Publishers': self.publishers or None,
            'Record': compact_json(self.record),
            'RuleDescription': self.rule_description,
            'SourceEntity': self.source_entity,
            'SourceService': self.source_service,
            'Staged': self.staged,
        }

    @classmethod
    def create_from_dynamo_record(cls, record):
        """Parse a table item; ``Attempts`` is required, as in StreamAlert."""
        try:
            return cls(
                record['RuleName'],
                json.loads(record['Record']),
                set(record['Outputs']),
                alert_id=record['AlertID'],
                attempts=int(record.get('Attempts')),
                cluster=record.get('Cluster'),
                context=record.get('Context'),
                created=parse_timestamp(record['Created']),
                dispatched=(parse_timestamp(record['Dispatched'])
                            if record.get('Dispatched') else None),
                log_source=record.get('LogSource'),
                log_type=record.get('LogType'),
                merge_by_keys=record.get('MergeByKeys'),
                merge_window=timedelta(minutes=int(record.get('MergeWindowMins') or 0)),
                outputs_sent=set(record.get('OutputsSent') or []),
                publishers=record.get('Publishers'),
                rule_description=record.get('RuleDescription'),
                source_entity=record.get('SourceEntity'),
                source_service=record.get('SourceService'),
                staged=record.get('Staged'),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise AlertCreationError('Invalid alert record {!r}: {}'.format(record, err))

    def output_dict(self):
        """The default publication (compat 6.2); ``outputs`` sorted, ``""`` for None strings."""
        return {
            'cluster': self.cluster or '',
            'context': self.context,
            'created': format_timestamp(self.created),
            'id': self.alert_id,
            'log_source': self.log_source,
            'log_type': self.log_type,
            'outputs': sorted(self.outputs),
            'publishers': self.publishers or {},
            'record': self.record,
            'rule_description': self.rule_description or '',
            'rule_name': self.rule_name,
            'source_entity': self.source_entity,
            'source_service': self.source_service,
            'staged': self.staged,
        }

    @classmethod
    def from_output_dict(cls, data):
        """Rebuild an alert from ``output_dict()`` (vigil: what the C engine stores).

        Also reads the extra keys ``vigil_runtime.build_alert`` adds (``merge_by_keys``,
        ``merge_window_mins``) and, when present, ``attempts``, ``dispatched`` and
        ``outputs_sent``. Timestamps may be strings or datetimes.
        """
        def when(value):
            if not value:
                return None
            return value if isinstance(value, datetime) else parse_timestamp(value)

        try:
            return cls(
                data['rule_name'],
                data['record'],
                set(data.get('outputs') or ()),
                alert_id=data.get('id'),
                attempts=data.get('attempts'),
                cluster=data.get('cluster'),
                context=data.get('context'),
                created=when(data.get('created')),
                dispatched=when(data.get('dispatched')),
                log_source=data.get('log_source'),
                log_type=data.get('log_type'),
                merge_by_keys=data.get('merge_by_keys'),
                merge_window=timedelta(minutes=data.get('merge_window_mins') or 0),
                outputs_sent=set(data.get('outputs_sent') or ()),
                publishers=data.get('publishers'),
                rule_description=data.get('rule_description'),
                source_entity=data.get('source_entity'),
                source_service=data.get('source_service'),
                staged=data.get('staged'),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise AlertCreationError('Invalid alert dict: {}'.format(err))
