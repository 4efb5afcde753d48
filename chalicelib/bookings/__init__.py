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

The modules, by job: ``seats`` (book, give up a seat, promote the first in line),
``waiting_line`` (join, leave), ``series_bookings`` (a whole series: a drop-in one date by
date, a course in one transaction), ``moves`` (to another date of the series),
``cancellation`` (which of those a cancel is), ``listings`` (my bookings, an event's
attendees), ``views`` (the answers' shapes), ``items`` (the booking item and what the writers
share), ``line_retry`` (the loop every change to the line runs in), ``errors``.
What other modules may use is re-exported here.

Each action has one entry point for the API and the dashboard: its ``caller`` is either an
``auth.VerifiedToken`` (the API: the account and revocation check ride in the read the
action makes anyway) or an ``auth.Principal`` already authenticated (the dashboard).
"""

from chalicelib.bookings.cancellation import cancel
from chalicelib.bookings.errors import (
    AlreadyBooked,
    AlreadyCancelled,
    AlreadyWaitlisted,
    BookingNotFound,
    BookingSuspended,
    CancellationClosed,
    Contended,
    CourseOnly,
    CourseTooLong,
    EventFull,
    EventStarted,
    NotMovable,
    SeatsAvailable,
    SeriesNotFound,
    StartedNoCancelling,
    WaitlistFull,
)
from chalicelib.bookings.items import booking_item
from chalicelib.bookings.listings import (
    attendee,
    list_attendees,
    list_mine,
    mine_for_events,
    roster,
)
from chalicelib.bookings.moves import move
from chalicelib.bookings.seats import book
from chalicelib.bookings.series_bookings import book_series
from chalicelib.bookings.views import booking_view
from chalicelib.bookings.waiting_line import join_waitlist

__all__ = [
    "AlreadyBooked",
    "AlreadyCancelled",
    "AlreadyWaitlisted",
    "BookingNotFound",
    "BookingSuspended",
    "CancellationClosed",
    "Contended",
    "CourseOnly",
    "CourseTooLong",
    "EventFull",
    "EventStarted",
    "NotMovable",
    "SeatsAvailable",
    "SeriesNotFound",
    "StartedNoCancelling",
    "WaitlistFull",
    "attendee",
    "book",
    "book_series",
    "booking_item",
    "booking_view",
    "cancel",
    "join_waitlist",
    "list_attendees",
    "list_mine",
    "mine_for_events",
    "move",
    "roster",
]
