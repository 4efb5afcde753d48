"""The shapes a booking is answered in: to its owner (made, listed, cancelled) and to the
event's organisers (an attendee)."""

from __future__ import annotations

from typing import Any

from chalicelib import models


def booking_view(booking: models.Booking, position: int | None = None) -> dict[str, Any]:
    """A booking as its owner sees it listed; ``position`` is a waiting one's place in line."""
    view = {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "event": {
            "id": booking.event_id,
            "name": booking.event.name,
            "date": booking.event.starts_at,
            "starts_at": booking.event.starts_at,
            "ends_at": booking.event.ends_at,
            "timezone": booking.event.timezone,
        },
    }
    if position is not None:
        view["position"] = position
    return {**view, **payment_view(booking)}


def payment_view(booking: models.Booking) -> dict[str, Any]:
    """A paid booking's hold deadline and where its money stands; nothing for a free one."""
    view: dict[str, Any] = {}
    if booking.hold_expires_at:
        view["hold_expires_at"] = booking.hold_expires_at
    if booking.payment is not None:
        view["payment"] = {
            "amount": int(booking.payment.amount),
            "currency": booking.payment.currency,
            "status": booking.payment.status,
            "refunded_amount": int(booking.payment.refunded_amount or 0),
        }
    return view


def created_view(booking: models.Booking, position: int | None = None) -> dict[str, Any]:
    """A booking just made (or replayed for its idempotency key)."""
    view = {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "event": {
            "id": booking.event_id,
            "name": booking.event.name,
            "date": booking.event.starts_at,
        },
        "created_at": booking.created_at,
    }
    if position is not None:
        view["position"] = position
    return view


def cancelled_view(booking: models.Booking, at: str) -> dict[str, Any]:
    """A booking just cancelled at ``at``."""
    booking.status = models.CANCELLED
    booking.updated_at = at
    return booking_view(booking)


def attendee_view(booking: models.Booking) -> dict[str, Any]:
    """A booking as the event's organisers see it: who, and where they stand."""
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "user": {"id": booking.user_id, "name": booking.user.name, "email": booking.user.email},
        **payment_view(booking),
    }
