"""``POST /payments/stripe/webhook``: Stripe's signed word that a payment succeeded or failed.

Each Stripe event is handled once, whatever order they come in, without a table of event ids:
every effect is a conditional transition of the booking the PaymentIntent was made for
(found by the key in the PaymentIntent's metadata, which Stripe signs with the event), from
the state that event moves it out of. A replay, a duplicate or a second event for the same
PaymentIntent finds the transition made and changes nothing. A table of handled ids would cost
a write per event and, put before the handling, lose an event whose handling then failed.

- ``payment_intent.succeeded`` for a live hold → ``confirmed``, payment ``paid`` (condition:
  still that hold, its PaymentIntent, not expired); the stream sends ``booking.confirmed``.
- for a hold past its expiry → the hold is expired first (its seat is free), then as below.
- for a hold already cancelled as expired → confirmed again if a seat can be taken under a
  booking's usual conditions (free, nobody waiting, published, not started), in one
  transaction; else refunded in full at once, the booking staying cancelled (hold_expired).
- for a PaymentIntent whose booking is gone (rebooked since) → refunded in full.
- amount or currency not the hold's → refused: nothing confirmed, an error line and the
  PaymentsMismatched metric (an alarm); answered 200, as retrying cannot make it fit.
- unknown PaymentIntent, ``payment_intent.payment_failed``, other types → 200, no change (a
  failed card leaves the hold to expire; the attendee may try another card).
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import clock, errors, metrics, models
from chalicelib.bookings import items
from chalicelib.config import get_settings
from chalicelib.payments import holds, intents, refunds, signatures, stripe_api
from chalicelib.transactions import commit, failed_condition, reasons

log = logging.getLogger(__name__)

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
RECEIVED = {"received": True}


class BadStripeSignature(errors.AppError):
    """The request is not from Stripe: its Stripe-Signature is missing, wrong or stale."""

    status = 400
    code = "bad_signature"
    default_message = "The Stripe-Signature header does not verify this body."


# A hold's settling tries: each lost try means its booking moved on (paid, freed).
_HOLD_ATTEMPTS = 3


class NotSettledYet(errors.ServiceUnavailable):
    """The hold kept changing under this event: Stripe sends the event again."""

    code = "payment_not_settled"
    default_message = "The payment could not be settled yet; Stripe will send this event again."


class RefundNotMadeYet(errors.ServiceUnavailable):
    """Stripe could not take a refund this event calls for: Stripe retries the event."""

    code = "refund_not_made"
    default_message = "The refund could not be made yet; Stripe will send this event again."


def handle(body: bytes, signature: str | None) -> dict[str, Any]:
    try:
        event = signatures.verified_event(body, signature, get_settings().stripe_webhook_secret)
    except signatures.BadSignature as error:
        log.warning("stripe webhook refused", extra={"fields": {"why": str(error)}})
        raise BadStripeSignature() from None
    kind = event.get("type")
    intent = (event.get("data") or {}).get("object") or {}
    if kind == SUCCEEDED:
        outcome = _succeeded(intent)
    elif kind == FAILED:
        outcome = "hold_stays"
    else:
        outcome = "ignored"
    log.info(
        "stripe webhook",
        extra={"fields": {"type": kind, "stripe_event": event.get("id"), "outcome": outcome}},
    )
    return RECEIVED


def _succeeded(intent: dict[str, Any]) -> str:
    metadata = intent.get("metadata") or {}
    user_id, event_id = metadata.get("user_id"), metadata.get("event_id")
    # Another stage's PaymentIntent (stages may share a Stripe account) is none of ours.
    if not (user_id and event_id and intent.get("id")) or metadata.get("stage") != _stage():
        return "unknown_payment_intent"
    booking = items.booking_or_none(user_id, event_id)
    if booking is None:
        return "unknown_payment_intent"
    if booking.booking_id != metadata.get("booking_id"):
        # Its booking was replaced (a rebooking after the hold lapsed): the money goes back.
        _refund_orphan(intent)
        return "refunded_orphan"
    payment = booking.payment
    if payment is None or payment.payment_intent_id != intent["id"]:
        return "unknown_payment_intent"
    if int(intent.get("amount", -1)) != int(payment.amount) or intent.get("currency") != (
        payment.currency
    ):
        log.error(
            "payment does not match its hold",
            extra={"fields": {"booking_id": booking.booking_id, "payment_intent": intent["id"]}},
        )
        metrics.emit(metrics.PAYMENTS_MISMATCHED)
        return "mismatch_refused"
    # A hold confirmed, or (lapsed) freed and then handled as late; a try that lost to another
    # writer reads the booking again. A few tries: it can move only from held to settled.
    for _ in range(_HOLD_ATTEMPTS):
        if booking.status != models.PENDING_PAYMENT:
            return _late(booking, intent["id"])
        if not holds.is_expired(booking):
            if _confirm_hold(booking):
                return "confirmed"
        else:
            holds.expire(booking)
        current = items.booking_or_none(user_id, event_id)
        if current is None or not items.same(current, booking):
            _refund_orphan(intent)
            return "refunded_orphan"
        booking = current
    raise NotSettledYet()


def _stage() -> str:
    return get_settings().stage


def _confirm_hold(booking: models.Booking) -> bool:
    """The hold becomes a confirmed seat (it already counts in ``seats_taken``), and leaves
    the event's note of holds, in one transaction."""
    now = clock.now()
    if booking.course_series_id is not None:
        return _confirm_course(booking, now)

    def write(transaction: TransactWrite) -> None:
        transaction.update(booking, actions=_confirming(now), condition=_still_held(booking, now))
        _forget_hold(transaction, booking.event_id, booking)

    try:
        commit(write)
    except TransactWriteError:
        return False
    return True


