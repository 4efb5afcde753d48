"""Payment holds: a paid seat taken in the booking transaction and held (``pending_payment``)
until ``hold_expires_at`` while its attendee pays. A hold past its expiry is free: the
``settle_payments`` job cancels it (reason ``hold_expired``) and gives the seat back to the
event or to the first in line, in one transaction conditioned on the hold still being that
hold and still past its expiry, so a payment confirmed a moment earlier is never undone."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import auth, clock, models
from chalicelib.bookings.errors import AlreadyCancelled, BookingNotFound
from chalicelib.bookings.seats import give_up_seat
from chalicelib.payments import stripe_api

log = logging.getLogger(__name__)

# Who gives an expired hold's seat back: like an admin, it is not bound by the cancellation
# window, and after the start the seat is simply given back (nobody is promoted into it).
EXPIRY = auth.Principal(
    user_id="settle_payments",
    name="hold expiry",
    email="",
    role="admin",
    token_id="",
    token_expires_at=0,
)


def is_expired(booking: models.Booking, now: str | None = None) -> bool:
    """A hold past ``hold_expires_at``: every read treats its seat as free."""
    now = now or clock.to_iso(clock.now())
    return (
        booking.status == models.PENDING_PAYMENT
        and booking.hold_expires_at is not None
        and booking.hold_expires_at <= now
    )


def expire(booking: models.Booking) -> bool:
    """Cancel ``booking``'s hold if it is still that hold and past its expiry, giving its
    seat back; then cancel its PaymentIntent so it can no longer be charged. False when
    there was nothing to expire (paid, cancelled or replaced meanwhile)."""
    now = clock.to_iso(clock.now())
    try:
        give_up_seat(
            EXPIRY,
            booking,
            status=models.PENDING_PAYMENT,
            reason=models.REASON_HOLD_EXPIRED,
            extra=models.Booking.hold_expires_at <= now,
        )
    except (AlreadyCancelled, BookingNotFound):
        return False
    _cancel_payment_intent(booking)
    return True


def _cancel_payment_intent(booking: models.Booking) -> None:
    """Best effort: a PaymentIntent that cannot be cancelled (already paid, Stripe away) is
    settled by its webhook instead (a late success: confirmed if a seat is free, else
    refunded)."""
    intent_id = booking.payment.payment_intent_id if booking.payment is not None else None
    if intent_id is None:
        return
    try:
        stripe_api.cancel_payment_intent(intent_id, f"{booking.booking_id}.hold.cancel")
    except stripe_api.StripeError as error:
        log.warning("payment intent not cancelled", extra={"fields": {"error": str(error)}})


def due_holds(now: str) -> list[models.Booking]:
    """Holds past their expiry, from the sparse ``holds`` index (which lags the table: each
    expiry's own condition decides)."""
    return list(
        models.Booking.holds.query(
            models.HOLD_QUEUE, models.Booking.hold_expires_at <= now, limit=500
        )
    )


def expire_due_holds() -> dict[str, Any]:
    """The ``settle_payments`` step that frees the seats of holds past their expiry."""
    expired = skipped = 0
    for booking in due_holds(clock.to_iso(clock.now())):
        if expire(booking):
            expired += 1
        else:
            skipped += 1
    return {"expired": expired, "skipped": skipped}
