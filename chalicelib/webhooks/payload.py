"""The webhook message for a booking change, built from the stream record's images alone."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import DynamoDBRecord

from chalicelib import clock, models


def message_from_record(record: DynamoDBRecord) -> tuple[str, str] | None:
    """``(delivery_id, body)`` for a booking that became confirmed, waitlisted, offered or
    cancelled, whose event moved, or whose refund was made, else None."""
    kind = _change_type(record)
    if kind is None:
        return None
    booking = models.Booking.from_raw_data(record.new_image)
    delivery_id = f"{_required(booking, 'booking_id')}.{kind}"
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
    if kind == models.BOOKING_CONFIRMED and booking.payment is not None:
        # A paid seat: what was paid (absent for a free event, as ever).
        payload["payment"] = {
            "amount": int(booking.payment.amount),
            "currency": booking.payment.currency,
        }
    if kind == models.BOOKING_CANCELLED and booking.cancel_reason is not None:
        payload["reason"] = booking.cancel_reason
    if kind == models.BOOKING_OFFERED:
        payload["hold_expires_at"] = _required(booking, "hold_expires_at")
        payload["payment"] = {
            "amount": int(_required(booking.payment, "amount")),
            "currency": _required(booking.payment, "currency"),
        }
    if kind == models.BOOKING_REFUNDED:
        payload["payment"] = {
            "amount": int(_required(booking.payment, "amount")),
            "currency": _required(booking.payment, "currency"),
            "refunded_amount": int(_required(booking.payment, "refunded_amount")),
        }
        # One refund per booking id, but the revision keeps a message apart from any other
        # refund of the same item (a CRM drops repeats by ``webhook-id``).
        delivery_id += f".{int(booking.revision or 0)}"
    if kind == models.BOOKING_RESCHEDULED:
        before = models.Booking.from_raw_data(record.old_image)
        previous = clock.parse_iso(_required(before.event, "starts_at"))
        payload["previous"] = {"date": clock.to_iso(previous)}
        delivery_id += f".{_rescheduled_suffix(booking)}"
    # ASCII-only JSON: the signed bytes and the sent bytes cannot differ by encoding.
    return delivery_id, json.dumps(payload, separators=(",", ":"))


def _rescheduled_suffix(booking: models.Booking) -> str:
    """The new start, and the booking's revision: a move back to an earlier time, or of the
    end alone, is a new message all the same (a CRM drops repeats by ``webhook-id``)."""
    start = clock.parse_iso(booking.event.starts_at).strftime("%Y%m%dT%H%M%SZ")
    return f"{start}.{int(booking.revision or 0)}"


def _change_type(record: DynamoDBRecord) -> str | None:
    old_status = status_of(record.old_image)
    new_status = status_of(record.new_image)
    if (
        _payment_status(record.new_image)
        == models.PAYMENT_REFUNDED
        != _payment_status(record.old_image)
    ):
        return models.BOOKING_REFUNDED
    if old_status == models.WAITLISTED and new_status == models.PENDING_PAYMENT:
        return models.BOOKING_OFFERED
    if new_status == old_status:
        if new_status in (models.CONFIRMED, models.WAITLISTED) and _moved(record):
            return models.BOOKING_RESCHEDULED
        return None
    if new_status == models.CONFIRMED:
        return models.BOOKING_CONFIRMED
    if new_status == models.WAITLISTED:
        return models.BOOKING_WAITLISTED
    # Leaving a waiting list is a cancellation too: the CRM heard of the join.
    if new_status == models.CANCELLED and old_status in (models.CONFIRMED, models.WAITLISTED):
        return models.BOOKING_CANCELLED
    return None


def _moved(record: DynamoDBRecord) -> bool:
    """Did the booking's copy of its event's times change (the event moved)?"""

    def times(image: dict[str, Any]) -> tuple[Any, Any]:
        event = image.get("event", {}).get("M", {})
        return event.get("starts_at"), event.get("ends_at")

    return times(record.old_image or {}) != times(record.new_image or {})


def _payment_status(image: dict[str, Any] | None) -> str | None:
    return (image or {}).get("payment", {}).get("M", {}).get("status", {}).get("S")


def status_of(image: dict[str, Any] | None) -> str | None:
    """A stream image's booking status (None without an image, as for an INSERT's old one)."""
    return (image or {}).get("status", {}).get("S")


def _required(holder: Any, name: str) -> Any:
    value = getattr(holder, name, None) if holder is not None else None
    if value is None:
        raise ValueError(f"the booking image has no {name!r}")
    return value
