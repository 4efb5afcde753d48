"""Refunds: the money of a paid seat comes back whenever the seat is given back.

A refund is owed from the write that gives the seat back: the cancellation itself sets the
booking's ``payment.status`` to ``refund_pending`` with the amount (``refund_due``) and puts
the booking in the sparse ``refunds_due`` index (``refund_queue``), so no cancellation of a
paid booking can happen without its refund being recorded. The call to Stripe comes after
(``settle_refund``): tried at once by the cancelling request, and by every
``settle_payments`` run (``refund_step``) until Stripe accepts it. Each call carries one
Stripe idempotency key per refund (booking id and the cancelling write's revision), and a
short claim on the booking item makes sure only one caller at a time asks Stripe (localstripe
ignores idempotency keys, and Stripe answers a second concurrent request with the same key by
refusing it). A refund Stripe refuses stays owed, alarmed at once (``RefundsRefused``): the
money is still the attendee's, and once a person has fixed the cause the next run pays it
without anyone having to queue it again. One owed longer than REFUND_STUCK_ALARM_MINUTES is
counted by every run (``RefundsStuck``), which alarms.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import clock, metrics, models
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.payments import money, stripe_api
from chalicelib.transactions import condition_failed

log = json_logger("ahoum.refunds")

# Who gives the seat back decides how much comes back: the attendee gets the event's
# refund_percent, anyone else (an admin, the organizer's cancellation, a hold that lapsed) all.
_REFUNDED_IN_FULL = (models.REASON_ADMIN, models.REASON_EVENT_CANCELLED, models.REASON_HOLD_EXPIRED)
# Stripe's answer to a refund of a charge refunded already (by hand in its dashboard).
_ALREADY_REFUNDED = "charge_already_refunded"

# What ``settle_refund`` did.
REFUNDED = "refunded"
UNAVAILABLE = "unavailable"
REFUSED = "refused"
# Another caller holds the claim, or nothing is owed any more (refunded meanwhile).
NOT_TRIED = "not_tried"


def is_paid(booking: models.Booking) -> bool:
    return booking.payment is not None and booking.payment.status == models.PAYMENT_PAID


def amount_owed(booking: models.Booking, reason: str, event: models.Event | None) -> int:
    """What comes back when a paid ``booking`` is cancelled for ``reason``; 0 for a free or
    unpaid one. ``event`` (None: gone) gives the refund percent of an attendee's own cancel."""
    if not is_paid(booking):
        return 0
    paid = int(booking.payment.amount)
    if reason in _REFUNDED_IN_FULL or event is None:
        return paid
    return money.share(paid, int(event.refund_percent), booking.payment.currency)


def start_actions(amount: int, reason: str) -> list[Action]:
    """The actions that make a paid booking's refund owed, for the write that gives its seat
    back; that write must also carry ``still_paid()``."""
    payment = models.Booking.payment
    return [
        payment.status.set(models.PAYMENT_REFUND_PENDING),
        payment.refund_due.set(amount),
        payment.refund_reason.set(reason),
        models.Booking.refund_queue.set(models.REFUND_DUE),
    ]


def still_paid() -> Condition:
    return models.Booking.payment.status == models.PAYMENT_PAID


