"""One page of a Query (or Scan) per request, and the opaque cursor that continues it.

A cursor is the page's last key as base64url JSON. It is not secret, so a decoded cursor is
checked before DynamoDB sees it: exactly the expected key attributes, and the values the
query pins (the caller's own ``user_id``, say) unchanged. A forged or foreign cursor is then
a 400, never a DynamoDB ValidationException (a 500) nor a peek at someone else's items.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.indexes import Index
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from chalicelib import errors

RawKey = dict[str, dict[str, str]]

_BAD_CURSOR = "This cursor is not valid here; use `next_cursor` from the previous page."
# What this API's cursors can hold: a few key values, each an id, an ISO time or a status
# (ASCII, well under 100 characters). The caps hold before decoding and for each value, so a
# forged cursor never becomes a DynamoDB key over its size limits (a ValidationException).
MAX_CURSOR_CHARS = 2048
MAX_KEY_VALUE_CHARS = 100


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next_cursor: str | None


def key_names(model: type[Model], index: type[Index] | Index | None = None) -> tuple[str, ...]:
    """The attributes of a page's last key: the table's key, plus the index's when querying one."""
    attrs = [model._hash_key_attribute(), model._range_key_attribute()]
    if index is not None:
        index_attrs = index.Meta.attributes.values()
        attrs += [attr for attr in index_attrs if attr.is_hash_key or attr.is_range_key]
    return tuple(dict.fromkeys(attr.attr_name for attr in attrs if attr is not None))


def start_key(
    cursor: str | None, names: tuple[str, ...], pinned: Mapping[str, str] | None = None
) -> RawKey | None:
    """Decode and check a cursor; ``pinned`` are key values the query fixes."""
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad_cursor() from None
    if (
        not isinstance(values, dict)
        or set(values) != set(names)
        or not all(_is_key_value(value) for value in values.values())
        or any(values[name] != value for name, value in (pinned or {}).items())
    ):
        raise bad_cursor()
    return {name: {"S": value} for name, value in values.items()}


def _is_key_value(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_KEY_VALUE_CHARS
        and value.isascii()
        and value.isprintable()
    )


def fetch_page[M: Model](
    run: Callable[[int, RawKey | None], ResultIterator[M]],
    model: type[M],
    names: tuple[str, ...],
    limit: int,
    start: RawKey | None,
) -> Page[M]:
    """Exactly one DynamoDB call: ``run(page_size, exclusive_start_key)`` builds the request.

    One item more than asked for is read, so a full last page does not hand out a cursor to
    an empty one. A filter expression applies after DynamoDB's limit, so a filtered page can
    come back short (even empty) with a cursor: still correct, the next page continues.
    """
    raw_page = run(limit + 1, start).page_iter.next()
    items = raw_page.get("Items", [])
    if len(items) > limit:
        items = items[:limit]
        last_key = {name: items[-1][name] for name in names}
    else:
        last_key = raw_page.get("LastEvaluatedKey")
    return Page([model.from_raw_data(item) for item in items], _encode(last_key))


def scan_page[M: Model](model: type[M], limit: int, cursor: str | None) -> Page[M]:
    """One page of a whole table, in no particular order: one Scan call of at most ``limit``
    items, continued by ``cursor`` (for the admin's lists of small tables)."""
    names = key_names(model)
    return fetch_page(
        lambda size, key: model.scan(page_size=size, last_evaluated_key=key),
        model,
        names,
        limit,
        start_key(cursor, names),
    )


def _encode(key: Mapping[str, Any] | None) -> str | None:
    if not key:
        return None
    values = {name: value["S"] for name, value in key.items()}
    text = json.dumps(values, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def bad_cursor() -> errors.ValidationFailed:
    """The 400 of a cursor that does not continue this list."""
    return errors.ValidationFailed(fields={"cursor": [_BAD_CURSOR]})
