"""Fixtures for every test, doctest and docs example collected under this directory."""

import pytest


@pytest.fixture(autouse=True)
def _restore_function_registry():
    """Functions registered by one test or example are gone after it (the registry is global).

    Without this, a function a test registers (with a name or formula of its own) leaks into
    every later test -- among them the differential harness, which draws every registered function.
    """
    from einsteinpy_lite.core import functions

    registry, aliases = dict(functions._REGISTRY), dict(functions._ALIASES)
    yield
    functions._REGISTRY.clear()
    functions._REGISTRY.update(registry)
    functions._ALIASES.clear()
    functions._ALIASES.update(aliases)
