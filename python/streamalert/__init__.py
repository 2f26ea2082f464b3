"""vigil's implementation of the StreamAlert modules that rules, matchers and publishers import.

Only the public names of StreamAlert's API (compat 4.3) are reproduced here; the code is
vigil's own.  The older ``stream_alert.*`` import paths resolve to these same modules once
``vigil_runtime.install_shims()`` has run (see ``streamalert._aliases``).
"""

__version__ = '3.5.0+vigil'
