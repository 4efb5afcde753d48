"""The fields and checks the schemas are made of (``chalicelib.schemas.definitions``): trimmed
and visible text, emails, passwords, ids, moments with an offset, IANA zones, page limits and
cursors. (Not named ``fields``: the package looks a name up in ``definitions`` first, where
``fields`` is marshmallow's.)"""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from datetime import UTC, datetime
from typing import Any

# First: marshmallow's email regex is then compiled when an email is first validated.
from chalicelib.schemas import marshmallow_import  # noqa: F401

# isort: split
from marshmallow import ValidationError, fields, validate

from chalicelib import ids, pagination


def no_control_characters(value: str) -> None:
    # NUL and other control characters have no place in a name, email or password, and a
    # lone surrogate (valid in JSON's \u escapes) cannot even be encoded as UTF-8.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValidationError("Control characters are not allowed.")


# Format characters (bidi overrides, zero-width spaces), private-use and unassigned code points
# render as nothing or as something else: in a name they let "\u202eAdmin\u200b" pass for
# another text in an attendee list or the CRM.
_INVISIBLE = frozenset({"Cc", "Cs", "Cf", "Co", "Cn"})


def visible_text(value: str) -> None:
    if any(unicodedata.category(char) in _INVISIBLE for char in value):
        raise ValidationError(
            "Control, invisible (bidi or zero-width), private-use and unassigned characters "
            "are not allowed."
        )


class Trimmed(fields.String):
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


class TrimmedEmail(Trimmed, fields.Email):
    """An email as it is stored: trimmed, with nothing invisible in it, and its domain in its
    IDNA (ASCII) form, so ``ann@exämple.com`` and ``ann@xn--exmple-cua.com`` are one account.

    Invisible characters are refused before the domain is converted: IDNA's mapping drops a
    zero-width space, which would otherwise let ``ann@ex.com\u200b`` pass as a second address
    that reads the same on the attendee list, the CSV and the CRM payload."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        visible_text(text)
        local, at, domain = text.rpartition("@")
        if not at or domain.isascii():
            return text
        # Imported for the rare non-ASCII domain only (requests' own dependency).
        import idna

        try:
            return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
        except idna.IDNAError:
            raise ValidationError("Not a valid email domain.") from None


def email() -> fields.Field:
    return TrimmedEmail(required=True, validate=[validate.Length(max=254), no_control_characters])


def password(min_length: int) -> fields.Field:
    return fields.String(
        required=True,
        validate=[validate.Length(min=min_length, max=128), no_control_characters],
    )


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


def text(max_length: int, min_length: int = 1, **kwargs: Any) -> fields.Field:
    return Trimmed(
        validate=[validate.Length(min=min_length, max=max_length), visible_text],
        **kwargs,
    )


@functools.cache
def timezones() -> frozenset[str]:
    # Read once per container, on the first event written: the names of the tz database.
    # Anything else (a directory of it such as "America", a path, 300 letters) never
    # reaches ZoneInfo, whose file lookups fail on those with OSError. Two names of the
    # database are no place: "localtime" is whatever zone the server runs in, and "Factory"
    # the placeholder of a machine whose zone was never set.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


def is_timezone(name: str) -> None:
    if name not in timezones():
        raise ValidationError("Not an IANA time zone, e.g. Europe/Berlin.")


class AsciiInteger(fields.Integer):
    """A whole number of a query string: ASCII digits only. Python's int() also takes
    full-width and other scripts' digits, "+5" and " 5", which no client means to send."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def limit() -> fields.Field:
    return AsciiInteger(load_default=50, validate=validate.Range(min=1, max=100))


class Moment(fields.AwareDateTime):
    """A date and time with an offset, handed on in UTC. ``9999-12-31T23:59:59-14:00`` is a
    valid ISO 8601 string whose UTC time lies past the year 9999: refused here, as a 400,
    rather than overflowing wherever it would first be converted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range.") from None


def moment(**kwargs: Any) -> fields.AwareDateTime:
    return Moment(
        error_messages={
            "invalid": "Not an ISO 8601 date and time.",
            "invalid_awareness": "Give an offset or Z, e.g. 2026-12-01T09:00:00Z.",
        },
        **kwargs,
    )


def cursor() -> fields.Field:
    return fields.String(
        load_default=None, validate=validate.Length(min=1, max=pagination.MAX_CURSOR_CHARS)
    )


class OneOfNested(fields.Raw):
    """An answer's value that is one of several schemas (documented as ``oneOf``): a
    delivery's payload is a booking message or a ``webhook.test``."""

    def __init__(self, *schemas: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schemas = schemas
