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
    if booking.status == models.CONFIRMED:
        view["attendance"] = booking.attendance or models.ATTENDANCE_UNKNOWN
    if booking.status == models.PENDING_PAYMENT and booking.hold_expires_at is not None:
        # A held seat or a waiting-list offer: pay by then or it goes to the next in line.
        view["hold_expires_at"] = booking.hold_expires_at
    if booking.payment is not None:
        view["payment"] = payment_view(booking.payment)
    return view


def payment_view(payment: models.BookingPayment) -> dict[str, Any]:
    """Where a paid booking's money stands (PAYMENT_*), in the currency's minor unit."""
    view = {
        "amount": int(payment.amount),
        "currency": payment.currency,
        "status": payment.status,
        "refunded_amount": int(payment.refunded_amount or 0),
    }
    if payment.refund_due is not None:
        view["refund_due"] = int(payment.refund_due)
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
    view = {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "user": {"id": booking.user_id, "name": booking.user.name, "email": booking.user.email},
        "attendance": booking.attendance or models.ATTENDANCE_UNKNOWN,
    }
    # The organisers see each paid attendee's money, and a held seat's deadline.
    if booking.hold_expires_at is not None:
        view["hold_expires_at"] = booking.hold_expires_at
    if booking.payment is not None:
        view["payment"] = payment_view(booking.payment)
    return view
