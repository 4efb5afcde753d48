"""The OpenAPI 3.1 document, generated from the marshmallow schemas the routes use.

``OPERATIONS`` has one entry per route, keyed by (path, method) exactly as app.py registers
it: documenting a route means adding its entry, and a test keeps this table equal to
``app.routes`` (``NOT_DOCUMENTED`` names the routes that serve browsers, not programs).
Bodies and query strings are described by the schemas in ``chalicelib.schemas`` that
validate them, answers by ``chalicelib.response_schemas``. The errors an operation can
answer follow from what it takes (a token, an admin's token, a body, a query, an id in the
path) plus the domain errors its entry lists, each shown with its code and message.

Built on the first request and kept for the container's life. ``python -m chalicelib.openapi
PATH`` writes it to a file (`make openapi`).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from chalicelib import (
    api_examples,
    auth,
    bookings,
    errors,
    events,
    facilitators,
    schemas,
    throttling,
    webhooks,
)
from chalicelib import response_schemas as answers

TITLE = "Ahoum Bookings API"
VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"

PUBLIC = "public"
OPTIONAL = "optional"
USER = "user"
ADMIN = "admin"

_PATH_PARAMETER = re.compile(r"{(\w+)}")
_JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    """The successful answer: status, schema (JSON) or media type, and an example."""

    status: int
    description: str
    schema: type[Schema] | None = None
    example: Any = None
    media_type: str = _JSON


@dataclass(frozen=True)
class Operation:
    operation_id: str
    summary: str
    tag: str
    reply: Reply
    access: str = USER
    description: str = ""
    body: type[Schema] | None = None
    body_example: Mapping[str, Any] | None = None
    query: type[Schema] | None = None
    # Domain errors beyond those that follow from access, body, query and path ids.
    domain_errors: tuple[errors.AppError, ...] = ()
    headers: tuple[Mapping[str, Any], ...] = ()
    # Reads or writes DynamoDB, so an outage answers 503.
    stored: bool = True
    # Operations the answer leads to: operationId → {parameter: runtime expression}.
    # Swagger UI shows them; schemathesis follows them to chain requests.
    links: Mapping[str, Mapping[str, str]] | None = None


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Repeat a booking safely: a retry with the key of a booking that went through gets "
        "that booking's 201 again instead of 409 `already_booked`."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": schemas.IDEMPOTENCY_KEY_MAX,
        # Printable ASCII; HTTP drops spaces at either end, so none can be sent there.
        "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$",
    },
    "example": "3f1c2b9e-first-try",
}

_NO_SUCH_EVENT = events.EventNotFound()
_NO_SUCH_BOOKING = bookings.BookingNotFound()
_NO_SUCH_FACILITATOR = facilitators.FacilitatorNotFound()

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/health", "GET"): Operation(
        "getHealth",
        "Is the API able to serve?",
        "Service",
        Reply(200, "DynamoDB answers.", answers.Health, api_examples.HEALTH),
        access=PUBLIC,
    ),
    ("/openapi.json", "GET"): Operation(
        "getOpenApiDocument",
        "This document",
        "Service",
        Reply(200, "The OpenAPI document."),
        access=PUBLIC,
        stored=False,
    ),
    ("/docs", "GET"): Operation(
        "getDocs",
        "Interactive documentation (Swagger UI) of this document",
        "Service",
        Reply(200, "An HTML page; it loads only files of this API.", media_type="text/html"),
        access=PUBLIC,
        stored=False,
    ),
    ("/auth/register", "POST"): Operation(
        "register",
        "Create an account (and get a token)",
        "Accounts",
        Reply(201, "Registered and logged in.", answers.Registered, api_examples.REGISTERED),
        access=PUBLIC,
        description=(
            "Emails are trimmed and compared case-insensitively. Every account starts with the "
            "role `user`; no request can choose or change a role."
        ),
        body=schemas.RegisterSchema,
        body_example=api_examples.REGISTER,
        domain_errors=(auth.EmailTaken(),),
    ),
    ("/auth/login", "POST"): Operation(
        "login",
        "Exchange email and password for a token",
        "Accounts",
        Reply(200, "A Bearer token, valid for an hour.", answers.Token, api_examples.TOKEN),
        access=PUBLIC,
        description=(
            f"{throttling.MAX_CLIENT_FAILURES} failures for one email from one IP, or "
            f"{throttling.MAX_ACCOUNT_FAILURES} from any IP, within "
            f"{int(throttling.WINDOW.total_seconds()) // 60} minutes answer 429 until the "
            "window ends (`Retry-After`)."
        ),
        body=schemas.LoginSchema,
        body_example=api_examples.LOGIN,
        domain_errors=(
            auth.InvalidCredentials(),
            throttling.LoginThrottled(retry_after=int(throttling.WINDOW.total_seconds())),
        ),
    ),
    ("/auth/logout", "POST"): Operation(
        "logout",
        "Revoke the caller's token",
        "Accounts",
        Reply(200, "Logged out.", answers.Message, api_examples.LOGGED_OUT),
        access=OPTIONAL,
        description="Any body is ignored. Logging out twice is as good as once.",
    ),
    ("/logout", "GET"): Operation(
        "logoutByLink",
        "Revoke the caller's token (a link's GET)",
        "Accounts",
        Reply(200, "Logged out.", answers.Message, api_examples.LOGGED_OUT),
        access=OPTIONAL,
    ),
    ("/auth/me", "GET"): Operation(
        "getMe",
        "Who the token belongs to",
        "Accounts",
        Reply(200, "The caller's account.", answers.Me, api_examples.ME),
    ),
    ("/events", "GET"): Operation(
        "listEvents",
        "Upcoming published events, soonest first",
        "Events",
        Reply(200, "A page of events.", answers.EventPage, api_examples.EVENT_PAGE),
        links={"getEvent": {"event_id": "$response.body#/events/0/id"}},
        description=(
            "`from`/`to` are whole UTC days, both included. With `kind` or `facilitator_id` a "
            "page can hold fewer than `limit` events (even none) and still have a cursor."
        ),
        query=schemas.EventsQuery,
    ),
    ("/events/{event_id}", "GET"): Operation(
        "getEvent",
        "One published event",
        "Events",
        Reply(200, "The event.", answers.Event, api_examples.MEDITATION),
        domain_errors=(_NO_SUCH_EVENT,),
    ),
    ("/bookings", "POST"): Operation(
        "book",
        "Book a seat at an event",
        "Bookings",
        Reply(201, "Booked.", answers.BookingCreated, api_examples.BOOKING_CREATED),
        links={"cancelBooking": {"booking_id": "$response.body#/booking_id"}},
        body=schemas.BookingBody,
        body_example=api_examples.BOOKING_BODY,
        headers=(_IDEMPOTENCY_KEY,),
        domain_errors=(
            _NO_SUCH_EVENT,
            bookings.AlreadyBooked(),
            bookings.EventFull(),
            bookings.EventStarted(),
            bookings.Contended(),
        ),
    ),
    ("/bookings/my", "GET"): Operation(
        "listMyBookings",
        "The caller's bookings, newest first",
        "Bookings",
        Reply(200, "A page of bookings.", answers.BookingPage, api_examples.BOOKING_PAGE),
        links={"cancelBooking": {"booking_id": "$response.body#/bookings/0/booking_id"}},
        query=schemas.BookingsQuery,
    ),
    ("/bookings/{booking_id}", "DELETE"): Operation(
        "cancelBooking",
        "Cancel one of the caller's bookings",
        "Bookings",
        Reply(
            200,
            "Cancelled; the seat is free again.",
            answers.Booking,
            api_examples.CANCELLED_BOOKING,
        ),
        description="Someone else's booking is 404, as an unknown one (admins may cancel any).",
        domain_errors=(_NO_SUCH_BOOKING, bookings.AlreadyCancelled(), bookings.Contended()),
    ),
    ("/admin/facilitators", "POST"): Operation(
        "createFacilitator",
        "Add a facilitator",
        "Admin",
        Reply(201, "Created.", answers.Facilitator, api_examples.FACILITATOR),
        links={
            "getFacilitator": {"facilitator_id": "$response.body#/id"},
            "updateFacilitator": {"facilitator_id": "$response.body#/id"},
        },
        access=ADMIN,
        body=schemas.FacilitatorBody,
        body_example=api_examples.FACILITATOR_BODY,
    ),
    ("/admin/facilitators", "GET"): Operation(
        "listFacilitators",
        "Facilitators, in no particular order",
        "Admin",
        Reply(
            200,
            "A page of facilitators.",
            answers.FacilitatorPage,
            api_examples.FACILITATOR_PAGE,
        ),
        access=ADMIN,
        query=schemas.PageQuery,
    ),
    ("/admin/facilitators/{facilitator_id}", "GET"): Operation(
        "getFacilitator",
        "One facilitator",
        "Admin",
        Reply(200, "The facilitator.", answers.Facilitator, api_examples.FACILITATOR),
        access=ADMIN,
        domain_errors=(_NO_SUCH_FACILITATOR,),
    ),
    ("/admin/facilitators/{facilitator_id}", "PATCH"): Operation(
        "updateFacilitator",
        "Rename or re-key a facilitator",
        "Admin",
        Reply(200, "The facilitator as changed.", answers.Facilitator, api_examples.FACILITATOR),
        access=ADMIN,
        description="Events keep their copy; re-assign the facilitator to refresh one.",
        body=schemas.FacilitatorChanges,
        body_example=api_examples.FACILITATOR_CHANGES,
        domain_errors=(_NO_SUCH_FACILITATOR,),
    ),
    ("/admin/events", "POST"): Operation(
        "createEvent",
        "Put an event on",
        "Admin",
        Reply(201, "Created.", answers.AdminEvent, api_examples.ADMIN_EVENT),
        links={
            operation_id: {"event_id": "$response.body#/id"}
            for operation_id in ("getEvent", "updateEvent", "unpublishEvent", "listAttendees")
        },
        access=ADMIN,
        description="Times need an offset (or Z) and are stored in UTC.",
        body=schemas.EventBody,
        body_example=api_examples.EVENT_BODY,
    ),
    ("/admin/events/{event_id}", "PATCH"): Operation(
        "updateEvent",
        "Change an event",
        "Admin",
        Reply(200, "The event as changed.", answers.AdminEvent, api_examples.ADMIN_EVENT),
        access=ADMIN,
        description="Bookings already made keep their copy of the old details.",
        body=schemas.EventChanges,
        body_example=api_examples.EVENT_CHANGES,
        domain_errors=(_NO_SUCH_EVENT, events.CapacityBelowBookings()),
    ),
    ("/admin/events/{event_id}", "DELETE"): Operation(
        "unpublishEvent",
        "Take an event off the listing (its bookings stay)",
        "Admin",
        Reply(200, "The event, unpublished.", answers.AdminEvent, api_examples.UNPUBLISHED_EVENT),
        access=ADMIN,
        domain_errors=(_NO_SUCH_EVENT,),
    ),
    ("/admin/events/{event_id}/attendees", "GET"): Operation(
        "listAttendees",
        "Who booked an event, first booked first",
        "Admin",
        Reply(200, "A page of attendees.", answers.AttendeePage, api_examples.ATTENDEE_PAGE),
        access=ADMIN,
        query=schemas.BookingsQuery,
        domain_errors=(_NO_SUCH_EVENT,),
    ),
    ("/admin/webhooks", "GET"): Operation(
        "listWebhookDeliveries",
        "CRM webhook deliveries in one state",
        "Admin",
        Reply(
            200,
            "A page of deliveries.",
            answers.WebhookDeliveryPage,
            api_examples.WEBHOOK_DELIVERY_PAGE,
        ),
        access=ADMIN,
        query=schemas.WebhookDeliveriesQuery,
    ),
    ("/admin/webhooks/{delivery_id}/replay", "POST"): Operation(
        "replayWebhookDelivery",
        "Send a delivery again now, with a fresh 3-day retry window",
        "Admin",
        Reply(
            202, "Queued to be sent again.", answers.WebhookDelivery, api_examples.WEBHOOK_DELIVERY
        ),
        access=ADMIN,
        domain_errors=(webhooks.DeliveryNotFound(), webhooks.DeliveryInFlight()),
    ),
}

# Routes for browsers rather than programs, each with the reason it is left out.
_DASHBOARD_PAGE = "a dashboard page for browsers (HTML forms, cookie session), not the JSON API"
NOT_DOCUMENTED: dict[tuple[str, str], str] = {
    ("/docs/{asset}", "GET"): "the scripts and styles of the /docs page",
    ("/", "GET"): _DASHBOARD_PAGE,
    ("/login", "GET"): _DASHBOARD_PAGE,
    ("/login", "POST"): _DASHBOARD_PAGE,
    ("/register", "GET"): _DASHBOARD_PAGE,
    ("/register", "POST"): _DASHBOARD_PAGE,
    ("/dashboard", "GET"): _DASHBOARD_PAGE,
    ("/dashboard/book", "POST"): _DASHBOARD_PAGE,
    ("/dashboard/cancel", "POST"): _DASHBOARD_PAGE,
    ("/logout", "POST"): _DASHBOARD_PAGE,
    ("/static/app.css", "GET"): "the dashboard's stylesheet",
}

_TAGS = [
    {"name": "Accounts", "description": "Register, log in, log out, who am I."},
    {"name": "Events", "description": "What is on."},
    {"name": "Bookings", "description": "Taking and giving back seats."},
    {"name": "Admin", "description": "Facilitators, events and attendees (admins only)."},
    {"name": "Service", "description": "Health and this documentation."},
]

_DESCRIPTION = """Book wellness sessions and retreats.

