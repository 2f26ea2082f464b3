"""Normalizer and fetch_values_by_datatype (compat 3.2, 3.3)."""
import unittest

from streamalert.shared.normalize import Normalizer, fetch_values_by_datatype

RECORD = {
    'src': '1.2.3.4',
    'detail': {'ip': '5.6.7.8'},
    'streamalert_normalization': {
        'ip_address': [
            {'function': 'Source', 'values': ['1.2.3.4']},
            {'function': None, 'values': ['5.6.7.8', '1.2.3.4'], 'send_to_artifacts': False},
        ],
        'streamalert_record_id': 'abc',
    },
}


class NormalizerTest(unittest.TestCase):

    def test_constants(self):
        self.assertEqual(Normalizer.NORMALIZATION_KEY, 'streamalert_normalization')
        self.assertEqual(Normalizer.RECORD_ID_KEY, 'streamalert_record_id')

    def test_values_are_a_set_over_all_entries(self):
        self.assertEqual(Normalizer.get_values_for_normalized_type(RECORD, 'ip_address'),
                         {'1.2.3.4', '5.6.7.8'})

    def test_missing_type_or_key_gives_empty_set(self):
        self.assertEqual(Normalizer.get_values_for_normalized_type(RECORD, 'user'), set())
        self.assertEqual(Normalizer.get_values_for_normalized_type({}, 'user'), set())
        self.assertEqual(Normalizer.get_values_for_normalized_type(
            {'streamalert_normalization': {}}, 'user'), set())

    def test_list_values_kept_as_is(self):
        record = {'streamalert_normalization': {'n': [{'function': None, 'values': [1, 'a']}]}}
        self.assertEqual(Normalizer.get_values_for_normalized_type(record, 'n'), {1, 'a'})

    def test_unhashable_values_raise(self):
        record = {'streamalert_normalization': {'n': [{'function': None, 'values': [{'a': 1}]}]}}
        with self.assertRaises(TypeError):
            Normalizer.get_values_for_normalized_type(record, 'n')

    def test_legacy_key_is_read_when_current_one_is_absent(self):
        record = {'streamalert:normalization': {'ip': ['1.1.1.1', '2.2.2.2']}}
        self.assertEqual(Normalizer.get_values_for_normalized_type(record, 'ip'),
                         {'1.1.1.1', '2.2.2.2'})


class FetchValuesByDatatypeTest(unittest.TestCase):

    def test_current_form(self):
        self.assertEqual(fetch_values_by_datatype(RECORD, 'ip_address'),
                         ['1.2.3.4', '5.6.7.8', '1.2.3.4'])
        self.assertEqual(fetch_values_by_datatype(RECORD, 'nothing'), [])

    def test_v1_values(self):
        record = {'streamalert:normalization': {'command': ['cat /etc/shadow']}}
        self.assertEqual(fetch_values_by_datatype(record, 'command'), ['cat /etc/shadow'])

    def test_v2_key_paths(self):
        record = {'src': '1.1.1.1', 'detail': {'ip': '2.2.2.2'},
                  'streamalert:normalization': {'ipv4': [['src'], ['detail', 'ip'], ['gone']]}}
        self.assertEqual(fetch_values_by_datatype(record, 'ipv4'), ['1.1.1.1', '2.2.2.2'])
