"""The marshmallow schemas of every body, query and form (chalicelib.schemas names them
lazily and applies them)."""

from __future__ import annotations

import unicodedata
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# First: marshmallow's email regex is then compiled when an email is first validated.
from chalicelib.schemas import marshmallow_import  # noqa: F401

# isort: split
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from chalicelib import events, ids, models


class StrictSchema(Schema):
    """Unknown fields are errors: a typo or a smuggled ``role`` is reported, never ignored."""

    class Meta:
        unknown = RAISE


def _no_control_characters(value: str) -> None:
    # NUL and other control characters have no place in a name, email or password, and a
    # lone surrogate (valid in JSON's \u escapes) cannot even be encoded as UTF-8.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValidationError("Control characters are not allowed.")


class _Trimmed(fields.String):
    """Leading and trailing whitespace is dropped before the field's validators run.

    A length's maximum also holds for the value as sent: that is how the API document
    (a JSON Schema ``maxLength``) states it, so 201 characters are refused even when one is
    a space that trimming would drop.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        for validator in self.validators:
            if isinstance(validator, validate.Length):
                validator(text)
        return text.strip()


class _TrimmedEmail(_Trimmed, fields.Email):
    pass


def _email() -> fields.Field:
    return _TrimmedEmail(required=True, validate=[validate.Length(max=254), _no_control_characters])


def _password(min_length: int) -> fields.Field:
    return fields.String(
        required=True,
        validate=[validate.Length(min=min_length, max=128), _no_control_characters],
    )


class RegisterSchema(StrictSchema):
    name = _Trimmed(required=True, validate=[validate.Length(1, 100), _no_control_characters])
    email = _email()
    password = _password(min_length=8)


class LoginSchema(StrictSchema):
    # No minimum beyond one character: a later, stricter password rule must not lock out
    # accounts whose passwords were fine when they were set.
    email = _email()
    password = _password(min_length=1)


# --- Events, bookings and their admin ---


class Id(fields.String):
    """A ULID, case-insensitive in, upper-case out."""

    default_error_messages = {"invalid": "Not a valid id."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        normalized = ids.normalize(value) if isinstance(value, str) else None
        if normalized is None:
            raise self.make_error("invalid")
        return normalized


class JsonBoolean(fields.Boolean):
    """JSON's true or false and nothing else. (Sets of truthy/falsy values cannot do it:
    0 and 1 are equal to False and True in Python, so ``0 in {False}``.)"""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _text(max_length: int, min_length: int = 1, **kwargs: Any) -> fields.Field:
    return _Trimmed(
        validate=[validate.Length(min=min_length, max=max_length), _no_control_characters],
        **kwargs,
    )


def _is_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Not an IANA time zone, e.g. Europe/Berlin.") from None


def _moment(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(
        error_messages={
            "invalid": "Not an ISO 8601 date and time.",
            "invalid_awareness": "Give an offset or Z, e.g. 2026-12-01T09:00:00Z.",
        },
        **kwargs,
    )


def _cursor() -> fields.Field:
    return fields.String(load_default=None, validate=validate.Length(min=1, max=2048))


class PageQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = _cursor()


class EventsQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    facilitator_id = Id()
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")

    @validates_schema
    def _range_is_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
            raise ValidationError("Must not be before `from`.", field_name="to")


class BookingsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(models.BOOKING_STATUSES))


class BookingBody(StrictSchema):
    event_id = Id(required=True)


class FacilitatorBody(StrictSchema):
    name = _text(200, required=True)
    crm_id = _text(100, required=True)


class FacilitatorChanges(StrictSchema):
    name = _text(200)
    crm_id = _text(100)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class EventChanges(StrictSchema):
    name = _text(200)
    description = _text(5000, min_length=0)
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    starts_at = _moment()
    ends_at = _moment()
    timezone = fields.String(validate=_is_timezone)
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    facilitator_id = Id()
    published = JsonBoolean()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class EventBody(EventChanges):
    name = _text(200, required=True)
    description = _text(5000, min_length=0, load_default="")
    kind = fields.String(required=True, validate=validate.OneOf(events.KINDS))
    starts_at = _moment(required=True)
    ends_at = _moment(required=True)
    timezone = fields.String(required=True, validate=_is_timezone)
    capacity = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=100_000)
    )
    facilitator_id = Id(required=True)
    published = JsonBoolean(load_default=True)


class WebhookDeliveriesQuery(StrictSchema):
    state = fields.String(
        load_default=models.PENDING, validate=validate.OneOf(models.DELIVERY_STATES)
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None)


# --- Dashboard: what its links and buttons send ---


class DashboardQuery(StrictSchema):
    """Which page of upcoming events and which of my bookings the dashboard shows."""

    events_cursor = _cursor()
    bookings_cursor = _cursor()


class CancelForm(StrictSchema):
    """The Cancel button (the API takes the booking id from the path instead)."""

    booking_id = Id(required=True)