Send `Authorization: Bearer <access_token>` (from register or login) to every operation that
shows a lock. Times are ISO 8601 in UTC ending in `Z`; ids are ULIDs.

Every error is JSON: `{"error": {"code", "message", "fields"?}}`. `code` is stable and meant
for programs; `fields` (400 only) names what is wrong with each field. Every answer carries
an `X-Request-Id` header.
"""

# Any spelling the API takes: ids are matched case-insensitively and answered in upper case.
ID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$"
# Path parameters that are not plain ULIDs: a webhook delivery is `<booking_id>.<type>`.
_PATH_PATTERNS = {"delivery_id": ID_PATTERN[:-1] + r"\.booking\.(confirmed|cancelled)$"}


def document() -> dict[str, Any]:
    """The OpenAPI document, a fresh copy each call (tools such as schemathesis edit theirs)."""
    return json.loads(_text())


@functools.cache
def _text() -> str:
    return json.dumps(_build(), ensure_ascii=False)


def _build() -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": _DESCRIPTION},
        # Relative to where the document is served: the API's root, on any stage.
        servers=[{"url": ".", "description": "this API"}],
        tags=_TAGS,
    )
    plugin.converter.add_attribute_function(_id_pattern)
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.header(
        "X-Request-Id",
        {"description": "Quote it when reporting a problem.", "schema": {"type": "string"}},
    )
    for error in _SHARED_ERRORS:
        spec.components.response(error.code, _error_response([error]))
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), operation in OPERATIONS.items():
        paths.setdefault(path, {})[method.lower()] = _operation(path, operation, plugin)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _id_pattern(self: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    return {"pattern": ID_PATTERN} if isinstance(field, schemas.Id) else {}


def _operation(path: str, operation: Operation, plugin: MarshmallowPlugin) -> dict[str, Any]:
    documented: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "security": _SECURITY[operation.access],
        "parameters": [
            *(_path_id(name) for name in _PATH_PARAMETER.findall(path)),
            *_query_parameters(operation.query, plugin),
            *operation.headers,
        ],
        "responses": {
            str(operation.reply.status): _reply(operation),
            **_error_responses(path, operation),
        },
    }
    if operation.description:
        documented["description"] = operation.description
    if operation.body is not None:
        documented["requestBody"] = {
            "required": True,
            "content": {_JSON: {"schema": operation.body, "example": operation.body_example}},
        }
    if not documented["parameters"]:
        del documented["parameters"]
    return documented


_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    PUBLIC: [],
    OPTIONAL: [{}, {"bearerAuth": []}],
    USER: [{"bearerAuth": []}],
    ADMIN: [{"bearerAuth": []}],
}


def _path_id(name: str) -> dict[str, Any]:
    if name not in api_examples.PATH_IDS:
        raise KeyError(f"add an example for path parameter {name!r} to api_examples.PATH_IDS")
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": _PATH_PATTERNS.get(name, ID_PATTERN)},
        "example": api_examples.PATH_IDS[name],
    }


def _query_parameters(query: type[Schema] | None, plugin: MarshmallowPlugin) -> list[dict]:
    if query is None:
        return []
    parameters = plugin.converter.schema2parameters(query, location="query")
    for parameter in parameters:
        schema = parameter["schema"]
        # An absent parameter is how a query says "none"; it never sends JSON's null.
        if isinstance(schema.get("type"), list):
            schema["type"] = next(kind for kind in schema["type"] if kind != "null")
        if schema.get("default", "") is None:
            del schema["default"]
    return parameters


def _reply(operation: Operation) -> dict[str, Any]:
    reply = operation.reply
    content: dict[str, Any] = {"schema": reply.schema or {"type": "object"}}
    if reply.media_type != _JSON:
        content["schema"] = {"type": "string"}
    if reply.example is not None:
        content["example"] = reply.example
    documented = {
        "description": reply.description,
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
        "content": {reply.media_type: content},
    }
    if operation.links:
        documented["links"] = {
            operation_id: {"operationId": operation_id, "parameters": dict(parameters)}
            for operation_id, parameters in operation.links.items()
        }
    return documented


# Answered alike by many operations: documented once, under components/responses.
_PAYLOAD_TOO_LARGE = errors.PayloadTooLarge()
_UNSUPPORTED_MEDIA_TYPE = errors.UnsupportedMediaType()
_UNAUTHORIZED = errors.Unauthorized()
_FORBIDDEN = errors.Forbidden("This needs an admin account.")
_UNAVAILABLE = errors.ServiceUnavailable()
_SHARED_ERRORS = (
    _PAYLOAD_TOO_LARGE,
    _UNSUPPORTED_MEDIA_TYPE,
    _UNAUTHORIZED,
    _FORBIDDEN,
    _UNAVAILABLE,
)


def _implied_errors(path: str, operation: Operation) -> list[errors.AppError]:
    found: list[errors.AppError] = []
    if operation.body is not None or operation.query is not None or "{" in path:
        found.append(errors.ValidationFailed(fields=_example_field_errors(path, operation)))
    if operation.body is not None:
        found += [errors.BadRequest("The body is not valid JSON."), _PAYLOAD_TOO_LARGE]
        found.append(_UNSUPPORTED_MEDIA_TYPE)
    if operation.access in (USER, ADMIN):
        found.append(_UNAUTHORIZED)
    if operation.access == ADMIN:
        found.append(_FORBIDDEN)
    return found


def _example_field_errors(path: str, operation: Operation) -> dict[str, list[str]]:
    """What a typical 400 of this operation says in ``fields``."""
    if operation.body is not None:
        body_fields = operation.body().fields.values()
        required = sorted(field.data_key or field.name for field in body_fields if field.required)
        if required:
            return {required[0]: ["Missing data for required field."]}
        return {"_schema": ["Send at least one field to change."]}
    ids_in_path = _PATH_PARAMETER.findall(path)
    if ids_in_path:
        return {ids_in_path[0]: ["Not a valid id."]}
    return {"limit": ["Must be greater than or equal to 1 and less than or equal to 100."]}


def _error_responses(path: str, operation: Operation) -> dict[str, Any]:
    found = [*_implied_errors(path, operation), *operation.domain_errors]
    if operation.stored:
        found.append(_UNAVAILABLE)
    by_status: dict[int, dict[str, errors.AppError]] = {}
    for error in found:
        by_status.setdefault(error.status, {}).setdefault(error.code, error)
    responses = {}
    for status, by_code in sorted(by_status.items()):
        group = list(by_code.values())
        if len(group) == 1 and group[0] in _SHARED_ERRORS:
            responses[str(status)] = {"$ref": f"#/components/responses/{group[0].code}"}
        else:
            responses[str(status)] = _error_response(group)
    return responses


def _error_response(found: list[errors.AppError]) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    for error in found:
        for name in error.headers:
            headers[name] = {"schema": {"type": "integer" if name == "Retry-After" else "string"}}
    codes = ", ".join(f"`{error.code}`" for error in found)
    return {
        "description": f"{codes}: {found[0].message}" if len(found) == 1 else codes,
        "headers": headers,
        "content": {
            _JSON: {
                "schema": answers.Error,
                "examples": {
                    error.code: {"summary": error.message, "value": error.body()} for error in found
                },
            }
        },
    }


def write(path: Path) -> None:
    path.write_text(json.dumps(document(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write(Path(sys.argv[1]))
