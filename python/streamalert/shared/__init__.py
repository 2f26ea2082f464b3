"""Modules shared by rules, matchers, publishers and the engine (compat 4.3, 5)."""
