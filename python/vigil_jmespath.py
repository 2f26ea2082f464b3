"""JMESPath with the semantics of the Python ``jmespath`` package 0.10.0, standard library only.

StreamAlert's publisher tests (compat 9.6) evaluate JMESPath expressions with jmespath
0.10.0; vigil ships no third-party packages, so this is a small, complete implementation:
lexer, Pratt parser with 0.10.0's binding powers, tree interpreter and the 26 built-in
functions with their type checks. Quirks kept: the legacy `` `foo` `` literal, ``!0`` is
false, ``0``/``1`` never equal a boolean, number ``0`` is truthy, ordering comparisons of
non-numbers/strings give null, comma between function arguments optional.

    search(expression, data) -> value      # raises JMESPathError subclasses
"""
import json
import math
from numbers import Number

__all__ = ['search', 'compile', 'JMESPathError', 'ParseError', 'LexerError',
           'JMESPathTypeError', 'UnknownFunctionError', 'ArityError']


class JMESPathError(ValueError):
    """Base of every error raised here."""


class ParseError(JMESPathError):
    def __init__(self, position, token_value, token_type, msg='Invalid jmespath expression'):
        super().__init__('{}: Parse error at column {}, token "{}" ({}), for expression'
                         .format(msg, position, token_value, str(token_type).upper()))
        self.position = position


class IncompleteExpressionError(ParseError):
    pass


class LexerError(ParseError):
    def __init__(self, position, token, message):
        JMESPathError.__init__(self, 'Bad jmespath expression: {} (column {}, "{}")'.format(
            message, position, token))
        self.position = position


class JMESPathTypeError(JMESPathError):
    def __init__(self, function_name, current_value, actual_type, expected_types):
        super().__init__('In function {}(), invalid type for value: {}, expected one of: {}, '
                         'received: "{}"'.format(function_name, current_value,
                                                 expected_types, actual_type))


class UnknownFunctionError(JMESPathError):
    pass


class ArityError(JMESPathError):
    pass


# ------------------------------------------------------------------------- lexer
_START_IDENT = set('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_')
_IDENT = _START_IDENT | set('0123456789')
_DIGITS = set('0123456789')
_WHITESPACE = set(' \t\n\r')
_SIMPLE = {'.': 'dot', '*': 'star', ']': 'rbracket', ',': 'comma', ':': 'colon',
           '@': 'current', '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace'}


def _consume_until(text, pos, delimiter):
    """Text between ``text[pos]`` (a delimiter) and the next unescaped one; backslashes kept."""
    start = pos
    pos += 1
    buff = []
    while True:
        if pos >= len(text):
            raise LexerError(start, text[start:], 'Unclosed {} delimiter'.format(delimiter))
        char = text[pos]
        if char == delimiter:
            return ''.join(buff), pos + 1
        if char == '\\':
            buff.append('\\')
            pos += 1
            if pos >= len(text):
                raise LexerError(start, text[start:], 'Unclosed {} delimiter'.format(delimiter))
            char = text[pos]
        buff.append(char)
        pos += 1


