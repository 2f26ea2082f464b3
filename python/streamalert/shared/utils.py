"""Helpers that rules import from ``streamalert.shared.utils`` (compat 5.1).

IP handling reproduces netaddr 0.8, which StreamAlert uses, without netaddr:

- an address (``valid_ip``, the address given to ``in_network``) is parsed permissively,
  like ``netaddr.IPAddress(x)``: IPv4 with the C library's ``inet_aton`` (so ``"127.1"``,
  ``"1"``, ``"0x7f.1"``, octal ``"010.1.1.1"`` and trailing junk after white space are
  accepted), then IPv6 with ``inet_pton``; integers 0..2**128-1 (bools included, as in
  Python); no ``/``;
- a network (``in_network``'s CIDRs) is parsed like ``netaddr.IPNetwork(x)``: the address
  part strictly (``inet_pton``), with netaddr's partial-IPv4 fallback (``"10/8"``); the
  prefix as ``int()``, or a netmask or hostmask; host bits are ignored.
"""
import logging
import socket
from collections import deque

LOGGER = logging.getLogger(__name__)

_V4_MAX = (1 << 32) - 1
_V6_MAX = (1 << 128) - 1
_WIDTH = {4: 32, 6: 128}


class _AddrError(ValueError):
    pass


def _from_bytes(packed):
    return int.from_bytes(packed, 'big')


def _parse_v4_aton(text):
    try:
        return _from_bytes(socket.inet_aton(text))
    except (OSError, TypeError, ValueError):
        raise _AddrError(text)


def _parse_v4_pton(text):
    try:
        return _from_bytes(socket.inet_pton(socket.AF_INET, text))
    except (OSError, TypeError, ValueError):
        raise _AddrError(text)


def _parse_v6(text):
    try:
        return _from_bytes(socket.inet_pton(socket.AF_INET6, text))
    except (OSError, TypeError, ValueError):
        raise _AddrError(text)


def parse_address(addr):
    """``(version, value)`` as ``netaddr.IPAddress(addr)`` would give; ``ValueError`` if not."""
    if isinstance(addr, int):
        value = int(addr)
        if 0 <= value <= _V4_MAX:
            return 4, value
        if _V4_MAX < value <= _V6_MAX:
            return 6, value
        raise _AddrError(addr)
    if isinstance(addr, str):
        if '/' in addr:
            raise _AddrError(addr)
        try:
            return 4, _parse_v4_aton(addr)
        except _AddrError:
            return 6, _parse_v6(addr)
    raise _AddrError(addr)


def _expand_partial_v4(text):
    # netaddr's expand_partial_address: '10' -> '10.0.0.0', '192.168' -> '192.168.0.0'
    if ':' in text:
        raise _AddrError(text)
    try:
        tokens = ['%d' % int(part) for part in text.split('.')] if '.' in text \
            else ['%d' % int(text)]
    except ValueError:
        raise _AddrError(text)
    if not 1 <= len(tokens) <= 4:
        raise _AddrError(text)
    tokens.extend(['0'] * (4 - len(tokens)))
    return '.'.join(tokens)


def _mask_prefix(value, width):
    max_int = (1 << width) - 1
    inverted = (value ^ max_int) + 1          # netaddr's is_netmask()
    if inverted & (inverted - 1) == 0:
        return width - (inverted.bit_length() - 1)
    plus_one = value + 1                      # is_hostmask()
    if plus_one & (plus_one - 1) == 0:
        return width - (plus_one.bit_length() - 1)
    return None


def _parse_network_version(text, version):
    if '/' in text:
        addr, prefix = text.split('/', 1)
    else:
        addr, prefix = text, None
    if version == 4:
        try:
            value = _parse_v4_pton(addr)
        except _AddrError:
            value = _parse_v4_pton(_expand_partial_v4(addr))
    else:
        value = _parse_v6(addr)
    width = _WIDTH[version]
    if prefix is None:
        prefixlen = width
    else:
        try:
            prefixlen = int(prefix)
        except ValueError:
            mask = _parse_v4_pton(prefix) if version == 4 else _parse_v6(prefix)
            prefixlen = _mask_prefix(mask, width)
            if prefixlen is None:
                raise _AddrError(text)
    if not 0 <= prefixlen <= width:
        raise _AddrError(text)
    return value, prefixlen


