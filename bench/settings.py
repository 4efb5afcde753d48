"""Point this process's copy of the app (its settings and models) at a benchmark's own
DynamoDB Local and CRM receiver, never at a developer's `make run` data, and put it back
afterwards (the smoke tests run the benchmarks inside the test session)."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def app_pointed_at(environment: dict[str, str]) -> Iterator[None]:
    """The app's environment set to ``environment`` for the block, its JSON logs silenced.

    Settings are read once and the tables bind on first use, so both are redone on
    the way in, and on the way out the models get their old binding back.
    """
    saved = {name: os.environ.get(name) for name in environment}
    # Put back the binding found (a test session's), never one loaded from the environment
    # on the way out: a bare one loads the local stage, which writes a secret file.
    loaded = sys.modules.get("chalicelib.dynamodb")
    previous = loaded.bound_settings() if loaded is not None else None
    os.environ.update(environment)
    _reload_settings()
    try:
        with _quiet_app_logs():
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        from chalicelib import dynamodb
        from chalicelib.config import get_settings

        get_settings.cache_clear()
        if previous is not None:
            dynamodb.bind(previous)


def _reload_settings() -> None:
    # The models first: a table registers when its model is defined, and bind() points only
    # the tables registered by then (a model imported later would stay unbound, on AWS).
    from chalicelib import dynamodb, models  # noqa: F401
    from chalicelib.config import get_settings

    get_settings.cache_clear()
    dynamodb.bind(get_settings())


@contextlib.contextmanager
def _quiet_app_logs() -> Iterator[None]:
    """The app's log lines (one per request or webhook) go nowhere: the tables are the
    output. They are still formatted and written, as on Lambda, so their cost stays in."""
    from chalicelib.logs import LineFormatter

    importlib.import_module("app")  # every module of the app, so every logger it makes exists
    handlers = [
        handler
        for name in list(logging.Logger.manager.loggerDict)
        if name == "ahoum" or name.startswith("ahoum.")
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, LineFormatter)
    ]
    with open(os.devnull, "w") as devnull:
        streams = [handler.setStream(devnull) for handler in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, streams, strict=True):
                handler.setStream(stream)
