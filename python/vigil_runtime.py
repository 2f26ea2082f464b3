"""The Python half of vigil's rules engine: the functions the C engine (src/rules/) calls.

Call order from C:

1. ``install_shims()`` once, before anything imports user code;
2. ``configure(conf_dir, project_root, data_dir)``: errors are strings, empty list = fine;
3. ``load_rules(rule_dirs, matcher_dirs)``: every import error as ``file:LINE: message``;
4. ``rule_table()``: what C needs to select and run rules;
5. per record: C checks ``req_subkeys``, calls matchers and rule functions itself (with
   ``fresh_context(name)`` for rules that have a context) and, for each truthy result,
   ``build_alert(...)``;
6. per batch: ``threat_intel_annotate(records)`` first, when ``threat_intel_active()``;
7. delivery: ``publication(alert_dict, output)`` for each output;
8. test runner: ``set_test_fixtures``/``clear_test_fixtures`` around each test event and
   ``publisher_tests(alerts, tests)``.

Nothing here raises for bad user input: problems come back as error strings or failed
test results, and are logged through the ``logging`` module (logger ``vigil``).
"""
import copy
import glob
import json
import logging
import os
import re
import sys
import types
import warnings
from datetime import timedelta

from streamalert import _aliases, _importer
from streamalert.rules_engine import threat_intel as _threat_intel
from streamalert.rules_engine.threat_intel import FixtureIocStore, ThreatIntel
from streamalert.scheduled_queries.query_packs.configuration import QueryPackRepository
from streamalert.shared import publisher as _publisher
from streamalert.shared.alert import REQUIRED_OUTPUTS, Alert, AlertCreationError
from streamalert.shared.lookup_tables.core import LookupTables, build_tables
from streamalert.shared.normalize import NORMALIZATION_KEY
from streamalert.shared.rule import Matcher, Rule, RuleCreationError

import vigil_jmespath

LOGGER = logging.getLogger('vigil')

__all__ = [
    'install_shims', 'configure', 'load_rules', 'rule_table', 'fresh_context', 'build_alert',
    'publication', 'publisher_tests', 'set_test_fixtures', 'clear_test_fixtures',
    'threat_intel_active', 'threat_intel_annotate', 'rule_stats_names', 'load_publishers',
    'load_iocs', 'reset',
]


class _State(object):
    def __init__(self):
        self.conf_dir = None
        self.project_root = None
        self.data_dir = None
        self.config = {}
        self.threat_intel = None
        self.real_ioc_store = None       # the store while test fixtures replace it
        self.patched_random_bool = []    # (module, original)


_STATE = _State()


# ============================================================================ shims
def _cgi_escape(s, quote=False):
    """The ``cgi.escape`` removed in Python 3.8: ``&``, ``<``, ``>``; ``"`` if ``quote``."""
    s = s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    if quote:
        s = s.replace('"', '&quot;')
    return s


def install_shims():
    """Make StreamAlert-era imports work on this Python. Idempotent.

    - ``cgi.escape`` (gone since 3.8; the Slack layout publishers need it), added to the
      real ``cgi`` module, or to a stub ``cgi`` module where there is none (3.13+);
    - ``pathlib2`` as ``pathlib`` unless the real package is installed;
    - the ``stream_alert.*`` import paths (``streamalert._aliases``).
    """
    import importlib.util  # pylint: disable=import-outside-toplevel
    import pathlib  # pylint: disable=import-outside-toplevel

    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        try:
            import cgi  # pylint: disable=import-outside-toplevel,deprecated-module
        except ImportError:
            cgi = types.ModuleType('cgi')
            cgi.__doc__ = 'vigil stub: only escape() (the cgi module is gone in this Python)'
            sys.modules['cgi'] = cgi
    if not hasattr(cgi, 'escape'):
        cgi.escape = _cgi_escape

    if 'pathlib2' not in sys.modules:
        try:
            real = importlib.util.find_spec('pathlib2')
        except (ImportError, ValueError):
            real = None
        if real is None:
            sys.modules['pathlib2'] = pathlib

    _aliases.install()


