"""Lookup tables (compat 8.1). ``from streamalert.shared.lookup_tables import LookupTables``
(the StreamAlert 2.x path) works too."""
from streamalert.shared.lookup_tables.core import LookupTables  # noqa: F401

__all__ = ['LookupTables']
