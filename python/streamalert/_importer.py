"""Import every module of a set of folders, as StreamAlert's rule loader does (compat 4.5).

vigil differences, all for determinism and clearer errors:

- folders are walked with sorted directory and file names (StreamAlert: listing order);
- the project root is put first on ``sys.path`` and module names are computed relative to
  it, so the working directory does not matter (StreamAlert: relative to the cwd);
- ``./rules`` is normalized to ``rules`` before the "." check (StreamAlert refuses it);
- every failure becomes one error string ``path/to/file.py:LINE: message`` and loading
  goes on with the next file (StreamAlert stops at the first exception).
"""
import importlib
import logging
import os
import sys
import traceback

LOGGER = logging.getLogger(__name__)

# Modules imported through import_folders(), by name, in import order.
LOADED_MODULES = []

_THIRD_PARTY_HINT = ('a third-party package: install it for the Python that vigil embeds '
                     '(Debian: apt install python3-<name>, or pip)')


def ensure_on_path(project_root):
    """Put ``project_root`` first on ``sys.path`` (moving it there if already present)."""
    root = os.path.abspath(project_root)
    while root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    importlib.invalidate_caches()
    return root


def _display(path, root):
    path = os.path.abspath(path)
    if path == root or path.startswith(root + os.sep):
        return os.path.relpath(path, root)
    return path


def _under(path, root):
    path = os.path.abspath(path)
    return path.startswith(root + os.sep)


def describe_exception(exc, root, default_file, default_line=1):
    """``file:LINE: Type: message`` for an exception raised while importing ``default_file``.

    The location is the innermost traceback frame inside the project (so a rule file's own
    line, or the helper module it imported); for a ``SyntaxError`` the offending line.
    """
    filename, line = default_file, default_line
    if isinstance(exc, SyntaxError) and exc.filename and _under(exc.filename, root):
        filename, line = exc.filename, exc.lineno or default_line
        message = '{}: {}'.format(type(exc).__name__, exc.msg)
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename and _under(frame.filename, root):
                filename, line = frame.filename, frame.lineno or default_line
        message = '{}: {}'.format(type(exc).__name__, exc)
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            top = exc.name.split('.')[0]
            if not os.path.exists(os.path.join(root, top)) and \
                    not os.path.exists(os.path.join(root, top + '.py')):
                message += ' ({})'.format(_THIRD_PARTY_HINT)
    return '{}:{}: {}'.format(_display(filename, root), line, message)


def _module_files(folder, root):
    """Yield ``(path, relative path)`` of every importable file under ``folder``, sorted."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith('.py') or name.startswith('__'):
                continue
            path = os.path.join(dirpath, name)
            yield path, os.path.relpath(path, root)


def import_folders(folders, project_root, on_error=None):
    """Import every ``.py`` module under each folder; return the list of error strings.

    ``folders`` are relative to ``project_root`` (or absolute inside it). Files named
    ``__*`` are skipped. A module already imported is not executed again.
    """
    root = ensure_on_path(project_root)
    errors = []
    seen = set()
    for folder in folders:
        full = os.path.normpath(os.path.join(root, folder))
        if full in seen:
            continue
        seen.add(full)
        if not (full == root or full.startswith(root + os.sep)):
            errors.append('{}:1: folder is outside the project root {}'.format(folder, root))
            continue
        if not os.path.isdir(full):
            LOGGER.warning("folder '%s' does not exist under %s; nothing imported from it",
                           folder, root)
            continue
        for path, rel in _module_files(full, root):
            stem = rel[:-len('.py')]
            if '.' in stem:
                errors.append('{}:1: cannot be imported because of "." in the name'
                              .format(rel))
                continue
            name = stem.replace(os.sep, '.')
            if name in sys.modules:
                continue
            try:
                importlib.import_module(name)
            except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
                error = describe_exception(exc, root, path)
                # a helper that fails fails again when its own file is walked: say it once
                if error not in errors:
                    errors.append(error)
                continue
            LOADED_MODULES.append(name)
    for error in errors:
        if on_error is not None:
            on_error(error)
    return errors
