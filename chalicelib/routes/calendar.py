"""Calendar: a booking as an ``.ics`` file, and the caller's feed to subscribe to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bookings, calendar_feed, calendar_files
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import BODY_IGNORED, PUBLIC, USER, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
else:
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/bookings/{booking_id}/calendar.ics",
    "GET",
    access=USER,
    # The service reads the account and the token's revocation in the BatchGetItem that
    # reads the event: two DynamoDB calls.
    defer_account_check=True,
    tag="Calendar",
    summary="One booking as a calendar file (RFC 5545)",
    description=(
        "A confirmed booking is `METHOD:PUBLISH`, `STATUS:CONFIRMED`; a cancelled one "
        "`METHOD:CANCEL`, `STATUS:CANCELLED` with a higher `SEQUENCE`, so importing it removes "
        "the entry. Times are UTC. Someone else's booking is 404 (admins may fetch any)."
    ),
    answer=Answer(
        200,
        "The `.ics` file, as an attachment named after the event.",
        example=examples.CALENDAR_FILE,
        media_type="text/calendar",
    ),
    domain_errors=(bookings.BookingNotFound(), calendar_files.NotConfirmed()),
)
def get_booking_calendar(token, booking_id, request):
    return calendar_files.booking_file(token, booking_id, request)


@routes.route(
    "/auth/calendar-feed",
    "POST",
    access=USER,
    tag="Calendar",
    summary="Create (or replace) the caller's calendar feed URL",
    description=(
        "The URL is the secret: calendar apps cannot send a token. Creating a feed again "
        "gives a new URL and the old one answers 404 at once."
    ),
    answer=Answer(201, "The feed's URL.", answers.CalendarFeed, examples.CALENDAR_FEED),
    content_types=BODY_IGNORED,
)
def create_calendar_feed(principal, request):
    return calendar_feed.create(principal, request)


@routes.route(
    "/auth/calendar-feed",
    "DELETE",
    access=USER,
    tag="Calendar",
    summary="Turn the caller's calendar feed off",
    answer=Answer(
        200, "The feed URL answers 404 from now on.", answers.Message, examples.FEED_STOPPED
    ),
)
def delete_calendar_feed(principal):
    return calendar_feed.delete(principal)


@routes.route(
    "/calendar/{feed_token}",
    "GET",
    access=PUBLIC,
    tag="Calendar",
    summary="A calendar feed to subscribe to",
    description=(
        "The caller's confirmed bookings (upcoming, and of the last days) and recent "
        "cancellations as `STATUS:CANCELLED`, with the same UIDs and SEQUENCE as the single "
        "files. `Cache-Control: private, max-age=300`."
    ),
    answer=Answer(200, "The calendar.", example=examples.CALENDAR_FILE, media_type="text/calendar"),
    domain_errors=(calendar_feed.FeedNotFound(),),
)
def get_calendar_feed(feed_token):
    return calendar_feed.feed(feed_token)
