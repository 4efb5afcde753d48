"""Bookings: taking a seat, joining a waiting list, the caller's bookings, cancelling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bookings, events
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import USER, Answer
from chalicelib.payments import intents
from chalicelib.payments.errors import NoPaymentDue, PaymentsUnavailable
from chalicelib.schemas import IDEMPOTENCY_KEY

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/bookings",
    "POST",
    access=USER,
    # The service reads the account and the token's revocation in the BatchGetItem that
    # reads the event: a booking costs two DynamoDB calls.
    defer_account_check=True,
    tag="Bookings",
    summary="Book a seat at an event",
    body=schemas.BookingBody,
    body_example=examples.BOOKING_BODY,
    headers=(IDEMPOTENCY_KEY,),
    description=(
        "A paid event's seat is taken and held for its attendee to pay: `status` "
        "`pending_payment` until `hold_expires_at` (PAYMENT_HOLD_MINUTES), and `payment` "
        "holds the PaymentIntent for Stripe.js. When Stripe could not be reached the hold "
        "stands without one (`payment_intent_id` null): POST /bookings/{booking_id}/payment "
        "makes it. Stripe's `payment_intent.succeeded` webhook confirms the booking."
    ),
    answer=Answer(
        201, "Booked (or held, on a paid event).", answers.BookingCreated, examples.BOOKING_CREATED
    ),
    links={
        "cancelBooking": {"booking_id": "$response.body#/booking_id"},
        "payForBooking": {"booking_id": "$response.body#/booking_id"},
    },
    domain_errors=(
        events.EventNotFound(),
        bookings.AlreadyBooked(),
        bookings.AlreadyWaitlisted(),
        bookings.EventFull(),
        bookings.EventStarted(),
        bookings.Contended(),
        PaymentsUnavailable(),
    ),
)
def book(token, body, idempotency_key):
    return bookings.book(token, body["event_id"], idempotency_key)


@routes.route(
    "/bookings/{booking_id}/payment",
    "POST",
    access=USER,
    tag="Bookings",
    summary="The PaymentIntent of one of the caller's held seats",
    description=(
        "For a booking in `pending_payment` before its `hold_expires_at`: the hold with its "
        "PaymentIntent and client secret, made now if Stripe could not be reached when the "
        "seat was taken. Someone else's booking is 404. No body is needed."
    ),
    answer=Answer(200, "The hold and its payment.", answers.HoldPayment, examples.HOLD),
    domain_errors=(
        bookings.BookingNotFound(),
        NoPaymentDue(),
        PaymentsUnavailable(),
    ),
)
def pay_for_booking(principal, booking_id):
    return intents.payment_for(principal.user_id, booking_id)


@routes.route(
    "/events/{event_id}/waitlist",
    "POST",
    access=USER,
    # As booking: the account and revocation check share the BatchGetItem that reads the
    # event, so joining costs two DynamoDB calls.
    defer_account_check=True,
    tag="Bookings",
    summary="Join a full event's waiting list",
    description=(
        "The first in line gets the next freed seat in the transaction that frees it (a "
        "cancellation, or an admin raising the capacity) and a `booking.confirmed` webhook; "
        "`GET /bookings/my` shows the current `position`. Leave with "
        "`DELETE /bookings/{booking_id}`. No body is needed."
    ),
    headers=(IDEMPOTENCY_KEY,),
    answer=Answer(
        201, "In line; `position` 1 is next.", answers.WaitlistJoined, examples.WAITLIST_JOINED
    ),
    links={"cancelBooking": {"booking_id": "$response.body#/booking_id"}},
    domain_errors=(
        events.EventNotFound(),
        bookings.SeatsAvailable(),
        bookings.AlreadyBooked(),
        bookings.AlreadyWaitlisted(),
        bookings.WaitlistFull(),
        bookings.EventStarted(),
        bookings.Contended(),
    ),
)
def join_waitlist(token, event_id, idempotency_key):
    return bookings.join_waitlist(token, event_id, idempotency_key)


@routes.route(
    "/bookings/my",
    "GET",
    access=USER,
    tag="Bookings",
    # The account and revocation check ride in the BatchGetItem that reads the events the
    # caller waits for (their positions): two DynamoDB calls with the Query.
    defer_account_check=True,
    summary="The caller's bookings, newest first",
    description="A waitlisted booking shows its current `position` in line.",
    query=schemas.BookingsQuery,
    answer=Answer(200, "A page of bookings.", answers.BookingPage, examples.BOOKING_PAGE),
    links={"cancelBooking": {"booking_id": "$response.body#/bookings/0/booking_id"}},
)
def list_my_bookings(token, query):
    return bookings.list_mine(token, **query)


@routes.route(
    "/bookings/{booking_id}",
    "DELETE",
    access=USER,
    tag="Bookings",
    summary="Cancel one of the caller's bookings, or leave a waiting list",
    description=(
        "Someone else's booking is 404, as an unknown one (admins may cancel any). A "
        "confirmed seat goes to the first in line in the same transaction, or back to the "
        "event when nobody waits. A user may cancel until `cancellable_until_hours` before "
        "the start (409 `cancellation_closed`, then `event_started`); an admin at any time, "
        "but nobody is promoted into a started event. Leaving a waiting list is allowed "
        "until the start."
    ),
    answer=Answer(
        200, "Cancelled; the seat is free again.", answers.Booking, examples.CANCELLED_BOOKING
    ),
    domain_errors=(
        bookings.BookingNotFound(),
        bookings.AlreadyCancelled(),
        bookings.CancellationClosed(),
        bookings.StartedNoCancelling(),
        bookings.Contended(),
    ),
)
def cancel_booking(principal, booking_id):
    return bookings.cancel(principal, booking_id)
