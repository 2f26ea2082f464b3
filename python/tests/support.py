"""Shared test helpers: a clean runtime per test, fixture paths, a fake _vigil module."""
import logging
import os
import shutil
import sys
import tempfile
import types
import unittest

import vigil_runtime

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')


def fixture(name):
    return os.path.join(FIXTURES, name)


class RuntimeTestCase(unittest.TestCase):
    """Resets every registry before and after each test; gives a temporary directory."""

    def setUp(self):
        vigil_runtime.reset()
        vigil_runtime.install_shims()
        self.tmp = tempfile.mkdtemp(prefix='vigil-py-test-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(vigil_runtime.reset)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, relpath, text, mode='w'):
        full = self.path(relpath)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, mode) as handle:
            handle.write(text)
        return full

    def quiet(self, logger=''):
        """Silence a logger for this test (expected warnings/errors)."""
        log = logging.getLogger(logger)
        old = log.disabled
        log.disabled = True
        self.addCleanup(setattr, log, 'disabled', old)


class FakeVigil(types.ModuleType):
    """Stands in for the C engine's built-in ``_vigil`` module."""

    def __init__(self, objects=None, error=None):
        super().__init__('_vigil')
        self.objects = objects or {}
        self.error = error
        self.calls = []

    def s3_get(self, endpoint, region, bucket, key, access_key_id, secret_access_key,
               session_token):
        self.calls.append((endpoint, region, bucket, key, access_key_id, secret_access_key,
                           session_token))
        if self.error:
            raise OSError(self.error)
        return self.objects[(bucket, key)]


def install_fake_vigil(testcase, fake):
    old = sys.modules.get('_vigil')
    sys.modules['_vigil'] = fake

    def restore():
        if old is None:
            sys.modules.pop('_vigil', None)
        else:
            sys.modules['_vigil'] = old
    testcase.addCleanup(restore)
    return fake
