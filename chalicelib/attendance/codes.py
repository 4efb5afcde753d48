"""A booking's check-in code: ``<booking_id>.<HMAC-SHA256 over (booking_id, event_id)>``, the
last path segment of the URL its QR code holds.

Unguessable (128 bits of an HMAC under a key derived from the stage's JWT secret with a label
of its own, so it is never the JWT key itself) and bound to the booking and its event: a code
is checked against the booking's current event, so a booking moved to another date, or a code
copied onto another booking id, matches nothing. Nothing is stored: the booking id finds the
booking, the HMAC proves the code was issued for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from chalicelib.config import get_settings

_KEY_LABEL = b"ahoum-bookings check-in code"
_CODE = re.compile(r"^(?P<booking_id>[0-9A-Z]{26})\.(?P<mac>[A-Za-z0-9_-]{22})$")
PATH = "/check-in"


def code(booking_id: str, event_id: str) -> str:
    return f"{booking_id}.{_mac(booking_id, event_id)}"


def url(base: str, booking_id: str, event_id: str) -> str:
    """The absolute URL a QR code holds; ``base`` is the stage's public base URL."""
    return f"{base}{PATH}/{code(booking_id, event_id)}"


def booking_id_of(text: str) -> str | None:
    """The booking id a well-formed code names (not yet proven: see ``matches``)."""
    match = _CODE.fullmatch(text or "")
    return match["booking_id"] if match else None


def matches(text: str, booking_id: str, event_id: str) -> bool:
    """Was ``text`` issued for this booking at this event?"""
    match = _CODE.fullmatch(text or "")
    return (
        bool(match)
        and hmac.compare_digest(match["mac"], _mac(booking_id, event_id))
        and match["booking_id"] == booking_id
    )


def public_base(request: Any) -> str:
    """The stage's public base URL (the calendar feed's rule: configured, never a client's Host)."""
    from chalicelib.calendar_feed import public_base as feed_base

    return feed_base(request)


def _mac(booking_id: str, event_id: str) -> str:
    digest = hmac.new(_key(), f"{booking_id}|{event_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _key() -> bytes:
    return hmac.new(get_settings().jwt_secret.encode(), _KEY_LABEL, hashlib.sha256).digest()
