"""Publisher registry, composition and built-ins (compat 5.6, 7.4)."""
from streamalert.shared.alert import Alert
from streamalert.shared.publisher import (
    AlertPublisher,
    AlertPublisherRepository,
    CompositePublisher,
    DefaultPublisher,
    PublisherRegistrationError,
    Register,
    compose_alert,
    publisher_names_for_output,
    resolve_rule_publishers,
)
from streamalert.alert_processor.helpers import compose_alert as helpers_compose

from tests.support import RuntimeTestCase

MODULE = __name__




class RegistryTest(RuntimeTestCase):

    def test_default_publisher_is_registered(self):
        name = 'streamalert.shared.publisher.DefaultPublisher'
        self.assertTrue(AlertPublisherRepository.is_valid_publisher(name))
        self.assertIsInstance(AlertPublisherRepository.get_publisher(name), DefaultPublisher)

    def test_register_function(self):
        def add_x(alert, publication):
            publication['x'] = 1
            return publication
        self.assertIs(Register(add_x), add_x)
        name = MODULE + '.add_x'
        self.assertTrue(AlertPublisherRepository.is_valid_publisher(name))
        self.assertEqual(AlertPublisherRepository.get_publisher(name).publish(None, {}),
                         {'x': 1})

    def test_register_class_instantiated_once(self):
        created = []

        class Counting(AlertPublisher):
            def __init__(self):
                created.append(self)

            def publish(self, alert, publication):
                return {'n': len(created)}
        self.assertIs(Register(Counting), Counting)
        self.assertEqual(len(created), 1)
        # plain __name__, not the qualified name of the nested class
        publisher = AlertPublisherRepository.get_publisher(MODULE + '.Counting')
        self.assertIs(publisher, created[0])

    def test_register_rejects_other_things(self):
        class NotAPublisher(object):
            pass
        for thing in (NotAPublisher, 'name', 42, None, NotAPublisher()):
            with self.subTest(thing=thing):
                with self.assertRaises(PublisherRegistrationError):
                    Register(thing)

    def test_duplicate_name(self):
        def twice(alert, publication):
            return publication
        Register(twice)
        with self.assertRaises(PublisherRegistrationError):
            Register(twice)

    def test_unknown_name_lookups(self):
        self.assertIsNone(AlertPublisherRepository.get_publisher('no.such'))
        self.quiet('streamalert.shared.publisher')
        publisher = AlertPublisherRepository.create_composite_publisher(['no.such'])
        self.assertIsInstance(publisher, DefaultPublisher)


class CompositeTest(RuntimeTestCase):

    def test_deep_copies_between_publishers(self):
        seen = []

        class First(AlertPublisher):
            def publish(self, alert, publication):
                seen.append(publication)
                publication['nested'] = {'a': [1]}
                return publication

        class Second(AlertPublisher):
            def publish(self, alert, publication):
                seen.append(publication)
                publication['nested']['a'].append(2)
                return publication
        result = CompositePublisher([First(), Second()]).publish(None, {})
        self.assertEqual(seen[0], {'nested': {'a': [1]}})   # first saw {} and was not mutated later
        self.assertIsNot(seen[0], seen[1])
        self.assertEqual(result, {'nested': {'a': [1, 2]}})

    def test_exceptions_propagate(self):
        class Boom(AlertPublisher):
            def publish(self, alert, publication):
                raise RuntimeError('no')
        with self.assertRaises(RuntimeError):
            CompositePublisher([Boom()]).publish(None, {})


class ComposeTest(RuntimeTestCase):

    def setUp(self):
        super().setUp()

        def tag_service(alert, publication):
            publication.setdefault('tags', []).append('service')
            return publication

        def tag_output(alert, publication):
            publication.setdefault('tags', []).append('output')
            return publication
        Register(tag_service)
        Register(tag_output)
        self.svc = MODULE + '.tag_service'
        self.out = MODULE + '.tag_output'

    def alert(self, publishers):
        return Alert('r', {'a': 1}, {'slack:chan', 'aws-firehose:alerts'},
                     publishers=publishers)

    def test_names_for_output(self):
        pubs = {'slack': self.svc, 'slack:chan': [self.out], 'pagerduty': ['x']}
        self.assertEqual(publisher_names_for_output(pubs, 'slack:chan'), [self.svc, self.out])
        self.assertEqual(publisher_names_for_output(pubs, 'slack:other'), [self.svc])
        self.assertEqual(publisher_names_for_output(pubs, 'aws-firehose:alerts'), [])
        self.assertEqual(publisher_names_for_output('a.b', 'x:y'), ['a.b'])
        self.assertEqual(publisher_names_for_output(['a', 'b'], 'x:y'), ['a', 'b'])
        self.assertEqual(publisher_names_for_output({}, 'x:y'), [])

    def test_compose_by_service_then_full_output(self):
        alert = self.alert({'slack': [self.svc], 'slack:chan': [self.out]})
        self.assertEqual(compose_alert(alert, 'slack', 'chan'), {'tags': ['service', 'output']})
        self.assertEqual(compose_alert(alert, 'slack:chan'), {'tags': ['service', 'output']})
        self.assertIs(helpers_compose, compose_alert)

    def test_compose_with_output_object(self):
        class SlackOutput(object):
            __service__ = 'slack'
        alert = self.alert({'slack': self.svc})
        self.assertEqual(compose_alert(alert, SlackOutput(), 'chan'), {'tags': ['service']})

    def test_default_publisher_when_no_names(self):
        alert = self.alert({'slack:chan': []})
        self.assertEqual(compose_alert(alert, 'slack:chan'), alert.output_dict())
        self.assertEqual(compose_alert(alert, 'aws-firehose', 'alerts'), alert.output_dict())

    def test_unknown_names_skipped(self):
        self.quiet('streamalert.shared.publisher')
        alert = self.alert({'slack:chan': ['no.such', self.out]})
        self.assertEqual(compose_alert(alert, 'slack:chan'), {'tags': ['output']})

    def test_resolve_rule_publishers(self):
        self.quiet('streamalert.shared.publisher')
        outputs = {'slack:chan', 'slack:other', 'pagerduty:x', 'aws-firehose:alerts'}

        def tag_output(alert, publication):  # same name as the registered one
            return publication
        tag_output.__module__ = MODULE
        self.assertEqual(resolve_rule_publishers(None, outputs), {})
        self.assertEqual(resolve_rule_publishers([], outputs), {})
        self.assertEqual(resolve_rule_publishers(self.svc, outputs), {
            'pagerduty:x': [self.svc], 'slack:chan': [self.svc], 'slack:other': [self.svc]})
        self.assertEqual(resolve_rule_publishers([tag_output, 'no.such', 42], outputs), {
            'pagerduty:x': [self.out], 'slack:chan': [self.out], 'slack:other': [self.out]})
        self.assertEqual(
            resolve_rule_publishers({'slack': self.svc, 'slack:chan': [self.out]}, outputs),
            {'pagerduty:x': [], 'slack:chan': [self.svc, self.out], 'slack:other': [self.svc]})
