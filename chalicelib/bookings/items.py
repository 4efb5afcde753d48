"""The booking item as every writer shapes it, and what the booking services share about it:
the conditions their transactions carry, the reads they start from, and the refusals those
conditions explain."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, events, ids, models, waitlist
from chalicelib.bookings.errors import (
    AlreadyBooked,
    AlreadyCancelled,
    BookingNotFound,
    BookingSuspended,
    CancellationClosed,
    CourseOnly,
    EventStarted,
    StartedNoCancelling,
)
from chalicelib.payments import refunds


def booking_item(
    user_id: str,
    user_name: str,
    user_email: str,
    event: models.Event,
    status: str,
    at: str,
    booking_id: str | None = None,
    idempotency_key: str | None = None,
) -> models.Booking:
    """A new booking item as every writer of one must shape it: with its copies of the event,
    the user and the facilitator's CRM id, from which the stream image alone builds the
    webhook. (The seed data, the recorded stream events and the tests write bookings through
    this too, so theirs cannot drift from the service's.)"""
    return models.Booking(
        user_id,
        event.event_id,
        booking_id=booking_id or ids.new_id(),
        status=status,
        created_at=at,
        updated_at=at,
        idempotency_key=idempotency_key,
        event=models.EventCopy(
            name=event.name,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
        ),
        user=models.UserCopy(name=user_name, email=user_email),
        facilitator_crm_id=event.facilitator.crm_id,
        facilitator_id=event.facilitator.id,
    )


def new_booking(
    principal: auth.Principal,
    event: models.Event,
    status: str,
    now: datetime,
    idempotency_key: str | None,
) -> models.Booking:
    return booking_item(
        principal.user_id,
        principal.name,
        principal.email,
        event,
        status,
        clock.to_iso_ms(now),
        idempotency_key=idempotency_key,
    )


def caller_and_event(
    caller: auth.Caller, event_id: str
) -> tuple[auth.Principal, models.Event | None]:
    """Who is calling and the event they act on, in one BatchGetItem: for a token not yet
    looked up its account and revocation marker are read with the event."""
    event_key = (models.Event, event_id)
    principal, found = auth.authenticate_with(caller, [event_key])
    return principal, found.get(event_key)


# A cancelled paid booking's item takes no new booking until its refund is made.
REFUND_STILL_OWED = (
    "Your earlier booking of this event is still being refunded; book again in a few minutes."
)

# --- Conditions the transactions carry ---


def may_hold() -> Condition:
    """The caller holds nothing of this event yet: no item, or only a cancelled one whose
    refund is not still owed (a new booking over it would lose the refund's record)."""
    return models.Booking.user_id.does_not_exist() | (
        (models.Booking.status == models.CANCELLED) & models.Booking.refund_queue.does_not_exist()
    )


def bookable(now: datetime) -> Condition:
    return (models.Event.starts_at > clock.to_iso(now)) & (models.Event.listing == models.PUBLISHED)


def take_seat(
    transaction: TransactWrite, event_id: str, now: datetime, hold: models.Booking | None = None
) -> None:
    """Add to ``transaction``: one seat of the event, under a booking's conditions: a seat
    free, nobody waiting (a seat freed while people wait is theirs, never a newcomer's),
    published and not started. Its refusal hands back the event (ALL_OLD). A ``hold``
    (pending_payment) is noted on the event with its expiry (``hold_entry``)."""
    actions = [models.Event.seats_taken.add(1)]
    if hold is not None and hold.status == models.PENDING_PAYMENT:
        actions.append(models.Event.hold_expiries.add({hold_entry(hold)}))
    transaction.update(
        models.Event(event_id),
        actions=actions,
        condition=(models.Event.seats_taken < models.Event.capacity)
        & bookable(now)
        & waitlist.count_is(0),
        return_values="ALL_OLD",
    )


def hold_entry(hold: models.Booking) -> str:
    """A hold as the event notes it: its expiry first, so the entry sorts by it."""
    return f"{hold.hold_expires_at} {hold.booking_id}"


def cancel_window_open(now: str) -> Condition:
    until = models.Event.cancellable_until
    return until.does_not_exist() | (until > now)


def take_in(transaction: TransactWrite, booking: models.Booking) -> None:
    """Add to ``transaction``: ``booking`` written over no item or a cancelled one.

    An UpdateItem rather than a put, because a rebooking must carry the cancelled item's
    ``revision`` on (the calendar SEQUENCE may never go down) and a put cannot read it: every
    attribute of the new booking is SET, every other one REMOVEd (so nothing of the cancelled
    booking survives, as with a put), and ``revision`` ADDs 1 (from nothing: 1). Still one
    write, and a refusal still hands back the item (ALL_OLD)."""
    actions: list[Any] = [models.Booking.revision.add(1)]
    for name, attribute in models.Booking.get_attributes().items():
        if attribute.is_hash_key or attribute.is_range_key or name == "revision":
            continue
        value = getattr(booking, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    transaction.update(
        models.Booking(booking.user_id, booking.event_id),
        actions=actions,
        condition=may_hold(),
        return_values="ALL_OLD",
    )


def cancel_reason(principal: auth.Principal, booking: models.Booking) -> str:
    """``admin`` when an admin cancels someone else's booking, else ``user``."""
    if principal.is_admin and principal.user_id != booking.user_id:
        return models.REASON_ADMIN
    return models.REASON_USER


def cancel_in(
    transaction: TransactWrite,
    booking: models.Booking,
    status: str,
    at: str,
    reason: str = models.REASON_USER,
    extra: Condition | None = None,
    refund: int = 0,
) -> None:
    """Add to ``transaction``: ``booking``, still in ``status`` (and meeting ``extra``),
    becomes cancelled for ``reason`` (a ``models.REASON_*``). A payment hold leaves the
    ``holds`` index with it; a paid booking owes ``refund`` back from this write on
    (``payments.refunds``)."""
    actions = [
        models.Booking.status.set(models.CANCELLED),
        models.Booking.updated_at.set(at),
        models.Booking.cancel_reason.set(reason),
        models.Booking.revision.add(1),
        models.Booking.hold_queue.remove(),
    ]
    # The booking id too: the same (user, event) item may be a newer booking by now.
    condition = (models.Booking.status == status) & (
        models.Booking.booking_id == booking.booking_id
    )
    if extra is not None:
        condition &= extra
    if refund:
        actions += refunds.start_actions(refund, reason)
        condition &= refunds.still_paid()
    transaction.update(booking, actions=actions, condition=condition, return_values="ALL_OLD")


# --- What a failed condition means ---


def raise_if_not_bookable(event: models.Event, now: str) -> None:
    if event.listing != models.PUBLISHED:
        raise events.EventNotFound() from None
    if event.starts_at <= now:
        raise EventStarted() from None


def raise_if_suspended(principal: auth.Principal, now: datetime) -> None:
    """The strike policy's refusal, from the account ``auth`` has read anyway (no call)."""
    until = principal.suspended_until
    if until is not None and clock.parse_iso(until) > now:
        raise BookingSuspended(until)


def raise_if_course_date(event: models.Event) -> None:
    """A course's date is booked only with the whole course. (The mode is set when the series
    is made and never changes, so reading it is no check-then-write.)"""
    if event.series is not None and event.series.booking_mode == models.COURSE:
        raise CourseOnly(CourseOnly.default_message.replace("{series_id}", event.series.id))


def raise_already_booked(existing: models.Booking | None) -> NoReturn:
    """The caller's item of this event refused a new booking over it: held, or cancelled with
    its refund still owed (``may_hold``), which clears within minutes."""
    if existing is not None and existing.refund_queue is not None:
        raise AlreadyBooked(REFUND_STILL_OWED) from None
    raise AlreadyBooked() from None


def raise_not_cancellable(current: models.Booking | None, booking: models.Booking) -> NoReturn:
    if same(current, booking):
        raise AlreadyCancelled() from None
    raise BookingNotFound() from None


def raise_if_not_cancellable(event: models.Event, now: str) -> None:
    if event.starts_at <= now:
        raise StartedNoCancelling() from None
    if event.cancellable_until is not None and event.cancellable_until <= now:
        raise CancellationClosed() from None


# --- Reads ---


def event_or_none(event_id: str) -> models.Event | None:
    try:
        return models.Event.get(event_id, consistent_read=True)
    except models.Event.DoesNotExist:
        return None


def booking_or_none(user_id: str, event_id: str) -> models.Booking | None:
    try:
        return models.Booking.get(user_id, event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        return None


def booking_by_id(booking_id: str) -> models.Booking | None:
    return next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)


def owned_booking(user_id: str, booking_id: str) -> models.Booking:
    """The booking ``booking_id`` of ``user_id`` as it is now: found through ``by_booking_id``,
    then read again by its key (strongly consistent), since that index lags the table and a
    payment's state must be the latest. Anyone else's, or a booking id since replaced on
    its item, is BookingNotFound."""
    listed = booking_by_id(booking_id)
    if listed is None or listed.user_id != user_id:
        raise BookingNotFound()
    booking = booking_or_none(listed.user_id, listed.event_id)
    if booking is None or booking.booking_id != booking_id:
        raise BookingNotFound()
    return booking


def booking_from(reason: Any) -> models.Booking | None:
    """The booking item a cancelled transaction handed back with its reason."""
    return models.Booking.from_raw_data(reason.raw_item) if reason and reason.raw_item else None


def same(current: models.Booking | None, booking: models.Booking) -> bool:
    return current is not None and current.booking_id == booking.booking_id