# ============================================================================ configure
def _read_json(path, errors, required=False):
    if not os.path.exists(path):
        if required:
            errors.append('{}: missing'.format(path))
        return None
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except ValueError as err:
        errors.append('{}: invalid json: {}'.format(path, err))
    except OSError as err:
        errors.append('{}: {}'.format(path, err.strerror or err))
    return None


def configure(conf_dir, project_root, data_dir):
    """Read ``conf/`` and set up lookup tables, threat intel and publisher locations.

    Reads ``global.json`` (required), ``lookup_tables.json``, ``threat_intel.json`` and
    ``clusters/*.json`` with the json module. Puts ``project_root`` first on ``sys.path``.
    Returns a list of error strings; empty when everything is fine. May be called again to
    reconfigure.
    """
    errors = []
    project_root = os.path.abspath(project_root)
    conf_dir = os.path.abspath(conf_dir)
    data_dir = os.path.abspath(data_dir) if data_dir else None
    _STATE.conf_dir, _STATE.project_root, _STATE.data_dir = conf_dir, project_root, data_dir
    _importer.ensure_on_path(project_root)

    config = {}
    global_config = _read_json(os.path.join(conf_dir, 'global.json'), errors, required=True)
    config['global'] = global_config if isinstance(global_config, dict) else {}
    for name in ('lookup_tables', 'threat_intel'):
        value = _read_json(os.path.join(conf_dir, name + '.json'), errors)
        if value is not None:
            config[name] = value
    clusters = {}
    for path in sorted(glob.glob(os.path.join(conf_dir, 'clusters', '*.json'))):
        value = _read_json(path, errors)
        if value is not None:
            clusters[os.path.splitext(os.path.basename(path))[0]] = value
    config['clusters'] = clusters
    _STATE.config = config

    general = config['global'].get('general') or {}
    locations = general.get('publisher_locations') or []
    if not isinstance(locations, list):
        errors.append("global.json: general.publisher_locations must be a list")
        locations = []
    _publisher.AlertPublisherRepository.configure_locations(locations, project_root)

    lookup_config = config.get('lookup_tables') or {}
    tables, table_errors = build_tables(lookup_config, project_root, data_dir)
    errors.extend('lookup_tables.json: ' + error for error in table_errors)
    LookupTables._setup = (lookup_config, project_root, data_dir)  # pylint: disable=protected-access
    LookupTables._instance = LookupTables(tables)  # pylint: disable=protected-access

    _STATE.threat_intel = None
    try:
        default_store = os.path.join(data_dir, 'threat_intel.sqlite3') if data_dir else None
        intel = config.get('threat_intel') or {}
        if isinstance(intel, dict) and intel.get('path'):
            intel = dict(intel, path=os.path.join(project_root, intel['path']))
            config['threat_intel'] = intel
        _STATE.threat_intel = ThreatIntel.load_from_config(
            config, default_store_path=default_store)
    except (ValueError, TypeError, AttributeError) as err:
        errors.append('threat_intel.json: {}'.format(err))
    return errors


# ============================================================================ rules
def _rule_location(item):
    if not item.source_file:
        return '<unknown>:0'
    root = _STATE.project_root or os.getcwd()
    path = item.source_file
    if path.startswith(root + os.sep):
        path = os.path.relpath(path, root)
    return '{}:{}'.format(path, item.source_line)


