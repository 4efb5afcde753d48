"""Changing the app's settings for one test: they are read once from the environment and
cached, so a test that sets a variable must clear the cache, and clear it again once the
variable is back as it was."""

from __future__ import annotations

import os

import pytest

from chalicelib.config import get_settings


@pytest.fixture
def configure():
    """``configure(NAME=value, ...)`` sets those variables and reloads the settings; the
    environment and the settings are restored after the test."""
    originals: dict[str, str | None] = {}

    def apply(**environment: object) -> None:
        for name, value in environment.items():
            originals.setdefault(name, os.environ.get(name))
            os.environ[name] = str(value)
        get_settings.cache_clear()

    yield apply
    for name, value in originals.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