def tokenize(text):
    tokens = []
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        start = pos
        if char in _SIMPLE:
            tokens.append((_SIMPLE[char], char, start))
            pos += 1
        elif char in _START_IDENT:
            while pos < length and text[pos] in _IDENT:
                pos += 1
            tokens.append(('unquoted_identifier', text[start:pos], start))
        elif char in _WHITESPACE:
            pos += 1
        elif char == '[':
            nxt = text[pos + 1] if pos + 1 < length else None
            if nxt == ']':
                tokens.append(('flatten', '[]', start))
                pos += 2
            elif nxt == '?':
                tokens.append(('filter', '[?', start))
                pos += 2
            else:
                tokens.append(('lbracket', '[', start))
                pos += 1
        elif char == "'":
            lexeme, pos = _consume_until(text, pos, "'")
            tokens.append(('literal', lexeme.replace("\\'", "'"), start))
        elif char == '|':
            if text[pos + 1:pos + 2] == '|':
                tokens.append(('or', '||', start))
                pos += 2
            else:
                tokens.append(('pipe', '|', start))
                pos += 1
        elif char == '&':
            if text[pos + 1:pos + 2] == '&':
                tokens.append(('and', '&&', start))
                pos += 2
            else:
                tokens.append(('expref', '&', start))
                pos += 1
        elif char == '`':
            lexeme, pos = _consume_until(text, pos, '`')
            lexeme = lexeme.replace('\\`', '`')
            try:
                value = json.loads(lexeme)
            except ValueError:
                try:
                    value = json.loads('"{}"'.format(lexeme.lstrip()))
                except ValueError:
                    raise LexerError(start, lexeme, 'Bad token {}'.format(lexeme))
            tokens.append(('literal', value, start))
        elif char in _DIGITS or char == '-':
            pos += 1
            while pos < length and text[pos] in _DIGITS:
                pos += 1
            lexeme = text[start:pos]
            if lexeme == '-':
                raise LexerError(start, lexeme, "Unknown token '-'")
            tokens.append(('number', int(lexeme), start))
        elif char == '"':
            lexeme, pos = _consume_until(text, pos, '"')
            try:
                value = json.loads('"{}"'.format(lexeme))
            except ValueError as err:
                raise LexerError(start, lexeme, str(err))
            tokens.append(('quoted_identifier', value, start))
        elif char == '<':
            if text[pos + 1:pos + 2] == '=':
                tokens.append(('lte', '<=', start))
                pos += 2
            else:
                tokens.append(('lt', '<', start))
                pos += 1
        elif char == '>':
            if text[pos + 1:pos + 2] == '=':
                tokens.append(('gte', '>=', start))
                pos += 2
            else:
                tokens.append(('gt', '>', start))
                pos += 1
        elif char == '!':
            if text[pos + 1:pos + 2] == '=':
                tokens.append(('ne', '!=', start))
                pos += 2
            else:
                tokens.append(('not', '!', start))
                pos += 1
        elif char == '=':
            if text[pos + 1:pos + 2] == '=':
                tokens.append(('eq', '==', start))
                pos += 2
            else:
                raise LexerError(start, '=', "Unknown token '='")
        else:
            raise LexerError(start, char, 'Unknown token {}'.format(char))
    tokens.append(('eof', '', length))
    return tokens


# ------------------------------------------------------------------------- parser
_BP = {
    'eof': 0, 'unquoted_identifier': 0, 'quoted_identifier': 0, 'literal': 0,
    'rbracket': 0, 'rparen': 0, 'comma': 0, 'rbrace': 0, 'number': 0, 'current': 0,
    'expref': 0, 'colon': 0, 'pipe': 1, 'or': 2, 'and': 3, 'eq': 5, 'gt': 5, 'lt': 5,
    'gte': 5, 'lte': 5, 'ne': 5, 'flatten': 9, 'star': 20, 'filter': 21, 'dot': 40,
    'not': 45, 'lbrace': 50, 'lbracket': 55, 'lparen': 60,
}
_PROJECTION_STOP = 10


def _node(kind, children=None, value=None):
    return {'type': kind, 'children': children or [], 'value': value}


