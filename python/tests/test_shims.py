"""install_shims: stream_alert.* aliases, cgi.escape, pathlib2 (compat 4.3)."""
import importlib
import pathlib
import sys
import types
import unittest
from unittest import mock

import vigil_runtime


class AliasTest(unittest.TestCase):

    def setUp(self):
        vigil_runtime.install_shims()

    def test_same_objects(self):
        import stream_alert.shared.rule as old
        import streamalert.shared.rule as new
        self.assertIs(old, new)
        self.assertIs(old.rule, new.rule)
        self.assertIs(old.disable, new.disable)
        self.assertIs(old.matcher, new.matcher)
        self.assertEqual(old.__spec__.name, 'streamalert.shared.rule')
        self.assertEqual(old.__name__, 'streamalert.shared.rule')

    def test_from_imports(self):
        from stream_alert.shared.rule import Rule, RuleCreationError, disable, matcher, rule
        from stream_alert.shared.lookup_tables import LookupTables
        from stream_alert.shared.lookup_tables.core import LookupTables as core_tables
        from stream_alert.shared.utils import get_first_key, get_keys, in_network, valid_ip
        from stream_alert.shared.normalize import Normalizer
        from stream_alert.shared.publisher import AlertPublisher, Register
        from stream_alert.shared.description import RuleDescriptionParser
        from stream_alert.rules_engine.threat_intel import ThreatIntel
        from stream_alert.rule_processor.threat_intel import ThreatIntel as old_intel
        from stream_alert.rule_processor.threat_intel import StreamThreatIntel
        from streamalert.shared.rule import rule as new_rule
        self.assertIs(rule, new_rule)
        self.assertIs(LookupTables, core_tables)
        self.assertIs(ThreatIntel, old_intel)
        self.assertIs(StreamThreatIntel, ThreatIntel)
        for name in (Rule, RuleCreationError, disable, matcher, get_first_key, get_keys,
                     in_network, valid_ip, Normalizer, AlertPublisher, Register,
                     RuleDescriptionParser):
            self.assertIsNotNone(name)

    def test_stream_rules_v1(self):
        from stream_alert.rule_processor.rules_engine import StreamRules
        from streamalert.shared.rule import disable, matcher, rule
        self.assertIs(StreamRules.rule, rule)
        self.assertIs(StreamRules.matcher, matcher)
        self.assertIs(StreamRules.disable(), disable)

    def test_unknown_modules_still_fail(self):
        with self.assertRaises(ImportError):
            importlib.import_module('stream_alert.no_such_module')
        with self.assertRaises(ImportError):
            importlib.import_module('stream_alert_cli')

    def test_install_is_idempotent(self):
        vigil_runtime.install_shims()
        from streamalert._aliases import AliasFinder
        self.assertEqual(sum(isinstance(f, AliasFinder) for f in sys.meta_path), 1)


class CgiTest(unittest.TestCase):

    def test_escape(self):
        vigil_runtime.install_shims()
        import cgi
        self.assertEqual(cgi.escape('<a href="x">&\'</a>'),
                         '&lt;a href="x"&gt;&amp;\'&lt;/a&gt;')
        self.assertEqual(cgi.escape('"q"', quote=True), '&quot;q&quot;')
        self.assertEqual(cgi.escape('"q"', True), '&quot;q&quot;')
        import html
        self.assertEqual(cgi.escape('a<b>&"\''), html.escape('a<b>&"\'', quote=False))

    def test_stub_module_when_cgi_is_gone(self):
        saved = sys.modules.pop('cgi', None)
        try:
            real_import = __import__

            def fake_import(name, *args, **kwargs):
                if name == 'cgi':
                    raise ImportError('No module named cgi')
                return real_import(name, *args, **kwargs)
            with mock.patch('builtins.__import__', fake_import):
                vigil_runtime.install_shims()
            stub = sys.modules['cgi']
            self.assertIsInstance(stub, types.ModuleType)
            self.assertEqual(stub.escape('<&>'), '&lt;&amp;&gt;')
        finally:
            sys.modules.pop('cgi', None)
            if saved is not None:
                sys.modules['cgi'] = saved


class Pathlib2Test(unittest.TestCase):

    def test_alias(self):
        vigil_runtime.install_shims()
        import pathlib2
        self.assertIs(pathlib2, pathlib)
        self.assertTrue(pathlib2.PurePath('/a/b/c.py').match('b/*.py'))
