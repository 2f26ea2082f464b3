"""vigil_runtime.configure, load_rules, rule_table, fresh_context (compat 4.5)."""
import json
import os
import sys

import vigil_runtime
from streamalert.shared.rule import Rule, rule

from tests.support import RuntimeTestCase, fixture


class ConfigureTest(RuntimeTestCase):

    def test_basic_project(self):
        root = fixture('project_basic')
        errors = vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp)
        self.assertEqual(errors, [])
        self.assertEqual(sys.path[0], root)
        self.assertTrue(vigil_runtime.threat_intel_active())
        self.assertEqual(os.getcwd() != root, True)

    def test_errors_are_strings(self):
        self.write('conf/global.json', '{"general": {"publisher_locations": "publishers"}}')
        self.write('conf/lookup_tables.json', json.dumps(
            {'enabled': True, 'tables': {'x': {'driver': 'memcached'}}}))
        self.write('conf/threat_intel.json', '{not json')
        self.write('conf/clusters/a.json', json.dumps({'enable_threat_intel': True}))
        errors = vigil_runtime.configure(self.path('conf'), self.tmp, self.path('data'))
        self.assertEqual(len(errors), 3, errors)
        self.assertIn('threat_intel.json: invalid json', errors[0])
        self.assertIn('publisher_locations must be a list', errors[1])
        self.assertIn("lookup table 'x': unknown driver 'memcached'", errors[2])

    def test_missing_global_json(self):
        errors = vigil_runtime.configure(self.path('conf'), self.tmp, None)
        self.assertEqual(len(errors), 1)
        self.assertIn('global.json: missing', errors[0])

    def test_threat_intel_needs_a_cluster(self):
        self.write('conf/global.json', '{}')
        self.write('conf/threat_intel.json', json.dumps(
            {'enabled': True, 'normalized_ioc_types': {'ip': ['ip_address']}}))
        self.write('conf/clusters/a.json', json.dumps({'enable_threat_intel': False}))
        self.assertEqual(vigil_runtime.configure(self.path('conf'), self.tmp, self.tmp), [])
        self.assertFalse(vigil_runtime.threat_intel_active())
        self.write('conf/clusters/b.json', json.dumps({'enable_threat_intel': True}))
        self.assertEqual(vigil_runtime.configure(self.path('conf'), self.tmp, self.tmp), [])
        self.assertTrue(vigil_runtime.threat_intel_active())

    def test_threat_intel_without_store_location(self):
        self.write('conf/global.json', '{}')
        self.write('conf/threat_intel.json', json.dumps({'enabled': True}))
        self.write('conf/clusters/b.json', json.dumps({'enable_threat_intel': True}))
        errors = vigil_runtime.configure(self.path('conf'), self.tmp, None)
        self.assertEqual(len(errors), 1)
        self.assertIn('no IOC store path', errors[0])