class _Parser(object):
    def __init__(self, text):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # token helpers
    def _current(self):
        return self.tokens[self.index][0]

    def _lookahead(self, offset):
        return self.tokens[self.index + offset][0]

    def _token(self, offset=0):
        return self.tokens[self.index + offset]

    def _advance(self):
        self.index += 1

    def _error(self, token, msg='Invalid jmespath expression'):
        kind, value, pos = token
        if kind == 'eof':
            raise IncompleteExpressionError(pos, value, kind, 'Incomplete expression')
        raise ParseError(pos, value, kind, msg)

    def _match(self, kind):
        if self._current() == kind:
            self._advance()
        else:
            self._error(self._token(), 'Expecting: {}, got: {}'.format(kind, self._current()))

    def parse(self):
        result = self._expression(0)
        if self._current() != 'eof':
            token = self._token()
            raise ParseError(token[2], token[1], token[0],
                             'Unexpected token: {}'.format(token[1]))
        return result

    def _expression(self, binding_power=0):
        token = self._token()
        self._advance()
        nud = getattr(self, '_nud_' + token[0], None)
        if nud is None:
            self._error(token)
        left = nud(token)
        current = self._current()
        while binding_power < _BP[current]:
            led = getattr(self, '_led_' + current, None)
            if led is None:
                self._error(self._token())
            self._advance()
            left = led(left)
            current = self._current()
        return left

    # nud
    def _nud_literal(self, token):
        return _node('literal', value=token[1])

    def _nud_unquoted_identifier(self, token):
        return _node('field', value=token[1])

    def _nud_quoted_identifier(self, token):
        field = _node('field', value=token[1])
        if self._current() == 'lparen':
            nxt = self._token()
            raise ParseError(nxt[2], nxt[1], nxt[0],
                             'Quoted identifier not allowed for function names.')
        return field

    def _nud_star(self, token):
        left = _node('identity')
        if self._current() == 'rbracket':
            right = _node('identity')
        else:
            right = self._projection_rhs(_BP['star'])
        return _node('value_projection', [left, right])

    def _nud_filter(self, token):
        return self._led_filter(_node('identity'))

    def _nud_lbrace(self, token):
        return self._multi_select_hash()

    def _nud_lparen(self, token):
        expression = self._expression()
        self._match('rparen')
        return expression

    def _nud_flatten(self, token):
        left = _node('flatten', [_node('identity')])
        right = self._projection_rhs(_BP['flatten'])
        return _node('projection', [left, right])

    def _nud_not(self, token):
        return _node('not_expression', [self._expression(_BP['not'])])

    def _nud_lbracket(self, token):
        if self._current() in ('number', 'colon'):
            right = self._index_expression()
            return self._project_if_slice(_node('identity'), right)
        if self._current() == 'star' and self._lookahead(1) == 'rbracket':
            self._advance()
            self._advance()
            right = self._projection_rhs(_BP['star'])
            return _node('projection', [_node('identity'), right])
        return self._multi_select_list()

    def _nud_current(self, token):
        return _node('current')

    def _nud_expref(self, token):
        return _node('expref', [self._expression(_BP['expref'])])

    # led
    def _led_dot(self, left):
        if self._current() != 'star':
            right = self._dot_rhs(_BP['dot'])
            if left['type'] == 'subexpression':
                left['children'].append(right)
                return left
            return _node('subexpression', [left, right])
        self._advance()
        right = self._projection_rhs(_BP['dot'])
        return _node('value_projection', [left, right])

    def _led_pipe(self, left):
        return _node('pipe', [left, self._expression(_BP['pipe'])])

    def _led_or(self, left):
        return _node('or_expression', [left, self._expression(_BP['or'])])

    def _led_and(self, left):
        return _node('and_expression', [left, self._expression(_BP['and'])])

    def _led_lparen(self, left):
        if left['type'] != 'field':
            prev = self._token(-2)
            raise ParseError(prev[2], prev[1], prev[0],
                             "Invalid function name '{}'".format(prev[1]))
        args = []
        while self._current() != 'rparen':
            expression = self._expression()
            if self._current() == 'comma':
                self._match('comma')
            args.append(expression)
        self._match('rparen')
        return _node('function_expression', args, left['value'])

    def _led_filter(self, left):
        condition = self._expression(0)
        self._match('rbracket')
        if self._current() == 'flatten':
            right = _node('identity')
        else:
            right = self._projection_rhs(_BP['filter'])
        return _node('filter_projection', [left, right, condition])

    def _comparator(self, left, kind):
        return _node('comparator', [left, self._expression(_BP[kind])], kind)

    def _led_eq(self, left):
        return self._comparator(left, 'eq')

    def _led_ne(self, left):
        return self._comparator(left, 'ne')

    def _led_gt(self, left):
        return self._comparator(left, 'gt')

    def _led_gte(self, left):
        return self._comparator(left, 'gte')

    def _led_lt(self, left):
        return self._comparator(left, 'lt')

    def _led_lte(self, left):
        return self._comparator(left, 'lte')

    def _led_flatten(self, left):
        left = _node('flatten', [left])
        right = self._projection_rhs(_BP['flatten'])
        return _node('projection', [left, right])

    def _led_lbracket(self, left):
        if self._current() in ('number', 'colon'):
            right = self._index_expression()
            if left['type'] == 'index_expression':
                left['children'].append(right)
                return left
            return self._project_if_slice(left, right)
        self._match('star')
        self._match('rbracket')
        right = self._projection_rhs(_BP['star'])
        return _node('projection', [left, right])

    # pieces
    def _index_expression(self):
        if self._lookahead(0) == 'colon' or self._lookahead(1) == 'colon':
            return self._slice_expression()
        node = _node('index', value=self._token()[1])
        self._advance()
        self._match('rbracket')
        return node

    def _slice_expression(self):
        parts = [None, None, None]
        index = 0
        current = self._current()
        while current != 'rbracket' and index < 3:
            if current == 'colon':
                index += 1
                if index == 3:
                    self._error(self._token(), 'syntax error')
                self._advance()
            elif current == 'number':
                parts[index] = self._token()[1]
                self._advance()
            else:
                self._error(self._token(), 'syntax error')
            current = self._current()
        self._match('rbracket')
        return _node('slice', parts)

    def _project_if_slice(self, left, right):
        index_expr = _node('index_expression', [left, right])
        if right['type'] == 'slice':
            return _node('projection', [index_expr, self._projection_rhs(_BP['star'])])
        return index_expr

    def _projection_rhs(self, binding_power):
        current = self._current()
        if _BP[current] < _PROJECTION_STOP:
            return _node('identity')
        if current in ('lbracket', 'filter'):
            return self._expression(binding_power)
        if current == 'dot':
            self._match('dot')
            return self._dot_rhs(binding_power)
        self._error(self._token(), 'syntax error')
        return None

    def _dot_rhs(self, binding_power):
        current = self._current()
        if current in ('quoted_identifier', 'unquoted_identifier', 'star'):
            return self._expression(binding_power)
        if current == 'lbracket':
            self._match('lbracket')
            return self._multi_select_list()
        if current == 'lbrace':
            self._match('lbrace')
            return self._multi_select_hash()
        allowed = ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace']
        self._error(self._token(), 'Expecting: {}, got: {}'.format(allowed, current))
        return None

    def _multi_select_list(self):
        expressions = []
        while True:
            expressions.append(self._expression())
            if self._current() == 'rbracket':
                break
            self._match('comma')
        self._match('rbracket')
        return _node('multi_select_list', expressions)

    def _multi_select_hash(self):
        pairs = []
        while True:
            key = self._token()
            if key[0] not in ('quoted_identifier', 'unquoted_identifier'):
                self._error(key, 'Expecting: identifier, got: {}'.format(key[0]))
            self._advance()
            self._match('colon')
            value = self._expression(0)
            pairs.append(_node('key_val_pair', [value], key[1]))
            if self._current() == 'comma':
                self._match('comma')
            elif self._current() == 'rbrace':
                self._match('rbrace')
                break
        return _node('multi_select_hash', pairs)


