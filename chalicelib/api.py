"""The Chalice app object with the project's error handling built in.

Chalice turns any exception raised in a view into its own 500 before middleware sees it, so
the mapping lives in the route decorator: every view registered with ``app.route`` answers
domain errors, DynamoDB outages and surprises with the one JSON error shape.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response

from chalicelib import auth, errors
from chalicelib.logs import json_logger

MAX_BODY_BYTES = 64 * 1024

# Chalice's own errors (bad JSON, wrong method, wrong content type) come as
# {"Code", "Message"}; this maps them onto the project's codes.
_CHALICE_ERROR_CODES = {
    "BadRequestError": (400, "invalid_json", "The body is not valid JSON."),
    "MethodNotAllowedError": (405, "method_not_allowed", "This path does not accept that method."),
    "UnsupportedMediaType": (415, "unsupported_media_type", "Send the body as application/json."),
}


log = json_logger("ahoum")


class BookingsApp(Chalice):
    def __init__(self, app_name: str) -> None:
        super().__init__(app_name=app_name)
        self.register_middleware(self._http_middleware, "http")

    def route(self, path: str, **kwargs: Any) -> Callable[..., Any]:
        register = super().route(path, **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            register(self._answering_errors(view))
            return view

        return decorator

    def caller(self) -> auth.Principal:
        """Who sent the current request: its Bearer token checked, revocation included."""
        return auth.authenticate(self.current_request.headers)

    def admin(self) -> auth.Principal:
        """The caller, who must be an admin (403 otherwise)."""
        return auth.require_admin(self.caller())

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
            extra={"fields": {"request_id": request_id, "path": getattr(request, "path", None)}},
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
        if len(raw_body) > MAX_BODY_BYTES:
            response = errors.error_response(
                errors.PayloadTooLarge(f"The body is over {MAX_BODY_BYTES // 1024} KB.")
            )
        else:
            response = _reshape_chalice_error(get_response(event))
        request_id = self.request_id()
        response.headers["X-Request-Id"] = request_id
        log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": event.method,
                    "path": event.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            },
        )
        return response


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
