"""Cancelling a booking: a confirmed one gives up its seat, a waiting one leaves its line."""

from __future__ import annotations

from typing import Any

from chalicelib import auth, models
from chalicelib.bookings.errors import AlreadyCancelled, BookingNotFound
from chalicelib.bookings.items import booking_by_id
from chalicelib.bookings.seats import give_up_seat
from chalicelib.bookings.series_bookings import cancel_course
from chalicelib.bookings.waiting_line import leave


def cancel(principal: auth.Principal, booking_id: str) -> dict[str, Any]:
    """Cancel a booking (its owner or an admin): a confirmed one gives its seat to the first
    in line, or back to the event when nobody waits; a waitlisted one leaves the line; a
    date of a course cancels the whole course."""
    booking = booking_by_id(booking_id)
    # Someone else's booking is "not found": its existence is not theirs to learn.
    if booking is None or not (principal.is_admin or booking.user_id == principal.user_id):
        raise BookingNotFound()
    if booking.status == models.WAITLISTED:
        return leave(principal, booking)
    if booking.status != models.CONFIRMED:
        raise AlreadyCancelled()
    if booking.course_series_id is not None:
        # A course stands and falls whole: cancelling any date cancels every date.
        return cancel_course(principal, booking)
    return give_up_seat(principal, booking)