# ------------------------------------------------------------------------- interpreter
def _is_false(value):
    return (value == '' or value == [] or value == {} or value is None or value is False)


def _is_special_integer_case(x, y):
    if type(x) is int and (x == 0 or x == 1):  # noqa: E721 (exact type on purpose)
        return y is True or y is False
    if type(y) is int and (y == 0 or y == 1):  # noqa: E721
        return x is True or x is False
    return False


def _equals(x, y):
    if _is_special_integer_case(x, y):
        return False
    return x == y


def _is_actual_number(x):
    if x is True or x is False:
        return False
    return isinstance(x, Number)


def _is_comparable(x):
    return _is_actual_number(x) or isinstance(x, str)


_ORDERING = {
    'lt': lambda a, b: a < b, 'gt': lambda a, b: a > b,
    'lte': lambda a, b: a <= b, 'gte': lambda a, b: a >= b,
}


class _Expression(object):
    """An expression reference (``&expr``) handed to a function."""

    def __init__(self, expression, interpreter):
        self.expression = expression
        self.interpreter = interpreter

    def visit(self, node, value):
        return self.interpreter.visit(node, value)


class _Interpreter(object):
    def visit(self, node, value):
        return getattr(self, '_visit_' + node['type'])(node, value)

    def _visit_subexpression(self, node, value):
        # no early exit on null: 'missing.length(@)' is a type error in jmespath 0.10.0
        result = value
        for child in node['children']:
            result = self.visit(child, result)
        return result

    def _visit_field(self, node, value):
        try:
            return value.get(node['value'])
        except AttributeError:
            return None

    def _visit_comparator(self, node, value):
        left = self.visit(node['children'][0], value)
        right = self.visit(node['children'][1], value)
        kind = node['value']
        if kind == 'eq':
            return _equals(left, right)
        if kind == 'ne':
            return not _equals(left, right)
        if not (_is_comparable(left) and _is_comparable(right)):
            return None
        return _ORDERING[kind](left, right)

    def _visit_current(self, node, value):
        return value

    def _visit_expref(self, node, value):
        return _Expression(node['children'][0], self)

    def _visit_function_expression(self, node, value):
        args = [self.visit(child, value) for child in node['children']]
        return call_function(node['value'], args)

    def _visit_filter_projection(self, node, value):
        base = self.visit(node['children'][0], value)
        if not isinstance(base, list):
            return None
        condition = node['children'][2]
        collected = []
        for element in base:
            if not _is_false(self.visit(condition, element)):
                current = self.visit(node['children'][1], element)
                if current is not None:
                    collected.append(current)
        return collected

    def _visit_flatten(self, node, value):
        base = self.visit(node['children'][0], value)
        if not isinstance(base, list):
            return None
        merged = []
        for element in base:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    def _visit_identity(self, node, value):
        return value

    def _visit_index(self, node, value):
        if not isinstance(value, list):
            return None
        try:
            return value[node['value']]
        except IndexError:
            return None

    def _visit_index_expression(self, node, value):
        result = value
        for child in node['children']:
            result = self.visit(child, result)
        return result

    def _visit_slice(self, node, value):
        if not isinstance(value, list):
            return None
        return value[slice(*node['children'])]

    def _visit_key_val_pair(self, node, value):
        return self.visit(node['children'][0], value)

    def _visit_literal(self, node, value):
        return node['value']

    def _visit_multi_select_hash(self, node, value):
        if value is None:
            return None
        return {child['value']: self.visit(child, value) for child in node['children']}

    def _visit_multi_select_list(self, node, value):
        if value is None:
            return None
        return [self.visit(child, value) for child in node['children']]

    def _visit_or_expression(self, node, value):
        matched = self.visit(node['children'][0], value)
        if _is_false(matched):
            matched = self.visit(node['children'][1], value)
        return matched

    def _visit_and_expression(self, node, value):
        matched = self.visit(node['children'][0], value)
        if _is_false(matched):
            return matched
        return self.visit(node['children'][1], value)

    def _visit_not_expression(self, node, value):
        result = self.visit(node['children'][0], value)
        if type(result) is int and result == 0:  # noqa: E721  (!0 is false in 0.10.0)
            return False
        return not result

    def _visit_pipe(self, node, value):
        left = self.visit(node['children'][0], value)
        return self.visit(node['children'][1], left)

    def _visit_projection(self, node, value):
        base = self.visit(node['children'][0], value)
        if not isinstance(base, list):
            return None
        collected = []
        for element in base:
            current = self.visit(node['children'][1], element)
            if current is not None:
                collected.append(current)
        return collected

    def _visit_value_projection(self, node, value):
        base = self.visit(node['children'][0], value)
        try:
            base = base.values()
        except AttributeError:
            return None
        collected = []
        for element in base:
            current = self.visit(node['children'][1], element)
            if current is not None:
                collected.append(current)
        return collected


