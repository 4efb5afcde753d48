"""Ids are ULIDs: 26 Crockford base32 characters, sortable by creation time, opaque to clients."""

from __future__ import annotations

import re

from ulid import ULID

# The first character is at most 7: a ULID is 128 bits, and 26 base32 characters hold 130.
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def new_id() -> str:
    return str(ULID())


def normalize(text: str) -> str | None:
    """The canonical (upper-case) form of a ULID, or None when ``text`` is not one."""
    # ASCII first: upper-casing "ß" gives "SS", which would make 25 characters a valid id.
    if not text.isascii():
        return None
    candidate = text.upper()
    return candidate if _ULID.fullmatch(candidate) else None
