"""Test package (importable so tests share `tests.strategies`)."""
