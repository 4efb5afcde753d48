"""One line per log record on stdout, in the format ``LOG_FORMAT`` names.

``json`` (the default, and what runs on AWS): one JSON object per line, which CloudWatch
metric filters and Logs Insights read; a log call's ``extra={"fields": {...}}`` becomes
top-level keys of its line. ``text`` (`make run`, `chalice local`): a short line a person
reads, made from the same message and fields: ``POST /bookings 201 17 ms`` for a request,
``webhook <delivery id> 204 delivered 35 ms`` for a webhook attempt.

Every text in a line (message, fields, traceback) passes through
``redaction.without_credentials``: a URL quoted in an error never writes its query or
userinfo into the logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from chalicelib.config import get_settings
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


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        message = record.getMessage()
        if message == "request" and {"method", "path", "status", "ms"} <= fields.keys():
            line = f"{fields['method']} {fields['path']} {fields['status']} {fields['ms']:.0f} ms"
        elif message == "webhook attempt" and {"delivery_id", "state", "ms"} <= fields.keys():
            answer = fields.get("status") or "no answer"
            line = (
                f"webhook {fields['delivery_id']} {answer} {fields['state']} {fields['ms']:.0f} ms"
            )
            if fields.get("error"):
                line += f" ({fields['error']})"
        else:
            details = " ".join(f"{name}={value}" for name, value in fields.items())
            line = f"{record.levelname.lower()}: {message}" + (f" ({details})" if details else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return without_credentials(line)


class LineFormatter(logging.Formatter):
    """JSON or text, as ``LOG_FORMAT`` says (read per record: the settings are cached)."""

    formats: dict[str, logging.Formatter] = {"json": JsonFormatter(), "text": TextFormatter()}

    def format(self, record: logging.LogRecord) -> str:
        return self.formats[get_settings().log_format].format(record)


def _redacted(value: Any) -> Any:
    return without_credentials(value) if isinstance(value, str) else value


def json_logger(name: str) -> logging.Logger:
    """A logger writing one line per record: JSON (CloudWatch Logs Insights can query it), or
    text for a person when ``LOG_FORMAT`` is ``text``."""
    logger = logging.getLogger(name)
    if not any(isinstance(h.formatter, LineFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(LineFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def safe_path(path: str | None) -> str | None:
    """A request path fit for a log line: a calendar feed's secret segment is replaced."""
    return _FEED_SEGMENT.sub(r"\1<feed token>", path) if path else path
