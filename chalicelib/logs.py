"""Logs as one JSON object per line on stdout: CloudWatch Logs Insights can query the fields.

A log call's ``extra={"fields": {...}}`` becomes top-level keys of its line. Every text in a
line (message, fields, traceback) passes through ``redaction.without_credentials``: a URL
quoted in an error never writes its query or userinfo into the logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from chalicelib.redaction import without_credentials

# A calendar feed's address is its credential (calendar apps cannot send a token).
_FEED_SEGMENT = re.compile(r"(/calendar/)(?!\{)[^/?]+")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps({name: _redacted(value) for name, value in line.items()}, default=str)


def _redacted(value: Any) -> Any:
    return without_credentials(value) if isinstance(value, str) else value


def json_logger(name: str) -> logging.Logger:
    """A logger writing one JSON object per line (CloudWatch Logs Insights can query it)."""
    logger = logging.getLogger(name)
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def safe_path(path: str | None) -> str | None:
    """A request path fit for a log line: a calendar feed's secret segment is replaced."""
    return _FEED_SEGMENT.sub(r"\1<feed token>", path) if path else path
