"""Marshmallow schemas for every body and query, and the two functions routes use to apply
them. A request that does not fit becomes a 400 (or 415) with per-field messages."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from chalicelib import errors


class StrictSchema(Schema):
    """Unknown fields are errors: a typo or a smuggled ``role`` is reported, never ignored."""

    class Meta:
        unknown = RAISE


def load_json_body(request: Any, schema: Schema) -> dict[str, Any]:
    """Decode and validate a JSON object body."""
    content_type = (request.headers or {}).get("content-type", "application/json")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise errors.UnsupportedMediaType()
    raw = request.raw_body or b""
    if not raw.strip():
        raise errors.BadRequest("The body is empty; send a JSON object.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: a body of deeply nested brackets is malformed input, not a crash.
        raise errors.BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.ValidationFailed("The body must be a JSON object.")
    return _load(schema, data)


def load_query(request: Any, schema: Schema) -> dict[str, Any]:
    """Validate query string parameters (each given once)."""
    return _load(schema, dict(request.query_params or {}))


def load_mapping(data: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """Validate an already-decoded mapping (HTML forms use the same schemas as the API)."""
    return _load(schema, dict(data))


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        raise errors.ValidationFailed(fields=messages) from None


def _no_control_characters(value: str) -> None:
    # NUL and other control characters have no place in a name, email or password, and a
    # lone surrogate (valid in JSON's \u escapes) cannot even be encoded as UTF-8.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValidationError("Control characters are not allowed.")


class _Trimmed(fields.String):
    """Leading and trailing whitespace is dropped before the field's validators run."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class _TrimmedEmail(_Trimmed, fields.Email):
    pass


def _email() -> fields.Field:
    return _TrimmedEmail(required=True, validate=[validate.Length(max=254), _no_control_characters])


def _password(min_length: int) -> fields.Field:
    return fields.String(
        required=True,
        validate=[validate.Length(min=min_length, max=128), _no_control_characters],
    )


class RegisterSchema(StrictSchema):
    name = _Trimmed(required=True, validate=[validate.Length(1, 100), _no_control_characters])
    email = _email()
    password = _password(min_length=8)


class LoginSchema(StrictSchema):
    # No minimum beyond one character: a later, stricter password rule must not lock out
    # accounts whose passwords were fine when they were set.
    email = _email()
    password = _password(min_length=1)
