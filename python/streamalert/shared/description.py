"""``RuleDescriptionParser``: split a rule docstring into fields (compat 5.4).

Used by the Slack layout publishers. ``parse`` gives ``{field: [lines]}``; ``present`` gives
``{"author", "description", "fields"}`` with each field's lines joined, long URLs wrapped
over several lines glued back together.
"""
import re


class RuleDescriptionParser(object):
    """Parses ``field: value`` blocks out of free-form rule descriptions."""

    _FIELD_REGEX = re.compile(r'^(?!http:|https:)([A-Za-z0-9\-_&\s]{0,20}):(.*)$')
    _URL_REGEX = re.compile(
        r'^(?:http(s)?://)?[\w.-]+(?:\.[\w\.-]+)+[\w\-\._~:/?#[\]@!\$&\'\(\)\*\+,;=.]+$')

    @classmethod
    def parse(cls, description):
        """``{field: [lines]}``; text before the first ``field:`` line is ``description``."""
        if description is None:
            description = ''
        fields = {}
        current = 'description'
        for line in description.strip().split('\n'):
            line = line.strip()
            if current not in fields:
                fields[current] = []
            if not line:
                fields[current].append('')
                continue
            match = cls._FIELD_REGEX.match(line)
            if match:
                current = match.group(1).strip().lower()
                fields.setdefault(current, []).append(match.group(2).strip())
            else:
                fields[current].append(line)
        return fields

    @classmethod
    def present(cls, description):
        """``{"author": str, "description": str, "fields": {name: str}}``."""
        result = {'author': '', 'description': '', 'fields': {}}
        for name, lines in cls.parse(description).items():
            text = cls._join(lines)
            if name in ('author', 'maintainer'):
                result['author'] = text
            elif name == 'description':
                result['description'] = text
            else:
                result['fields'][name] = text
        return result

    @classmethod
    def _join(cls, lines):
        text = ''
        started = False
        buffered = ''
        for line in lines:
            if not line:
                buffered += '\n'
                continue
            if not started:
                text = line
                started = True
            elif cls._URL_REGEX.match(text + line):
                text += line
            else:
                text += (buffered or ' ') + line
            buffered = ''
        return text
