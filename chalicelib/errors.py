"""One error type, one JSON shape: ``{"error": {"code", "message", "fields"?}}``.

Services raise these (or subclasses with their own ``code``); ``chalicelib.api`` turns any
of them into a response, so no route builds an error body by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar

import botocore.exceptions
from chalice import Response

# DynamoDB answers that mean "try again shortly", not "your request is wrong".
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields = fields
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class BadRequest(AppError):
    pass


class ValidationFailed(AppError):
    code = "validation_failed"
    default_message = "Some fields are missing or invalid; see `fields`."


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    default_message = "A valid Bearer token is required."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="ahoum"')


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(AppError):
    status = 404
    code = "not_found"
    default_message = "Nothing here."


class MethodNotAllowed(AppError):
    status = 405
    code = "method_not_allowed"
    default_message = "This path does not accept that method."


class Conflict(AppError):
    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    default_message = "Send the body as application/json."


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    default_message = "Too many attempts; wait before trying again."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers["Retry-After"] = str(retry_after)


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    default_message = "The database is unavailable; try again in a few seconds."

    def __init__(self, message: str | None = None, *, retry_after: int = 2, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers["Retry-After"] = str(retry_after)


def error_response(error: AppError) -> Response:
    return Response(body=error.body(), status_code=error.status, headers=error.headers)


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or anything it wraps) means DynamoDB is unreachable or throttling."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current,
            botocore.exceptions.ConnectionError | botocore.exceptions.HTTPClientError,
        ):
            return True
        if isinstance(current, botocore.exceptions.ClientError):
            return current.response.get("Error", {}).get("Code") in _RETRYABLE_CODES
        # PynamoDB wraps botocore errors in its own exceptions and keeps the original as .cause
        current = getattr(current, "cause", None) or current.__cause__ or current.__context__
    return False
