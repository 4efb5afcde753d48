"""What a route declares about itself: who may call it, what it takes, what it answers.

Each route (chalicelib/routes/) passes these to ``app.route`` once. The app enforces them on every
request (``chalicelib.api``) and the OpenAPI document is built from them
(``chalicelib.openapi``), so what a route does and what its documentation says cannot drift
apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib import errors, models

if TYPE_CHECKING:
    from marshmallow import Schema

    from chalicelib.lazy import Reference

    # A schema class, or its name in chalicelib.schemas / chalicelib.openapi.answers, which
    # imports it on first use (chalicelib.lazy).
    SchemaClass = type[Schema] | Reference

# Who may call an operation.
PUBLIC = "public"  # anyone; a token is not looked at
OPTIONAL = "optional"  # anyone; the view makes what it can of a token (logging out)
USER = "user"  # a valid, unrevoked Bearer token of an existing account
ADMIN = "admin"  # as USER, of an account with the admin role
ACCESS = (PUBLIC, OPTIONAL, USER, ADMIN)

JSON = "application/json"
# The content types of a route that ignores any body (logging out, creating a calendar feed):
# a form or an empty `curl -d ''` is as good as JSON.
BODY_IGNORED = [JSON, "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

# Ids are ULIDs, taken in any spelling (matched case-insensitively, answered in upper case).
ID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$"


@dataclass(frozen=True)
class PathParameter:
    """What a ``{name}`` in a documented path holds. A value not matching ``pattern`` is a
    400 naming the parameter, answered before any DynamoDB call."""

    pattern: str
    # An id is taken in any spelling and handed to the view in upper case.
    is_id: bool = True
    message: str = "Not a valid id."
    # A secret in the path (a calendar feed's address) says nothing about why it is wrong: a
    # malformed one is the same 404 as an unknown one, still answered before any DynamoDB call.
    malformed_is_not_found: bool = False


PATH_PARAMETERS = {
    "event_id": PathParameter(ID_PATTERN),
    "booking_id": PathParameter(ID_PATTERN),
    "facilitator_id": PathParameter(ID_PATTERN),
    "series_id": PathParameter(ID_PATTERN),
    "user_id": PathParameter(ID_PATTERN),
    # `<booking_id>.<type>`, looked up as sent. The booking part is any 26 letters and digits
    # rather than a strict ULID: rows recorded before ids were checked keep their replay.
    "delivery_id": PathParameter(
        r"^[0-9A-Za-z]{26}\.("
        + "|".join(
            re.escape(kind)
            for kind in models.WEBHOOK_TYPES
            if kind not in (models.BOOKING_REMINDER, models.BOOKING_RESCHEDULED)
        )
        # A reminder's id also names the start it reminds of, so a moved event reminds again;
        # a rescheduling's, the new start and the booking's revision (each move is new).
        + "|"
        + re.escape(models.BOOKING_REMINDER)
        + r"\.\d{8}T\d{6}Z"
        + "|"
        + re.escape(models.BOOKING_RESCHEDULED)
        + r"\.\d{8}T\d{6}Z\.\d+"
        + ")$",
        is_id=False,
        message="Not a delivery id: `<booking_id>.<webhook type>`, e.g. `….booking.confirmed`.",
    ),
    # `<user_id>-<secret>.ics`, a calendar feed's URL; a malformed one is 404, as an unknown one.
    "feed_token": PathParameter(
        r"^[0-9A-Za-z]{26}-[A-Za-z0-9_-]{43}\.ics$",
        is_id=False,
        message="No calendar feed has this address; create one with POST /auth/calendar-feed.",
        malformed_is_not_found=True,
    ),
}

_PATH_PARAMETER = re.compile(r"{(\w+)}")


def path_parameters(path: str) -> list[str]:
    return _PATH_PARAMETER.findall(path)


@dataclass(frozen=True)
class Answer:
    """The successful answer: status, schema (JSON) or media type, and an example.

    A view returns the body; the app sends it with this status."""

    status: int
    description: str
    schema: SchemaClass | None = None
    example: Any = None
    media_type: str = JSON


@dataclass(frozen=True)
class Header:
    """An optional request header an operation reads, handed to the view as ``argument``."""

    name: str
    argument: str
    # Takes the header's value (None when absent); raises ValidationFailed when it is wrong.
    load: Callable[[str | None], Any]
    description: str
    # The JSON Schema of its value, as the document shows it.
    schema: Mapping[str, Any]
    example: str


@dataclass(frozen=True)
class Operation:
    """One documented operation: a path and method and everything ``app.route`` took."""

    path: str
    method: str
    operation_id: str
    summary: str
    tag: str
    answer: Answer
    access: str
    description: str = ""
    body: SchemaClass | None = None
    body_example: Mapping[str, Any] | None = None
    # False: no body at all is as good as ``{}`` (every field of the body is optional).
    body_required: bool = True
    query: SchemaClass | None = None
    headers: tuple[Header, ...] = ()
    # Domain errors beyond those that follow from access, body, query and path ids.
    domain_errors: tuple[errors.AppError, ...] = ()
    # Reads or writes DynamoDB, so an outage answers 503.
    stored: bool = True
    # Operations the answer leads to: operationId → {parameter: runtime expression}.
    # Swagger UI shows them; schemathesis follows them to chain requests.
    links: Mapping[str, Mapping[str, str]] | None = None
    # The view is handed the verified ``token`` instead of the ``principal``; see api.route.
    defer_account_check: bool = False

    def __post_init__(self) -> None:
        if self.access not in ACCESS:
            raise ValueError(f"{self.method} {self.path}: access is one of {', '.join(ACCESS)}")
        if self.defer_account_check and self.access != USER:
            # An admin's role is known only once the account is read, and a route must not
            # look at a non-admin's input first.
            raise ValueError(f"{self.method} {self.path}: only USER routes may defer the check")
        for name in path_parameters(self.path):
            if name not in PATH_PARAMETERS:
                raise ValueError(f"{self.method} {self.path}: add {name!r} to PATH_PARAMETERS")

    @property
    def takes_token(self) -> bool:
        return self.access in (USER, ADMIN)
