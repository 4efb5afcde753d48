"""The marshmallow schemas of every body, query and form (chalicelib.schemas names them
lazily and applies them)."""

from __future__ import annotations

import re
from typing import Any

# First: marshmallow's email regex is then compiled when an email is first validated.
from chalicelib.schemas import marshmallow_import  # noqa: F401

# isort: split
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from chalicelib import events, models, settings_table
from chalicelib.payments import money
from chalicelib.schemas import field_types as field


class StrictSchema(Schema):
    """Unknown fields are errors: a typo or a smuggled ``role`` is reported, never ignored."""

    class Meta:
        unknown = RAISE


class RegisterSchema(StrictSchema):
    name = field.Trimmed(required=True, validate=[validate.Length(1, 100), field.visible_text])
    email = field.email()
    password = field.password(min_length=8)


class LoginSchema(StrictSchema):
    # No minimum beyond one character: a later, stricter password rule must not lock out
    # accounts whose passwords were fine when they were set.
    email = field.email()
    password = field.password(min_length=1)


# --- Events, bookings and their admin ---


class PageQuery(StrictSchema):
    limit = field.limit()
    cursor = field.cursor()


def _check_date_range(data: dict[str, Any], message: str) -> None:
    if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
        raise ValidationError(message, field_name="to")


class EventsQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    facilitator_id = field.Id()
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")

    @validates_schema
    def _range_is_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_date_range(data, "Must not be before `from`.")


class BookingsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(models.BOOKING_STATUSES))


class BookingBody(StrictSchema):
    event_id = field.Id(required=True)


class SeriesBookingBody(StrictSchema):
    # Where a drop-in date is full: join its waiting list (true) or skip the date (false).
    waitlist = field.JsonBoolean(load_default=False)


class MoveBody(StrictSchema):
    event_id = field.Id(required=True)


class FacilitatorBody(StrictSchema):
    name = field.text(200, required=True)
    crm_id = field.text(100, required=True)


class FacilitatorChanges(StrictSchema):
    name = field.text(200)
    crm_id = field.text(100)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


# A cancellation window closes at most a year before the start.
CANCELLABLE_UNTIL_HOURS_MAX = 24 * 366


