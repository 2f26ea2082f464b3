"""RuleDescriptionParser (compat 5.4)."""
import unittest

from streamalert.shared.description import RuleDescriptionParser as Parser


class ParseTest(unittest.TestCase):

    def test_none_and_empty(self):
        self.assertEqual(Parser.parse(None), {'description': ['']})
        self.assertEqual(Parser.parse(''), {'description': ['']})

    def test_plain_text_is_description(self):
        self.assertEqual(Parser.parse('Page security for root usage'),
                         {'description': ['Page security for root usage']})

    def test_fields(self):
        text = """
        Leading text
        author: Jane Doe
        Reference: http://example.com
        note:
          more text

        last
        """
        self.assertEqual(Parser.parse(text), {
            'description': ['Leading text'],
            'author': ['Jane Doe'],
            'reference': ['http://example.com'],
            'note': ['', 'more text', '', 'last'],
        })

    def test_field_names(self):
        # up to 20 of [A-Za-z0-9-_& and white space]; never a line starting with http(s):
        self.assertEqual(list(Parser.parse('Two words: x')), ['description', 'two words'])
        self.assertEqual(Parser.parse('https://x.com/a')['description'], ['https://x.com/a'])
        self.assertEqual(list(Parser.parse('see https://x.com')),
                         ['description', 'see https'])
        self.assertEqual(Parser.parse('a' * 21 + ': x'), {'description': ['a' * 21 + ': x']})
        self.assertEqual(list(Parser.parse('R&D-team_1: x')), ['description', 'r&d-team_1'])

    def test_repeated_field_appends(self):
        self.assertEqual(Parser.parse('author: a\nauthor: b')['author'], ['a', 'b'])


class PresentTest(unittest.TestCase):

    def test_shape_and_author_maintainer(self):
        self.assertEqual(Parser.present('just text'),
                         {'author': '', 'description': 'just text', 'fields': {}})
        result = Parser.present('author: A\nmaintainer: M\nplaybook: do x')
        self.assertEqual(result, {'author': 'M', 'description': '', 'fields': {
            'playbook': 'do x'}})

    def test_joining_lines(self):
        result = Parser.present('one\ntwo\n\n\nthree')
        self.assertEqual(result['description'], 'one two\n\nthree')

    def test_leading_blank_lines_are_dropped(self):
        self.assertEqual(Parser.present('note:\n\n  first\nsecond')['fields']['note'],
                         'first second')

    def test_url_gluing(self):
        text = ('reference: https://github.com/airbnb/streamalert/blob/\n'
                'master/docs/source/rules.rst')
        self.assertEqual(Parser.present(text)['fields']['reference'],
                         'https://github.com/airbnb/streamalert/blob/master/docs/source/rules.rst')

    def test_no_gluing_for_words(self):
        text = 'reference: see the runbook at\nhttps://example.com/x'
        self.assertEqual(Parser.present(text)['fields']['reference'],
                         'see the runbook at https://example.com/x')
