"""Checking someone in, and undoing it, by booking id (the API, a roster's button) or by the
code of the booking's QR (the phone page).

Only the event's facilitator or an admin (``event_staff.runs_event``); to anyone else the
booking is 404, as to a stranger. A check-in is one conditional UpdateItem of the booking
(confirmed, still this booking, attendance unknown), so two phones checking the same person in
at once make one write: the other finds the booking checked in and answers the same state, and
the stream sends one ``booking.checked_in``.

Then the event is marked as one where attendance was taken (``awaiting_no_shows``, the sparse
index the no-show job reads) in a second conditional update rather than a TransactWrite with
the booking: a transaction would cost twice the writes and collide with everyone booking the
event, and the order makes a crash between the two safe. The booking is written first; the
mark is written after every check-in answer, a repeated one included, so a check-in whose
mark was lost gets it on the next tap, and until then its event only stays out of the no-show
run (nobody is marked a no-show wrongly). The job itself looks at the bookings, not at a
count: an event whose check-ins were all undone marks nobody.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import auth, clock, event_staff, models
from chalicelib.attendance import codes
from chalicelib.attendance.errors import CheckinClosed, NotConfirmed
from chalicelib.bookings import items
from chalicelib.bookings.errors import BookingNotFound
from chalicelib.config import get_settings
from chalicelib.transactions import condition_failed


def check_in(principal: auth.Principal, booking_id: str) -> dict[str, Any]:
    """Check the booking's attendee in; again: the same answer (same ``checked_in_at``)."""
    booking, event = booking_for_staff(principal, booking_id)
    return _check_in(booking, event)


def check_in_by_code(principal: auth.Principal, code: str) -> dict[str, Any]:
    """``check_in`` for the booking a QR code names."""
    booking, event = booking_for_code(principal, code)
    return _check_in(booking, event)


def undo(principal: auth.Principal, booking_id: str) -> dict[str, Any]:
    """Back to unknown, until the window closes (the no-show run comes after it)."""
    booking, event = booking_for_staff(principal, booking_id)
    if booking.status != models.CONFIRMED:
        raise NotConfirmed()
    _raise_if_closed(event, clock.now())
    model = models.Booking
    try:
        booking.update(
            actions=[
                model.attendance.remove(),
                model.checked_in_at.remove(),
                model.updated_at.set(clock.to_iso_ms(clock.now())),
            ],
            condition=(model.booking_id == booking.booking_id)
            & (model.attendance == models.ATTENDANCE_CHECKED_IN),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        current = _current(booking)
        if current.attendance == models.ATTENDANCE_NO_SHOW:
            raise CheckinClosed() from None
        return checked_in_view(current)
    booking.attendance = booking.checked_in_at = None
    return checked_in_view(booking)


def checked_in_view(booking: models.Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "attendance": booking.attendance or models.ATTENDANCE_UNKNOWN,
        "checked_in_at": booking.checked_in_at,
    }


def booking_for_staff(
    principal: auth.Principal, booking_id: str
) -> tuple[models.Booking, models.Event]:
    """The booking and its event, for the event's facilitator or an admin; 404 otherwise."""
    booking = items.booking_by_id(booking_id)
    event = items.event_or_none(booking.event_id) if booking is not None else None
    # Not theirs to run: the same 404 as a booking that does not exist.
    if booking is None or event is None or not event_staff.runs_event(principal, event):
        raise BookingNotFound()
    return booking, event


def booking_for_code(principal: auth.Principal, code: str) -> tuple[models.Booking, models.Event]:
    """The booking a code was issued for, at the event it was issued for; 404 for a forged
    code, one of a booking moved to another event, or one of another facilitator's event."""
    booking_id = codes.booking_id_of(code)
    if booking_id is None:
        raise BookingNotFound()
    booking, event = booking_for_staff(principal, booking_id)
    if not codes.matches(code, booking.booking_id, booking.event_id):
        raise BookingNotFound()
    return booking, event


def window(event: models.Event) -> tuple[datetime, datetime]:
    """When check-in opens and closes for ``event``."""
    settings = get_settings()
    opens = clock.parse_iso(event.starts_at) - timedelta(minutes=settings.checkin_opens_minutes)
    closes = clock.parse_iso(event.ends_at) + timedelta(minutes=settings.no_show_grace_minutes)
    return opens, closes


def _check_in(booking: models.Booking, event: models.Event) -> dict[str, Any]:
    if booking.status != models.CONFIRMED:
        raise NotConfirmed()
    if booking.attendance != models.ATTENDANCE_CHECKED_IN:
        now = clock.now()
        _raise_if_closed(event, now)
        booking = _write_check_in(booking, clock.to_iso_ms(now))
    _mark_attendance_taken(event, booking.checked_in_at)
    return checked_in_view(booking)


def _write_check_in(booking: models.Booking, at: str) -> models.Booking:
    model = models.Booking
    try:
        booking.update(
            actions=[
                model.attendance.set(models.ATTENDANCE_CHECKED_IN),
                model.checked_in_at.set(at),
                # The webhook's occurred_at.
                model.updated_at.set(at),
            ],
            condition=(model.booking_id == booking.booking_id)
            & (model.status == models.CONFIRMED)
            & model.attendance.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        current = _current(booking)
        if current.status != models.CONFIRMED:
            raise NotConfirmed() from None
        if current.attendance != models.ATTENDANCE_CHECKED_IN:
            raise CheckinClosed() from None  # marked a no-show meanwhile
        return current  # another phone was first: its check-in stands
    return booking


def _current(booking: models.Booking) -> models.Booking:
    current = items.booking_or_none(booking.user_id, booking.event_id)
    if not items.same(current, booking):
        raise BookingNotFound() from None
    assert current is not None
    return current


def _raise_if_closed(event: models.Event, now: datetime) -> None:
    opens, closes = window(event)
    if event.no_shows_marked_at is not None or not opens <= now <= closes:
        raise CheckinClosed()


def _mark_attendance_taken(event: models.Event, at: str | None) -> None:
    if event.awaiting_no_shows is not None or event.no_shows_marked_at is not None:
        return
    model = models.Event
    try:
        event.update(
            actions=[
                model.attendance_taken_at.set(model.attendance_taken_at | (at or "")),
                model.awaiting_no_shows.set(models.ATTENDANCE_TAKEN),
            ],
            # Once its no-shows are marked an event is done with.
            condition=model.no_shows_marked_at.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
