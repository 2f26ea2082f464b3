"""Lookup-table errors."""


class LookupTablesError(Exception):
    """Base of the lookup-table errors."""


class LookupTablesConfigurationError(LookupTablesError):
    """A table whose configuration cannot work (unknown driver, missing option)."""


class LookupTablesInitializationError(LookupTablesError):
    """A table whose data could not be loaded (missing file, download failure)."""


class LookupTablesInputError(LookupTablesError):
    """A key the table cannot look up (dynamodb sort-key tables need ``<pk><delim><sk>``)."""