class LoadRulesTest(RuntimeTestCase):

    def load(self, name, rule_dirs=('rules',), matcher_dirs=('matchers',)):
        root = fixture(name)
        errors = vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp)
        if name == 'project_errors':
            self.assertEqual(len(errors), 1)      # its lookup table has an unknown driver
            self.assertIn("unknown driver 'redis'", errors[0])
        else:
            self.assertEqual(errors, [])
        return vigil_runtime.load_rules(list(rule_dirs), list(matcher_dirs))

    def test_basic_project_loads_in_sorted_order(self):
        self.assertEqual(self.load('project_basic'), [])
        self.assertEqual(vigil_runtime.rule_stats_names(), [
            'app_admin_login', 'app_blocked_host', 'app_disabled_rule', 'app_failed_logins',
            'app_ioc_source_ip', 'app_privileged_action', 'app_audit_mfa_change',
            'app_legacy_bot'])

    def test_rule_table(self):
        self.load('project_basic')
        table = {row[0]: row for row in vigil_runtime.rule_table()}
        name, func, logs, subkeys, matchers, has_context, disabled, description = \
            table['app_admin_login']
        self.assertEqual(name, 'app_admin_login')
        self.assertTrue(callable(func))
        self.assertEqual(logs, ['app:events'])
        self.assertIsNone(subkeys)
        self.assertEqual(len(matchers), 1)
        self.assertTrue(matchers[0]({'action': 'login'}))
        self.assertFalse(has_context)
        self.assertFalse(disabled)
        self.assertIn('author: vigil tests', description)
        self.assertEqual(table['app_blocked_host'][3], {'details': ['device']})
        self.assertIsNone(table['app_ioc_source_ip'][2])          # datatypes only
        self.assertTrue(table['app_ioc_source_ip'][5])
        self.assertTrue(table['app_disabled_rule'][6])
        self.assertEqual(table['app_failed_logins'][7], 'Failed login.')
        for row in table.values():
            self.assertEqual(len(row), 8)
            self.assertIsInstance(row[4], tuple)

    def test_rule_table_logs_forms(self):
        @rule(logs='cloudwatch:events')
        def stringy(rec):
            return True

        @rule(logs=('a', 'b'))
        def tupled(rec):
            return True
        table = {row[0]: row for row in vigil_runtime.rule_table()}
        self.assertEqual(table['stringy'][2], 'cloudwatch:events')
        self.assertEqual(table['tupled'][2], ['a', 'b'])

    def test_fresh_context_is_a_deep_copy(self):
        self.load('project_basic')
        first = vigil_runtime.fresh_context('app_failed_logins')
        self.assertEqual(first, {'remove_fields': ['details']})
        first['remove_fields'].append('x')
        self.assertEqual(vigil_runtime.fresh_context('app_failed_logins'),
                         {'remove_fields': ['details']})
        self.assertIsNone(vigil_runtime.fresh_context('app_admin_login'))
        with self.assertRaises(KeyError):
            vigil_runtime.fresh_context('no_such_rule')

    def test_modules_imported_once_and_named_by_path(self):
        self.load('project_basic')
        self.assertIn('rules.community.app.app_admin_login', sys.modules)
        self.assertIn('rules.helpers.base', sys.modules)
        self.assertIn('matchers.default', sys.modules)
        # a second load imports nothing again and registers nothing twice
        self.assertEqual(vigil_runtime.load_rules(['rules'], ['matchers']), [])
        self.assertEqual(len(vigil_runtime.rule_stats_names()), 8)

    def test_error_project(self):
        self.quiet('vigil')
        self.quiet('streamalert')
        errors = self.load('project_errors')
        expected = [
            'rules/b_duplicate.py:4: RuleCreationError: Rule [duplicated_name] already defined '
            '(first defined at rules/a_first.py:4)',
            'rules/c_syntax.py:3: SyntaxError: ',
            'rules/d_import.py:2: ModuleNotFoundError: No module named '
            "'vigil_test_no_such_package' (a third-party package",
            "rules/e_no_logs.py:4: RuleCreationError: Invalid rule [no_logs_rule] - rule must "
            "have either 'logs' or 'datatypes' declared",
            'rules/f_bad_matcher.py:4: RuleCreationError: Invalid rule [bad_matcher_rule] - '
            'matcher 0 is not callable: 42',
            'rules/helpers/broken.py:4: RuntimeError: helper exploded',
            'rules/my.rules/dotted.py:1: cannot be imported because of "." in the name',
            "rules/g_named_matcher.py:4: RuleCreationError: Invalid rule "
            "[unknown_named_matcher_rule] - matcher 'no_such_matcher' is not defined",
        ]
        self.assertEqual(len(errors), len(expected), '\n'.join(errors))
        for error, start in zip(errors, expected):
            self.assertTrue(error.startswith(start), '{!r}\ndoes not start with\n{!r}'.format(
                error, start))
        # loading went on: the good rules are there, in sorted order
        self.assertEqual(vigil_runtime.rule_stats_names(), [
            'duplicated_name', 'unknown_named_matcher_rule', 'ok_rule', 'nested_ok_rule'])
        self.assertEqual(Rule.get_rule('duplicated_name').source_file,
                         os.path.join(fixture('project_errors'), 'rules', 'a_first.py'))
        # a rule whose matcher is unknown is never run
        table = {row[0]: row for row in vigil_runtime.rule_table()}
        self.assertEqual(table['unknown_named_matcher_rule'][4], ())
        self.assertTrue(table['unknown_named_matcher_rule'][6])

    def test_helper_error_points_into_the_helper_once(self):
        self.quiet('vigil')
        self.quiet('streamalert')
        errors = self.load('project_errors')
        helper = [e for e in errors if e.startswith('rules/helpers/broken.py:4:')]
        self.assertEqual(len(helper), 1)

    def test_missing_folder_is_a_warning(self):
        root = fixture('project_basic')
        vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp)
        with self.assertLogs('streamalert._importer', 'WARNING'):
            self.assertEqual(vigil_runtime.load_rules(['rules'], ['no_such_dir']), [])

    def test_dot_slash_folder_is_normalized(self):
        root = fixture('project_basic')
        vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp)
        self.assertEqual(vigil_runtime.load_rules(['./rules'], ['./matchers/']), [])
        self.assertEqual(len(vigil_runtime.rule_stats_names()), 8)

    def test_folder_outside_the_project(self):
        root = fixture('project_basic')
        vigil_runtime.configure(os.path.join(root, 'conf'), root, self.tmp)
        errors = vigil_runtime.load_rules(['../project_legacy/rules'], [])
        self.assertEqual(len(errors), 1)
        self.assertIn('outside the project root', errors[0])

    def test_legacy_project(self):
        self.assertEqual(self.load('project_legacy'), [])
        table = {row[0]: row for row in vigil_runtime.rule_table()}
        self.assertEqual(sorted(table), [
            'cloudtrail_root_account_usage', 'command_etc_shadow', 'example_rule',
            'v1_all_cloudwatch_events', 'v1_disabled_rule'])
        matchers = table['cloudtrail_root_account_usage'][4]
        self.assertEqual([m.__name__ for m in matchers], ['prod_account'])
        self.assertTrue(table['example_rule'][6])
        self.assertTrue(table['v1_disabled_rule'][6])
        self.assertIsNone(table['command_etc_shadow'][2])
        record = {'streamalert:normalization': {'command': ['cat /ETC/SHADOW']}}
        self.assertTrue(table['command_etc_shadow'][1](record))
        root_usage = {'account': '111111111111', 'detail': {'userIdentity': {'type': 'Root'}}}
        self.assertTrue(Rule.get_rule('cloudtrail_root_account_usage').process(root_usage))

    def test_a_streamalert_checkout_does_not_shadow_the_package(self):
        # a StreamAlert fork's root holds its own streamalert/ package next to rules/
        self.write('streamalert/__init__.py', 'raise RuntimeError("the real StreamAlert")\n')
        self.write('streamalert/shared/__init__.py', '')
        self.write('conf/global.json', '{}')
        self.write('rules/r.py', 'from streamalert.shared.rule import rule\n'
                                 'from streamalert.shared.logger import get_logger\n'
                                 '@rule(logs=["x"])\ndef fork_rule(rec):\n    return True\n')
        self.assertEqual(vigil_runtime.configure(self.path('conf'), self.tmp, None), [])
        self.assertEqual(vigil_runtime.load_rules(['rules'], []), [])
        self.assertEqual(vigil_runtime.rule_stats_names(), ['fork_rule'])

    def test_reset_forgets_project_modules(self):
        self.load('project_basic')
        vigil_runtime.reset()
        self.assertNotIn('rules.community.app.app_admin_login', sys.modules)
        self.assertNotIn('rules', sys.modules)
        self.assertNotIn(fixture('project_basic'), sys.path)
        self.assertEqual(vigil_runtime.rule_table(), [])
