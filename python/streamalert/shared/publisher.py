"""Publisher registry, base classes and publication composition (compat 4.10, 5.6, 7.4).

A publisher turns an alert into the publication an output sends. ``@Register`` accepts a
function ``f(alert, publication) -> dict`` or a class deriving from ``AlertPublisher``
(instantiated once, with no arguments). The registry name is
``obj.__module__ + "." + obj.__name__``.

Publishers register when their module is imported: by a rule module importing them, or
on the first name lookup, which imports every ``publisher_locations`` folder (set by
``AlertPublisherRepository.configure_locations``; vigil_runtime.configure does it).
"""
import copy
import inspect
import logging
from collections import OrderedDict

LOGGER = logging.getLogger(__name__)


class PublisherError(Exception):
    """Base of the publisher errors."""


class PublisherRegistrationError(PublisherError):
    """``@Register`` on something that is not a publisher, or a name registered twice."""


class PublisherAssemblyError(PublisherError):
    """A composite publisher built from a name that is not registered."""


class AlertPublisher(object):
    """Base class of class-based publishers: override ``publish``."""

    def publish(self, alert, publication):
        """Return the new publication (a dict) for ``alert``."""
        raise NotImplementedError('{} must implement publish()'.format(type(self).__name__))


class CompositePublisher(AlertPublisher):
    """Runs publishers in order; each gets a deep copy of the previous result (compat 5.6)."""

    def __init__(self, publishers):
        self._publishers = list(publishers)

    def publish(self, alert, publication):
        for publisher in self._publishers:
            publication = copy.deepcopy(publication)
            publication = publisher.publish(alert, publication)
        return publication


class WrappedFunctionPublisher(AlertPublisher):
    """Adapts a function publisher to the ``AlertPublisher`` interface."""

    def __init__(self, function):
        self._function = function

    def publish(self, alert, publication):
        return self._function(alert, publication)

    def __repr__(self):
        return '<WrappedFunctionPublisher {}>'.format(publisher_name(self._function))


class DefaultPublisher(AlertPublisher):
    """The built-in publisher: the alert's ``output_dict()`` (compat 6.2)."""

    def publish(self, alert, publication):
        return alert.output_dict()


def publisher_name(obj):
    """Registry name of a publisher function or class: ``module.name``."""
    return '{}.{}'.format(obj.__module__, obj.__name__)


def is_publisher_declaration(obj):
    """True for what ``@Register`` and a rule's ``publishers`` option accept (not strings)."""
    if inspect.isclass(obj):
        return issubclass(obj, AlertPublisher)
    return inspect.isfunction(obj)


class AlertPublisherRepository(object):
    """The process-wide publisher registry."""

    _publishers = OrderedDict()
    _locations = []
    _project_root = None
    _imported = False
    _import_errors = []

    @classmethod
    def register_publisher(cls, publisher):
        """``@Register``: add a function or ``AlertPublisher`` subclass; return it unchanged."""
        if not is_publisher_declaration(publisher):
            raise PublisherRegistrationError(
                'Could not register publisher {!r}: not a function or an AlertPublisher '
                'subclass'.format(publisher))
        name = publisher_name(publisher)
        if name in cls._publishers:
            raise PublisherRegistrationError('Publisher [{}] already registered'.format(name))
        if inspect.isclass(publisher):
            cls._publishers[name] = publisher()
        else:
            cls._publishers[name] = WrappedFunctionPublisher(publisher)
        return publisher

    @classmethod
    def configure_locations(cls, locations, project_root):
        """Where the lazy import looks (``general.publisher_locations``)."""
        cls._locations = list(locations or [])
        cls._project_root = project_root
        cls._imported = False

    @classmethod
    def import_publishers(cls):
        """Import every publisher folder once; return the import errors (also logged)."""
        if cls._imported:
            return list(cls._import_errors)
        cls._imported = True
        if not cls._locations or not cls._project_root:
            cls._import_errors = []
            return []
        from streamalert import _importer  # pylint: disable=import-outside-toplevel
        cls._import_errors = _importer.import_folders(
            cls._locations, cls._project_root,
            on_error=lambda error: LOGGER.error('publisher import failed: %s', error))
        return list(cls._import_errors)

    @classmethod
    def is_valid_publisher(cls, name):
        cls.import_publishers()
        return name in cls._publishers

    @classmethod
    def get_publisher(cls, name):
        """The registered publisher object, or None (imports the folders first)."""
        cls.import_publishers()
        return cls._publishers.get(name)

    @classmethod
    def registered_names(cls):
        cls.import_publishers()
        return list(cls._publishers)

    @classmethod
    def create_composite_publisher(cls, names):
        """A ``CompositePublisher`` of registered names, ``DefaultPublisher`` if none remain.

        Unknown names are logged and skipped (compat 7.4).
        """
        publishers = []
        for name in names:
            publisher = cls.get_publisher(name)
            if publisher is None:
                LOGGER.error("Publisher [%s] does not exist; skipped", name)
                continue
            publishers.append(publisher)
        if not publishers:
            return cls._publishers[publisher_name(DefaultPublisher)]
        if len(publishers) == 1:
            return publishers[0]
        return CompositePublisher(publishers)

    @classmethod
    def clear(cls):
        """Forget every publisher but the default one (tests and reloads)."""
        default = publisher_name(DefaultPublisher)
        keep = cls._publishers.get(default)
        cls._publishers.clear()
        cls._publishers[default] = keep if keep is not None else DefaultPublisher()
        cls._imported = False
        cls._import_errors = []