# ------------------------------------------------------------------------- functions
_TYPES = {
    'boolean': ('bool',), 'array': ('list',), 'object': ('dict', 'OrderedDict'),
    'null': ('NoneType',), 'string': ('str',), 'number': ('float', 'int'),
    'expref': ('_Expression',),
}
_PY_TO_JMES = {
    'bool': 'boolean', 'list': 'array', 'dict': 'object', 'OrderedDict': 'object',
    'NoneType': 'null', 'str': 'string', 'float': 'number', 'int': 'number',
    '_Expression': 'expref',
}


def _jmes_type(value):
    return _PY_TO_JMES.get(type(value).__name__, 'unknown')


def _check_single(name, current, types):
    allowed, subtypes = [], []
    for item in types:
        parts = item.split('-', 1)
        if len(parts) == 2:
            subtypes.append(_TYPES[parts[1]])
        allowed.extend(_TYPES[parts[0]])
    actual = type(current).__name__
    if actual not in allowed:
        raise JMESPathTypeError(name, current, _PY_TO_JMES.get(actual, 'unknown'), types)
    if len(subtypes) == 1:
        for element in current:
            if type(element).__name__ not in subtypes[0]:
                raise JMESPathTypeError(name, element, type(element).__name__, types)
    elif len(subtypes) > 1 and current:
        first = type(current[0]).__name__
        for candidate in subtypes:
            if first in candidate:
                allowed_sub = candidate
                break
        else:
            raise JMESPathTypeError(name, current[0], first, types)
        for element in current:
            if type(element).__name__ not in allowed_sub:
                raise JMESPathTypeError(name, element, type(element).__name__, types)


