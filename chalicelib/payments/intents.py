"""One PaymentIntent per hold: made after the booking transaction took the seat, recorded on
the booking with a conditional write, and handed to the browser with its client secret.

Why after, and how it stays one: the seat is taken first (a PaymentIntent for a seat someone
else got would be a charge for nothing), then the PaymentIntent is made with an idempotency
key derived from the hold (booking id + hold expiry: a waiting-list offer on the same booking
is a new hold), and its id is written onto the booking only while the booking is still that
hold and has no PaymentIntent yet. Stripe honours the key for a day, but localstripe ignores
it, and two requests may race past it anyway: the conditional write is what guarantees one
PaymentIntent per hold. A PaymentIntent that loses the write is cancelled, so it can never
be charged. The client secret is never stored: it is read from Stripe when asked for again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock, models
from chalicelib.config import get_settings
from chalicelib.payments import stripe_api
from chalicelib.payments.errors import NoPaymentDue, PaymentsUnavailable
from chalicelib.transactions import condition_failed

log = logging.getLogger(__name__)


def check_payments_configured() -> None:
    if not get_settings().stripe_secret_key:
        raise PaymentsUnavailable()


def hold(
    booking: models.Booking, price: models.Price, now: datetime, minutes: int | None = None
) -> None:
    """Make ``booking`` (unsaved) a hold of its seat for ``price``: pending_payment until
    ``minutes`` (PAYMENT_HOLD_MINUTES) from ``now``, in the sparse ``holds`` index."""
    minutes = minutes if minutes is not None else get_settings().payment_hold_minutes
    booking.status = models.PENDING_PAYMENT
    booking.hold_expires_at = clock.to_iso(now + timedelta(minutes=minutes))
    booking.hold_queue = models.HOLD_QUEUE
    booking.payment = models.BookingPayment(
        amount=int(price.amount), currency=price.currency, status=models.PAYMENT_AWAITING
    )


def idempotency_key(booking: models.Booking) -> str:
    return f"{booking.booking_id}.hold.{booking.hold_expires_at}"


def hold_answer(booking: models.Booking) -> dict[str, Any]:
    """``{booking_id, status, hold_expires_at, payment}`` of a hold, its PaymentIntent made
    if it has none yet. Stripe unreachable: the hold stands and ``payment`` carries no
    PaymentIntent (POST /bookings/{booking_id}/payment makes it later)."""
    intent: dict[str, Any] | None = None
    try:
        intent = payment_intent_of(booking)
    except stripe_api.StripeError as error:
        # The seat stays held either way; POST /bookings/{booking_id}/payment tries again.
        log.warning("no payment intent yet", extra={"fields": {"error": str(error)}})
    payment = booking.payment
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "hold_expires_at": booking.hold_expires_at,
        "payment": {
            "payment_intent_id": intent["id"] if intent else None,
            "client_secret": intent.get("client_secret") if intent else None,
            "amount": int(payment.amount),
            "currency": payment.currency,
            "publishable_key": get_settings().stripe_publishable_key,
        },
    }


def payment_intent_of(booking: models.Booking) -> dict[str, Any]:
    """The hold's PaymentIntent: read back when recorded, else made and recorded (``booking``
    is updated with its id). A lost race cancels the one made here and reads the winner's."""
    recorded = booking.payment.payment_intent_id
    if recorded:
        return stripe_api.retrieve_payment_intent(recorded)
    intent = stripe_api.create_payment_intent(
        amount=int(booking.payment.amount),
        currency=booking.payment.currency,
        idempotency_key=idempotency_key(booking),
        metadata={
            "booking_id": booking.booking_id,
            "user_id": booking.user_id,
            "event_id": booking.event_id,
            "hold_expires_at": booking.hold_expires_at or "",
            # Stages may share a Stripe account: each webhook handles only its own.
            "stage": get_settings().stage,
        },
    )
    try:
        booking.update(
            actions=[models.Booking.payment.payment_intent_id.set(intent["id"])],
            condition=still_that_hold(booking)
            & models.Booking.payment.payment_intent_id.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return _lost_the_race(booking, intent)
    return intent


def _lost_the_race(booking: models.Booking, intent: dict[str, Any]) -> dict[str, Any]:
    cancel_quietly(intent["id"], f"{intent['id']}.lost")
    try:
        current = models.Booking.get(booking.user_id, booking.event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        raise NoPaymentDue() from None
    same_hold = (
        current.booking_id == booking.booking_id
        and current.status == models.PENDING_PAYMENT
        and current.hold_expires_at == booking.hold_expires_at
        and current.payment is not None
        and current.payment.payment_intent_id
    )
    if not same_hold:
        raise NoPaymentDue()
    booking.payment = current.payment
    return stripe_api.retrieve_payment_intent(current.payment.payment_intent_id)


def still_that_hold(booking: models.Booking) -> Any:
    """The condition that ``booking`` is still the hold it was read as."""
    return (
        (models.Booking.booking_id == booking.booking_id)
        & (models.Booking.status == models.PENDING_PAYMENT)
        & (models.Booking.hold_expires_at == booking.hold_expires_at)
    )


def cancel_quietly(payment_intent_id: str, key: str) -> None:
    """Cancel an unpaid PaymentIntent, best effort: one that cannot be cancelled (already
    paid, Stripe away) is settled by its webhook instead (a late success: confirmed if a
    seat is free, else refunded)."""
    try:
        stripe_api.cancel_payment_intent(payment_intent_id, key)
    except stripe_api.StripeError as error:
        log.warning("payment intent not cancelled", extra={"fields": {"error": str(error)}})


def payment_for(user_id: str, booking_id: str) -> dict[str, Any]:
    """POST /bookings/{booking_id}/payment: the owner's hold with its PaymentIntent, made
    now if Stripe could not be reached when the seat was taken."""
    from chalicelib.bookings import items

    booking = items.owned_booking(user_id, booking_id)
    check_payments_configured()
    now = clock.to_iso(clock.now())
    if (
        booking.status != models.PENDING_PAYMENT
        or booking.payment is None
        or (booking.hold_expires_at or "") <= now
    ):
        raise NoPaymentDue()
    return hold_answer(booking)