def start_refund(
    booking_key: tuple[str, str],
    amount: int,
    reason: str,
    payment_intent_id: str | None = None,
    only_if: Condition | None = None,
) -> bool:
    """Make ``amount`` owed back on the booking (user_id, event_id) in one conditional write:
    its payment (that PaymentIntent's, when given) not on its way back already, and
    ``only_if``; False when another writer got there first. For the paths whose seat was
    given back before the money arrived (a success after its hold lapsed); a cancellation
    carries ``start_actions`` in its own write instead."""
    payment = models.Booking.payment
    condition = payment.exists() & payment.status.is_in(
        models.PAYMENT_AWAITING, models.PAYMENT_PAID
    )
    if payment_intent_id is not None:
        condition &= payment.payment_intent_id == payment_intent_id
    if only_if is not None:
        condition &= only_if
    try:
        models.Booking(*booking_key).update(
            actions=[
                *start_actions(amount, reason),
                models.Booking.updated_at.set(clock.to_iso_ms(clock.now())),
            ],
            condition=condition,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return False
    return True


def idempotency_key(booking: models.Booking) -> str:
    """One per refund: a booking id is refunded once, and the revision of its cancelling
    write (nothing changes it while the refund is owed) tells it from any other."""
    return f"refund-{booking.booking_id}-{int(booking.revision or 0)}"


def settle_refund(booking: models.Booking) -> str:
    """Ask Stripe for the refund ``booking`` owes and record it: REFUNDED, UNAVAILABLE (try
    again next run), REFUSED (kept owed, alarmed) or NOT_TRIED (claimed by another caller,
    or owed no more)."""
    claim = _claim(booking)
    if claim is None:
        return NOT_TRIED
    payment = booking.payment
    try:
        refund = stripe_api.create_refund(
            payment_intent_id=payment.payment_intent_id or "",
            amount=int(payment.refund_due),
            idempotency_key=idempotency_key(booking),
            metadata={"booking_id": booking.booking_id},
        )
    except (stripe_api.StripeUnavailable, stripe_api.StripeNotConfigured) as error:
        log.warning("refund not made yet", extra={"fields": _fields(booking, error)})
        _release(booking, claim)
        return UNAVAILABLE
    except stripe_api.StripeRefused as error:
        if error.code == _ALREADY_REFUNDED:
            _mark_refunded(booking, int(payment.refund_due), None)
            return REFUNDED
        log.error("Stripe refused a refund", extra={"fields": _fields(booking, error)})
        metrics.emit(metrics.REFUNDS_REFUSED)
        _release(booking, claim)
        return REFUSED
    _mark_refunded(booking, int(refund.get("amount", payment.refund_due)), refund.get("id"))
    return REFUNDED


def settle_now(user_id: str, event_id: str) -> models.Booking | None:
    """Best effort right after a cancellation: the refund it made owed, if Stripe answers
    (whatever it does not do, the next ``settle_payments`` run does). The booking item as
    this left it (None: gone)."""
    try:
        booking = models.Booking.get(user_id, event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        return None
    if booking.refund_queue is not None:
        settle_refund(booking)
    return booking


def refund_step() -> dict[str, int]:
    """The refund step of ``settle_payments``: every refund still owed, oldest first, asked of
    Stripe within REFUND_RUN_BUDGET_SECONDS, stopping at the first sign Stripe is down; and
    how many are stuck (metric ``RefundsStuck``, 0 included, so the alarm has data)."""
    settings = get_settings()
    deadline = time.monotonic() + settings.refund_run_budget_seconds
    stuck_since = timedelta(minutes=settings.refund_stuck_alarm_minutes)
    stuck_before = clock.to_iso_ms(clock.now() - stuck_since)
    counts: Counter[str] = Counter()
    stuck = 0
    stripe_down = False
    for owed in models.Booking.refunds_due.query(models.REFUND_DUE):
        if owed.updated_at < stuck_before:
            stuck += 1
        if stripe_down or time.monotonic() > deadline:
            counts["left_for_next_run"] += 1
            continue
        # The index lags the table: settle_refund's claim is conditioned on the item itself.
        outcome = settle_refund(owed)
        counts[outcome] += 1
        stripe_down = outcome == UNAVAILABLE
    metrics.emit(metrics.REFUNDS_STUCK, stuck)
    counts["stuck"] = stuck
    keys = (REFUNDED, UNAVAILABLE, REFUSED, NOT_TRIED, "left_for_next_run", "stuck")
    return {key: counts[key] for key in keys}


def _owed(booking: models.Booking) -> Condition:
    return (models.Booking.payment.status == models.PAYMENT_REFUND_PENDING) & (
        models.Booking.booking_id == booking.booking_id
    )


def _claim(booking: models.Booking) -> str | None:
    """Claim the call to Stripe for as long as one call can take (twice over); None when the
    refund is owed no more or another caller holds an unexpired claim."""
    now = clock.now()
    lease = timedelta(seconds=2 * get_settings().stripe_timeout_seconds + 5)
    until = clock.to_iso_ms(now + lease)
    claimed = models.Booking.payment.refund_claimed_until
    free = claimed.does_not_exist() | (claimed < clock.to_iso_ms(now))
    try:
        booking.update(actions=[claimed.set(until)], condition=_owed(booking) & free)
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return None
    return until


def _release(booking: models.Booking, claim: str) -> None:
    claimed = models.Booking.payment.refund_claimed_until
    try:
        booking.update(actions=[claimed.remove()], condition=_owed(booking) & (claimed == claim))
    except UpdateError as error:
        if not condition_failed(error):
            raise


def _mark_refunded(booking: models.Booking, amount: int, refund_id: str | None) -> None:
    """The refund is made: the booking leaves the index, and the stream sends
    ``booking.refunded``. Conditioned on still being owed, so it is recorded once."""
    payment = models.Booking.payment
    actions: list[Any] = [
        payment.status.set(models.PAYMENT_REFUNDED),
        payment.refunded_amount.set(amount),
        payment.refund_due.remove(),
        payment.refund_claimed_until.remove(),
        models.Booking.refund_queue.remove(),
        models.Booking.updated_at.set(clock.to_iso_ms(clock.now())),
    ]
    if refund_id:
        actions.append(payment.refund_id.set(refund_id))
    try:
        booking.update(actions=actions, condition=_owed(booking))
    except UpdateError as error:
        if not condition_failed(error):
            raise


def _fields(booking: models.Booking, error: Exception) -> dict[str, Any]:
    return {"booking_id": booking.booking_id, "error": str(error)}
