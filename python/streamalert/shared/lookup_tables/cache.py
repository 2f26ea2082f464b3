"""Clock and per-key TTL cache shared by the lookup-table drivers.

Drivers read the time through ``now()``; tests patch it to move time forward.
"""
import random
import time


def now():
    """Seconds, for cache ages (patched by tests)."""
    return time.time()


MISS = object()


class DriverCache(object):
    """Per-key values with a TTL; when full, a random key is evicted (compat 8.1)."""

    def __init__(self, ttl_seconds, maximum_key_count=0):
        self._ttl = ttl_seconds
        self._max = maximum_key_count or 0
        self._data = {}

    def get(self, key):
        """The cached value, or ``MISS`` if absent or expired."""
        item = self._data.get(key, MISS)
        if item is MISS:
            return MISS
        value, expires = item
        if now() >= expires:
            return MISS
        return value

    def set(self, key, value):
        if key not in self._data and self._max and len(self._data) >= self._max:
            del self._data[random.choice(list(self._data))]
        self._data[key] = (value, now() + self._ttl)

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

    def keys(self):
        return list(self._data)
