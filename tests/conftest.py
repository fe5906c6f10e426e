"""Shared fixtures."""

import pytest


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registrations made in a test are undone after it (the registry is global)."""
    from einsteinpy_lite.core import functions

    monkeypatch.setattr(functions, "_REGISTRY", dict(functions._REGISTRY))
    monkeypatch.setattr(functions, "_ALIASES", dict(functions._ALIASES))
