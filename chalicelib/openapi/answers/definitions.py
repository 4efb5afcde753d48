"""Marshmallow schemas of what the API answers, for the OpenAPI document.

The services build their answers as plain dicts; these schemas describe those dicts, field for
field. Every schema is strict (no field beyond those listed), so the schemathesis run in the
test suite fails the moment a response grows a field the document does not name, be it a new
one or a leak such as a password hash.
"""

from __future__ import annotations

from marshmallow import fields

from chalicelib import models
from chalicelib.openapi.answers.accounts import (  # noqa: F401 (named here with every answer)
    Me,
    Registered,
    Token,
    UserSummary,
)
from chalicelib.openapi.answers.payments import (  # noqa: F401 (named here with every answer)
    HeldPayment,
    PaymentStanding,
    StripeWebhookReceived,
)
from chalicelib.openapi.answers.shapes import moment as _moment
from chalicelib.openapi.answers.shapes import next_cursor as _next_cursor
from chalicelib.openapi.answers.shapes import text as _text
from chalicelib.schemas.definitions import StrictSchema
from chalicelib.schemas.field_types import Id


class Message(StrictSchema):
    msg = _text()


class CalendarFeed(StrictSchema):
    url = fields.String(
        required=True,
        metadata={"description": "The feed's secret address; `webcal://` + the same opens it."},
    )


class Health(StrictSchema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})
    dynamodb = fields.String(required=True, metadata={"enum": ["ok"]})


class ErrorDetail(StrictSchema):
    code = fields.String(required=True, metadata={"description": "Stable, for programs."})
    message = fields.String(required=True, metadata={"description": "For people."})
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "What is wrong with each field it names (400 only)."},
    )
    until = fields.DateTime(
        metadata={"description": "`booking_suspended` only: when the suspension ends."}
    )


class Error(StrictSchema):
    error = fields.Nested(ErrorDetail, required=True)


# --- Events and facilitators ---


class FacilitatorCopy(StrictSchema):
    id = Id(required=True)
    name = _text()
    crm_id = _text()


class SeriesCopy(StrictSchema):
    id = Id(required=True)
    name = _text()


class Price(StrictSchema):
    amount = fields.Integer(
        required=True, metadata={"description": "In the currency's minor unit (2000 EUR: 20.00)."}
    )
    currency = fields.String(required=True, metadata={"description": "ISO 4217, lower-case."})


def _price() -> fields.Field:
    return fields.Nested(
        Price, required=True, allow_none=True, metadata={"description": "null: free."}
    )


def _refund_percent() -> fields.Field:
    return fields.Integer(
        required=True,
        metadata={"description": "Share of the price refunded when the attendee cancels in time."},
    )


class Event(StrictSchema):
    id = Id(required=True)
    name = _text()
    description = _text()
    kind = fields.String(required=True, metadata={"enum": ["session", "retreat"]})
    date = fields.DateTime(required=True, metadata={"description": "Same as starts_at."})
    starts_at = _moment()
    ends_at = _moment()
    timezone = fields.String(required=True, metadata={"description": "IANA zone of the venue."})
    capacity = fields.Integer(required=True)
    seats_left = fields.Integer(
        required=True,
        metadata={"description": "Seats a newcomer can book now: 0 while anyone is waiting."},
    )
    waitlist_capacity = fields.Integer(
        required=True, metadata={"description": "How many may wait; 0: no waiting list."}
    )
    waitlist_count = fields.Integer(required=True, metadata={"description": "How many wait."})
    cancellable_until_hours = fields.Integer(
        required=True,
        metadata={
            "description": "A booking can be cancelled until this many hours before the start."
        },
    )
    price = _price()
    refund_percent = _refund_percent()
    facilitator = fields.Nested(FacilitatorCopy, required=True)
    series = fields.Nested(
        SeriesCopy,
        metadata={"description": "The series this event is a date of; absent on a one-off."},
    )


class AdminEvent(Event):
    published = fields.Boolean(required=True)
    seats_taken = fields.Integer(required=True)
    created_at = _moment()
    cancelled_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When an admin cancelled it (UTC, ending in Z); null if not."},
    )


class EventPage(StrictSchema):
    events = fields.List(fields.Nested(Event), required=True)
    next_cursor = _next_cursor()


class Occurrence(StrictSchema):
    event_id = Id(required=True)
    starts_at = _moment()
    ends_at = _moment()
    seats_left = fields.Integer(
        required=True, metadata={"description": "Seats a newcomer can book now."}
    )


class Series(StrictSchema):
    series_id = Id(required=True)
    name = _text()
    description = _text()
    kind = fields.String(required=True, metadata={"enum": ["session", "retreat"]})
    facilitator_id = Id(required=True)
    timezone = fields.String(required=True, metadata={"description": "IANA zone of the venue."})
    start_date = fields.Date(required=True, metadata={"description": "Local date."})
    start_time = fields.String(required=True, metadata={"description": "Local HH:MM."})
    duration_minutes = fields.Integer(required=True)
    rrule = _text()
    capacity = fields.Integer(required=True)
    waitlist_capacity = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: one per seat."}
    )
    cancellable_until_hours = fields.Integer(required=True)
    booking_mode = fields.String(required=True, metadata={"enum": list(models.BOOKING_MODES)})
    price = _price()
    refund_percent = _refund_percent()
    state = fields.String(
        required=True, metadata={"enum": [models.SERIES_ACTIVE, models.SERIES_CANCELLED]}
    )
    open_ended = fields.Boolean(
        required=True,
        metadata={"description": "No COUNT or UNTIL: dates are made SERIES_HORIZON_DAYS ahead."},
    )
    created_at = _moment()


