"""Fields every answer schema uses, in one place for the modules of answers."""

from __future__ import annotations

from marshmallow import fields


def moment() -> fields.Field:
    return fields.DateTime(required=True, metadata={"description": "ISO 8601, UTC, ending in Z."})


def text() -> fields.Field:
    return fields.String(required=True)


def next_cursor() -> fields.Field:
    return fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
    )
