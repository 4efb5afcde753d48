"""Payment holds: a paid seat taken in the booking transaction and held (``pending_payment``)
until ``hold_expires_at`` while its attendee pays. A hold past its expiry is free: the
``settle_payments`` job cancels it (reason ``hold_expired``) and gives the seat back to the
event or to the first in line, in one transaction conditioned on the hold still being that
hold and still past its expiry, so a payment confirmed a moment earlier is never undone."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, models

# The module, not its function: seats imports this module while it is being imported.
from chalicelib.bookings import items, seats
from chalicelib.bookings.errors import AlreadyCancelled, BookingNotFound
from chalicelib.payments import intents
from chalicelib.transactions import commit

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
    if booking.course_series_id is not None:
        if not _expire_course(booking, now):
            return False
        _cancel_payment_intent(booking)
        return True
    try:
        seats.give_up_seat(
            EXPIRY,
            booking,
            status=models.PENDING_PAYMENT,
            reason=models.REASON_HOLD_EXPIRED,
            extra=models.Booking.hold_expires_at <= now,
            event_actions=[models.Event.hold_expiries.delete({items.hold_entry(booking)})],
        )
    except (AlreadyCancelled, BookingNotFound):
        return False
    _cancel_payment_intent(booking)
    return True


def _expire_course(first: models.Booking, now: str) -> bool:
    """A course's hold lapses whole: every date's booking cancelled and its seat given back,
    in one transaction (a course date has no waiting list), conditioned on the first date's
    booking still being that hold and past its expiry."""
    from chalicelib.bookings import series_bookings

    held = series_bookings.course_bookings(first, models.PENDING_PAYMENT)
    if not any(items.same(current, first) for current in held):
        return False
    at = clock.to_iso_ms(clock.now())
    lapsed = models.Booking.hold_expires_at <= now

    def write(transaction: TransactWrite) -> None:
        for current in held:
            extra = lapsed if items.same(current, first) else None
            items.cancel_in(
                transaction, current, models.PENDING_PAYMENT, at, models.REASON_HOLD_EXPIRED, extra
            )
        for current in held:
            transaction.update(
                models.Event(current.event_id),
                actions=[
                    models.Event.seats_taken.add(-1),
                    models.Event.hold_expiries.delete({items.hold_entry(first)}),
                ],
            )

    try:
        commit(write)
    except TransactWriteError:
        return False
    return True


def _cancel_payment_intent(booking: models.Booking) -> None:
    intent_id = booking.payment.payment_intent_id if booking.payment is not None else None
    if intent_id is not None:
        intents.cancel_quietly(intent_id, f"{booking.booking_id}.hold.cancel")


def due_holds(now: str) -> list[models.Booking]:
    """Holds past their expiry, from the sparse ``holds`` index (which lags the table: each
    expiry's own condition decides)."""
    return list(
        models.Booking.holds.query(
            models.HOLD_QUEUE, models.Booking.hold_expires_at <= now, limit=500
        )
    )


def expire_lapsed_on(event_id: str) -> int:
    """Free the seats of ``event_id``'s holds past their expiry (a booking that found the
    event full); how many were freed. The ``by_event`` index lags the table by a moment,
    but a hold lapsed minutes ago is in it, and each expiry's own condition decides."""
    now = clock.to_iso(clock.now())
    lapsed = models.Booking.by_event.query(
        event_id,
        filter_condition=(models.Booking.status == models.PENDING_PAYMENT)
        & (models.Booking.hold_expires_at <= now),
    )
    return sum(1 for booking in lapsed if expire(booking))


def expire_due_holds() -> dict[str, Any]:
    """The ``settle_payments`` step that frees the seats of holds past their expiry."""
    expired = skipped = 0
    for booking in due_holds(clock.to_iso(clock.now())):
        if expire(booking):
            expired += 1
        else:
            skipped += 1
    return {"expired": expired, "skipped": skipped}
