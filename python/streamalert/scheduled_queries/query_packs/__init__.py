"""Query pack declarations (compat 10.4)."""
