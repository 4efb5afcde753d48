"""HTML form bodies (``application/x-www-form-urlencoded``) as plain mappings, ready for the
same marshmallow schemas the JSON API uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from chalicelib import errors

# Far above what any of the dashboard's forms sends; parse_qsl raises past it.
_MAX_FIELDS = 20


def parse(request: Any) -> dict[str, str]:
    """Each field once; a body that is not UTF-8 form data is a 400."""
    raw = request.raw_body or b""
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise errors.BadRequest(
            "The form could not be read; reload the page and try again."
        ) from None
    form: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    for name, value in pairs:
        if name in form:
            repeated[name] = ["Send this field once."]
        form[name] = value
    if repeated:
        raise errors.ValidationFailed(fields=repeated)
    return form
