"""Refunds, minimal (the payments branch P2 owns this module and grows it: cancellations,
the retrying step of settle_payments, booking.refunded). What the late-payment path needs:
``start_refund`` marks the money to go back in one conditional write (``refund_pending``),
``settle_refund`` asks Stripe (one refund per booking: its idempotency key) and records it
``refunded``. A refund Stripe did not take stays ``refund_pending`` to be tried again."""

from __future__ import annotations

import logging

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib import clock, models
from chalicelib.payments import stripe_api

log = logging.getLogger(__name__)


def start_refund(
    booking_key: tuple[str, str],
    amount: int,
    reason: str,
    payment_intent_id: str,
    only_if: Condition | None = None,
) -> bool:
    """Mark ``amount`` of the booking's payment to be refunded (``reason`` a REASON_*),
    conditioned on that PaymentIntent's money not being on its way back already (and on
    ``only_if``). False when another writer got there first."""
    user_id, event_id = booking_key
    booking = models.Booking(user_id, event_id)
    try:
        booking.update(
            actions=[
                models.Booking.payment.status.set(models.PAYMENT_REFUND_PENDING),
                models.Booking.payment.refunded_amount.set(amount),
                models.Booking.updated_at.set(clock.to_iso_ms(clock.now())),
            ],
            condition=_refundable(payment_intent_id) & only_if
            if only_if is not None
            else _refundable(payment_intent_id),
        )
    except UpdateError as error:
        if "ConditionalCheckFailed" not in str(error):
            raise
        return False
    log.info("refund started", extra={"fields": {"reason": reason, "amount": amount}})
    return True


def _refundable(payment_intent_id: str) -> Condition:
    return (models.Booking.payment.payment_intent_id == payment_intent_id) & (
        models.Booking.payment.status.is_in(models.PAYMENT_AWAITING, models.PAYMENT_PAID)
    )


def settle_refund(booking: models.Booking) -> bool:
    """Ask Stripe for a ``refund_pending`` booking's refund and record it ``refunded``. False
    (still pending) when Stripe could not be reached."""
    payment = booking.payment
    try:
        stripe_api.create_refund(
            payment_intent_id=payment.payment_intent_id,
            amount=int(payment.refunded_amount),
            idempotency_key=f"{booking.booking_id}.refund",
            metadata={"booking_id": booking.booking_id},
        )
    except stripe_api.StripeUnavailable as error:
        log.warning("refund not made yet", extra={"fields": {"error": str(error)}})
        return False
    try:
        booking.update(
            actions=[
                models.Booking.payment.status.set(models.PAYMENT_REFUNDED),
                models.Booking.updated_at.set(clock.to_iso_ms(clock.now())),
            ],
            condition=(models.Booking.payment.payment_intent_id == payment.payment_intent_id)
            & (models.Booking.payment.status == models.PAYMENT_REFUND_PENDING),
        )
    except UpdateError as error:
        if "ConditionalCheckFailed" not in str(error):
            raise
    return True
