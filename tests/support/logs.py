"""What the app logs during a test."""

from __future__ import annotations

import io
import logging

import pytest

from chalicelib import logs


@pytest.fixture
def log_output():
    """Everything the app logs during the test (its logger writes JSON lines to stdout)."""
    # Only the app's own JSON handler: pytest attaches its capture handlers to non-propagating
    # loggers too once they exist, and those have no stream to swap.
    handlers = [
        handler
        for handler in logging.getLogger("ahoum").handlers
        if isinstance(handler.formatter, logs.JsonFormatter)
    ]
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        if stream is not None:
            handler.setStream(stream)
