"""Bookings: one seat per user and event, taken and given back in single transactions, and
the waiting list of a full event, whose first in line gets a freed seat in the transaction
that frees it.

Nothing is checked-then-written. The booking's key (user, event) is the duplicate guard
(whatever its status: confirmed, waitlisted or cancelled), and the seat count, the line
(``chalicelib.waitlist``) and the start time are conditions on the event item in the same
TransactWrite, so thirty retries of one click or two hundred people racing for the last seat
still leave exactly as many confirmed bookings as ``seats_taken`` says, and each freed seat
goes to exactly one person in line.

Each booking carries copies of what the CRM webhook needs (event name and times, user name
and email, the facilitator's CRM id): the stream record alone describes it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, dynamodb, errors, events, ids, models, pagination, waitlist
from chalicelib.transactions import commit, failed_condition, only_conflicts, reasons

_MINE_KEY = pagination.key_names(models.Booking, models.Booking.newest_first)
_ATTENDEES_KEY = pagination.key_names(models.Booking, models.Booking.by_event)
# A transaction on the line is tried again when the line moved between reading it and
# writing (someone joined, left or was promoted): each try hands back the line as it is now.
# A wave of N people joining at once needs up to N tries for the last of them; a short
# jittered pause between tries spreads a wave out so that the tries do not collide again.
_LINE_ATTEMPTS = 40
_LINE_PAUSE_SECONDS = 0.002
_LINE_PAUSE_MOST_SECONDS = 0.05
# BatchGetItem takes 100 keys; the account and the token's revocation marker take two.
_BATCH_KEYS = 100


class BookingNotFound(errors.NotFound):
    default_message = "No such booking."


class AlreadyBooked(errors.Conflict):
    code = "already_booked"
    default_message = "You have already booked this event; see GET /bookings/my."


class AlreadyWaitlisted(errors.Conflict):
    code = "already_waitlisted"
    default_message = "You are already on this event's waiting list; see GET /bookings/my."


class EventFull(errors.Conflict):
    code = "event_full"
    default_message = (
        "No seats are left for this event, but its waiting list is open: join it with "
        "POST /events/{event_id}/waitlist and the next freed seat is yours when you are first."
    )


class SeatsAvailable(errors.Conflict):
    code = "seats_available"
    default_message = "This event still has seats: book one with POST /bookings/ instead."


class WaitlistFull(errors.Conflict):
    code = "waitlist_full"
    default_message = "This event's waiting list is full (or it has none)."


class EventStarted(errors.Conflict):
    code = "event_started"
    default_message = "This event has already started and can no longer be booked."


class StartedNoCancelling(EventStarted):
    default_message = "This event has already started; its bookings can no longer be cancelled."


class CancellationClosed(errors.Conflict):
    code = "cancellation_closed"
    default_message = (
        "This event can no longer be cancelled: its cancellation window closed "
        "(see the event's cancellable_until_hours)."
    )


class AlreadyCancelled(errors.Conflict):
    code = "already_cancelled"
    default_message = "This booking is already cancelled."


class Contended(errors.Conflict):
    code = "try_again"
    default_message = "Many people are booking this event right now; try again in a moment."


_FULL_AND_NO_LIST = "No seats are left for this event, and its waiting list is full."


def book(
    principal: auth.Principal, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Take a seat for the caller. A retry carrying the same ``idempotency_key`` as the
    booking that succeeded gets that booking's original answer instead of 409."""
    return _book(principal, _event_or_none(event_id), idempotency_key)