Register = AlertPublisherRepository.register_publisher

Register(DefaultPublisher)


def _as_names(declaration):
    """A publisher declaration (name, function, class or a list of them) as a list of names."""
    items = declaration if isinstance(declaration, (list, tuple)) else [declaration]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif is_publisher_declaration(item):
            names.append(publisher_name(item))
        elif item is None:
            continue
        else:
            LOGGER.error('Invalid publisher declaration %r: not a name, a function or an '
                         'AlertPublisher subclass; skipped', item)
    return names


def publisher_names_for_output(publishers, output):
    """Publisher names an alert's ``publishers`` field gives for ``service:descriptor`` (7.4)."""
    if not publishers:
        return []
    if isinstance(publishers, dict):
        service = output.split(':', 1)[0]
        names = []
        if service in publishers:
            names.extend(_as_names(publishers[service]))
        if output in publishers and output != service:
            names.extend(_as_names(publishers[output]))
        return names
    return _as_names(publishers)


def compose_alert(alert, output, descriptor=None):
    """The publication of ``alert`` for one output (compat 7.4).

    ``output`` is ``"service:descriptor"``, a service name with ``descriptor``, or an
    object with a ``__service__`` attribute (StreamAlert's output classes).
    """
    service = getattr(output, '__service__', output)
    if descriptor is None and isinstance(service, str) and ':' in service:
        full = service
    else:
        full = '{}:{}'.format(service, descriptor)
    names = publisher_names_for_output(alert.publishers, full)
    publisher = AlertPublisherRepository.create_composite_publisher(names)
    return publisher.publish(alert, {})


def resolve_rule_publishers(declaration, outputs, required_outputs=('aws-firehose:alerts',)):
    """The alert ``publishers`` field for a rule's ``publishers`` option (compat 4.10).

    A dict keyed by every output but the required ones, each holding registered names;
    ``{}`` when ``declaration`` is falsy. Unregistered names are dropped with a warning.
    """
    if not declaration:
        return {}
    result = OrderedDict()
    for output in sorted(outputs):
        if output in required_outputs:
            continue
        if isinstance(declaration, dict):
            service = output.split(':', 1)[0]
            names = []
            if service in declaration:
                names.extend(_as_names(declaration[service]))
            if output in declaration and output != service:
                names.extend(_as_names(declaration[output]))
        else:
            names = _as_names(declaration)
        valid = []
        for name in names:
            if AlertPublisherRepository.is_valid_publisher(name):
                valid.append(name)
            else:
                LOGGER.warning('Requested publisher [%s] is not registered; dropped', name)
        result[output] = valid
    return dict(result)
