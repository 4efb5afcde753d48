"""Marshmallow schemas for every body and query, and the two functions routes use to apply
them. A request that does not fit becomes a 400 (or 415) with per-field messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from chalicelib import errors, webhooks


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
    except (UnicodeDecodeError, ValueError):
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


class WebhookDeliveriesQuery(StrictSchema):
    state = fields.String(load_default=webhooks.PENDING, validate=validate.OneOf(webhooks.STATES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None)
