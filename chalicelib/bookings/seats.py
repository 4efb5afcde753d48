"""Taking a seat, and giving one up: to the first in line in the same transaction (a
promotion), or back to the event when nobody waits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, events, models, waitlist
from chalicelib.bookings import items
from chalicelib.bookings.errors import (
    FULL_AND_NO_LIST,
    AlreadyWaitlisted,
    Contended,
    EventFull,
)
from chalicelib.bookings.line_retry import LineTry, retry_while_line_moves
from chalicelib.bookings.views import cancelled_view, created_view
from chalicelib.payments import holds, intents, offers, refunds
from chalicelib.transactions import commit, failed_condition, only_conflicts, reasons

# --- Taking a seat ---


def book(caller: auth.Caller, event_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
    """Take a seat for the caller. A retry carrying the same ``idempotency_key`` as the
    booking that succeeded gets that booking's original answer instead of 409.

    For a token not yet looked up (the API) the revocation and account check and the event
    read share one BatchGetItem, so a booking costs two DynamoDB calls in all (that and the
    TransactWriteItems); for a principal (the dashboard) only the event is read.

    A paid event's seat is taken the same way but held (``pending_payment``) until
    ``hold_expires_at``; the answer carries the hold's PaymentIntent (``payments.intents``).
    A full event whose seats are partly held by expired holds frees those and tries once
    more: every read treats an expired hold as free."""
    principal, event = items.caller_and_event(caller, event_id)
    items.raise_if_suspended(principal, clock.now())
    if event is None or event.listing != models.PUBLISHED:
        raise events.EventNotFound()
    items.raise_if_course_date(event)
    if event.price is None:
        return _take(principal, event, idempotency_key)
    intents.check_payments_configured()
    try:
        return _take(principal, event, idempotency_key)
    except EventFull:
        if not holds.expire_lapsed_on(event.event_id):
            raise
    return _take(principal, event, idempotency_key)


def _take(
    principal: auth.Principal, event: models.Event, idempotency_key: str | None
) -> dict[str, Any]:
    now = clock.now()
    booking = items.new_booking(principal, event, models.CONFIRMED, now, idempotency_key)
    if event.price is not None:
        intents.hold(booking, event.price, now)

    def write(transaction: TransactWrite) -> None:
        # Order matters: cancellation reasons come back in the order the items are added.
        items.take_in(transaction, booking)
        items.take_seat(transaction, event.event_id, now, hold=booking)

    try:
        commit(write)
    except TransactWriteError as error:
        return answer(_refused(error, idempotency_key, clock.to_iso(now)))
    return answer(booking)


def answer(booking: models.Booking) -> dict[str, Any]:
    """A booking just made (or replayed): a hold's answer carries its payment."""
    view = created_view(booking)
    if booking.status == models.PENDING_PAYMENT and booking.payment is not None:
        view.update(intents.hold_answer(booking))
    return view


def _refused(error: TransactWriteError, idempotency_key: str | None, now: str) -> models.Booking:
    """Why a booking transaction was cancelled, as the caller's error, or the booking to
    replay when this is a retry of one that succeeded."""
    booking_reason, event_reason = reasons(error, 2)
    if failed_condition(booking_reason):
        existing = items.booking_from(booking_reason)
        if existing is not None and idempotency_key and existing.idempotency_key == idempotency_key:
            return existing
        if existing is not None and existing.status == models.WAITLISTED:
            raise AlreadyWaitlisted()
        items.raise_already_booked(existing)
    current = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
    if current is not None:
        items.raise_if_not_bookable(current, now)
        if waitlist.count(current) >= waitlist.capacity(current):
            raise EventFull(FULL_AND_NO_LIST)
        raise EventFull(EventFull.default_message.replace("{event_id}", current.event_id))
    if only_conflicts(error.cancellation_reasons):
        raise Contended() from None
    raise error


# --- Giving up a seat, and promoting the first in line ---


