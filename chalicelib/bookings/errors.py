"""Every error a booking, a waiting line or a cancellation answers with (each maps to its
HTTP status and JSON shape through ``chalicelib.errors``)."""

from __future__ import annotations

from typing import Any

from chalicelib import errors


class BookingNotFound(errors.NotFound):
    """No such booking, or someone else's (its existence is not the caller's to learn)."""

    default_message = "No such booking."


class AlreadyBooked(errors.Conflict):
    """The caller already holds a seat at this event."""

    code = "already_booked"
    default_message = "You have already booked this event; see GET /bookings/my."


class AlreadyWaitlisted(errors.Conflict):
    """The caller is already in this event's waiting line."""

    code = "already_waitlisted"
    default_message = "You are already on this event's waiting list; see GET /bookings/my."


class EventFull(errors.Conflict):
    """No seat is left for a newcomer (its message says whether the line has room)."""

    code = "event_full"
    default_message = (
        "No seats are left for this event, but its waiting list is open: join it with "
        "POST /events/{event_id}/waitlist and the next freed seat is yours when you are first."
    )


FULL_AND_NO_LIST = "No seats are left for this event, and its waiting list is full."


class SeatsAvailable(errors.Conflict):
    """A join of a line that is not needed: the event still has seats to book."""

    code = "seats_available"
    default_message = "This event still has seats: book one with POST /bookings/ instead."


class WaitlistFull(errors.Conflict):
    """The event's waiting line has no room (or the event has none)."""

    code = "waitlist_full"
    default_message = "This event's waiting list is full (or it has none)."


class EventStarted(errors.Conflict):
    """The event has started: it can no longer be booked or joined."""

    code = "event_started"
    default_message = "This event has already started and can no longer be booked."


class StartedNoCancelling(EventStarted):
    """The event has started: its bookings can no longer be cancelled by their users."""

    default_message = "This event has already started; its bookings can no longer be cancelled."


class CancellationClosed(errors.Conflict):
    """The event's cancellation window (``cancellable_until_hours``) has closed."""

    code = "cancellation_closed"
    default_message = (
        "This event can no longer be cancelled: its cancellation window closed "
        "(see the event's cancellable_until_hours)."
    )


class AlreadyCancelled(errors.Conflict):
    """The booking was cancelled already."""

    code = "already_cancelled"
    default_message = "This booking is already cancelled."


class Contended(errors.Conflict):
    """Every try collided with other writers of the event (``retries`` bounds the tries)."""

    code = "try_again"
    default_message = "Many people are booking this event right now; try again in a moment."


class SeriesNotFound(errors.NotFound):
    """No such series, or none of its dates is still to come."""

    default_message = "No such series, or none of its dates is still to come."


class CourseOnly(errors.Conflict):
    """A date of a course: booked (and waited for) only with the whole course."""

    code = "course_only"
    default_message = (
        "This date belongs to a course, booked as a whole: use POST /series/{series_id}/bookings."
    )


class CourseTooLong(errors.Conflict):
    """A course with more dates than one transaction can book (COURSE_MAX_OCCURRENCES)."""

    code = "course_too_long"
    default_message = "This course has more dates than can be booked at once."


class NotMovable(errors.Conflict):
    """Only a confirmed booking of a drop-in series' date can be moved."""

    code = "not_movable"
    default_message = "Only a confirmed booking of a drop-in series' date can be moved."


class BookingSuspended(errors.Conflict):
    """Too many no-shows: the account may not book or join a waiting list until ``until``."""

    code = "booking_suspended"
    default_message = (
        "Your account is suspended from booking after repeated no-shows, until the time in "
        "`until`. Your existing bookings are kept."
    )

    def __init__(self, until: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.until = until

    def body(self) -> dict[str, Any]:
        body = super().body()
        body["error"]["until"] = self.until
        return body