def _key_func(expref, allowed, name):
    def keyfunc(item):
        result = expref.visit(expref.expression, item)
        kind = _jmes_type(result)
        if kind not in allowed:
            raise JMESPathTypeError(name, result, kind, allowed)
        return result
    return keyfunc


def _f_abs(arg):
    return abs(arg)


def _f_avg(arg):
    return sum(arg) / float(len(arg)) if arg else None


def _f_ceil(arg):
    return math.ceil(arg)


def _f_floor(arg):
    return math.floor(arg)


def _f_contains(subject, search):
    return search in subject


def _f_ends_with(subject, suffix):
    return subject.endswith(suffix)


def _f_starts_with(subject, prefix):
    return subject.startswith(prefix)


def _f_join(separator, array):
    return separator.join(array)


def _f_keys(arg):
    return list(arg.keys())


def _f_values(arg):
    return list(arg.values())


def _f_length(arg):
    return len(arg)


def _f_map(expref, array):
    return [expref.visit(expref.expression, element) for element in array]


def _f_max(arg):
    return max(arg) if arg else None


def _f_min(arg):
    return min(arg) if arg else None


def _f_max_by(array, expref):
    return max(array, key=_key_func(expref, ['number', 'string'], 'max_by')) if array else None


def _f_min_by(array, expref):
    return min(array, key=_key_func(expref, ['number', 'string'], 'min_by')) if array else None


def _f_merge(*args):
    merged = {}
    for arg in args:
        merged.update(arg)
    return merged


def _f_not_null(*args):
    for arg in args:
        if arg is not None:
            return arg
    return None


def _f_reverse(arg):
    if isinstance(arg, str):
        return arg[::-1]
    return list(reversed(arg))


def _f_sort(arg):
    return list(sorted(arg))


def _f_sort_by(array, expref):
    if not array:
        return array
    required = _jmes_type(expref.visit(expref.expression, array[0]))
    if required not in ('number', 'string'):
        raise JMESPathTypeError('sort_by', array[0], required, ['string', 'number'])
    return list(sorted(array, key=_key_func(expref, [required], 'sort_by')))


