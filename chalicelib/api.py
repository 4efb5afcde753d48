"""The Chalice app object: each route declared once, enforced and recorded by ``app.route``.

A route's decorator says who may call it and what it takes and answers (see ``route`` and
``chalicelib.operations``); the decorator checks the caller and loads the input before the
view runs, and records the declaration, from which ``chalicelib.openapi`` builds the
document. Chalice turns any exception raised in a view into its own 500 before middleware
sees it, so the error mapping lives in the decorator too: every view answers domain errors,
DynamoDB outages and surprises with the one JSON error shape.
"""

from __future__ import annotations

import functools
import inspect
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from chalice import Chalice, Response

from chalicelib import auth, errors, event_staff, operations, schemas
from chalicelib.config import get_settings
from chalicelib.logs import json_logger, safe_path
from chalicelib.operations import JSON

# Chalice's own errors (bad JSON, wrong method, wrong content type) come as
# {"Code", "Message"}; this maps them onto the project's codes.
_CHALICE_ERROR_CODES = {
    "BadRequestError": (400, "invalid_json", "The body is not valid JSON."),
    "MethodNotAllowedError": (405, "method_not_allowed", "This path does not accept that method."),
    "UnsupportedMediaType": (415, "unsupported_media_type", "Send the body as application/json."),
}


log = json_logger("ahoum")


# Chalice refuses a body whose media type a route did not list before the route's view runs,
# so before the token is checked; an operation lists this instead and checks the media types
# it declared itself, after the token (``_check_media_type``).
ANY_MEDIA_TYPE = "*/*"