class SeriesWithOccurrences(Series):
    occurrences = fields.List(
        fields.Nested(Occurrence),
        required=True,
        metadata={"description": "The dates not yet started, soonest first."},
    )


class SeriesPage(StrictSchema):
    series = fields.List(fields.Nested(Series), required=True)
    next_cursor = _next_cursor()


class Facilitator(StrictSchema):
    id = Id(required=True)
    name = _text()
    crm_id = _text()
    created_at = _moment()


class FacilitatorPage(StrictSchema):
    facilitators = fields.List(fields.Nested(Facilitator), required=True)
    next_cursor = _next_cursor()


# --- Bookings ---


def _status() -> fields.Field:
    return fields.String(required=True, metadata={"enum": list(models.BOOKING_STATUSES)})


class BookedEvent(StrictSchema):
    id = Id(required=True)
    name = _text()
    date = _moment()


def _hold_expires_at() -> fields.Field:
    return fields.DateTime(
        metadata={"description": "pending_payment only: the seat is free again after this."}
    )


class BookingCreated(StrictSchema):
    booking_id = Id(required=True)
    status = _status()
    event = fields.Nested(BookedEvent, required=True)
    created_at = _moment()
    hold_expires_at = _hold_expires_at()
    payment = fields.Nested(
        HeldPayment,
        metadata={"description": "A paid event's hold: pay with it before hold_expires_at."},
    )


class HoldPayment(StrictSchema):
    booking_id = Id(required=True)
    status = _status()
    hold_expires_at = _hold_expires_at()
    payment = fields.Nested(HeldPayment, required=True)


def _position(required: bool) -> fields.Field:
    return fields.Integer(
        required=required,
        metadata={"description": "Place in the waiting list, 1 for the first (waitlisted only)."},
    )


class WaitlistJoined(BookingCreated):
    position = _position(required=True)


class SeriesDateBooked(StrictSchema):
    event_id = Id(required=True)
    booking_id = Id(required=True)
    status = _status()
    hold_expires_at = _hold_expires_at()
    payment = fields.Nested(HeldPayment)


class SeriesDateSkipped(StrictSchema):
    event_id = Id(required=True)
    code = fields.String(
        required=True,
        metadata={"description": "The error code a single booking of that date would get."},
    )


class SeriesBooked(StrictSchema):
    bookings = fields.List(fields.Nested(SeriesDateBooked), required=True)
    skipped = fields.List(fields.Nested(SeriesDateSkipped), required=True)


class BookedEventTimes(BookedEvent):
    starts_at = _moment()
    ends_at = _moment()
    timezone = _text()


class Booking(StrictSchema):
    booking_id = Id(required=True)
    status = _status()
    created_at = _moment()
    event = fields.Nested(BookedEventTimes, required=True)
    position = _position(required=False)
    attendance = fields.String(
        metadata={
            "description": "Confirmed bookings only.",
            "enum": [
                models.ATTENDANCE_UNKNOWN,
                models.ATTENDANCE_CHECKED_IN,
                models.ATTENDANCE_NO_SHOW,
            ],
        }
    )
    hold_expires_at = _hold_expires_at()
    payment = fields.Nested(
        PaymentStanding, metadata={"description": "A paid booking's money; absent when free."}
    )


class BookingPage(StrictSchema):
    bookings = fields.List(fields.Nested(Booking), required=True)
    next_cursor = _next_cursor()


class Attendee(StrictSchema):
    booking_id = Id(required=True)
    status = _status()
    created_at = _moment()
    user = fields.Nested(UserSummary, required=True)
    attendance = fields.String(
        required=True,
        metadata={
            "enum": [
                models.ATTENDANCE_UNKNOWN,
                models.ATTENDANCE_CHECKED_IN,
                models.ATTENDANCE_NO_SHOW,
            ]
        },
    )

    hold_expires_at = _hold_expires_at()
    payment = fields.Nested(
        PaymentStanding, metadata={"description": "A paid booking's money; absent when free."}
    )


class WaitingAttendee(Attendee):
    position = _position(required=True)


class Roster(StrictSchema):
    event = fields.Nested(AdminEvent, required=True)
    confirmed = fields.List(fields.Nested(Attendee), required=True)
    held = fields.List(
        fields.Nested(Attendee),
        required=True,
        metadata={"description": "Seats held while their attendee pays (`pending_payment`)."},
    )
    waiting = fields.List(
        fields.Nested(WaitingAttendee),
        required=True,
        metadata={"description": "In line order, first in line first."},
    )
    cancelled = fields.List(fields.Nested(Attendee), required=True)
    next_cursor = _next_cursor()


class AttendeePage(StrictSchema):
    event = fields.Nested(AdminEvent, required=True)
    attendees = fields.List(fields.Nested(Attendee), required=True)
    next_cursor = _next_cursor()


# The webhook deliveries' answers and the facilitators' (accounts, schedules, reports,
# attendance) are written in their own modules and named here with the rest, the one place
# the routes and the document look answers up. Imported last: they build on the above.
from chalicelib.openapi.answers.deliveries import (  # noqa: E402, F401
    DeliveryAttempt,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpointSecret,
    WebhookEventCopy,
    WebhookPayload,
    WebhookTestPayload,
    WebhookTestQueued,
    WebhookUserCopy,
)
from chalicelib.openapi.answers.facilitation import (  # noqa: E402, F401
    Attendance,
    AttendanceReport,
    AttendanceRow,
    FacilitatorEventPage,
    Member,
    MemberPage,
    SuspensionLifted,
)