def _f_sum(arg):
    return sum(arg)


def _f_to_array(arg):
    return arg if isinstance(arg, list) else [arg]


def _f_to_number(arg):
    if isinstance(arg, (list, dict, bool)) or arg is None:
        return None
    if isinstance(arg, (int, float)):
        return arg
    try:
        return int(arg)
    except ValueError:
        try:
            return float(arg)
        except ValueError:
            return None


def _f_to_string(arg):
    if isinstance(arg, str):
        return arg
    return json.dumps(arg, separators=(',', ':'), default=str)


def _f_type(arg):
    # isinstance-based, unlike the type checks: an expref has no type here (null)
    if isinstance(arg, str):
        return 'string'
    if isinstance(arg, bool):
        return 'boolean'
    if isinstance(arg, list):
        return 'array'
    if isinstance(arg, dict):
        return 'object'
    if isinstance(arg, (float, int)):
        return 'number'
    if arg is None:
        return 'null'
    return None


# name -> (function, [types per argument], variadic)
_FUNCTIONS = {
    'abs': (_f_abs, [['number']], False),
    'avg': (_f_avg, [['array-number']], False),
    'ceil': (_f_ceil, [['number']], False),
    'contains': (_f_contains, [['array', 'string'], []], False),
    'ends_with': (_f_ends_with, [['string'], ['string']], False),
    'floor': (_f_floor, [['number']], False),
    'join': (_f_join, [['string'], ['array-string']], False),
    'keys': (_f_keys, [['object']], False),
    'length': (_f_length, [['string', 'array', 'object']], False),
    'map': (_f_map, [['expref'], ['array']], False),
    'max': (_f_max, [['array-number', 'array-string']], False),
    'max_by': (_f_max_by, [['array'], ['expref']], False),
    'merge': (_f_merge, [['object']], True),
    'min': (_f_min, [['array-number', 'array-string']], False),
    'min_by': (_f_min_by, [['array'], ['expref']], False),
    'not_null': (_f_not_null, [[]], True),
    'reverse': (_f_reverse, [['array', 'string']], False),
    'sort': (_f_sort, [['array-string', 'array-number']], False),
    'sort_by': (_f_sort_by, [['array'], ['expref']], False),
    'starts_with': (_f_starts_with, [['string'], ['string']], False),
    'sum': (_f_sum, [['array-number']], False),
    'to_array': (_f_to_array, [[]], False),
    'to_number': (_f_to_number, [[]], False),
    'to_string': (_f_to_string, [[]], False),
    'type': (_f_type, [[]], False),
    'values': (_f_values, [['object']], False),
}


def call_function(name, args):
    try:
        func, signature, variadic = _FUNCTIONS[name]
    except KeyError:
        raise UnknownFunctionError('Unknown function: {}()'.format(name))
    if variadic:
        if len(args) < len(signature):
            raise ArityError('Expected at least {} arguments for function {}(), received {}'
                             .format(len(signature), name, len(args)))
    elif len(args) != len(signature):
        raise ArityError('Expected {} arguments for function {}(), received {}'.format(
            len(signature), name, len(args)))
    for index, types in enumerate(signature):
        if types:
            _check_single(name, args[index], types)
    return func(*args)


# ------------------------------------------------------------------------- entry points
class ParsedResult(object):
    def __init__(self, expression, parsed):
        self.expression = expression
        self.parsed = parsed

    def search(self, value):
        return _Interpreter().visit(self.parsed, value)


_CACHE = {}


def compile(expression):  # pylint: disable=redefined-builtin
    """Parse ``expression`` once; ``.search(data)`` evaluates it."""
    cached = _CACHE.get(expression)
    if cached is None:
        cached = ParsedResult(expression, _Parser(expression).parse())
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[expression] = cached
    return cached


def search(expression, data):
    """Evaluate the JMESPath ``expression`` on ``data`` (jmespath 0.10.0 semantics)."""
    return compile(expression).search(data)
