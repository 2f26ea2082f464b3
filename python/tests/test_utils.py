"""streamalert.shared.utils (compat 5.1)."""
import importlib.util
import sys
import types
import unittest

from streamalert.shared import utils
from streamalert.shared.utils import (
    get_data_file_format,
    get_database_name,
    get_first_key,
    get_keys,
    in_network,
    valid_ip,
)


class ValidIpTest(unittest.TestCase):

    def test_verified_true(self):
        for value in ['127.1', '1', '0x7f.1', '010.1.1.1', 'fe80::1', 1, 0, 2 ** 32 - 1,
                      2 ** 32, 2 ** 128 - 1, '1.2.3.4', '255.255.255.255', '::ffff:1.2.3.4',
                      '0:0:0:0:0:0:0:1', True]:
            with self.subTest(value=value):
                self.assertTrue(valid_ip(value))

    def test_verified_false(self):
        for value in [' 1.2.3.4', '1.2.3.4/32', '10.0.0.256', None, '::1', '', 'abc',
                      -1, 2 ** 128, 1.5, '1.2.3.4.5', '1::2::3', 'fe80::1%eth0', [], {},
                      b'1.2.3.4', '1.2.3.4\x00']:
            with self.subTest(value=value):
                self.assertFalse(valid_ip(value))

    def test_inet_aton_permissiveness(self):
        # glibc inet_aton stops at white space, so trailing text after a space is accepted
        self.assertTrue(valid_ip('1.2.3.4 trailing'))
        self.assertTrue(valid_ip('0xffffffff'))
        self.assertTrue(valid_ip('017777777777'))   # octal, one part
        self.assertFalse(valid_ip('08.1.1.1'))       # 8 is not an octal digit
        self.assertFalse(valid_ip('1.2.3.4x'))


class InNetworkTest(unittest.TestCase):

    def test_basic(self):
        self.assertTrue(in_network('10.1.2.3', ['10.0.0.0/8']))
        self.assertFalse(in_network('11.1.2.3', ['10.0.0.0/8']))
        self.assertTrue(in_network('10.1.2.3', {'192.168.0.0/16', '10.0.0.0/8'}))
        self.assertFalse(in_network('10.1.2.3', []))

    def test_invalid_address_is_false(self):
        self.assertFalse(in_network('not-an-ip', ['0.0.0.0/0']))
        self.assertFalse(in_network('::1', ['::/0']))
        self.assertFalse(in_network(None, ['0.0.0.0/0']))

    def test_permissive_address_forms(self):
        self.assertTrue(in_network('127.1', ['127.0.0.0/8']))
        self.assertTrue(in_network('010.1.1.1', ['8.1.1.1/32']))       # octal
        self.assertTrue(in_network('0x7f.1', ['127.0.0.1']))
        self.assertTrue(in_network(167772161, ['10.0.0.0/8']))          # int 10.0.0.1

    def test_network_forms(self):
        self.assertTrue(in_network('10.1.2.3', ['10/8']))               # partial IPv4
        self.assertTrue(in_network('192.168.4.5', ['192.168/16']))
        self.assertTrue(in_network('10.1.2.3', ['10.0.0.0/255.0.0.0']))  # netmask
        self.assertTrue(in_network('10.1.2.3', ['10.0.0.0/0.255.255.255']))  # hostmask
        self.assertTrue(in_network('10.1.2.3', ['10.9.9.9/8']))         # host bits ignored
        self.assertTrue(in_network('10.1.2.3', ['10.1.2.3']))           # bare address = /32
        self.assertFalse(in_network('10.1.2.4', ['10.1.2.3']))
        self.assertTrue(in_network('fe80::1', ['fe80::/10']))
        self.assertTrue(in_network('2001:db8::5', ['2001:db8::5']))     # /128

    def test_version_mismatch_is_not_inside(self):
        self.assertFalse(in_network('::ffff:10.0.0.1', ['10.0.0.0/8']))
        self.assertFalse(in_network('10.0.0.1', ['::/0']))
        self.assertTrue(in_network('10.0.0.1', ['::/0', '0.0.0.0/0']))

    def test_invalid_networks_are_logged_and_skipped(self):
        with self.assertLogs('streamalert.shared.utils', 'ERROR') as logs:
            result = in_network('10.1.2.3', ['bogus', '10.0.0.0/33', '10.0.0.0/8/9', 5,
                                             '1.2.3.4/255.0.255.0', '10.0.0.0/8'])
        self.assertTrue(result)
        self.assertEqual(len(logs.output), 5)
        self.assertIn('Invalid IP Network: bogus', logs.output[0])

    def test_partial_expansion_reads_leading_zeros_as_decimal(self):
        # inet_pton refuses '010', netaddr's partial-address fallback then reads it as 10
        self.assertTrue(in_network('10.1.2.3', ['010.0.0.0/8']))

    def test_strict_network_address(self):
        # the network address is parsed strictly (inet_pton), unlike the address
        with self.assertLogs('streamalert.shared.utils', 'ERROR'):
            self.assertFalse(in_network('127.0.0.1', ['0x7f.0.0.1/8']))