def load_rules(rule_dirs, matcher_dirs):
    """Import every rule and matcher module (compat 4.5); return error strings.

    Folders are relative to the project root given to ``configure`` (put first on
    ``sys.path``; the working directory is not changed), walked recursively with sorted
    names. Every ``.py`` not starting with ``__`` is imported as the module named by its
    relative path. Errors, one string each, ``path/to/file.py:LINE: message``: a ``.`` in a
    path part, syntax errors, import errors, rule creation errors (duplicate names, missing
    logs/datatypes, matchers that are not callables), named matchers that do not exist.
    Loading goes on after an error.
    """
    root = _STATE.project_root or os.getcwd()
    errors = []
    folders = list(rule_dirs or []) + list(matcher_dirs or [])
    for error in _importer.import_folders(folders, root):
        errors.append(_annotate_duplicate(error))

    for item in Rule.rules():
        item._matcher_callables = None  # pylint: disable=protected-access
        try:
            item.matcher_callables  # pylint: disable=pointless-statement
        except RuleCreationError as err:
            errors.append('{}: RuleCreationError: {}'.format(_rule_location(item), err))
    return errors   # the caller reports them (not logged here too)


_DUPLICATE = re.compile(r'RuleCreationError: Rule \[(.+)\] already defined$')


def _annotate_duplicate(error):
    """Point a duplicate-name error at the rule that holds the name."""
    match = _DUPLICATE.search(error)
    first = Rule.get_rule(match.group(1)) if match else None
    if first is None:
        return error
    return error + ' (first defined at {})'.format(_rule_location(first))


def _table_logs(logs):
    if logs is None or isinstance(logs, (str, list)):
        return logs
    try:
        return list(logs)
    except TypeError:
        return logs


def rule_table():
    """Registered rules in registration order, one tuple each:

    ``(name, func, logs, req_subkeys, matchers, has_context, disabled, description)``

    - ``logs``: ``None`` = every log type (rules declaring only ``datatypes``); a list of
      log types; or a bare string, which StreamAlert tests with substring containment;
    - ``req_subkeys``: ``{key: [sub_key, ...]}`` or ``None``;
    - ``matchers``: tuple of callables (named matchers resolved), run in order;
    - ``has_context``: call ``func(record, fresh_context(name))`` instead of ``func(record)``;
    - ``disabled``: ``@disable``, or a named matcher that does not exist (an error
      ``load_rules`` already returned).
    """
    table = []
    for item in Rule.rules():
        disabled = item.disabled
        try:
            matchers = item.matcher_callables
        except RuleCreationError:
            # load_rules reported it; such a rule must never run without its matcher
            matchers, disabled = (), True
        subkeys = None
        if item.req_subkeys:
            subkeys = {key: list(value) for key, value in item.req_subkeys.items()}
        table.append((item.name, item.func, _table_logs(item.logs), subkeys, tuple(matchers),
                      item.has_context, disabled, item.description))
    return table


def rule_stats_names():
    """Rule names in registration order."""
    return Rule.rule_names()


def _get_rule(name):
    item = Rule.get_rule(name)
    if item is None:
        raise KeyError("unknown rule '{}'".format(name))
    return item


def fresh_context(name):
    """``copy.deepcopy`` of the rule's declared context (compat 4.9)."""
    return copy.deepcopy(_get_rule(name).initial_context)


# ============================================================================ alerts
def _valid_outputs(candidates, rule_name, origin):
    outputs = set()
    for output in candidates:
        if isinstance(output, str) and ':' in output:
            outputs.add(output)
        else:
            LOGGER.warning("rule '%s': %s output %r is not 'service:descriptor'; dropped",
                           rule_name, origin, output)
    return outputs


