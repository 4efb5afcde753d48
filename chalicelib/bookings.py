"""Bookings: one seat per user and event, taken and given back in single transactions.

Nothing is checked-then-written. The booking's key (user, event) is the duplicate guard, and
the seat count and start time are conditions on the event item in the same TransactWrite,
so thirty retries of one click or two hundred people racing for the last seat still leave
exactly as many confirmed bookings as ``seats_taken`` says.

Each booking carries copies of what the CRM webhook needs (event name and times, user name
and email, the facilitator's CRM id): the stream record alone describes it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, NoReturn

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, dynamodb, errors, events, ids, models, pagination

_MINE_KEY = pagination.key_names(models.Booking, models.Booking.newest_first)
_ATTENDEES_KEY = pagination.key_names(models.Booking, models.Booking.by_event)
_CONDITION_FAILED = "ConditionalCheckFailed"
_TRANSACTION_CONFLICT = "TransactionConflict"
# On AWS a transaction touching an item another transaction is writing is cancelled with
# TransactionConflict (DynamoDB Local queues them instead); a rush for one event's seats
# makes that common, and a short jittered retry turns it into the real answer.
_ATTEMPTS = 4
_BACKOFF_SECONDS = 0.02


class BookingNotFound(errors.NotFound):
    default_message = "No such booking."


class AlreadyBooked(errors.Conflict):
    code = "already_booked"
    default_message = "You have already booked this event; see GET /bookings/my."


class EventFull(errors.Conflict):
    code = "event_full"
    default_message = "No seats are left for this event."


class EventStarted(errors.Conflict):
    code = "event_started"
    default_message = "This event has already started and can no longer be booked."


class AlreadyCancelled(errors.Conflict):
    code = "already_cancelled"
    default_message = "This booking is already cancelled."


class Contended(errors.Conflict):
    code = "try_again"
    default_message = "Many people are booking this event right now; try again in a moment."


def book(
    principal: auth.Principal, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Take a seat for the caller. A retry carrying the same ``idempotency_key`` as the
    booking that succeeded gets that booking's original answer instead of 409."""
    try:
        event = models.Event.get(event_id, consistent_read=True)
    except models.Event.DoesNotExist:
        event = None
    return _book(principal, event, idempotency_key)


def authenticate_and_book(
    token: auth.VerifiedToken, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """``book`` for an HTTP request whose token is verified but not yet looked up: the
    revocation and account check and the event read share one BatchGetItem, so a booking
    costs two DynamoDB calls in all (that and the TransactWriteItems)."""
    event_key = (models.Event, event_id)
    principal, found = auth.authenticate_with(token, [event_key])
    return _book(principal, found.get(event_key), idempotency_key)


def cancel(principal: auth.Principal, booking_id: str) -> dict[str, Any]:
    """Cancel a confirmed booking (its owner or an admin) and give its seat back."""
    booking = next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)
    # Someone else's booking is "not found": its existence is not theirs to learn.
    if booking is None or not (principal.is_admin or booking.user_id == principal.user_id):
        raise BookingNotFound()
    if booking.status != models.CONFIRMED:
        raise AlreadyCancelled()
    cancelled_at = clock.to_iso_ms(clock.now())

    def write(transaction: TransactWrite) -> None:
        transaction.update(
            booking,
            actions=[
                models.Booking.status.set(models.CANCELLED),
                models.Booking.updated_at.set(cancelled_at),
            ],
            # The booking id too: the same (user, event) item may be a newer booking by now.
            condition=(models.Booking.status == models.CONFIRMED)
            & (models.Booking.booking_id == booking.booking_id),
            return_values="ALL_OLD",
        )
        transaction.update(
            models.Event(booking.event_id), actions=[models.Event.seats_taken.add(-1)]
        )

    try:
        _commit(write)
    except TransactWriteError as error:
        reason = _reasons(error, 1)[0]
        if reason is not None and reason.code == _CONDITION_FAILED:
            current = _booking_from(reason)
            if current is not None and current.booking_id == booking.booking_id:
                raise AlreadyCancelled() from None
            raise BookingNotFound() from None
        _raise_unexplained(error)
    booking.status = models.CANCELLED
    booking.updated_at = cancelled_at
    return booking_view(booking)


