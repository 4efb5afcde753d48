"""The dashboard's pages and form actions; app.py routes each to one function here.

Each takes the Chalice request and returns a response. Forms are validated with the JSON
API's own schemas and handled by the same service functions; a service's error becomes words
on the page (a form shown again with what was typed, except the password) or a notice after
the redirect, never a 5xx for anything a person can type or click.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib import auth, bookings, errors, events, schemas
from chalicelib.web import cookies, notices
from chalicelib.web.visit import Visit

EVENTS_PER_PAGE = 10
BOOKINGS_PER_PAGE = 20
_LOGIN_FIELDS = ("email", "password")
_REGISTER_FIELDS = ("name", "email", "password")


def _page(handler: Callable[[Visit], Response]) -> Callable[[Any], Response]:
    """A service error becomes an HTML error page (the API's routes answer JSON instead)."""

    @functools.wraps(handler)
    def answer(request: Any) -> Response:
        visit = Visit(request)
        try:
            return handler(visit)
        except errors.AppError as error:
            return visit.error_page(error)
        except Exception as exc:
            if errors.is_unavailable(exc):
                return visit.error_page(errors.ServiceUnavailable())
            raise

    return answer


@_page
def home(visit: Visit) -> Response:
    return visit.redirect("/dashboard" if visit.principal() else "/login")


@_page
def login_page(visit: Visit) -> Response:
    if visit.principal():
        return visit.redirect("/dashboard")
    return _form_page(visit, "login.html", {"email": ""})


@_page
def login(visit: Visit) -> Response:
    form = visit.form()
    typed = {"email": form.get("email", "")}
    try:
        body = schemas.load_mapping(form, schemas.LoginSchema())
        answer = auth.login(body["email"], body["password"], visit.source_ip)
    except errors.AppError as error:
        return _form_page(visit, "login.html", typed, error, _LOGIN_FIELDS)
    visit.start_session(answer["access_token"])
    return visit.redirect("/dashboard")


@_page
def register_page(visit: Visit) -> Response:
    if visit.principal():
        return visit.redirect("/dashboard")
    return _form_page(visit, "register.html", {"name": "", "email": ""})


@_page
def register(visit: Visit) -> Response:
    form = visit.form()
    typed = {"name": form.get("name", ""), "email": form.get("email", "")}
    try:
        body = schemas.load_mapping(form, schemas.RegisterSchema())
        answer = auth.register(**body, source_ip=visit.source_ip)
    except errors.AppError as error:
        return _form_page(visit, "register.html", typed, error, _REGISTER_FIELDS)
    visit.start_session(answer["access_token"])
    return visit.redirect("/dashboard")


@_page
def dashboard(visit: Visit) -> Response:
    principal = visit.principal()
    if principal is None:
        return visit.to_login()
    query = schemas.load_query(visit.request, schemas.DashboardQuery())
    events_cursor, bookings_cursor = query["events_cursor"], query["bookings_cursor"]
    upcoming = events.list_upcoming(limit=EVENTS_PER_PAGE, cursor=events_cursor)
    mine = bookings.list_mine(principal, limit=BOOKINGS_PER_PAGE, cursor=bookings_cursor)
    next_events, next_bookings = upcoming["next_cursor"], mine["next_cursor"]
    return visit.page(
        "dashboard.html",
        events=upcoming["events"],
        bookings=mine["bookings"],
        more_events=next_events and _dashboard_url(next_events, bookings_cursor),
        first_events=events_cursor and _dashboard_url(None, bookings_cursor),
        more_bookings=next_bookings and _dashboard_url(events_cursor, next_bookings),
        first_bookings=bookings_cursor and _dashboard_url(events_cursor, None),
    )


@_page
def book(visit: Visit) -> Response:
    return _act(visit, "booked", _book)


@_page
def cancel(visit: Visit) -> Response:
    return _act(visit, "cancelled", _cancel)


# Logging out. Whatever credential a logout carries is revoked: the Bearer token, the session
# cookie, or both. A browser adds the session cookie on its own, even to a link on another site
# (SameSite=Lax lets a top-level GET carry it), so a GET holding only the cookie gets a page
# whose button POSTs with the CSRF token instead; the button, like every form, is checked.
# No browser adds an Authorization header on its own, so a request with a Bearer token cannot
# be another site's link or form: it revokes the session it carries too. And no other site's
# POST carries the cookie at all (SameSite=Lax), so the API's POST /auth/logout revokes it.


def logout_link(request: Any) -> Response | dict[str, str]:
    """``GET /logout``: an API client's logout, or a browser's link to the logout page."""
    visit = Visit(request)
    token = auth.bearer_token_or_none(request.headers)
    if token is not None:
        return _log_out(visit, token)
    if not _from_browser(request):
        return auth.logout([])
    if visit.principal() is None:
        return visit.to_login()
    return visit.page("logout.html")


@_page
def logout_button(visit: Visit) -> Response:
    """``POST /logout``: the Log out button, or an API client's logout (any body)."""
    token = auth.bearer_token_or_none(visit.request.headers)
    if token is None and visit.session_id:
        # Without a live session there is nothing left to protect.
        visit.form()
    return _log_out(visit, token)


def logout_api(request: Any) -> Response:
    """``POST /auth/logout``: always answers JSON, and forgets a session cookie it carries."""
    visit = Visit(request)
    return _log_out(visit, auth.bearer_token_or_none(request.headers), answer_page=False)


def _log_out(visit: Visit, token: str | None, *, answer_page: bool | None = None) -> Response:
    auth.logout(held for held in (token, visit.session_token) if held)
    visit.end_session()
    if answer_page is False or (answer_page is None and not _from_browser(visit.request)):
        return visit.json(auth.LOGGED_OUT)
    visit.notify("logged_out")
    return visit.redirect("/login")


def _from_browser(request: Any) -> bool:
    """A browser holds the session cookie, or asks for HTML; an API client gets JSON."""
    holds_session = cookies.SESSION in cookies.read(request.headers)
    return holds_session or "text/html" in (request.headers or {}).get("accept", "")


def _book(principal: auth.Principal, form: dict[str, str]) -> None:
    bookings.book(principal, schemas.load_mapping(form, schemas.BookingBody())["event_id"])


def _cancel(principal: auth.Principal, form: dict[str, str]) -> None:
    bookings.cancel(principal, schemas.load_mapping(form, schemas.CancelForm())["booking_id"])


def _act(
    visit: Visit, done: str, action: Callable[[auth.Principal, dict[str, str]], None]
) -> Response:
    """A dashboard button: do it, then back to the dashboard to say how it went."""
    principal = visit.principal()
    if principal is None:
        return visit.to_login()
    form = visit.form()
    try:
        action(principal, form)
    except errors.ValidationFailed:
        # The buttons send ids the page was given; a malformed one points at nothing.
        visit.notify("not_found")
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify(done)
    return visit.redirect("/dashboard")


def _form_page(
    visit: Visit,
    template: str,
    typed: dict[str, str],
    error: errors.AppError | None = None,
    fields: Iterable[str] = (),
) -> Response:
    """A form, again with what was typed and the reasons it failed next to each field."""
    field_errors = {
        name: messages[0] if isinstance(messages, list) else str(messages)
        for name, messages in ((error.fields or {}) if error else {}).items()
        if name in fields
    }
    notice = None
    if error is not None and error.fields and not field_errors:
        notice = notices.Notice("error", "The form was not as expected; reload the page.")
    return visit.page(template, error=error, notice=notice, typed=typed, field_errors=field_errors)


def _dashboard_url(events_cursor: str | None, bookings_cursor: str | None) -> str:
    """A link to the dashboard showing these pages of events and of bookings."""
    cursors = {"events_cursor": events_cursor, "bookings_cursor": bookings_cursor}
    query = urlencode({name: value for name, value in cursors.items() if value})
    return f"/dashboard?{query}" if query else "/dashboard"
