"""What the API answers about facilitators' accounts, schedules, attendance reports and
check-ins (named in ``definitions`` with every other answer)."""

from __future__ import annotations

from marshmallow import fields

from chalicelib import models
from chalicelib.openapi.answers.definitions import AdminEvent
from chalicelib.openapi.answers.shapes import moment as _moment
from chalicelib.openapi.answers.shapes import next_cursor as _next_cursor
from chalicelib.openapi.answers.shapes import text as _text
from chalicelib.schemas.definitions import StrictSchema
from chalicelib.schemas.field_types import Id


class Member(StrictSchema):
    user_id = Id(required=True)
    name = _text()
    email = fields.Email(required=True)
    facilitator_id = Id(
        required=True,
        allow_none=True,
        metadata={
            "description": "The facilitator this account runs events for; null once unlinked."
        },
    )


class MemberPage(StrictSchema):
    members = fields.List(fields.Nested(Member), required=True)
    next_cursor = _next_cursor()


class FacilitatorEventPage(StrictSchema):
    events = fields.List(fields.Nested(AdminEvent), required=True)
    next_cursor = _next_cursor()


class AttendanceRow(StrictSchema):
    event_id = Id(required=True)
    name = _text()
    starts_at = _moment()
    capacity = fields.Integer(required=True)
    booked = fields.Integer(required=True, metadata={"description": "Confirmed now."})
    checked_in = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    promoted = fields.Integer(
        required=True, metadata={"description": "Bookings that came off the waiting list."}
    )


class AttendanceReport(StrictSchema):
    events = fields.List(fields.Nested(AttendanceRow), required=True)


# --- Attendance ---


class Attendance(StrictSchema):
    booking_id = Id(required=True)
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
    checked_in_at = fields.DateTime(required=True, allow_none=True)


class SuspensionLifted(StrictSchema):
    user_id = Id(required=True)
    suspended_until = fields.DateTime(required=True, allow_none=True)
    strikes = fields.Integer(required=True)
