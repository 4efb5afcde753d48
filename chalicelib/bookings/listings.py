"""Who booked what: the caller's own bookings (with their places in line) and an event's
attendees as its organisers see them."""

from __future__ import annotations

from typing import Any

from chalicelib import auth, dynamodb, events, models, pagination, waitlist
from chalicelib.bookings.errors import BookingNotFound
from chalicelib.bookings.items import booking_by_id
from chalicelib.bookings.views import attendee_view, booking_view

_MINE_KEY = pagination.key_names(models.Booking, models.Booking.newest_first)
_ATTENDEES_KEY = pagination.key_names(models.Booking, models.Booking.by_event)


def list_mine(
    caller: auth.Caller,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The caller's bookings, newest first (one Query), a waiting one with its position: the
    events they wait for are read in one BatchGetItem however many, and for a token not yet
    looked up the account and revocation check ride in it, so the answer costs two DynamoDB
    calls and nothing is answered before the check passes."""
    page = _my_page(caller.user_id, status, limit, cursor)
    waited_for = [
        (models.Event, booking.event_id)
        for booking in page.items
        if booking.status == models.WAITLISTED
    ]
    _, found = auth.authenticate_with(caller, waited_for)

    def position(booking: models.Booking) -> int | None:
        event = found.get((models.Event, booking.event_id))
        if booking.status != models.WAITLISTED or event is None:
            return None
        return waitlist.position(event, booking.user_id)

    return {
        "bookings": [booking_view(booking, position(booking)) for booking in page.items],
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
    page = _attendee_page(event_id, status, limit, cursor)
    return {
        "event": events.admin_event_view(event),
        "attendees": [attendee_view(booking) for booking in page.items],
        "next_cursor": page.next_cursor,
    }


def attendees_by_standing(
    event_id: str, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """A page of an event's attendees as its organisers look at it: the confirmed, the
    waiting in line order (by the line on the event item, read with the event, so the
    order is the one promotion follows), the cancelled and the held (paid seats awaiting
    payment), each apart."""
    event = events.find(event_id)
    page = _attendee_page(event_id, None, limit, cursor)
    people = {booking.user_id: attendee_view(booking) for booking in page.items}
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
        # Paid seats held (or offered) until their attendee pays.
        "held": [p for p in people.values() if p["status"] == models.PENDING_PAYMENT],
        "next_cursor": page.next_cursor,
    }


def attendee(event_id: str, booking_id: str) -> dict[str, Any]:
    """One booking of an event, as its attendee list shows it (admins); 404 when the booking
    is unknown or belongs to another event."""
    booking = booking_by_id(booking_id)
    if booking is None or booking.event_id != event_id:
        raise BookingNotFound()
    return {**attendee_view(booking), "event": booking_view(booking)["event"]}


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


def _status_is(status: str | None) -> Any:
    return models.Booking.status == status if status is not None else None