class PriceField(fields.Field):
    """A price as Stripe takes it: ``{"amount", "currency"}``, ``amount`` an integer in the
    currency's minor unit, ``currency`` ISO 4217 in any case (kept lower-case, as Stripe
    writes it); null: free. A field of its own rather than a nested schema, so its errors
    are messages under ``price`` like every other field's."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
            raise ValidationError('An object {"amount", "currency"}, or null for free.')
        amount, currency = value["amount"], value["currency"]
        if not isinstance(currency, str) or not money.is_currency_code(currency.lower()):
            raise ValidationError("currency: an ISO 4217 code, e.g. eur.")
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ValidationError("amount: a whole number in the currency's minor unit.")
        problem = money.amount_problem(amount, currency.lower())
        if problem is not None:
            raise ValidationError(f"amount: {problem}.")
        return {"amount": amount, "currency": currency.lower()}


def _price(**kwargs: Any) -> fields.Field:
    return PriceField(
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "properties": {
                "amount": {"type": "integer", "minimum": 1, "maximum": money.MAX_AMOUNT},
                "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
            },
            "required": ["amount", "currency"],
            "additionalProperties": False,
            "description": "In the currency's minor unit (Stripe's rules); null: free.",
        },
        **kwargs,
    )


def _refund_percent(**kwargs: Any) -> fields.Field:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=100), **kwargs)


class EventChanges(StrictSchema):
    name = field.text(200)
    description = field.text(5000, min_length=0)
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    starts_at = field.moment()
    ends_at = field.moment()
    timezone = fields.String(validate=field.is_timezone)
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    waitlist_capacity = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=settings_table.number("WAITLIST_MAX").highest),
    )
    cancellable_until_hours = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=CANCELLABLE_UNTIL_HOURS_MAX)
    )
    facilitator_id = field.Id()
    published = field.JsonBoolean()
    price = _price()
    refund_percent = _refund_percent()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class EventCancelBody(StrictSchema):
    reason = field.text(500)


class EventBody(EventChanges):
    name = field.text(200, required=True)
    description = field.text(5000, min_length=0, load_default="")
    kind = fields.String(required=True, validate=validate.OneOf(events.KINDS))
    starts_at = field.moment(required=True)
    ends_at = field.moment(required=True)
    timezone = fields.String(required=True, validate=field.is_timezone)
    capacity = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=100_000)
    )
    facilitator_id = field.Id(required=True)
    published = field.JsonBoolean(load_default=True)
    cancellable_until_hours = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=CANCELLABLE_UNTIL_HOURS_MAX),
    )
    refund_percent = _refund_percent(load_default=100)


_LOCAL_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# A series' occurrence lasts at most a month (a long retreat), like a sane event does.
SERIES_DURATION_MINUTES_MAX = 60 * 24 * 31


def _local_time(**kwargs: Any) -> fields.Field:
    return fields.String(
        validate=validate.Regexp(_LOCAL_TIME, error="Local time as HH:MM, e.g. 18:30."), **kwargs
    )


def _duration_minutes(**kwargs: Any) -> fields.Field:
    return fields.Integer(
        strict=True, validate=validate.Range(min=1, max=SERIES_DURATION_MINUTES_MAX), **kwargs
    )


def _capacity(**kwargs: Any) -> fields.Field:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000), **kwargs)


class SeriesChanges(StrictSchema):
    name = field.text(200)
    description = field.text(5000, min_length=0)
    facilitator_id = field.Id()
    capacity = _capacity()
    start_time = _local_time()
    duration_minutes = _duration_minutes()
    price = _price()
    refund_percent = _refund_percent()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class SeriesBody(SeriesChanges):
    name = field.text(200, required=True)
    description = field.text(5000, min_length=0, load_default="")
    kind = fields.String(required=True, validate=validate.OneOf(events.KINDS))
    facilitator_id = field.Id(required=True)
    timezone = fields.String(required=True, validate=field.is_timezone)
    start_date = fields.Date(required=True)
    start_time = _local_time(required=True)
    duration_minutes = _duration_minutes(required=True)
    rrule = fields.String(required=True, validate=validate.Length(min=1, max=500))
    capacity = _capacity(required=True)
    waitlist_capacity = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=settings_table.number("WAITLIST_MAX").highest),
    )
    cancellable_until_hours = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=CANCELLABLE_UNTIL_HOURS_MAX),
    )
    booking_mode = fields.String(required=True, validate=validate.OneOf(models.BOOKING_MODES))
    price = _price()
    refund_percent = _refund_percent(load_default=100)


class WebhookDeliveriesQuery(StrictSchema):
    state = fields.String(
        load_default=models.PENDING, validate=validate.OneOf(models.DELIVERY_STATES)
    )
    limit = field.limit()
    cursor = field.cursor()


# --- Dashboard: what its links and buttons send ---


class DashboardQuery(StrictSchema):
    """The dashboard's filters and which page of upcoming events it shows."""

    kind = fields.String(validate=validate.OneOf(events.KINDS))
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")
    cursor = field.cursor()

    @validates_schema
    def _range_is_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_date_range(data, "Must not be before the From date.")


class CursorQuery(StrictSchema):
    """Which page of a list a dashboard or console page shows."""

    cursor = field.cursor()


class DeliveriesPageQuery(CursorQuery):
    state = fields.String(
        load_default=models.FAILED, validate=validate.OneOf(models.DELIVERY_STATES)
    )


class CancelForm(StrictSchema):
    """The Cancel button (the API takes the booking id from the path instead)."""

    booking_id = field.Id(required=True)
