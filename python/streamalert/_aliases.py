"""``stream_alert.*``: the import paths of StreamAlert 1.x and 2.x, as aliases.

A ``sys.meta_path`` finder maps every module name under ``stream_alert`` to a module of
this package, so both names give the *same* module object (``stream_alert.shared.rule.rule
is streamalert.shared.rule.rule``). Explicit entries cover modules that moved:

- ``stream_alert.rule_processor.rules_engine`` -> ``StreamRules`` (1.x: ``rule =
  StreamRules.rule``, ``matcher = StreamRules.matcher``, ``disable = StreamRules.disable()``);
- ``stream_alert.rule_processor.threat_intel`` -> ``streamalert.rules_engine.threat_intel``;
- everything else: ``stream_alert.X`` -> ``streamalert.X``.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

ALIAS_ROOT = 'stream_alert'
TARGET_ROOT = 'streamalert'

EXPLICIT = {
    'stream_alert.rule_processor': 'streamalert._legacy',
    'stream_alert.rule_processor.rules_engine': 'streamalert._legacy.rules_engine',
    'stream_alert.rule_processor.threat_intel': 'streamalert.rules_engine.threat_intel',
}


def target_name(fullname):
    if fullname in EXPLICIT:
        return EXPLICIT[fullname]
    if fullname == ALIAS_ROOT:
        return TARGET_ROOT
    if fullname.startswith(ALIAS_ROOT + '.'):
        return TARGET_ROOT + fullname[len(ALIAS_ROOT):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self._target = target
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self._target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module):
        # importlib stamped the alias spec on the shared module; give it its own back.
        module.__spec__ = self._spec


class AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``stream_alert.*`` to the ``streamalert`` modules."""

    def find_spec(self, fullname, path=None, target=None):
        name = target_name(fullname)
        if name is None:
            return None
        try:
            real = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if real is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(name),
            is_package=real.submodule_search_locations is not None)


def install():
    """Put the finder first on ``sys.meta_path`` (idempotent)."""
    for finder in sys.meta_path:
        if isinstance(finder, AliasFinder):
            return
    sys.meta_path.insert(0, AliasFinder())