class BookingsApp(Chalice):
    """A Chalice app whose ``route`` declares each operation: who may call it, what it takes
    and answers. Route modules declare theirs on a ``Routes`` and ``register`` them here."""

    def __init__(self, app_name: str) -> None:
        super().__init__(app_name=app_name)
        self.register_middleware(self._http_middleware, "http")
        # What each route declared, keyed (path, method): the OpenAPI document is built
        # from ``operations``; ``browser_routes`` holds why each of the others is left out.
        self.operations: dict[tuple[str, str], operations.Operation] = {}
        self.browser_routes: dict[tuple[str, str], str] = {}

    def register(self, routes: Routes) -> None:
        """Declare ``routes``' views here, in the order their module declared them, each
        through ``route`` with every check it makes."""
        for path, method, declaration, view in routes.declared:
            self.route(path, method, **declaration)(view)
        routes.app = self

    def route(  # type: ignore[override]
        self,
        path: str,
        method: str,
        *,
        browser_only: str | None = None,
        content_types: list[str] | None = None,
        operation_id: str | None = None,
        **declaration: Any,
    ) -> Callable[..., Any]:
        """Register a view for one method of ``path``, declared as an operation.

        ``declaration`` takes the fields of ``operations.Operation`` (access, answer,
        summary, tag, body, query, headers, domain_errors, links, ...); the operationId is
        the view's name in camelCase unless ``operation_id`` says otherwise; the body may be
        of the ``content_types`` (JSON unless said). A route for browsers instead says
        ``browser_only=<why it is not documented>`` and takes ``request``. Before the view
        runs, in this order:

        1. a route with a token checks its signature and claims without a DynamoDB call
           (401 whatever else was sent); then the body's media type (415);
        2. ids in the path are checked (400), so a malformed one costs no DynamoDB call;
        3. the account and the token's revocation are read (one BatchGetItem); ADMIN,
           FACILITATOR and OWN_FACILITATOR routes refuse others with 403 before reading more;
        4. the body, the query string and declared headers are loaded (400, 415).

        The view takes, by name, the path parameters and any of ``principal``, ``body``,
        ``query``, ``request`` and the declared headers' arguments; what it returns is sent
        with the declared answer's status. ``defer_account_check=True`` skips step 3 and
        hands the view the verified ``token``: its service passes it to
        ``auth.authenticate_with``, which reads account and revocation with its own items.
        """
        media_types = content_types or [JSON]

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            if browser_only is not None:
                if declaration or operation_id:
                    raise TypeError(f"{method} {path}: a browser-only route is not documented")
                self._add_browser_route(path, method, view, browser_only, media_types)
            else:
                operation = operations.Operation(
                    path=path,
                    method=method,
                    operation_id=operation_id or _camel_case(view.__name__),
                    **declaration,
                )
                self._add_operation(operation, view, media_types)
            return view

        return decorator

    def _add_browser_route(
        self, path: str, method: str, view: Callable[..., Any], why: str, media_types: list[str]
    ) -> None:
        _check_arguments(view, path, allowed={"request"}, required=set())
        self.browser_routes[(path, method)] = why
        register = super().route(path, methods=[method], content_types=media_types)
        register(self._answering_errors(self._browser_view(view)))

    def _add_operation(
        self, operation: operations.Operation, view: Callable[..., Any], media_types: list[str]
    ) -> None:
        if any(o.operation_id == operation.operation_id for o in self.operations.values()):
            raise ValueError(
                f"{operation.method} {operation.path}: operationId"
                f" {operation.operation_id!r} is taken"
            )
        _check_arguments(view, operation.path, *_arguments(operation))
        self.operations[(operation.path, operation.method)] = operation
        register = super().route(
            operation.path, methods=[operation.method], content_types=[ANY_MEDIA_TYPE]
        )
        register(self._answering_errors(self._operation_view(operation, view, media_types)))

    def _browser_view(self, view: Callable[..., Any]) -> Callable[..., Any]:
        takes_request = "request" in inspect.signature(view).parameters

        @functools.wraps(view)
        def handler(**path_values: str) -> Any:
            if takes_request:
                return view(request=self.current_request, **path_values)
            return view(**path_values)

        return handler

    def _operation_view(
        self, operation: operations.Operation, view: Callable[..., Any], media_types: list[str]
    ) -> Callable[..., Any]:
        wanted = set(inspect.signature(view).parameters)

        @functools.wraps(view)
        def handler(**path_values: str) -> Any:
            request = self.current_request
            given: dict[str, Any] = {}
            token = auth.verify(request.headers) if operation.takes_token else None
            _check_media_type(request, media_types)
            for name, value in path_values.items():
                given[name] = schemas.load_path_value(value, name)
            if token is not None and operation.defer_account_check:
                given["token"] = token
            elif token is not None:
                principal, _ = auth.authenticate_with(token, [])
                if operation.access == operations.ADMIN:
                    auth.require_admin(principal)
                elif operation.access == operations.FACILITATOR:
                    auth.require_facilitator(principal)
                elif operation.access == operations.OWN_FACILITATOR:
                    event_staff.require_admin_or_acting_for(principal, given["facilitator_id"])
                given["principal"] = principal
            if operation.body is not None:
                if not operation.body_required and not (request.raw_body or b"").strip():
                    given["body"] = {}
                else:
                    given["body"] = schemas.load_json_body(request, _schema(operation.body))
            if operation.query is not None:
                given["query"] = schemas.load_query(request, _schema(operation.query))
            for header in operation.headers:
                given[header.argument] = header.load((request.headers or {}).get(header.name))
            given["request"] = request
            answer = view(**{name: value for name, value in given.items() if name in wanted})
            if isinstance(answer, Response) or operation.answer.status == 200:
                return answer
            return Response(body=answer, status_code=operation.answer.status)

        return handler

    def request_id(self) -> str:
        """API Gateway's request id; one is minted where none exists (chalice local)."""
        request = self.current_request
        context = request.context if request is not None else {}
        if not context.get("requestId"):
            context["requestId"] = str(uuid.uuid4())
        return context["requestId"]

    def _answering_errors(self, view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def handler(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except errors.AppError as error:
                return errors.error_response(error)
            except Exception as exc:
                if errors.is_unavailable(exc):
                    log.warning("dynamodb unavailable", extra={"fields": {"error": repr(exc)}})
                    return errors.error_response(errors.ServiceUnavailable())
                return self._internal_error()

        return handler

    def _internal_error(self) -> Response:
        request_id = self.request_id()
        request = self.current_request
        log.exception(
            "unhandled error",
            extra={
                "fields": {
                    "request_id": request_id,
                    "path": safe_path(getattr(request, "path", None)),
                }
            },
        )
        body = {
            "error": {
                "code": "internal_error",
                "message": "Something went wrong on our side; quote the request id if it persists.",
                "request_id": request_id,
            }
        }
        return Response(body=body, status_code=500)

    def _http_middleware(self, event: Any, get_response: Callable[[Any], Response]) -> Response:
        started = time.perf_counter()
        raw_body = event.raw_body or b""
        most = get_settings().max_body_bytes
        if len(raw_body) > most:
            response = errors.error_response(
                errors.PayloadTooLarge(f"The body is over {most // 1024} KB.")
            )
        else:
            response = _reshape_chalice_error(get_response(event))
        request_id = self.request_id()
        response.headers["X-Request-Id"] = request_id
        _protect(response)
        log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": event.method,
                    "path": safe_path(event.path),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            },
        )
        return response