def parse_network(cidr):
    """``(version, network_bits, prefixlen)`` as ``netaddr.IPNetwork(cidr)``; else ValueError."""
    if not isinstance(cidr, str):
        raise _AddrError(cidr)
    for version in (4, 6):
        try:
            value, prefixlen = _parse_network_version(cidr, version)
        except _AddrError:
            continue
        shift = _WIDTH[version] - prefixlen
        return version, value >> shift, prefixlen
    raise _AddrError(cidr)


def address_in_network(address, network):
    """``address`` = ``(version, value)``, ``network`` = ``parse_network()`` result."""
    version, value = address
    net_version, net_bits, prefixlen = network
    if version != net_version:
        return False
    return value >> (_WIDTH[version] - prefixlen) == net_bits


def valid_ip(ip_address):
    """True iff netaddr 0.8 ``IPAddress(ip_address)`` accepts it; the string ``"::1"`` is false."""
    if isinstance(ip_address, str) and ip_address == '::1':
        return False
    try:
        parse_address(ip_address)
    except Exception:  # pylint: disable=broad-except
        return False
    return True


def in_network(ip_address, cidrs):
    """True iff ``ip_address`` is a valid IP inside one of ``cidrs`` (compat 5.1).

    Unparsable CIDRs are logged ("Invalid IP Network: <cidr>") and skipped.
    """
    if not valid_ip(ip_address):
        return False
    address = parse_address(ip_address)
    for cidr in cidrs:
        try:
            network = parse_network(cidr)
        except ValueError:
            LOGGER.error('Invalid IP Network: %s', cidr)
            continue
        if address_in_network(address, network):
            return True
    return False


def py_get_keys(data, search_key, max_matches=-1):
    """Values of every ``search_key`` in nested dicts and lists, breadth-first (compat 5.1).

    Never descends into ``streamalert_normalization``. With ``max_matches > 0`` it stops
    once that many values were found. (The pure-Python version; see ``get_keys`` below.)
    """
    results = []
    queue = deque([data])
    while queue:
        obj = queue.popleft()
        if isinstance(obj, dict):
            if search_key in obj:
                results.append(obj[search_key])
                if 0 < max_matches <= len(results):
                    return results
            for key, val in obj.items():
                if key == 'streamalert_normalization':
                    continue
                if val and isinstance(val, (dict, list)):
                    queue.append(val)
        elif isinstance(obj, list):
            for val in obj:
                if val and isinstance(val, (dict, list)):
                    queue.append(val)
    return results


def py_get_first_key(data, search_key, default_value=None):
    """The first value ``get_keys`` finds, or ``default_value``."""
    keys = get_keys(data, search_key, max_matches=1)
    return keys[0] if keys else default_value


# Inside vigil the C engine provides both in C (src/rules/pymodule.c): rules call them on
# every record. Plain Python (tests, tools) uses the versions above.
try:
    from _vigil import get_keys  # pylint: disable=no-name-in-module
except ImportError:
    get_keys = py_get_keys
try:
    from _vigil import get_first_key  # pylint: disable=no-name-in-module
except ImportError:
    get_first_key = py_get_first_key


def get_database_name(config):
    """``lambda.athena_partitioner_config.database_name``, default ``<prefix>_streamalert``."""
    prefix = config['global']['account']['prefix']
    athena = config.get('lambda', {}).get('athena_partitioner_config', {}) or {}
    return athena.get('database_name', '{}_streamalert'.format(prefix))


def get_data_file_format(config):
    """``lambda.athena_partitioner_config.file_format`` (``parquet`` or ``json``)."""
    athena = config.get('lambda', {}).get('athena_partitioner_config', {}) or {}
    return athena.get('file_format')
