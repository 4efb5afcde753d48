"""The one shape of every error answer, checked in one place:
``{"error": {"code", "message", "fields"?}}`` (a 500 adds ``request_id``), and nothing else."""

from __future__ import annotations

import json
from typing import Any

ERROR_KEYS = {"code", "message", "fields", "request_id"}


def error_of(response: Any, status: int | None = None) -> dict[str, Any]:
    """The ``error`` of an answer (from the test client or ``requests``), once its body is
    checked to be the error shape and, given ``status``, its status code that one."""
    raw = response.body if hasattr(response, "body") else response.content
    if status is not None:
        assert response.status_code == status, raw
    return error_in(json.loads(raw))


def error_in(answer: Any) -> dict[str, Any]:
    """``answer["error"]``, once ``answer`` (a decoded body) is checked to be the error shape."""
    assert isinstance(answer, dict) and set(answer) == {"error"}, answer
    error = answer["error"]
    assert set(error) <= ERROR_KEYS, answer
    assert isinstance(error["code"], str) and error["code"], answer
    assert isinstance(error["message"], str) and error["message"], answer
    if "fields" in error:
        fields = error["fields"]
        assert isinstance(fields, dict) and fields, answer
        for messages in fields.values():
            assert isinstance(messages, list) and messages, answer
            assert all(isinstance(message, str) and message for message in messages), answer
    return error