def give_up_seat(
    principal: auth.Principal,
    booking: models.Booking,
    *,
    status: str = models.CONFIRMED,
    reason: str | None = None,
    extra: Condition | None = None,
    event_actions: list[Any] | None = None,
) -> dict[str, Any]:
    """Cancel a booking that holds a seat (``status``: confirmed, or a payment hold). Its seat
    goes to the first in line in the same transaction (``seats_taken`` stays), or back to the
    event when nobody waits. ``reason`` defaults to the principal's (user/admin); ``extra``
    is one more condition on the booking (an expiring hold: still past its expiry), and
    ``event_actions`` more changes to the event (a hold's entry removed).

    The first try assumes nobody waits: the common case costs one TransactWrite. When someone
    does, that try is cancelled and hands back the event item with its line; the next try
    promotes the first in line, conditioned on them still being first. A line that moved
    meanwhile hands back the new one, and the next try promotes the new first in line.
    """
    giving_up = _SeatGivenUp(
        principal,
        booking,
        status,
        reason or items.cancel_reason(principal, booking),
        extra,
        event_actions or [],
    )
    # A paid seat's refund depends on the event's refund percent, and the seat goes to an
    # offer on a paid event: read the event first rather than guess that nobody waits.
    first = items.event_or_none(booking.event_id) if giving_up.paid else None
    return retry_while_line_moves(giving_up.plan, first, first_try_reads_the_line=first is None)


@dataclass
class _SeatGivenUp:
    """One cancellation of a seated booking, tried until the waiting line holds still."""

    principal: auth.Principal
    booking: models.Booking
    status: str
    reason: str
    extra: Condition | None
    event_actions: list[Any]
    cancelled_at: str = field(default_factory=lambda: clock.to_iso_ms(clock.now()))
    now: str = field(default_factory=lambda: clock.to_iso(clock.now()))

    @property
    def paid(self) -> bool:
        return refunds.is_paid(self.booking)

    def plan(self, event: models.Event | None) -> LineTry[dict[str, Any]]:
        actions, condition, promoted = seat_changes(self.principal, event, self.now)
        refund = refunds.amount_owed(self.booking, self.reason, event) if self.paid else 0

        def write(transaction: TransactWrite) -> None:
            items.cancel_in(
                transaction,
                self.booking,
                self.status,
                self.cancelled_at,
                self.reason,
                self.extra,
                refund=refund,
            )
            transaction.update(
                models.Event(self.booking.event_id),
                actions=actions + self.event_actions,
                condition=condition,
                return_values="ALL_OLD",
            )
            if promoted and event is not None:
                waitlist.promote(transaction, event, promoted, self.cancelled_at)

        return LineTry(
            write,
            committed=lambda: self.committed(event, promoted, refund),
            booking_refused=lambda current: items.raise_not_cancellable(current, self.booking),
            line_moved=self.line_moved,
        )

    def line_moved(self, event: models.Event) -> None:
        if not self.principal.is_admin:
            items.raise_if_not_cancellable(event, self.now)

    def committed(
        self, event: models.Event | None, promoted: list[str], refund: int
    ) -> dict[str, Any]:
        booking = self.booking
        if refund:
            settled = refunds.settle_now(booking.user_id, booking.event_id)
            if settled is not None and settled.booking_id == booking.booking_id:
                booking.payment = settled.payment
        if promoted and event is not None:
            offers.after_promotion(event, promoted)
        return cancelled_view(booking, self.cancelled_at)


def seat_changes(
    principal: auth.Principal, event: models.Event | None, now: str
) -> tuple[list[Any], Condition, list[str]]:
    """The event's actions and condition for giving a seat up, given the line as last read
    (None: not read yet, guessed empty), and who is promoted into the seat."""
    waiting = waitlist.line(event) if event is not None else []
    started = event is not None and event.starts_at <= now
    # An admin may cancel after the start; nobody is promoted into a started event.
    promoted = waiting[:1] if waiting and not started else []
    if promoted:
        actions, condition = waitlist.take_first(waiting, 1)
        condition &= models.Event.starts_at > now
    else:
        actions = [models.Event.seats_taken.add(-1)]
        condition = waitlist.count_is(0)
        if principal.is_admin:
            condition |= models.Event.starts_at <= now
    if not principal.is_admin:
        condition &= (models.Event.starts_at > now) & items.cancel_window_open(now)
    return actions, condition, promoted
