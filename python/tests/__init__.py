"""Unit tests of vigil's Python package (run: python3 -m unittest discover -s python/tests -t python)."""
