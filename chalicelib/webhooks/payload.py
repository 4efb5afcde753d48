"""The webhook message for a booking change, built from the stream record's images alone."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import DynamoDBRecord

from chalicelib import clock, models


def message_from_record(record: DynamoDBRecord) -> tuple[str, str] | None:
    """``(delivery_id, body)`` for a booking that became confirmed, waitlisted or cancelled,
    else None."""
    kind = _change_type(record)
    if kind is None:
        return None
    booking = models.Booking.from_raw_data(record.new_image)
    payload = {
        "type": kind,
        "occurred_at": clock.to_iso_ms(clock.parse_iso(_required(booking, "updated_at"))),
        "booking_id": _required(booking, "booking_id"),
        "event": {
            "id": _required(booking, "event_id"),
            "name": _required(booking.event, "name"),
            "date": clock.to_iso(clock.parse_iso(_required(booking.event, "starts_at"))),
        },
        "user": {
            "id": _required(booking, "user_id"),
            "name": _required(booking.user, "name"),
            "email": _required(booking.user, "email"),
        },
        "facilitator_crm_id": _required(booking, "facilitator_crm_id"),
    }
    # ASCII-only JSON: the signed bytes and the sent bytes cannot differ by encoding.
    return f"{payload['booking_id']}.{kind}", json.dumps(payload, separators=(",", ":"))


def _change_type(record: DynamoDBRecord) -> str | None:
    old_status = status_of(record.old_image)
    new_status = status_of(record.new_image)
    if new_status == old_status:
        return None
    if new_status == models.CONFIRMED:
        return models.BOOKING_CONFIRMED
    if new_status == models.WAITLISTED:
        return models.BOOKING_WAITLISTED
    # Leaving a waiting list is a cancellation too: the CRM heard of the join.
    if new_status == models.CANCELLED and old_status in (models.CONFIRMED, models.WAITLISTED):
        return models.BOOKING_CANCELLED
    return None


def status_of(image: dict[str, Any] | None) -> str | None:
    """A stream image's booking status (None without an image, as for an INSERT's old one)."""
    return (image or {}).get("status", {}).get("S")


def _required(holder: Any, name: str) -> Any:
    value = getattr(holder, name, None) if holder is not None else None
    if value is None:
        raise ValueError(f"the booking image has no {name!r}")
    return value
