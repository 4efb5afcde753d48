"""What every page's function is wrapped in: a service error shown as a page, and who may
see it (anyone, the person logged in, an admin).

A page function takes a ``Visit`` and the path's values by name; wrapped, it takes the
Chalice request and the path's values, as the browser routes hand them over."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib import auth, errors, models
from chalicelib.web.visit import Visit


def html_view(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A service error becomes an HTML error page (the API's routes answer JSON instead).
    Path values (``event_id``...) are passed on by name, as they come."""

    @functools.wraps(handler)
    def answer(request: Any, **path_values: str) -> Response:
        visit = Visit(request)
        try:
            return handler(visit, **path_values)
        except errors.AppError as error:
            return visit.error_page(error)
        except Exception as exc:
            if errors.is_unavailable(exc):
                return visit.error_page(errors.ServiceUnavailable())
            raise

    return answer


def logged_in(handler: Callable[..., Response]) -> Callable[..., Response]:
    """``html_view`` for the person logged in, whom the handler gets as ``principal``;
    anyone else goes to the login page."""

    @html_view
    @functools.wraps(handler)
    def answer(visit: Visit, **path_values: str) -> Response:
        principal = visit.principal()
        if principal is None:
            return visit.to_login()
        return handler(visit, principal, **path_values)

    return answer


def admin_only(handler: Callable[..., Response]) -> Callable[..., Response]:
    """``logged_in`` for admins: anyone else logged in gets a 403 page."""

    @logged_in
    @functools.wraps(handler)
    def answer(visit: Visit, principal: auth.Principal, **path_values: str) -> Response:
        auth.require_admin(principal)
        return handler(visit, principal, **path_values)

    return answer


def facilitator_only(handler: Callable[..., Response]) -> Callable[..., Response]:
    """``logged_in`` for accounts linked to a facilitator: anyone else logged in gets a 403
    page (an admin uses the console's pages, which name the facilitator)."""

    @logged_in
    @functools.wraps(handler)
    def answer(visit: Visit, principal: auth.Principal, **path_values: str) -> Response:
        if principal.role != models.ROLE_FACILITATOR or principal.facilitator_id is None:
            raise errors.Forbidden("This page is for facilitators' accounts.")
        return handler(visit, principal, **path_values)

    return answer
