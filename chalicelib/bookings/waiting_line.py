"""Joining a full event's waiting line, and leaving it (those behind move up one)."""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, events, models, waitlist
from chalicelib.bookings import items
from chalicelib.bookings.errors import (
    AlreadyWaitlisted,
    SeatsAvailable,
    StartedNoCancelling,
    WaitlistFull,
)
from chalicelib.bookings.line_retry import LineTry, retry_while_line_moves
from chalicelib.bookings.seats import give_up_seat
from chalicelib.bookings.views import cancelled_view, created_view


def join_waitlist(
    caller: auth.Caller, event_id: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Join a full event's waiting list; the answer says where in line the caller is. For a
    token not yet looked up this costs two DynamoDB calls, as ``book``."""
    principal, event = items.caller_and_event(caller, event_id)
    if event is None or event.listing != models.PUBLISHED:
        raise events.EventNotFound()
    # A course has no waiting list of a date: its seats are taken and given back together.
    items.raise_if_course_date(event)
    return retry_while_line_moves(lambda seen: _join_try(principal, seen, idempotency_key), event)


def _join_try(
    principal: auth.Principal, event: models.Event, idempotency_key: str | None
) -> LineTry[dict[str, Any]]:
    """A try at joining the line of ``event`` as last read."""
    # Stamped after reading the line this try pins, so the line's order is the order of
    # the bookings' created_at.
    now = clock.now()
    booking = items.new_booking(principal, event, models.WAITLISTED, now, idempotency_key)
    in_line = waitlist.count(event)

    def write(transaction: TransactWrite) -> None:
        items.take_in(transaction, booking)
        transaction.update(
            models.Event(booking.event_id),
            actions=waitlist.join(booking.user_id),
            # The line as read: the newcomer's position is known exactly (TransactWriteItems
            # returns nothing on success), nobody joined in between (so the line's order is
            # the order of created_at, stamped after that read), and a line that moved
            # meanwhile cancels this try, handing back the line to try again with.
            condition=(models.Event.seats_taken >= models.Event.capacity)
            & items.bookable(now)
            & waitlist.unchanged_since(event)
            & waitlist.has_room_after(in_line),
            return_values="ALL_OLD",
        )

    def line_moved(current: models.Event) -> None:
        items.raise_if_not_bookable(current, clock.to_iso(now))
        if current.seats_taken < current.capacity:
            raise SeatsAvailable() from None
        if waitlist.count(current) >= waitlist.capacity(current):
            raise WaitlistFull() from None

    return LineTry(
        write,
        committed=lambda: created_view(booking, position=in_line + 1),
        booking_refused=lambda existing: _joined_again(existing, idempotency_key, event),
        line_moved=line_moved,
    )


def _joined_again(
    existing: models.Booking | None, idempotency_key: str | None, event: models.Event
) -> dict[str, Any]:
    """A join refused because the caller already has this event: the original answer for a
    retry of the join that went through, else why not."""
    if existing is not None and idempotency_key and existing.idempotency_key == idempotency_key:
        return created_view(existing, position=waitlist.position(event, existing.user_id))
    if existing is not None and existing.status == models.WAITLISTED:
        raise AlreadyWaitlisted()
    items.raise_already_booked(existing)


def leave(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    """Take a waiting booking out of its line; those behind it move up one. A booking promoted
    meanwhile (the line and the booking change in one transaction) gives up its seat instead."""
    left_at = clock.to_iso_ms(clock.now())
    now = clock.to_iso(clock.now())

    def line_moved(event: models.Event) -> None:
        if not principal.is_admin and event.starts_at <= now:
            raise StartedNoCancelling() from None

    def booking_refused(current: models.Booking | None) -> dict[str, Any]:
        if items.same(current, booking) and current.status == models.CONFIRMED:
            return give_up_seat(principal, current)
        items.raise_not_cancellable(current, booking)

    def plan(event: models.Event | None) -> LineTry[dict[str, Any]] | dict[str, Any]:
        position = waitlist.position(event, booking.user_id) if event is not None else None
        if position is None:
            # Not in the line it was read in: promoted since, so this is now a seat to give up.
            return _give_up_current(principal, booking)
        line_actions, still_there = waitlist.leave(position - 1, booking.user_id)
        if not principal.is_admin:
            still_there &= models.Event.starts_at > now

        def write(transaction: TransactWrite) -> None:
            items.cancel_in(
                transaction,
                booking,
                models.WAITLISTED,
                left_at,
                items.cancel_reason(principal, booking),
            )
            transaction.update(
                models.Event(booking.event_id),
                actions=line_actions,
                condition=still_there,
                return_values="ALL_OLD",
            )

        return LineTry(
            write,
            committed=lambda: cancelled_view(booking, left_at),
            booking_refused=booking_refused,
            line_moved=line_moved,
        )

    return retry_while_line_moves(plan, items.event_or_none(booking.event_id))


def _give_up_current(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    current = items.booking_or_none(booking.user_id, booking.event_id)
    if items.same(current, booking) and current.status == models.CONFIRMED:
        return give_up_seat(principal, current)
    items.raise_not_cancellable(current, booking)
