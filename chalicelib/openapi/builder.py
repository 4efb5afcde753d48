"""The OpenAPI 3.1 document, built from the operations the app's routes declared.

Each route (chalicelib/routes/) declares its operation once, through ``app.route``
(chalicelib.operations says what a declaration holds); routes for browsers say so there
instead and are left out. Bodies and query strings are described by the schemas in
``chalicelib.schemas`` that validate them, answers by ``chalicelib.openapi.answers`` (route
modules name both lazily; they are resolved to their classes here). The errors an operation
can answer follow from what it takes (a token, an admin's token, a body, a query, an id in
the path) plus the domain errors it declares, each shown with its code and message.

Built on the first request and kept for the container's life.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from chalicelib import errors, lazy
from chalicelib.openapi import examples
from chalicelib.openapi.answers import definitions as answers
from chalicelib.operations import (
    ADMIN,
    ID_PATTERN,
    JSON,
    OPTIONAL,
    PATH_PARAMETERS,
    PUBLIC,
    USER,
    Header,
    Operation,
    path_parameters,
)
from chalicelib.schemas.field_types import Id

if TYPE_CHECKING:
    from chalicelib.api import BookingsApp

TITLE = "Ahoum Bookings API"
VERSION = "1.0.0"
OPENAPI_VERSION = "3.1.0"

_TAGS = [
    {"name": "Accounts", "description": "Register, log in, log out, who am I."},
    {"name": "Events", "description": "What is on."},
    {"name": "Series", "description": "Recurring events: every date an ordinary event."},
    {"name": "Bookings", "description": "Taking and giving back seats."},
    {"name": "Payments", "description": "Stripe's webhook for paid seats."},
    {
        "name": "Calendar",
        "description": "Bookings as calendar files (RFC 5545), and a feed to subscribe to.",
    },
    {"name": "Admin", "description": "Facilitators, events and attendees (admins only)."},
    {"name": "Service", "description": "Health and this documentation."},
]
_TAG_NAMES = {tag["name"] for tag in _TAGS}

_DESCRIPTION = """Book wellness sessions and retreats.

Send `Authorization: Bearer <access_token>` (from register or login) to every operation that
shows a lock. Times are ISO 8601 in UTC ending in `Z`; ids are ULIDs.

Every error is JSON: `{"error": {"code", "message", "fields"?}}`. `code` is stable and meant
for programs; `fields` (400 only) names what is wrong with each field. Every answer carries
an `X-Request-Id` header.
"""


def document(app: BookingsApp) -> dict[str, Any]:
    """The OpenAPI document of ``app``'s operations, a fresh copy each call (tools such as
    schemathesis edit theirs)."""
    return json.loads(_text(app))


def write(app: BookingsApp, path: Path) -> None:
    path.write_text(json.dumps(document(app), indent=2, ensure_ascii=False) + "\n")


@functools.cache
def _text(app: BookingsApp) -> str:
    return json.dumps(_build(app.operations.values()), ensure_ascii=False)


def _build(operations: Iterable[Operation]) -> dict[str, Any]:
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
    for operation in operations:
        if operation.tag not in _TAG_NAMES:
            raise ValueError(f"{operation.operation_id}: tag {operation.tag!r} is not in _TAGS")
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, plugin
        )
    for path, by_method in paths.items():
        spec.path(path=path, operations=by_method)
    return spec.to_dict()


def _id_pattern(self: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    return {"pattern": ID_PATTERN} if isinstance(field, Id) else {}


def _operation(operation: Operation, plugin: MarshmallowPlugin) -> dict[str, Any]:
    documented: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "security": _SECURITY[operation.access],
        "parameters": [
            *(_path_parameter(name) for name in path_parameters(operation.path)),
            *_query_parameters(lazy.resolve(operation.query), plugin),
            *(_header(header) for header in operation.headers),
        ],
        "responses": {
            str(operation.answer.status): _answer(operation),
            **_error_responses(operation),
        },
    }
    if operation.description:
        documented["description"] = operation.description
    if operation.body is not None:
        documented["requestBody"] = {
            "required": operation.body_required,
            "content": {
                JSON: {"schema": lazy.resolve(operation.body), "example": operation.body_example}
            },
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


def _path_parameter(name: str) -> dict[str, Any]:
    if name not in examples.PATH_IDS:
        raise KeyError(f"add an example for path parameter {name!r} to examples.PATH_IDS")
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": PATH_PARAMETERS[name].pattern},
        "example": examples.PATH_IDS[name],
    }


def _header(header: Header) -> dict[str, Any]:
    return {
        "name": header.name,
        "in": "header",
        "required": False,
        "description": header.description,
        "schema": dict(header.schema),
        "example": header.example,
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


def _answer(operation: Operation) -> dict[str, Any]:
    answer = operation.answer
    content: dict[str, Any] = {"schema": lazy.resolve(answer.schema) or {"type": "object"}}
    if answer.media_type != JSON:
        content["schema"] = {"type": "string"}
    if answer.example is not None:
        content["example"] = answer.example
    documented = {
        "description": answer.description,
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
        "content": {answer.media_type: content},
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


def _implied_errors(operation: Operation) -> list[errors.AppError]:
    found: list[errors.AppError] = []
    if operation.body is not None or operation.query is not None or "{" in operation.path:
        found.append(errors.ValidationFailed(fields=_example_field_errors(operation)))
    if operation.body is not None:
        found += [errors.BadRequest("The body is not valid JSON."), _PAYLOAD_TOO_LARGE]
        found.append(_UNSUPPORTED_MEDIA_TYPE)
    if operation.access in (USER, ADMIN):
        found.append(_UNAUTHORIZED)
    if operation.access == ADMIN:
        found.append(_FORBIDDEN)
    return found


def _example_field_errors(operation: Operation) -> dict[str, list[str]]:
    """What a typical 400 of this operation says in ``fields``."""
    if operation.body is not None:
        body_fields = operation.body().fields.values()
        required = sorted(field.data_key or field.name for field in body_fields if field.required)
        if required:
            return {required[0]: ["Missing data for required field."]}
        return {"_schema": ["Send at least one field to change."]}
    ids_in_path = path_parameters(operation.path)
    if ids_in_path:
        return {ids_in_path[0]: ["Not a valid id."]}
    return {"limit": ["Must be greater than or equal to 1 and less than or equal to 100."]}


def _error_responses(operation: Operation) -> dict[str, Any]:
    found = [*_implied_errors(operation), *operation.domain_errors]
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
            JSON: {
                "schema": answers.Error,
                "examples": {
                    error.code: {"summary": error.message, "value": error.body()} for error in found
                },
            }
        },
    }