class Declared(NamedTuple):
    """One route as its module declared it, for ``BookingsApp.register`` to replay."""

    path: str
    method: str
    declaration: dict[str, Any]
    view: Callable[..., Any]


class Routes:
    """One route module's routes, declared as on the app (``route`` takes what
    ``BookingsApp.route`` takes) and registered in it by ``app.register(routes)``, which
    makes every check of ``BookingsApp.route``. Chalice's ``Blueprint`` would not: it
    registers its views with Chalice's own ``route``."""

    def __init__(self) -> None:
        self.declared: list[Declared] = []
        # The app these routes were registered in (the OpenAPI document describes it).
        self.app: BookingsApp | None = None

    def route(self, path: str, method: str, **declaration: Any) -> Callable[..., Any]:
        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            self.declared.append(Declared(path, method, declaration, view))
            return view

        return decorator


def _protect(response: Response) -> None:
    """JSON answers carry tokens and personal data (a login, /auth/me, attendee lists): no
    cache, shared or the browser's, may keep one, and no browser may sniff one into HTML."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if "Content-Type" not in response.headers and not isinstance(response.body, str | bytes):
        # Chalice serializes such a body as JSON; say so rather than leave it to the gateway.
        response.headers["Content-Type"] = JSON
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() == JSON:
        response.headers.setdefault("Cache-Control", "no-store")


_schemas = threading.local()


def _schema(schema_class: Any) -> Any:
    """One instance of a schema per thread, reused by every request: making one copies each
    of its fields (~60-90 µs, a fixed cost of every request that validates), and loading
    never changes it. Per thread, as marshmallow does not promise more."""
    made = getattr(_schemas, "made", None)
    if made is None:
        made = _schemas.made = {}
    schema = made.get(schema_class)
    if schema is None:
        schema = made[schema_class] = schema_class()
    return schema


def _check_media_type(request: Any, media_types: list[str]) -> None:
    """The body's media type is one the operation declared, as Chalice would have checked
    it: no Content-Type counts as JSON, and any of a header's parts may match."""
    sent = (request.headers or {}).get("content-type", JSON).lower()
    parts = {part.strip() for part in re.split("[,;]", sent)}
    if ANY_MEDIA_TYPE not in sent and not parts & {kind.lower() for kind in media_types}:
        raise errors.UnsupportedMediaType()


def _camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _arguments(operation: operations.Operation) -> tuple[set[str], set[str]]:
    """What a view of ``operation`` may take, and what it must take (what was declared)."""
    required = set(operations.path_parameters(operation.path))
    required |= {header.argument for header in operation.headers}
    if operation.body is not None:
        required.add("body")
    if operation.query is not None:
        required.add("query")
    if operation.defer_account_check:
        required.add("token")
    allowed = required | {"request"}
    if operation.takes_token and not operation.defer_account_check:
        allowed.add("principal")
    return allowed, required


def _check_arguments(
    view: Callable[..., Any], path: str, allowed: set[str], required: set[str]
) -> None:
    """A view takes only what its declaration provides, and everything it declares."""
    taken = set(inspect.signature(view).parameters)
    required = required | set(operations.path_parameters(path))
    if taken - allowed - required or required - taken:
        raise TypeError(
            f"view {view.__name__} of {path} takes {sorted(taken)}; its declaration gives"
            f" {sorted(required)} and may add {sorted(allowed - required)}"
        )


def _reshape_chalice_error(response: Response) -> Response:
    body = response.body
    if not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return response
    status, code, message = _CHALICE_ERROR_CODES.get(
        body["Code"], (response.status_code, "internal_error", "Something went wrong on our side.")
    )
    response.body = {"error": {"code": code, "message": message}}
    response.status_code = status
    return response
