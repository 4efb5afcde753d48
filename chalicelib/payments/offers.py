"""Waiting-list offers on a paid event: a freed seat is held for the first in line.

The offer is made in the transaction that frees the seat (``waitlist.promote``), like a
promotion on a free event, so no newcomer can slip in: the waiting booking becomes
``pending_payment`` with ``hold_expires_at`` WAITLIST_OFFER_MINUTES ahead (never past the
event's start) and ``payment`` awaiting the event's price, and the stream sends
``booking.offered``. Its PaymentIntent is made after that write (``after_promotion``, best
effort, through ``intents.payment_intent_of``: the owner's ``POST /bookings/{id}/payment``
makes it too when it is missing). An
offer not paid in time is cancelled by the hold expiry (reason ``hold_expired``), which frees
the seat again, so it goes to the next in line.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib import clock, models
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.payments import intents, stripe_api
from chalicelib.payments.errors import NoPaymentDue

log = json_logger("ahoum.offers")


def hold_until(event: models.Event, now: datetime) -> str:
    """When an offer made ``now`` lapses: WAITLIST_OFFER_MINUTES on, never past the start."""
    offered_for = now + timedelta(minutes=get_settings().waitlist_offer_minutes)
    return clock.to_iso(min(offered_for, clock.parse_iso(event.starts_at)))


def offer_actions(event: models.Event, now: datetime) -> list[Action]:
    """The actions that turn a waiting booking of the paid ``event`` into an offer."""
    price = event.price
    return [
        models.Booking.status.set(models.PENDING_PAYMENT),
        models.Booking.hold_expires_at.set(hold_until(event, now)),
        # In the ``holds`` index: the expiry step lapses an unpaid offer like any hold.
        models.Booking.hold_queue.set(models.HOLD_QUEUE),
        models.Booking.payment.set(
            models.BookingPayment(
                amount=int(price.amount),
                currency=price.currency,
                status=models.PAYMENT_AWAITING,
                refunded_amount=0,
            )
        ),
    ]


def after_promotion(event: models.Event, user_ids: list[str]) -> None:
    """After the write that made offers on ``event``: their PaymentIntents, best effort."""
    if event.price is None:
        return
    for user_id in user_ids:
        try:
            booking = models.Booking.get(user_id, event.event_id, consistent_read=True)
        except models.Booking.DoesNotExist:
            continue
        ensure_offer_payment_intent(booking)


def ensure_offer_payment_intent(booking: models.Booking) -> str | None:
    """The PaymentIntent id of the offer ``booking``, made when it has none (through
    ``intents.payment_intent_of``, the one way a hold gets its PaymentIntent: keyed by the
    hold, recorded once, a lost race cancelled); None when Stripe cannot be reached (the
    owner's ``POST /bookings/{id}/payment`` tries again) or it is no offer any more."""
    if booking.status != models.PENDING_PAYMENT or booking.payment is None:
        return None
    try:
        return intents.payment_intent_of(booking)["id"]
    except (stripe_api.StripeError, NoPaymentDue) as error:
        log.warning("offer's PaymentIntent not made yet", extra={"fields": _fields(booking, error)})
        return None


def _fields(booking: models.Booking, error: Exception) -> dict[str, Any]:
    return {"booking_id": booking.booking_id, "error": str(error)}
