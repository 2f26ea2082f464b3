"""Alert-processor side helpers (compat 7.4)."""
