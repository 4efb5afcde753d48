"""Attendees and series: booking every date of a series at once, and moving a booking to
another date of its series."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bookings, events
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import USER, Answer
from chalicelib.payments.errors import PriceDiffers
from chalicelib.schemas import IDEMPOTENCY_KEY

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/series/{series_id}/bookings",
    "POST",
    access=USER,
    tag="Bookings",
    summary="Book every upcoming date of a series",
    description=(
        "A drop-in series: a seat on every upcoming date that has one, each an ordinary "
        'booking; with `"waitlist": true` the waiting list where a date is full; the other '
        "dates are in `skipped` with the code a single booking of them would get. A course: "
        "every date at once or none (409 `event_full` names the first full date); its dates "
        "have no waiting list, and cancelling any of them cancels the whole course."
    ),
    body=schemas.SeriesBookingBody,
    body_example=examples.SERIES_BOOKING_BODY,
    headers=(IDEMPOTENCY_KEY,),
    answer=Answer(201, "Booked.", answers.SeriesBooked, examples.SERIES_BOOKED),
    domain_errors=(
        bookings.SeriesNotFound(),
        bookings.AlreadyBooked(),
        bookings.EventFull(),
        bookings.CourseTooLong(),
        bookings.Contended(),
    ),
)
def book_series(principal, series_id, body, idempotency_key):
    return bookings.book_series(principal, series_id, body["waitlist"], idempotency_key)


@routes.route(
    "/bookings/{booking_id}/move",
    "POST",
    access=USER,
    tag="Bookings",
    summary="Move a booking to another date of its drop-in series",
    description=(
        "One transaction cancels the booking (its seat goes to the first in that date's "
        "line) and books the new date, or nothing changes. The old date's cancellation "
        "window applies; the new date must have a free seat and nobody waiting, and the "
        "same price (else 409 `price_differs`: what was paid moves with the booking)."
    ),
    body=schemas.MoveBody,
    body_example=examples.MOVE_BODY,
    answer=Answer(200, "Moved; the new booking.", answers.BookingCreated, examples.MOVED_BOOKING),
    links={"cancelBooking": {"booking_id": "$response.body#/booking_id"}},
    domain_errors=(
        bookings.BookingNotFound(),
        events.EventNotFound(),
        bookings.NotMovable(),
        bookings.AlreadyBooked(),
        bookings.EventFull(),
        bookings.EventStarted(),
        bookings.CancellationClosed(),
        PriceDiffers(),
        bookings.Contended(),
    ),
)
def move_booking(principal, booking_id, body):
    return bookings.move(principal, booking_id, body["event_id"])
