"""The webhook message for a booking change, built from the stream record's images alone."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import DynamoDBRecord

from chalicelib import clock, models


def message_from_record(record: DynamoDBRecord) -> tuple[str, str] | None:
    """``(delivery_id, body)`` for a booking that became confirmed, waitlisted, offered or
    cancelled, was checked in or marked a no-show, whose event moved, or whose refund was
    made, else None."""
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
    additions, suffix = _additions(kind, booking, record)
    payload.update(additions)
    delivery_id += suffix
    # ASCII-only JSON: the signed bytes and the sent bytes cannot differ by encoding.
    return delivery_id, json.dumps(payload, separators=(",", ":"))


def _additions(
    kind: str, booking: models.Booking, record: DynamoDBRecord
) -> tuple[dict[str, Any], str]:
    """The documented additions to the seed payload (``reason``, ``previous``, ``payment``)
    a message of this kind carries, and what its delivery id adds after the type."""
    payment = booking.payment
    if kind == models.BOOKING_CONFIRMED and payment is not None:
        # A paid seat: what was paid (absent for a free event, as ever).
        return {"payment": {"amount": int(payment.amount), "currency": payment.currency}}, ""
    if kind == models.BOOKING_CANCELLED and booking.cancel_reason is not None:
        return {"reason": booking.cancel_reason}, ""
    if kind == models.BOOKING_OFFERED:
        offered = {
            "amount": int(_required(payment, "amount")),
            "currency": _required(payment, "currency"),
            # The offer's deadline: unpaid by then, the seat goes to the next in line.
            "expires_at": _required(booking, "hold_expires_at"),
        }
        return {"payment": offered}, ""
    if kind == models.BOOKING_REFUNDED:
        refunded = {
            "amount": int(_required(payment, "amount")),
            "currency": _required(payment, "currency"),
            "refunded_amount": int(_required(payment, "refunded_amount")),
        }
        # One refund per booking id, but the revision keeps a message apart from any other
        # refund of the same item (a CRM drops repeats by ``webhook-id``).
        return {"payment": refunded}, f".{int(booking.revision or 0)}"
    if kind == models.BOOKING_RESCHEDULED:
        before = models.Booking.from_raw_data(record.old_image)
        previous = clock.parse_iso(_required(before.event, "starts_at"))
        return {"previous": {"date": clock.to_iso(previous)}}, f".{_rescheduled_suffix(booking)}"
    return {}, ""


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
        attended = _attendance_change(record) if new_status == models.CONFIRMED else None
        if attended is not None:
            return attended
        if new_status in (models.CONFIRMED, models.WAITLISTED) and _moved(record):
            return models.BOOKING_RESCHEDULED
        return None
    if new_status == models.CONFIRMED:
        return models.BOOKING_CONFIRMED
    if new_status == models.WAITLISTED:
        return models.BOOKING_WAITLISTED
    # Leaving a waiting list is a cancellation too: the CRM heard of the join; so is an offer
    # lapsing (it heard of the offer). A plain payment hold it never heard of sends nothing.
    if new_status == models.CANCELLED and (
        old_status in (models.CONFIRMED, models.WAITLISTED)
        or (old_status == models.PENDING_PAYMENT and _was_offered(record.old_image))
    ):
        return models.BOOKING_CANCELLED
    return None


def _was_offered(image: dict[str, Any] | None) -> bool:
    """An offer is a hold that came off the waiting line: its promotion wrote promoted_at."""
    return "promoted_at" in (image or {})


# A booking's attendance becoming this sends that webhook (undoing a check-in sends none).
_ATTENDANCE_TYPES = {
    models.ATTENDANCE_CHECKED_IN: models.BOOKING_CHECKED_IN,
    models.ATTENDANCE_NO_SHOW: models.BOOKING_NO_SHOW,
}


def _attendance_change(record: DynamoDBRecord) -> str | None:
    def attendance(image: dict[str, Any] | None) -> str | None:
        return (image or {}).get("attendance", {}).get("S")

    new = attendance(record.new_image)
    return _ATTENDANCE_TYPES.get(new) if new != attendance(record.old_image) else None


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


def facilitator_of(record: DynamoDBRecord) -> str | None:
    """The facilitator whose endpoint the booking's webhooks go to (not part of the payload;
    absent on bookings made before it was copied onto them)."""
    return (record.new_image or {}).get("facilitator_id", {}).get("S")


def _required(holder: Any, name: str) -> Any:
    value = getattr(holder, name, None) if holder is not None else None
    if value is None:
        raise ValueError(f"the booking image has no {name!r}")
    return value
