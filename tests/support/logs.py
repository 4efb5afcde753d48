"""What the app logs during a test: its loggers write one line per record to stdout."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from chalicelib import logs


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the app's loggers (``ahoum`` and ``ahoum.*``) write during the test."""
    # Only the app's own JSON handlers: pytest attaches its capture handlers to
    # non-propagating loggers too once they exist, and those have no stream to swap.
    loggers = [logging.getLogger("ahoum")] + [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if name.startswith("ahoum.") and isinstance(logger, logging.Logger)
    ]
    handlers = [
        handler
        for logger in loggers
        for handler in logger.handlers
        if isinstance(handler.formatter, logs.LineFormatter)
    ]
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        if stream is not None:
            handler.setStream(stream)