def authenticate_and_book(
    token: auth.VerifiedToken, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """``book`` for an HTTP request whose token is verified but not yet looked up: the
    revocation and account check and the event read share one BatchGetItem, so a booking
    costs two DynamoDB calls in all (that and the TransactWriteItems)."""
    event_key = (models.Event, event_id)
    principal, found = auth.authenticate_with(token, [event_key])
    return _book(principal, found.get(event_key), idempotency_key)


def join_waitlist(
    principal: auth.Principal, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Join a full event's waiting list; the answer says where in line the caller is."""
    return _join(principal, _event_or_none(event_id), idempotency_key)


def authenticate_and_join_waitlist(
    token: auth.VerifiedToken, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """``join_waitlist`` in two DynamoDB calls, as ``authenticate_and_book``."""
    event_key = (models.Event, event_id)
    principal, found = auth.authenticate_with(token, [event_key])
    return _join(principal, found.get(event_key), idempotency_key)


def cancel(principal: auth.Principal, booking_id: str) -> dict[str, Any]:
    """Cancel a booking (its owner or an admin): a confirmed one gives its seat to the first
    in line, or back to the event when nobody waits; a waitlisted one leaves the line."""
    booking = next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)
    # Someone else's booking is "not found": its existence is not theirs to learn.
    if booking is None or not (principal.is_admin or booking.user_id == principal.user_id):
        raise BookingNotFound()
    if booking.status == models.WAITLISTED:
        return _leave(principal, booking)
    if booking.status != models.CONFIRMED:
        raise AlreadyCancelled()
    return _give_up_seat(principal, booking)


def list_mine(
    principal: auth.Principal,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The caller's bookings, newest first (one Query), a waiting one with its position
    (one BatchGetItem of the events they wait for, however many)."""
    page = _my_page(principal.user_id, status, limit, cursor)
    keys = _waited_for(page.items)
    return _mine_view(page, _read_events(keys))


def authenticate_and_list_mine(
    token: auth.VerifiedToken,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """``list_mine`` for an HTTP request whose token is verified but not yet looked up: the
    account and revocation check ride in the BatchGetItem that reads the events waited for,
    so the answer costs two DynamoDB calls (the Query and that), and nothing is answered
    before the check passes."""
    page = _my_page(token.user_id, status, limit, cursor)
    keys = _waited_for(page.items)
    riding, rest = keys[: _BATCH_KEYS - 2], keys[_BATCH_KEYS - 2 :]
    _, found = auth.authenticate_with(token, riding)
    return _mine_view(page, {**found, **_read_events(rest)})


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
    page = _attendee_page(event_id, status, limit, cursor)
    return {
        "event": events.admin_event_view(event),
        "attendees": [_attendee_view(booking) for booking in page.items],
        "next_cursor": page.next_cursor,
    }


def attendees_by_standing(
    event_id: str, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """A page of an event's attendees as its organisers look at it: the confirmed, the
    waiting in line order (by the line on the event item, read with the event, so the
    order is the one promotion follows) and the cancelled, each apart."""
    event = events.find(event_id)
    page = _attendee_page(event_id, None, limit, cursor)
    people = {booking.user_id: _attendee_view(booking) for booking in page.items}
    line = waitlist.line(event)
    waiting = [
        people[user_id]
        for user_id in line
        if user_id in people and people[user_id]["status"] == models.WAITLISTED
    ]
    return {
        "event": events.admin_event_view(event),
        "confirmed": [p for p in people.values() if p["status"] == models.CONFIRMED],
        "waiting": [{**p, "position": line.index(p["user"]["id"]) + 1} for p in waiting],
        "cancelled": [p for p in people.values() if p["status"] == models.CANCELLED],
        "next_cursor": page.next_cursor,
    }


def _attendee_page(event_id: str, status: str | None, limit: int, cursor: str | None) -> Any:
    return pagination.fetch_page(
        lambda size, key: models.Booking.by_event.query(
            event_id, filter_condition=_status_is(status), page_size=size, last_evaluated_key=key
        ),
        models.Booking,
        _ATTENDEES_KEY,
        limit,
        pagination.start_key(cursor, _ATTENDEES_KEY, {"event_id": event_id}),
    )


def attendee(event_id: str, booking_id: str) -> dict[str, Any]:
    """One booking of an event, as its attendee list shows it (admins); 404 when the booking
    is unknown or belongs to another event."""
    booking = next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)
    if booking is None or booking.event_id != event_id:
        raise BookingNotFound()
    return {**_attendee_view(booking), "event": booking_view(booking)["event"]}


def booking_view(booking: models.Booking, position: int | None = None) -> dict[str, Any]:
    view = {
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
    if position is not None:
        view["position"] = position
    return view


# --- Taking a seat ---


def _book(
    principal: auth.Principal, event: models.Event | None, idempotency_key: str | None
) -> dict[str, Any]:
    if event is None or event.listing != models.PUBLISHED:
        raise events.EventNotFound()
    now = clock.now()
    booking = _new_booking(principal, event, models.CONFIRMED, now, idempotency_key)

    def write(transaction: TransactWrite) -> None:
        # Order matters: cancellation reasons come back in this order (puts before updates).
        transaction.save(booking, condition=_may_hold(), return_values="ALL_OLD")
        transaction.update(
            models.Event(event.event_id),
            actions=[models.Event.seats_taken.add(1)],
            # Nobody waiting: a seat freed while people wait is theirs, never a newcomer's.
            condition=(models.Event.seats_taken < models.Event.capacity)
            & _bookable(now)
            & waitlist.count_is(0),
            return_values="ALL_OLD",
        )

    try:
        commit(write)
    except TransactWriteError as error:
        return _created_view(_refused(error, idempotency_key, clock.to_iso(now)))
    return _created_view(booking)


def _refused(error: TransactWriteError, idempotency_key: str | None, now: str) -> models.Booking:
    """Why a booking transaction was cancelled, as the caller's error, or the booking to
    replay when this is a retry of one that succeeded."""
    booking_reason, event_reason = reasons(error, 2)
    if failed_condition(booking_reason):
        existing = _booking_from(booking_reason)
        if existing is not None and idempotency_key and existing.idempotency_key == idempotency_key:
            return existing
        if existing is not None and existing.status == models.WAITLISTED:
            raise AlreadyWaitlisted()
        raise AlreadyBooked()
    current = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
    if current is not None:
        _raise_if_not_bookable(current, now)
        if waitlist.count(current) >= waitlist.capacity(current):
            raise EventFull(_FULL_AND_NO_LIST)
        raise EventFull(EventFull.default_message.replace("{event_id}", current.event_id))
    _raise_unexplained(error)


# --- Joining and leaving the waiting list ---


def _join(
    principal: auth.Principal, event: models.Event | None, idempotency_key: str | None
) -> dict[str, Any]:
    if event is None or event.listing != models.PUBLISHED:
        raise events.EventNotFound()
    for attempt in range(_LINE_ATTEMPTS):
        # Stamped after reading the line this try pins, so the line's order is the order of
        # the bookings' created_at.
        now = clock.now()
        booking = _new_booking(principal, event, models.WAITLISTED, now, idempotency_key)
        in_line = waitlist.count(event)
        try:
            commit(_joining(booking, event, now))
        except TransactWriteError as error:
            booking_reason, event_reason = reasons(error, 2)
            if failed_condition(booking_reason):
                return _joined_again(_booking_from(booking_reason), idempotency_key, event)
            current = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
            if current is None:
                _raise_unexplained(error)
            _raise_if_not_bookable(current, clock.to_iso(now))
            if current.seats_taken < current.capacity:
                raise SeatsAvailable() from None
            if waitlist.count(current) >= waitlist.capacity(current):
                raise WaitlistFull() from None
            event = current
            _pause_after_moved_line(attempt)
            continue
        return _created_view(booking, position=in_line + 1)
    raise Contended()


def _joining(
    booking: models.Booking, event: models.Event, now: datetime
) -> Callable[[TransactWrite], None]:
    in_line = waitlist.count(event)

    def write(transaction: TransactWrite) -> None:
        transaction.save(booking, condition=_may_hold(), return_values="ALL_OLD")
        transaction.update(
            models.Event(booking.event_id),
            actions=waitlist.join(booking.user_id),
            # The line as read: the newcomer's position is known exactly (TransactWriteItems
            # returns nothing on success), nobody joined in between (so the line's order is
            # the order of created_at, stamped after that read), and a line that moved
            # meanwhile cancels this try, handing back the line to try again with.
            condition=(models.Event.seats_taken >= models.Event.capacity)
            & _bookable(now)
            & waitlist.unchanged_since(event)
            & waitlist.has_room_after(in_line),
            return_values="ALL_OLD",
        )

    return write


def _joined_again(
    existing: models.Booking | None, idempotency_key: str | None, event: models.Event
) -> dict[str, Any]:
    """A join refused because the caller already has this event: the original answer for a
    retry of the join that went through, else why not."""
    if existing is not None and idempotency_key and existing.idempotency_key == idempotency_key:
        return _created_view(existing, position=waitlist.position(event, existing.user_id))
    if existing is not None and existing.status == models.WAITLISTED:
        raise AlreadyWaitlisted()
    raise AlreadyBooked()


def _leave(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    """Take a waiting booking out of its line; those behind it move up one."""
    left_at = clock.to_iso_ms(clock.now())
    now = clock.to_iso(clock.now())
    event = _event_or_none(booking.event_id)
    for attempt in range(_LINE_ATTEMPTS):
        position = waitlist.position(event, booking.user_id) if event is not None else None
        if position is None:
            # Not in the line it was read in: promoted since (the line and the booking change
            # in one transaction), so this is now a seat to give up.
            return _cancel_current(principal, booking)
        line_actions, still_there = waitlist.leave(position - 1, booking.user_id)
        if not principal.is_admin:
            still_there &= models.Event.starts_at > now

        def write(
            transaction: TransactWrite,
            line_actions: list[Any] = line_actions,
            still_there: Condition = still_there,
        ) -> None:
            _cancel_in(transaction, booking, models.WAITLISTED, left_at)
            transaction.update(
                models.Event(booking.event_id),
                actions=line_actions,
                condition=still_there,
                return_values="ALL_OLD",
            )

        try:
            commit(write)
        except TransactWriteError as error:
            booking_reason, event_reason = reasons(error, 2)
            if failed_condition(booking_reason):
                current = _booking_from(booking_reason)
                if _same(current, booking) and current.status == models.CONFIRMED:
                    return _give_up_seat(principal, current)
                _raise_not_cancellable(current, booking)
            event = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
            if event is None:
                _raise_unexplained(error)
            if not principal.is_admin and event.starts_at <= now:
                raise StartedNoCancelling() from None
            _pause_after_moved_line(attempt)
            continue
        return _cancelled_view(booking, left_at)
    raise Contended()


# --- Giving up a seat, and promoting the first in line ---


def _give_up_seat(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    """Cancel a confirmed booking. Its seat goes to the first in line in the same
    transaction (``seats_taken`` stays), or back to the event when nobody waits.

    The first try assumes nobody waits: the common case costs one TransactWrite. When someone
    does, that try is cancelled and hands back the event item with its line; the next try
    promotes the first in line, conditioned on them still being first. A line that moved
    meanwhile hands back the new one, and the next try promotes the new first in line.
    """
    cancelled_at = clock.to_iso_ms(clock.now())
    now = clock.to_iso(clock.now())
    event: models.Event | None = None
    for attempt in range(_LINE_ATTEMPTS):
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
            condition &= (models.Event.starts_at > now) & _cancel_window_open(now)

        def write(
            transaction: TransactWrite,
            actions: list[Any] = actions,
            condition: Condition = condition,
            promoted: list[str] = promoted,
        ) -> None:
            _cancel_in(transaction, booking, models.CONFIRMED, cancelled_at)
            transaction.update(
                models.Event(booking.event_id),
                actions=actions,
                condition=condition,
                return_values="ALL_OLD",
            )
            waitlist.promote(transaction, booking.event_id, promoted, cancelled_at)

        try:
            commit(write)
        except TransactWriteError as error:
            booking_reason, event_reason = reasons(error, 2)
            if failed_condition(booking_reason):
                _raise_not_cancellable(_booking_from(booking_reason), booking)
            event = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
            if event is None:
                # The line and the bookings change together, so a first in line whose booking
                # is not waiting cannot be: nothing here explains it.
                _raise_unexplained(error)
            if not principal.is_admin:
                _raise_if_not_cancellable(event, now)
            if attempt:
                # The first try only learnt that someone waits; later ones met a moved line.
                _pause_after_moved_line(attempt)
            continue
        return _cancelled_view(booking, cancelled_at)
    raise Contended()


def _cancel_current(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    current = _booking_or_none(booking.user_id, booking.event_id)
    if _same(current, booking) and current.status == models.CONFIRMED:
        return _give_up_seat(principal, current)
    _raise_not_cancellable(current, booking)


def _cancel_in(transaction: TransactWrite, booking: models.Booking, status: str, at: str) -> None:
    transaction.update(
        booking,
        actions=[
            models.Booking.status.set(models.CANCELLED),
            models.Booking.updated_at.set(at),
        ],
        # The booking id too: the same (user, event) item may be a newer booking by now.
        condition=(models.Booking.status == status)
        & (models.Booking.booking_id == booking.booking_id),
        return_values="ALL_OLD",
    )


def _raise_not_cancellable(current: models.Booking | None, booking: models.Booking) -> NoReturn:
    if _same(current, booking):
        raise AlreadyCancelled() from None
    raise BookingNotFound() from None


def _raise_if_not_cancellable(event: models.Event, now: str) -> None:
    if event.starts_at <= now:
        raise StartedNoCancelling() from None
    if event.cancellable_until is not None and event.cancellable_until <= now:
        raise CancellationClosed() from None


def _cancelled_view(booking: models.Booking, at: str) -> dict[str, Any]:
    booking.status = models.CANCELLED
    booking.updated_at = at
    return booking_view(booking)


# --- Shared ---


def _new_booking(
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
    webhook. (The seed data and the tests write bookings through this too, so theirs cannot
    drift from the service's.)"""
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
    )


def _may_hold() -> Condition:
    """The caller holds nothing of this event yet: no item, or only a cancelled one."""
    return models.Booking.user_id.does_not_exist() | (models.Booking.status == models.CANCELLED)


def _bookable(now: datetime) -> Condition:
    return (models.Event.starts_at > clock.to_iso(now)) & (models.Event.listing == models.PUBLISHED)


def _cancel_window_open(now: str) -> Condition:
    until = models.Event.cancellable_until
    return until.does_not_exist() | (until > now)


def _raise_if_not_bookable(event: models.Event, now: str) -> None:
    if event.listing != models.PUBLISHED:
        raise events.EventNotFound() from None
    if event.starts_at <= now:
        raise EventStarted() from None


def _event_or_none(event_id: str) -> models.Event | None:
    try:
        return models.Event.get(event_id, consistent_read=True)
    except models.Event.DoesNotExist:
        return None


def _booking_or_none(user_id: str, event_id: str) -> models.Booking | None:
    try:
        return models.Booking.get(user_id, event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        return None


def _same(current: models.Booking | None, booking: models.Booking) -> bool:
    return current is not None and current.booking_id == booking.booking_id


def _my_page(user_id: str, status: str | None, limit: int, cursor: str | None) -> Any:
    return pagination.fetch_page(
        lambda size, key: models.Booking.newest_first.query(
            user_id,
            filter_condition=_status_is(status),
            scan_index_forward=False,
            consistent_read=True,
            page_size=size,
            last_evaluated_key=key,
        ),
        models.Booking,
        _MINE_KEY,
        limit,
        pagination.start_key(cursor, _MINE_KEY, {"user_id": user_id}),
    )


def _waited_for(bookings: list[models.Booking]) -> list[dynamodb.ItemKey]:
    """The events these bookings wait for: their lines hold the positions."""
    return [(models.Event, b.event_id) for b in bookings if b.status == models.WAITLISTED]


def _read_events(keys: list[dynamodb.ItemKey]) -> dict[dynamodb.ItemKey, Any]:
    found: dict[dynamodb.ItemKey, Any] = {}
    for start in range(0, len(keys), _BATCH_KEYS):
        found.update(dynamodb.batch_get(keys[start : start + _BATCH_KEYS]))
    return found


def _mine_view(page: Any, events_found: dict[dynamodb.ItemKey, Any]) -> dict[str, Any]:
    def position(booking: models.Booking) -> int | None:
        event = events_found.get((models.Event, booking.event_id))
        if booking.status != models.WAITLISTED or event is None:
            return None
        return waitlist.position(event, booking.user_id)

    return {
        "bookings": [booking_view(booking, position(booking)) for booking in page.items],
        "next_cursor": page.next_cursor,
    }


def _pause_after_moved_line(attempt: int) -> None:
    time.sleep(random.uniform(0, min(_LINE_PAUSE_SECONDS * 2**attempt, _LINE_PAUSE_MOST_SECONDS)))


def _raise_unexplained(error: TransactWriteError) -> NoReturn:
    if only_conflicts(error.cancellation_reasons):
        raise Contended() from None
    raise error


def _booking_from(reason: Any) -> models.Booking | None:
    return models.Booking.from_raw_data(reason.raw_item) if reason.raw_item else None


def _status_is(status: str | None) -> Any:
    return models.Booking.status == status if status is not None else None


def _created_view(booking: models.Booking, position: int | None = None) -> dict[str, Any]:
    view = {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "event": {
            "id": booking.event_id,
            "name": booking.event.name,
            "date": booking.event.starts_at,
        },
        "created_at": booking.created_at,
    }
    if position is not None:
        view["position"] = position
    return view


def _attendee_view(booking: models.Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "status": booking.status,
        "created_at": booking.created_at,
        "user": {"id": booking.user_id, "name": booking.user.name, "email": booking.user.email},
    }