class GetKeysTest(unittest.TestCase):

    def test_compat_example_is_breadth_first(self):
        data = {'p': 'A', 'x': [{'p': 'C'}, {'y': {'p': 'D'}}], 'z': {'p': 'B'}}
        self.assertEqual(get_keys(data, 'p'), ['A', 'B', 'C', 'D'])

    def test_max_matches(self):
        data = {'p': 'A', 'x': [{'p': 'C'}, {'y': {'p': 'D'}}], 'z': {'p': 'B'}}
        self.assertEqual(get_keys(data, 'p', max_matches=2), ['A', 'B'])
        self.assertEqual(get_keys(data, 'p', max_matches=0), ['A', 'B', 'C', 'D'])

    def test_any_value_including_none(self):
        data = {'a': {'k': None}, 'b': [{'k': 0}, {'k': {'k': 'inner'}}]}
        self.assertEqual(get_keys(data, 'k'), [None, 0, {'k': 'inner'}, 'inner'])

    def test_never_descends_into_normalization(self):
        data = {'streamalert_normalization': {'k': 1}, 'x': {'k': 2}}
        self.assertEqual(get_keys(data, 'k'), [2])
        self.assertEqual(get_keys(data, 'streamalert_normalization'), [{'k': 1}])

    def test_falsy_children_are_not_queued_and_lists_count_one_level(self):
        data = [[{'k': 1}], {'k': 2}, [], {}]
        self.assertEqual(get_keys(data, 'k'), [2, 1])
        self.assertEqual(get_keys('text', 'k'), [])

    def test_python_version_matches(self):
        data = {'p': 'A', 'x': [{'p': 'C'}, {'y': {'p': 'D'}}], 'z': {'p': 'B'}}
        self.assertEqual(utils.py_get_keys(data, 'p'), ['A', 'B', 'C', 'D'])

    def test_uses_the_engine_version_when_present(self):
        fake = types.ModuleType('_vigil')
        fake.get_keys = lambda data, search_key, max_matches=-1: ['from C']
        old = sys.modules.get('_vigil')
        sys.modules['_vigil'] = fake
        try:
            spec = importlib.util.spec_from_file_location('utils_copy', utils.__file__)
            copy = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(copy)
        finally:
            if old is None:
                del sys.modules['_vigil']
            else:
                sys.modules['_vigil'] = old
        self.assertIs(copy.get_keys, fake.get_keys)
        self.assertEqual(copy.get_first_key({}, 'k'), 'from C')

    def test_get_first_key(self):
        data = {'a': {'b': {'userIdentity': {'type': 'Root'}}}}
        self.assertEqual(get_first_key(data, 'userIdentity'), {'type': 'Root'})
        self.assertEqual(get_first_key(data, 'missing'), None)
        self.assertEqual(get_first_key(data, 'missing', {}), {})
        self.assertEqual(get_first_key({'k': None}, 'k', 'default'), None)


class ConfigHelpersTest(unittest.TestCase):

    def test_database_name_and_format(self):
        config = {'global': {'account': {'prefix': 'acme'}}, 'lambda': {}}
        self.assertEqual(get_database_name(config), 'acme_streamalert')
        self.assertIsNone(get_data_file_format(config))
        config['lambda'] = {'athena_partitioner_config': {'database_name': 'db',
                                                          'file_format': 'parquet'}}
        self.assertEqual(get_database_name(config), 'db')
        self.assertEqual(get_data_file_format(config), 'parquet')
