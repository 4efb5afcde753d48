"""What requests may hold, and the functions routes use to check it. A request that does not
fit becomes a 400 (or 415) with per-field messages.

The marshmallow schemas of every body, query and form are written in ``definitions`` and
named here lazily (chalicelib.lazy): ``schemas.RegisterSchema`` imports them, and marshmallow,
the first time it is used, not when a route module's declarations name it, so the stream and retry
Lambdas never load them. Call a name for a schema instance, as with the class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib import errors, ids, lazy, operations

if TYPE_CHECKING:
    from marshmallow import Schema

__getattr__ = lazy.names_of("chalicelib.schemas.definitions")


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
    """Validate query string parameters, each given once: a repeated one is a 400 rather
    than the last copy winning silently (which one a proxy or a cache keys on is anyone's
    guess)."""
    params = request.query_params or {}
    repeated = {
        name: ["Send this parameter once."] for name in params if len(params.getlist(name)) > 1
    }
    if repeated:
        raise errors.ValidationFailed(fields=repeated)
    return _load(schema, dict(params))


def load_mapping(data: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """Validate an already-decoded mapping (HTML forms use the same schemas as the API)."""
    return _load(schema, dict(data))


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    # Imported here, where a schema exists (so marshmallow already is): this module must
    # stay free of it.
    from marshmallow import ValidationError

    try:
        return schema.load(data)
    except ValidationError as error:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        raise errors.ValidationFailed(fields=messages) from None


IDEMPOTENCY_KEY_MAX = 255


def load_path_value(value: str, name: str) -> str:
    """A ``{name}`` taken from the path, checked against its declared format (a 400 naming
    ``name`` otherwise) before any DynamoDB call: ids come back in upper case."""
    parameter = operations.PATH_PARAMETERS[name]
    if parameter.is_id:
        return load_id(value, name)
    if not re.fullmatch(parameter.pattern, value):
        if parameter.malformed_is_not_found:
            raise errors.NotFound(parameter.message)
        raise errors.ValidationFailed(fields={name: [parameter.message]})
    return value


def load_id(value: str, name: str) -> str:
    """An id taken from the path: a malformed one is a 400 naming ``name``, never a lookup."""
    normalized = ids.normalize(value)
    if normalized is None:
        raise errors.ValidationFailed(fields={name: ["Not a valid id."]})
    return normalized


def idempotency_key(value: str | None) -> str | None:
    """The optional ``Idempotency-Key`` header: printable ASCII, 1 to 255 characters."""
    if value is None:
        return None
    if not (0 < len(value) <= IDEMPOTENCY_KEY_MAX and value.isascii() and value.isprintable()):
        raise errors.ValidationFailed(
            fields={"Idempotency-Key": [f"Use 1 to {IDEMPOTENCY_KEY_MAX} printable characters."]}
        )
    return value


IDEMPOTENCY_KEY = operations.Header(
    name="Idempotency-Key",
    argument="idempotency_key",
    load=idempotency_key,
    description=(
        "Repeat a booking safely: a retry with the key of a booking that went through gets "
        "that booking's 201 again instead of 409 `already_booked`."
    ),
    schema={
        "type": "string",
        "minLength": 1,
        "maxLength": IDEMPOTENCY_KEY_MAX,
        # Printable ASCII; HTTP drops spaces at either end, so none can be sent there.
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
    example="3f1c2b9e-first-try",
)