def list_mine(
    principal: auth.Principal,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The caller's bookings, newest first: one Query on the user's own partition."""
    page = pagination.fetch_page(
        lambda size, key: models.Booking.newest_first.query(
            principal.user_id,
            filter_condition=_status_is(status),
            scan_index_forward=False,
            consistent_read=True,
            page_size=size,
            last_evaluated_key=key,
        ),
        models.Booking,
        _MINE_KEY,
        limit,
        pagination.start_key(cursor, _MINE_KEY, {"user_id": principal.user_id}),
    )
    return {
        "bookings": [booking_view(booking) for booking in page.items],
        "next_cursor": page.next_cursor,
    }


def mine_for_events(principal: auth.Principal, event_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The caller's booking of each of these events that they ever booked, by event id: one
    BatchGetItem on the booking's own key (a page of cards shows where the caller stands)."""
    if not event_ids:
        return {}
    keys: list[dynamodb.ItemKey] = [
        (models.Booking, principal.user_id, event_id) for event_id in dict.fromkeys(event_ids)
    ]
    found = dynamodb.batch_get(keys)
    return {booking.event_id: booking_view(booking) for booking in found.values()}


def list_attendees(
    event_id: str, status: str | None = None, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """Who booked an event (published or not), first booked first."""
    event = events.find(event_id)
    page = pagination.fetch_page(
        lambda size, key: models.Booking.by_event.query(
            event_id, filter_condition=_status_is(status), page_size=size, last_evaluated_key=key
        ),
        models.Booking,
        _ATTENDEES_KEY,
        limit,
        pagination.start_key(cursor, _ATTENDEES_KEY, {"event_id": event_id}),
    )
    return {
        "event": events.admin_event_view(event),
        "attendees": [_attendee_view(booking) for booking in page.items],
        "next_cursor": page.next_cursor,
    }


def attendee(event_id: str, booking_id: str) -> dict[str, Any]:
    """One booking of an event, as its attendee list shows it (admins); 404 when the booking
    is unknown or belongs to another event."""
    booking = next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)
    if booking is None or booking.event_id != event_id:
        raise BookingNotFound()
    return {**_attendee_view(booking), "event": booking_view(booking)["event"]}


def booking_view(booking: models.Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "event": {
            "id": booking.event_id,
            "name": booking.event.name,
            "date": booking.event.starts_at,
            "starts_at": booking.event.starts_at,
            "ends_at": booking.event.ends_at,
            "timezone": booking.event.timezone,
        },
    }


def _book(
    principal: auth.Principal, event: models.Event | None, idempotency_key: str | None
) -> dict[str, Any]:
    if event is None or event.listing != models.PUBLISHED:
        raise events.EventNotFound()
    now = clock.now()
    created_at = clock.to_iso_ms(now)
    booking = models.Booking(
        principal.user_id,
        event.event_id,
        booking_id=ids.new_id(),
        status=models.CONFIRMED,
        created_at=created_at,
        updated_at=created_at,
        idempotency_key=idempotency_key,
        event=models.EventCopy(
            name=event.name,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
        ),
        user=models.UserCopy(name=principal.name, email=principal.email),
        facilitator_crm_id=event.facilitator.crm_id,
    )

    def write(transaction: TransactWrite) -> None:
        # Order matters: cancellation reasons come back in this order (puts before updates).
        transaction.save(
            booking,
            condition=models.Booking.user_id.does_not_exist()
            | (models.Booking.status == models.CANCELLED),
            return_values="ALL_OLD",
        )
        transaction.update(
            models.Event(event.event_id),
            actions=[models.Event.seats_taken.add(1)],
            condition=(models.Event.seats_taken < models.Event.capacity)
            & (models.Event.starts_at > clock.to_iso(now))
            & (models.Event.listing == models.PUBLISHED),
            return_values="ALL_OLD",
        )

    try:
        _commit(write)
    except TransactWriteError as error:
        return _created_view(_refused(error, idempotency_key, clock.to_iso(now)))
    return _created_view(booking)


def _refused(error: TransactWriteError, idempotency_key: str | None, now: str) -> models.Booking:
    """Why a booking transaction was cancelled, as the caller's error, or the booking to
    replay when this is a retry of one that succeeded."""
    booking_reason, event_reason = _reasons(error, 2)
    if booking_reason is not None and booking_reason.code == _CONDITION_FAILED:
        existing = _booking_from(booking_reason)
        if existing is not None and idempotency_key and existing.idempotency_key == idempotency_key:
            return existing
        raise AlreadyBooked()
    if event_reason is not None and event_reason.code == _CONDITION_FAILED:
        raw = event_reason.raw_item or {}
        if raw.get("listing", {}).get("S") != models.PUBLISHED:
            raise events.EventNotFound()
        if raw["starts_at"]["S"] <= now:
            raise EventStarted()
        raise EventFull()
    _raise_unexplained(error)


def _commit(write: Callable[[TransactWrite], None]) -> None:
    """Run one TransactWrite, retried after a jittered pause while it only conflicted."""
    for attempt in range(_ATTEMPTS):
        try:
            with TransactWrite(connection=dynamodb.connection()) as transaction:
                write(transaction)
            return
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not only_conflicts(error.cancellation_reasons):
                raise
        time.sleep(random.uniform(0, _BACKOFF_SECONDS * 2**attempt))


def only_conflicts(reasons: list[Any]) -> bool:
    """True when every item of a cancelled transaction failed only by colliding with another."""
    codes = {reason.code for reason in reasons if reason is not None}
    return codes == {_TRANSACTION_CONFLICT}


def _raise_unexplained(error: TransactWriteError) -> NoReturn:
    if only_conflicts(error.cancellation_reasons):
        raise Contended() from None
    raise error


def _reasons(error: TransactWriteError, count: int) -> list[Any]:
    reasons = list(error.cancellation_reasons)
    return (reasons + [None] * count)[:count]


def _booking_from(reason: Any) -> models.Booking | None:
    return models.Booking.from_raw_data(reason.raw_item) if reason.raw_item else None


def _status_is(status: str | None) -> Any:
    return models.Booking.status == status if status is not None else None


def _created_view(booking: models.Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "event": {
            "id": booking.event_id,
            "name": booking.event.name,
            "date": booking.event.starts_at,
        },
        "created_at": booking.created_at,
    }


def _attendee_view(booking: models.Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "user": {"id": booking.user_id, "name": booking.user.name, "email": booking.user.email},
    }