def _unique_callables(items):
    seen, result = set(), []
    for item in items or ():
        key = id(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _dynamic_outputs(item, record, context):
    outputs = []
    dynamic = item.dynamic_outputs
    if not dynamic:
        return outputs
    if not isinstance(dynamic, (list, tuple, set)):
        dynamic = [dynamic]
    for func in _unique_callables(dynamic):
        try:
            result = func(record, context) if context else func(record)
        except Exception:  # pylint: disable=broad-except
            LOGGER.exception("rule '%s': dynamic output function %s raised", item.name,
                             getattr(func, '__name__', repr(func)))
            continue
        if isinstance(result, str):
            outputs.append(result)
        elif isinstance(result, list):
            outputs.extend(result)
    return outputs


def alert_outputs(item, record, context, staged=False):
    """compat 4.7/4.8: the required output, the rule's outputs and its dynamic outputs."""
    outputs = set(REQUIRED_OUTPUTS)
    if staged:
        return outputs
    outputs |= _valid_outputs(item.outputs_set, item.name, 'static')
    outputs |= _valid_outputs(_dynamic_outputs(item, record, context), item.name, 'dynamic')
    return outputs


def build_alert(name, record, context, cluster, log_type, parser, service, resource,
                staged=False):
    """The alert for rule ``name`` firing on ``record``, as a dict (compat 4.7-4.10, 6.2).

    ``context`` is the copy the rule received (or None), ``log_type`` the schema name
    (alert ``log_source``), ``parser`` the parser name (alert ``log_type``), ``service`` and
    ``resource`` the input. Returns ``Alert.output_dict()`` plus ``merge_by_keys`` (list)
    and ``merge_window_mins`` (int, truncated as in the alerts table). ``record`` is the
    same object, not a copy.
    """
    item = _get_rule(name)
    outputs = alert_outputs(item, record, context, staged)
    publishers = _publisher.resolve_rule_publishers(item.publishers, outputs)
    alert = Alert(
        item.name, record, outputs,
        cluster=cluster,
        context=context,
        log_source=log_type,
        log_type=parser,
        merge_by_keys=item.merge_by_keys,
        merge_window=timedelta(minutes=item.merge_window_mins or 0),
        publishers=publishers,
        rule_description=item.description,
        source_entity=resource,
        source_service=service,
        staged=bool(staged),
    )
    result = alert.output_dict()
    result['merge_by_keys'] = list(alert.merge_by_keys)
    result['merge_window_mins'] = int(alert.merge_window.total_seconds() / 60)
    return result


def _compose(alert, output):
    names = _publisher.publisher_names_for_output(alert.publishers, output)
    chain = _publisher.AlertPublisherRepository.create_composite_publisher(names)
    return chain.publish(alert, {})


def publication(alert, output):
    """The publication of one alert for one output (compat 7.4).

    ``alert`` is the dict ``build_alert`` returned (as stored by C). The record loses a
    top-level ``streamalert_normalization`` first, as in StreamAlert's alert processor
    (compat 6.7 step 3); the caller's dict is not modified. Publisher exceptions
    propagate: the caller counts the delivery as failed.
    """
    alert_obj = Alert.from_output_dict(alert)
    record = alert_obj.record
    if isinstance(record, dict) and NORMALIZATION_KEY in record:
        alert_obj.record = {k: v for k, v in record.items() if k != NORMALIZATION_KEY}
    return _compose(alert_obj, output)


def load_publishers():
    """Import ``publisher_locations`` now (normally lazy); return the error strings."""
    return _publisher.AlertPublisherRepository.import_publishers()


# ============================================================================ tests
_CONDITIONS = ['is', 'in', 'contains']


def _parse_publisher_test(test):
    """``(expression, condition, value, None)`` or ``(None, None, None, error message)``."""
    if isinstance(test, list):
        if len(test) != 3:
            return None, None, None, (
                'Invalid publisher test {}: a list must be a triple '
                '[jmespath_expression, condition, value], got {} item(s)'.format(
                    json.dumps(test, default=str), len(test)))
        return test[0], test[1], test[2], None
    if isinstance(test, dict):
        missing = [key for key in ('jmespath_expression', 'condition', 'value')
                   if key not in test]
        if missing:
            return None, None, None, (
                'Invalid publisher test {}: must be a dict with keys jmespath_expression, '
                'condition and value (missing: {})'.format(
                    json.dumps(test, default=str), ', '.join(missing)))
        return test['jmespath_expression'], test['condition'], test['value'], None
    return None, None, None, 'Invalid publisher test {}: must be list or dict, got {}'.format(
        json.dumps(test, default=str), type(test).__name__)


def _run_publisher_test(output, test, publications, outputs):
    expression, condition, value, error = _parse_publisher_test(test)
    if error:
        return output, False, error
    if output not in outputs:
        return output, False, 'No such output {} was configured for this alert'.format(output)
    if condition not in _CONDITIONS:
        return output, False, 'Invalid condition specified: {}\nValid conditions are: {}'.format(
            condition, _CONDITIONS)
    pub = publications.get(output)
    if isinstance(pub, BaseException):
        return output, False, 'Publication for {} failed: {}: {}'.format(
            output, type(pub).__name__, pub)
    if not isinstance(expression, str):
        return output, False, 'Invalid jmespath expression {!r}: must be a string'.format(
            expression)
    try:
        subject = vigil_jmespath.search(expression, pub)
    except Exception as err:  # pylint: disable=broad-except
        return output, False, 'Invalid jmespath expression "{}": {}'.format(expression, err)

    try:
        if condition == 'is':
            passed, clause = subject == value, 'should have been'
        elif condition == 'in':
            # StreamAlert crashes when value is not a list; vigil tests membership/substring
            passed, clause = subject in value, 'should have been one of'
        else:
            passed, clause = value in subject, 'should have contained'
    except TypeError:
        passed = False
        clause = {'is': 'should have been', 'in': 'should have been one of'}.get(
            condition, 'should have contained')
    if passed:
        return output, True, ''
    return output, False, 'Item at path "{}" {} "{}",\nActual value: "{}"'.format(
        expression, clause, value, subject)


def publisher_tests(alerts, tests):
    """compat 9.6: publisher tests of one test event; ``[(output, passed, message), ...]``.

    Every alert's publications are computed (every output, including
    ``aws-firehose:alerts``), but only the LAST alert's results are returned (QUIRK kept).
    No alert: no results. A failed publication, a malformed test, an unknown output or
    condition, a bad expression: a failed result, never an exception.
    """
    results = []
    for alert in alerts or ():
        try:
            alert_obj = Alert.from_output_dict(alert)
        except AlertCreationError as err:
            results = [('', False, 'Invalid alert: {}'.format(err))]
            continue
        publications = {}
        for output in sorted(alert_obj.outputs):
            try:
                publications[output] = _compose(alert_obj, output)
            except Exception as err:  # pylint: disable=broad-except
                LOGGER.warning("publication of alert '%s' for %s failed: %s",
                               alert_obj.rule_name, output, err)
                publications[output] = err
        results = []
        if not isinstance(tests, dict):
            results.append(('', False, 'publisher_tests must be an object mapping outputs to '
                                       'lists of tests, got {}'.format(type(tests).__name__)))
            continue
        for output, output_tests in tests.items():
            if not isinstance(output_tests, list):
                results.append((output, False, 'Publisher tests for {} must be a list, got {}'
                                .format(output, type(output_tests).__name__)))
                continue
            for test in output_tests:
                results.append(_run_publisher_test(output, test, publications,
                                                   alert_obj.outputs))
    return results


def _patch_random_bool():
    """compat 9.1: rule modules that imported ``random_bool`` by name get one returning True."""
    root = _STATE.project_root
    if not root:
        return

    def always_true(*args, **kwargs):  # pylint: disable=unused-argument
        return True

    for name, module in list(sys.modules.items()):
        func = getattr(module, 'random_bool', None) if module is not None else None
        if func is None or not callable(func) or getattr(func, '__module__', None) == name:
            continue
        path = getattr(module, '__file__', None)
        if not path or not os.path.abspath(path).startswith(root + os.sep):
            continue
        _STATE.patched_random_bool.append((module, func))
        module.random_bool = always_true


def _unpatch_random_bool():
    for module, original in reversed(_STATE.patched_random_bool):
        module.random_bool = original
    _STATE.patched_random_bool = []


def set_test_fixtures(lookup_tables, threat_intel):
    """compat 9.7, for one test event.

    Every lookup table is replaced by an in-memory table with exactly the fixture's
    contents (``None``: no tables at all; tables not listed behave as absent). The IOC
    store answers with the ``threat_intel`` fixtures whose ``ioc_value`` is queried
    (``None``: no IOCs). ``random_bool`` is patched (compat 9.1). Undo with
    ``clear_test_fixtures()``.
    """
    clear_test_fixtures()
    LookupTables.get_instance().set_fixtures(lookup_tables or {})
    if _STATE.threat_intel is not None:
        _STATE.real_ioc_store = _STATE.threat_intel.store
        _STATE.threat_intel.store = FixtureIocStore(threat_intel or [])
    _patch_random_bool()


def clear_test_fixtures():
    """Undo ``set_test_fixtures``: real tables, real IOC store, real ``random_bool``."""
    instance = LookupTables._instance  # pylint: disable=protected-access
    if instance is not None:
        instance.clear_fixtures()
    if _STATE.threat_intel is not None and _STATE.real_ioc_store is not None:
        _STATE.threat_intel.store = _STATE.real_ioc_store
        _STATE.real_ioc_store = None
    _unpatch_random_bool()


# ============================================================================ threat intel
def threat_intel_active():
    """True iff threat_intel.json is enabled and some cluster sets enable_threat_intel."""
    return _STATE.threat_intel is not None


def threat_intel_annotate(records):
    """Add ``streamalert:ioc`` sets to the records of one batch, in place (compat 8.2)."""
    if _STATE.threat_intel is None or not records:
        return
    _STATE.threat_intel.threat_detection(records)


def load_iocs(source_file, db_path=None, file_format=None):
    """Load IOCs from a JSON or CSV file into the IOC store; return how many.

    ``db_path`` defaults to the configured store (``threat_intel.json`` ``path``, else
    ``<data_dir>/threat_intel.sqlite3``). See ``threat_intel.load_iocs`` for the columns.
    """
    if db_path is None:
        intel = _STATE.config.get('threat_intel') or {}
        if intel.get('path'):
            db_path = intel['path']
        elif _STATE.data_dir:
            db_path = os.path.join(_STATE.data_dir, 'threat_intel.sqlite3')
        else:
            raise ValueError('no IOC store path: give db_path or configure a data directory')
    return _threat_intel.load_iocs(source_file, db_path, file_format)


# ============================================================================ reset
def _module_under(module, root):
    """True if ``module`` was loaded from under ``root`` (namespace packages included)."""
    paths = []
    try:
        if getattr(module, '__file__', None):
            paths.append(module.__file__)
        spec = getattr(module, '__spec__', None)
        locations = getattr(spec, 'submodule_search_locations', None) if spec else None
        if locations is not None:
            paths.extend(list(locations))
    except Exception:  # pylint: disable=broad-except
        return False
    return any(isinstance(p, str) and os.path.abspath(p).startswith(root + os.sep)
               for p in paths)


def reset():
    """Forget rules, matchers, publishers, query packs, tables, threat intel and every
    module imported from the project root (tests, and a full reload)."""
    clear_test_fixtures()
    Rule.clear()
    Matcher.clear()
    QueryPackRepository.clear()
    _publisher.AlertPublisherRepository.clear()
    _publisher.AlertPublisherRepository.configure_locations([], None)
    LookupTables.reset()
    root = _STATE.project_root
    if root:
        doomed = [name for name, module in list(sys.modules.items())
                  if _module_under(module, root)]
        for name in doomed:
            sys.modules.pop(name, None)
        while root in sys.path:
            sys.path.remove(root)
    del _importer.LOADED_MODULES[:]
    _STATE.__init__()
