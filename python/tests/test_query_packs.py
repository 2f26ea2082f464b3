"""QueryPackConfiguration (compat 10.4)."""
from datetime import datetime

from streamalert.scheduled_queries.query_packs.configuration import (
    QueryPackConfiguration,
    QueryPackRepository,
)

from tests.support import RuntimeTestCase

CLOCK = datetime(2020, 3, 4, 5, 6, 7)


class QueryPackTest(RuntimeTestCase):

    def test_required_fields(self):
        for kwargs, message in [
                ({'query': 'q', 'tags': ['t']}, 'Query Pack missing name'),
                ({'name': 'n', 'tags': ['t']}, 'Query Pack "n" missing query template'),
                ({'name': 'n', 'query': 'q'}, 'Query Pack "n" has no tags?')]:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(RuntimeError) as ctx:
                    QueryPackConfiguration(**kwargs)
                self.assertEqual(str(ctx.exception), message)

    def test_registration_and_duplicates(self):
        pack = QueryPackConfiguration(name='p', description='d', query='SELECT 1', tags=['x'])
        self.assertEqual(QueryPackRepository.get_packs(), [pack])
        self.assertEqual((pack.name, pack.description, pack.query_template, pack.tags),
                         ('p', 'd', 'SELECT 1', ['x']))
        with self.assertRaises(RuntimeError) as ctx:
            QueryPackConfiguration(name='p', query='SELECT 2', tags=['x'])
        self.assertEqual(str(ctx.exception), 'ERROR: Duplicate query pack name: "p"')

    def test_parameters(self):
        pack = QueryPackConfiguration(
            name='p', query="dt >= '{utcdatehour_minus1day}' AND ts > {utctimestamp}",
            params=['utcdatehour_minus1day', 'utctimestamp', 'utcisotime',
                    'utcdatehour_minus7day', 'utctimestamp_minus1hour'], tags=['hourly'])
        params = pack.generate_parameters(CLOCK)
        self.assertEqual(params, {
            'utcdatehour_minus1day': '2020-03-03-05', 'utctimestamp': '1583298367',
            'utcisotime': '1583298367', 'utcdatehour_minus7day': '2020-02-26-05',
            'utctimestamp_minus1hour': '1583294767'})
        self.assertEqual(pack.generate_query(CLOCK), "dt >= '2020-03-03-05' AND ts > 1583298367")

    def test_callable_and_unknown_parameters(self):
        self.quiet('streamalert.scheduled_queries.query_packs.configuration')
        pack = QueryPackConfiguration(
            name='p', query='{custom} {utcdatehour} {bogus}',
            params={'custom': lambda clock: clock.year, 'utcdatehour': 'anything',
                    'bogus': None}, tags=['t'])
        self.assertEqual(pack.generate_query(CLOCK), '2020 2020-03-04-05 None')

    def test_tag_selection(self):
        pack = QueryPackConfiguration(name='p', query='q', tags=['hourly', 'aws'])
        self.assertTrue(pack.runs_for(['hourly']))
        self.assertTrue(pack.runs_for([]))
        self.assertFalse(pack.runs_for(['hourly', 'daily']))
