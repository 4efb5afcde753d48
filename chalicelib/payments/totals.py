"""An event's takings as its organisers see them: what was paid for its seats and what went
back. One Query of the event's bookings (``by_event``, one page per MB), reading only the
payment map, so the console's totals cover every booking, not the page of attendees shown."""

from __future__ import annotations

from typing import Any

from chalicelib import models

# Money that reached the organiser's account, whatever has been refunded of it since.
_CHARGED = frozenset([models.PAYMENT_PAID, models.PAYMENT_REFUND_PENDING, models.PAYMENT_REFUNDED])


def event_totals(event_id: str, currency: str) -> dict[str, Any]:
    """``{"currency", "paid", "refunded", "refund_pending"}`` in the minor unit: ``paid`` is
    every charge, ``refunded`` what Stripe has paid back, ``refund_pending`` what is owed back
    and not yet accepted by Stripe."""
    paid = refunded = owed = 0
    for booking in models.Booking.by_event.query(
        event_id, attributes_to_get=["user_id", "event_id", "payment"]
    ):
        payment = booking.payment
        if payment is None or payment.status not in _CHARGED:
            continue
        paid += int(payment.amount)
        refunded += int(payment.refunded_amount or 0)
        if payment.status == models.PAYMENT_REFUND_PENDING:
            # The refund owed, set by the cancelling write (an older row: all of it).
            due = payment.refund_due
            owed += int(due) if due is not None else int(payment.amount)
    return {"currency": currency, "paid": paid, "refunded": refunded, "refund_pending": owed}
