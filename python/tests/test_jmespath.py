"""vigil_jmespath: jmespath 0.10.0 semantics for publisher tests."""
import unittest

import vigil_jmespath as jp

DATA = {
    'a': {'b': {'c': 1}},
    'list': [{'n': 1, 'tag': 'x'}, {'n': 2, 'tag': 'y'}, {'n': 3}],
    'nested': [[1, 2], [3, [4]], 5],
    'obj': {'k1': {'v': 1}, 'k2': {'v': 2}, 'k3': 'no'},
    'num': 0,
    'str': 'hello',
    '@slack.text': 'Rule triggered',
    'empty': [],
    'nothing': None,
    'flag': True,
}


class SearchTest(unittest.TestCase):

    def check(self, cases):
        for expression, expected in cases:
            with self.subTest(expression=expression):
                self.assertEqual(jp.search(expression, DATA), expected)

    def test_fields_and_subexpressions(self):
        self.check([
            ('a.b.c', 1), ('a.b', {'c': 1}), ('a.x.c', None), ('"@slack.text"', 'Rule triggered'),
            ('str.length', None), ('@', DATA), ('a | b | c', 1), ('missing', None),
        ])

    def test_indexes_and_slices(self):
        self.check([
            ('list[0].n', 1), ('list[-1].n', 3), ('list[5]', None), ('str[0]', None),
            ('list[:2].n', [1, 2]), ('list[::-1].n', [3, 2, 1]), ('list[1:].tag', ['y']),
            ('nested[0][1]', 2), ('nested[1][1][0]', 4), ('nested[0][0:1]', [1]),
        ])

    def test_projections(self):
        self.check([
            ('list[*].n', [1, 2, 3]), ('list[*].tag', ['x', 'y']), ('obj.*.v', [1, 2]),
            ('nested[]', [1, 2, 3, [4], 5]), ('nested[][]', [1, 2, 3, 4, 5]),
            ('list[*].n | [0]', 1), ('list[].tag', ['x', 'y']), ('*.c', []),
            ('a.*', [{'c': 1}]), ('obj.*', [{'v': 1}, {'v': 2}, 'no']),
        ])

    def test_filters_and_comparisons(self):
        self.check([
            ('list[?n > `1`].n', [2, 3]), ("list[?tag == 'x'].n", [1]),
            ('list[?tag].n', [1, 2]), ('list[?!tag].n', [3]),
            ('list[?n >= `2` && tag].tag', ['y']), ('list[?n == `1` || n == `3`].n', [1, 3]),
            ("str == 'hello'", True), ('num == `0`', True), ('num == `false`', False),
            ('flag == `1`', False), ('`1.0` == `1`', True), ('flag < `2`', None),
            ('`"a"` < `"b"`', True), ('list < `1`', None),
        ])

    def test_string_number_ordering_raises_like_jmespath(self):
        with self.assertRaises(TypeError):
            jp.search('str < `5`', DATA)

    def test_truthiness_quirks(self):
        self.check([
            ('!num', False), ('!empty', True), ('!nothing', True), ('num || `5`', 0),
            ('empty || `5`', 5), ('nothing && `5`', None), ('str && `5`', 5),
        ])

    def test_multiselect_and_literals(self):
        self.check([
            ('[a.b.c, str]', [1, 'hello']), ('{x: a.b.c, y: str}', {'x': 1, 'y': 'hello'}),
            ("'raw \\' string'", "raw ' string"), ('`{"a": [1]}`', {'a': [1]}),
            ('`foo`', 'foo'), ('nothing.[a]', None), ('nothing.{a: a}', None),
        ])

    def test_functions(self):
        self.check([
            ('length(str)', 5), ('length(list)', 3), ('keys(a)', ['b']),
            ('values(a.b)', [1]), ('sort(list[*].n)', [1, 2, 3]),
            ("join(', ', list[*].tag)", 'x, y'), ('contains(list[*].tag, `"x"`)', True),
            ("contains(str, 'ell')", True), ("starts_with(str, 'he')", True),
            ("ends_with(str, 'lo')", True), ('max(list[*].n)', 3), ('min(list[*].n)', 1),
            ('sum(list[*].n)', 6), ('avg(list[*].n)', 2.0), ('abs(`-3`)', 3),
            ('ceil(`1.2`)', 2), ('floor(`1.8`)', 1), ('to_string(a)', '{"b":{"c":1}}'),
            ("to_number('12')", 12), ("to_number('1.5')", 1.5), ("to_number('x')", None),
            ('to_array(str)', ['hello']), ('type(list)', 'array'), ('type(num)', 'number'),
            ('not_null(missing, nothing, str)', 'hello'), ('reverse(str)', 'olleh'),
            ('max_by(list, &n).n', 3), ('min_by(list, &n).n', 1),
            ('sort_by(list, &n)[0].n', 1), ('map(&n, list)', [1, 2, 3]),
            ('merge(a, obj).k3', 'no'), ('keys(@)', list(DATA)), ('type(&a)', None),
        ])

    def test_errors(self):
        for expression, error in [
                ('a.', jp.IncompleteExpressionError), ('a[', jp.ParseError),
                ('=', jp.LexerError), ('"unclosed', jp.LexerError), ('a b', jp.ParseError),
                ('nope(a)', jp.UnknownFunctionError), ('length(a, b)', jp.ArityError),
                ('length(num)', jp.JMESPathTypeError), ('sort_by(list, &tag)', jp.JMESPathError),
                ('"f"(a)', jp.ParseError), ('missing.length(@)', jp.JMESPathTypeError)]:
            with self.subTest(expression=expression):
                with self.assertRaises(error):
                    jp.search(expression, DATA)

    def test_compile_cache(self):
        self.assertIs(jp.compile('a.b'), jp.compile('a.b'))
        self.assertEqual(jp.compile('a.b').search({'a': {'b': 2}}), 2)
