"""Attendance: checking people in (an event's facilitator or an admin), and lifting a
no-show suspension (admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import attendance, bookings
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import ADMIN, USER, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
else:
    from chalicelib.openapi import answers

routes = Routes()

_WHO = (
    "The event's facilitator or an admin; to anyone else the booking is 404, as an unknown "
    "one. Open from `CHECKIN_OPENS_MINUTES` before the start until `NO_SHOW_GRACE_MINUTES` "
    "after the end (409 `checkin_closed`)."
)


@routes.route(
    "/bookings/{booking_id}/check-in",
    "POST",
    access=USER,
    tag="Attendance",
    summary="Check a confirmed booking's attendee in",
    description=(
        f"{_WHO} Checking in again answers the same state (the same `checked_in_at`); two "
        "at once make one check-in and one `booking.checked_in` webhook. No body is needed."
    ),
    answer=Answer(200, "Checked in.", answers.Attendance, examples.CHECKED_IN),
    domain_errors=(
        bookings.BookingNotFound(),
        attendance.NotConfirmed(),
        attendance.CheckinClosed(),
    ),
)
def check_in(principal, booking_id):
    return attendance.check_in(principal, booking_id)


@routes.route(
    "/bookings/{booking_id}/check-in",
    "DELETE",
    access=USER,
    tag="Attendance",
    summary="Undo a check-in",
    description=f"{_WHO} Attendance goes back to `unknown`; no webhook is sent.",
    answer=Answer(200, "Not checked in.", answers.Attendance, examples.CHECK_IN_UNDONE),
    domain_errors=(
        bookings.BookingNotFound(),
        attendance.NotConfirmed(),
        attendance.CheckinClosed(),
    ),
)
def undo_check_in(principal, booking_id):
    return attendance.undo(principal, booking_id)


@routes.route(
    "/admin/users/{user_id}/suspension",
    "DELETE",
    access=ADMIN,
    tag="Admin",
    summary="Lift a no-show suspension",
    description=(
        "The account may book again at once; the strikes that caused the suspension are "
        "forgotten, so they cannot suspend it again."
    ),
    answer=Answer(200, "Lifted.", answers.SuspensionLifted, examples.SUSPENSION_LIFTED),
    domain_errors=(attendance.SuspensionNotFound(),),
)
def lift_suspension(user_id):
    return attendance.lift_suspension(user_id)
