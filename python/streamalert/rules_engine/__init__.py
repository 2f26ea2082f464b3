"""Rules-engine side modules used by rules (threat intel, compat 8.2)."""
