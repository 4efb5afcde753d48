"""The marshmallow schemas of every body, query and form (chalicelib.schemas names them
lazily and applies them)."""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from datetime import UTC, datetime
from typing import Any

# First: marshmallow's email regex is then compiled when an email is first validated.
from chalicelib.schemas import marshmallow_import  # noqa: F401

# isort: split
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from chalicelib import events, ids, models, pagination, settings_table


class StrictSchema(Schema):
    """Unknown fields are errors: a typo or a smuggled ``role`` is reported, never ignored."""

    class Meta:
        unknown = RAISE


def _no_control_characters(value: str) -> None:
    # NUL and other control characters have no place in a name, email or password, and a
    # lone surrogate (valid in JSON's \u escapes) cannot even be encoded as UTF-8.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValidationError("Control characters are not allowed.")


# Format characters (bidi overrides, zero-width spaces), private-use and unassigned code points
# render as nothing or as something else: in a name they let "\u202eAdmin\u200b" pass for
# another text in an attendee list or the CRM.
_INVISIBLE = frozenset({"Cc", "Cs", "Cf", "Co", "Cn"})


def _visible_text(value: str) -> None:
    if any(unicodedata.category(char) in _INVISIBLE for char in value):
        raise ValidationError(
            "Control, invisible (bidi or zero-width), private-use and unassigned characters "
            "are not allowed."
        )


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
    """An email as it is stored: trimmed, with nothing invisible in it, and its domain in its
    IDNA (ASCII) form, so ``ann@exämple.com`` and ``ann@xn--exmple-cua.com`` are one account.

    Invisible characters are refused before the domain is converted: IDNA's mapping drops a
    zero-width space, which would otherwise let ``ann@ex.com\u200b`` pass as a second address
    that reads the same on the attendee list, the CSV and the CRM payload."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        _visible_text(text)
        local, at, domain = text.rpartition("@")
        if not at or domain.isascii():
            return text
        # Imported for the rare non-ASCII domain only (requests' own dependency).
        import idna

        try:
            return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
        except idna.IDNAError:
            raise ValidationError("Not a valid email domain.") from None


def _email() -> fields.Field:
    return _TrimmedEmail(required=True, validate=[validate.Length(max=254), _no_control_characters])


def _password(min_length: int) -> fields.Field:
    return fields.String(
        required=True,
        validate=[validate.Length(min=min_length, max=128), _no_control_characters],
    )


class RegisterSchema(StrictSchema):
    name = _Trimmed(required=True, validate=[validate.Length(1, 100), _visible_text])
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
        validate=[validate.Length(min=min_length, max=max_length), _visible_text],
        **kwargs,
    )


@functools.cache
def _timezones() -> frozenset[str]:
    # Read once per container, on the first event written: the names of the tz database.
    # Anything else (a directory of it such as "America", a path, 300 letters) never
    # reaches ZoneInfo, whose file lookups fail on those with OSError. Two names of the
    # database are no place: "localtime" is whatever zone the server runs in, and "Factory"
    # the placeholder of a machine whose zone was never set.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def _is_timezone(name: str) -> None:
    if name not in _timezones():
        raise ValidationError("Not an IANA time zone, e.g. Europe/Berlin.")


class AsciiInteger(fields.Integer):
    """A whole number of a query string: ASCII digits only. Python's int() also takes
    full-width and other scripts' digits, "+5" and " 5", which no client means to send."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def _limit() -> fields.Field:
    return AsciiInteger(load_default=50, validate=validate.Range(min=1, max=100))


class _Moment(fields.AwareDateTime):
    """A date and time with an offset, handed on in UTC. ``9999-12-31T23:59:59-14:00`` is a
    valid ISO 8601 string whose UTC time lies past the year 9999: refused here, as a 400,
    rather than overflowing wherever it would first be converted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range.") from None


def _moment(**kwargs: Any) -> fields.AwareDateTime:
    return _Moment(
        error_messages={
            "invalid": "Not an ISO 8601 date and time.",
            "invalid_awareness": "Give an offset or Z, e.g. 2026-12-01T09:00:00Z.",
        },
        **kwargs,
    )


def _cursor() -> fields.Field:
    return fields.String(
        load_default=None, validate=validate.Length(min=1, max=pagination.MAX_CURSOR_CHARS)
    )


class PageQuery(StrictSchema):
    limit = _limit()
    cursor = _cursor()


def _check_date_range(data: dict[str, Any], message: str) -> None:
    if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
        raise ValidationError(message, field_name="to")


class EventsQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    facilitator_id = Id()
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")

    @validates_schema
    def _range_is_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_date_range(data, "Must not be before `from`.")


class BookingsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(models.BOOKING_STATUSES))


class BookingBody(StrictSchema):
    event_id = Id(required=True)


class SeriesBookingBody(StrictSchema):
    # Where a drop-in date is full: join its waiting list (true) or skip the date (false).
    waitlist = JsonBoolean(load_default=False)


class MoveBody(StrictSchema):
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


# A cancellation window closes at most a year before the start.
CANCELLABLE_UNTIL_HOURS_MAX = 24 * 366


class EventChanges(StrictSchema):
    name = _text(200)
    description = _text(5000, min_length=0)
    kind = fields.String(validate=validate.OneOf(events.KINDS))
    starts_at = _moment()
    ends_at = _moment()
    timezone = fields.String(validate=_is_timezone)
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    waitlist_capacity = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=settings_table.number("WAITLIST_MAX").highest),
    )
    cancellable_until_hours = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=CANCELLABLE_UNTIL_HOURS_MAX)
    )
    facilitator_id = Id()
    published = JsonBoolean()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class EventCancelBody(StrictSchema):
    reason = _text(500)


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
    cancellable_until_hours = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(min=0, max=CANCELLABLE_UNTIL_HOURS_MAX),
    )


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
    name = _text(200)
    description = _text(5000, min_length=0)
    facilitator_id = Id()
    capacity = _capacity()
    start_time = _local_time()
    duration_minutes = _duration_minutes()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class SeriesBody(SeriesChanges):
    name = _text(200, required=True)
    description = _text(5000, min_length=0, load_default="")
    kind = fields.String(required=True, validate=validate.OneOf(events.KINDS))
    facilitator_id = Id(required=True)
    timezone = fields.String(required=True, validate=_is_timezone)
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


class WebhookDeliveriesQuery(StrictSchema):
    state = fields.String(
        load_default=models.PENDING, validate=validate.OneOf(models.DELIVERY_STATES)
    )
    limit = _limit()
    cursor = _cursor()


# --- Dashboard: what its links and buttons send ---


class DashboardQuery(StrictSchema):
    """The dashboard's filters and which page of upcoming events it shows."""

    kind = fields.String(validate=validate.OneOf(events.KINDS))
    from_date = fields.Date(data_key="from")
    to_date = fields.Date(data_key="to")
    cursor = _cursor()

    @validates_schema
    def _range_is_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        _check_date_range(data, "Must not be before the From date.")


class CursorQuery(StrictSchema):
    """Which page of a list a dashboard or console page shows."""

    cursor = _cursor()


class DeliveriesPageQuery(CursorQuery):
    state = fields.String(
        load_default=models.FAILED, validate=validate.OneOf(models.DELIVERY_STATES)
    )


class CancelForm(StrictSchema):
    """The Cancel button (the API takes the booking id from the path instead)."""

    booking_id = Id(required=True)
