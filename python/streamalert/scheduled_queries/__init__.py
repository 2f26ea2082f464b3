"""Scheduled queries ("StreamQuery", compat 10.4)."""