def _still_held(booking: models.Booking, now: Any) -> Any:
    return (
        intents.still_that_hold(booking)
        & (models.Booking.payment.payment_intent_id == booking.payment.payment_intent_id)
        & (models.Booking.hold_expires_at > clock.to_iso(now))
    )


def _forget_hold(transaction: TransactWrite, event_id: str, hold: models.Booking) -> None:
    transaction.update(
        models.Event(event_id),
        actions=[models.Event.hold_expiries.delete({items.hold_entry(hold)})],
    )


def _confirm_course(first: models.Booking, now: Any) -> bool:
    """A paid course: every date's booking confirmed in one transaction, the first (which
    carries the payment) under the hold's conditions, the others still held."""
    from chalicelib.bookings import series_bookings

    held = series_bookings.course_bookings(first, models.PENDING_PAYMENT)

    def write(transaction: TransactWrite) -> None:
        for current in held:
            if items.same(current, first):
                transaction.update(
                    current, actions=_confirming(now), condition=_still_held(first, now)
                )
            else:
                transaction.update(
                    current,
                    actions=_confirming(now, paid=False),
                    condition=(models.Booking.status == models.PENDING_PAYMENT)
                    & (models.Booking.booking_id == current.booking_id),
                )
        for current in held:
            _forget_hold(transaction, current.event_id, first)

    if not any(items.same(current, first) for current in held):
        return False
    try:
        commit(write)
    except TransactWriteError:
        return False
    return True


def _confirming(now: Any, paid: bool = True) -> list[Any]:
    """The held booking becomes confirmed; ``paid``: it carries the payment, now paid."""
    return [
        models.Booking.status.set(models.CONFIRMED),
        *([models.Booking.payment.status.set(models.PAYMENT_PAID)] if paid else []),
        models.Booking.updated_at.set(clock.to_iso_ms(now)),
        models.Booking.revision.add(1),
        models.Booking.hold_queue.remove(),
        models.Booking.hold_expires_at.remove(),
        models.Booking.cancel_reason.remove(),
    ]


def _late(booking: models.Booking, payment_intent_id: str) -> str:
    """A success for a hold no longer held: a seat if one can be taken, else the money back."""
    payment = booking.payment
    if booking.status != models.CANCELLED or payment.payment_intent_id != payment_intent_id:
        return "already_handled"
    if payment.status == models.PAYMENT_REFUND_PENDING:
        return _settle(booking)
    if payment.status != models.PAYMENT_AWAITING:
        return "already_handled"
    if booking.course_series_id is not None:
        # A course's dates were given back together; the money goes back whole.
        return _refund_late(booking, payment_intent_id)
    now = clock.now()

    def write(transaction: TransactWrite) -> None:
        transaction.update(
            booking,
            actions=_confirming(now),
            condition=(models.Booking.booking_id == booking.booking_id)
            & (models.Booking.status == models.CANCELLED)
            & (models.Booking.payment.payment_intent_id == payment_intent_id)
            & (models.Booking.payment.status == models.PAYMENT_AWAITING),
        )
        items.take_seat(transaction, booking.event_id, now)

    try:
        commit(write)
    except TransactWriteError as error:
        booking_reason, _ = reasons(error, 2)
        if failed_condition(booking_reason):
            # Another delivery moved it on; finish a refund it may have left pending.
            return _settle_pending(booking)
        return _refund_late(booking, payment_intent_id)
    return "confirmed_late"


def _refund_late(booking: models.Booking, payment_intent_id: str) -> str:
    refunds.start_refund(
        (booking.user_id, booking.event_id),
        int(booking.payment.amount),
        models.REASON_HOLD_EXPIRED,
        payment_intent_id,
        # Still the lapsed hold: a concurrent delivery may have seated it meanwhile.
        only_if=(models.Booking.booking_id == booking.booking_id)
        & (models.Booking.status == models.CANCELLED),
    )
    return _settle_pending(booking)


def _settle_pending(booking: models.Booking) -> str:
    current = items.booking_or_none(booking.user_id, booking.event_id)
    if current is None or not items.same(current, booking) or current.payment is None:
        return "already_handled"
    if current.payment.status != models.PAYMENT_REFUND_PENDING:
        return "already_handled"
    return _settle(current)


def _settle(booking: models.Booking) -> str:
    # Not taken by Stripe yet: it stays owed (the refund step tries every minute) and Stripe
    # sends this event again. NOT_TRIED: another caller holds the claim and is making it.
    if refunds.settle_refund(booking) in (refunds.UNAVAILABLE, refunds.REFUSED):
        raise RefundNotMadeYet()
    return "refunded"


def _refund_orphan(intent: dict[str, Any]) -> None:
    try:
        stripe_api.create_refund(
            payment_intent_id=intent["id"],
            amount=int(intent.get("amount", 0)),
            idempotency_key=f"{intent['id']}.orphan.refund",
            metadata={"booking_id": (intent.get("metadata") or {}).get("booking_id", "")},
        )
    except stripe_api.StripeUnavailable:
        raise RefundNotMadeYet() from None
