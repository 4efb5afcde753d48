"""What a route declares about itself: who may call it, what it takes, what it answers.

Each route in app.py passes these to ``app.route`` once. The app enforces them on every
request (``chalicelib.api``) and the OpenAPI document is built from them
(``chalicelib.openapi``), so what a route does and what its documentation says cannot drift
apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib import errors

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

# Ids are ULIDs, taken in any spelling (matched case-insensitively, answered in upper case).
ID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$"


@dataclass(frozen=True)
class PathParameter:
    """What a ``{name}`` in a documented path holds."""

    pattern: str
    # A malformed value is a 400 naming the parameter, answered before any DynamoDB call.
    checked: bool = True


PATH_PARAMETERS = {
    "event_id": PathParameter(ID_PATTERN),
    "booking_id": PathParameter(ID_PATTERN),
    "facilitator_id": PathParameter(ID_PATTERN),
    # `<booking_id>.<type>`, looked up as sent: an unknown one, well-formed or not, is 404.
    "delivery_id": PathParameter(
        ID_PATTERN[:-1] + r"\.booking\.(confirmed|cancelled)$", checked=False
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
