"""The dashboard's pages and form actions; chalicelib/web/routes/dashboard.py routes each
to one function here.

Each takes the Chalice request and returns a response. Forms are validated with the JSON
API's own schemas and handled by the same service functions; a service's error becomes words
on the page (a form shown again with what was typed, except the password) or a notice after
the redirect, never a 5xx for anything a person can type or click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib import auth, bookings, clock, errors, events, ids, models, schemas, series
from chalicelib.web import attendance_pages, cookies, event_state, notices, series_pages, when
from chalicelib.web.views import html_view, logged_in
from chalicelib.web.visit import Visit

EVENTS_PER_PAGE = 10
BOOKINGS_PER_PAGE = 20
_LOGIN_FIELDS = ("email", "password")
_FILTERS = ("kind", "from", "to")
_REGISTER_FIELDS = ("name", "email", "password")


@html_view
def home(visit: Visit) -> Response:
    return visit.redirect("/dashboard" if visit.principal() else "/login")


@html_view
def login_page(visit: Visit) -> Response:
    back = _back(visit.query_param("next"))
    if visit.principal():
        return visit.redirect(back)
    return _form_page(visit, "login.html", {"email": "", "next": back})


@html_view
def login(visit: Visit) -> Response:
    form = visit.form()
    back = _back(form.pop("next", ""))
    typed = {"email": form.get("email", ""), "next": back}
    try:
        body = schemas.load_mapping(form, schemas.LoginSchema())
        answer = auth.login(body["email"], body["password"], visit.source_ip)
    except errors.AppError as error:
        return _form_page(visit, "login.html", typed, error, _LOGIN_FIELDS)
    visit.start_session(answer["access_token"])
    return visit.redirect(back)


def _back(path: str) -> str:
    """Where a login goes on to: a check-in code's page it was sent from, else the dashboard
    (never another site: only this site's check-in paths are taken)."""
    if path.startswith("/check-in/") and path.count("/") == 2 and "\\" not in path:
        return path
    return "/dashboard"


@html_view
def register_page(visit: Visit) -> Response:
    if visit.principal():
        return visit.redirect("/dashboard")
    return _form_page(visit, "register.html", {"name": "", "email": ""})


@html_view
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


@logged_in
def dashboard(visit: Visit, principal: auth.Principal) -> Response:
    typed = {name: visit.query_param(name) for name in _FILTERS}
    try:
        query = schemas.load_mapping(visit.filled_query(), schemas.DashboardQuery())
    except errors.ValidationFailed as error:
        if not set(error.fields or {"": ""}) <= set(_FILTERS):
            raise  # not a typo in the filters but a broken link: an error page
        return visit.page(
            "dashboard.html",
            error=error,
            section="events",
            cards=[],
            kinds=events.KINDS,
            filters=typed,
            filtered=True,
            field_errors=field_messages(error, _FILTERS),
            first_page=None,
            next_page=None,
        )
    cursor = query.pop("cursor")
    upcoming = events.list_upcoming(
        limit=EVENTS_PER_PAGE, cursor=cursor, viewer=principal.user_id, **query
    )
    mine = bookings.mine_for_events(principal, [event["id"] for event in upcoming["events"]])
    now = clock.now()
    cards = [
        {"event": event, "state": event_state.state_of(event, mine.get(event["id"]), now)}
        for event in upcoming["events"]
    ]
    filters = {name: value for name, value in typed.items() if value}
    next_cursor = upcoming["next_cursor"]
    return visit.page(
        "dashboard.html",
        section="events",
        cards=cards,
        kinds=events.KINDS,
        filters=typed,
        filtered=bool(filters),
        first_page=cursor and _url("/dashboard", filters),
        next_page=next_cursor and _url("/dashboard", {**filters, "cursor": next_cursor}),
    )


@logged_in
def event_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event, booking = _event_and_booking(principal, event_id)
    state = event_state.state_of(event, booking, clock.now())
    seated = state.key in (event_state.BOOKED, event_state.CANCELLATION_CLOSED)
    return visit.page(
        "event.html",
        # The attendee's check-in code, for the facilitator's phone to scan at the door.
        check_in=attendance_pages.booking_qr(visit.request, state.booking_id, event["id"])
        if seated and state.booking_id
        else None,
        notice_subject=event["name"],
        notice_position=event["waitlist_position"],
        section="events",
        event=event,
        state=state,
        cancellation_policy=(
            leaving_policy(event)
            if state.action == event_state.LEAVE
            else cancellation_policy(event)
        ),
    )


@logged_in
def cancel_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    """Cancel (or leave the waiting list) asks once more, naming the event and the window."""
    event, booking = _event_and_booking(principal, event_id)
    state = event_state.state_of(event, booking, clock.now())
    back = f"{visit.base}/dashboard/events/{event['id']}"
    if state.action not in (event_state.CANCEL, event_state.LEAVE):
        visit.notify("nothing_to_cancel")
        return visit.redirect(f"/dashboard/events/{event['id']}")
    leaving = state.action == event_state.LEAVE
    hidden = {"booking_id": state.booking_id, "event_id": event["id"]}
    if leaving:
        hidden["leaving"] = "yes"
    return visit.page(
        "confirm_cancel.html",
        section="events",
        heading="Leave the waiting list?" if leaving else "Cancel this booking?",
        question=(
            f"You are on the waiting list for {event['name']}"
            if leaving
            else f"You are booked for {event['name']}"
        )
        + f", {when.moment(event['starts_at'], event['timezone'])}.",
        cancellation_policy=leaving_policy(event) if leaving else cancellation_policy(event),
        action=f"{visit.base}/dashboard/cancel",
        hidden=hidden,
        confirm_label="Yes, leave the waiting list" if leaving else "Yes, cancel my booking",
        keep_label="No, keep my place" if leaving else "No, keep my booking",
        back=back,
    )


@logged_in
def my_bookings(visit: Visit, principal: auth.Principal) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    mine = bookings.list_mine(principal, limit=BOOKINGS_PER_PAGE, cursor=cursor)
    now = clock.to_iso(clock.now())
    active = [b for b in mine["bookings"] if b["status"] != models.CANCELLED]
    next_cursor = mine["next_cursor"]
    upcoming = sorted(
        (b for b in active if b["event"]["starts_at"] > now), key=lambda b: b["event"]["starts_at"]
    )
    seated = [b["event"]["id"] for b in upcoming if b["status"] == models.CONFIRMED]
    return visit.page(
        "bookings.html",
        section="bookings",
        upcoming=upcoming,
        movable=series.drop_in_dates(seated),
        past=[b for b in active if b["event"]["starts_at"] <= now],
        cancelled=[b for b in mine["bookings"] if b["status"] == models.CANCELLED],
        now=now,
        first_page=cursor and "/dashboard/bookings",
        next_page=next_cursor and _url("/dashboard/bookings", {"cursor": next_cursor}),
    )


@logged_in
def book(visit: Visit, principal: auth.Principal) -> Response:
    return _act(visit, principal, _book)


@logged_in
def cancel(visit: Visit, principal: auth.Principal) -> Response:
    return _act(visit, principal, _cancel)


@logged_in
def join_waitlist(visit: Visit, principal: auth.Principal) -> Response:
    return _act(visit, principal, _join_waitlist)


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


@html_view
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


def _event_and_booking(
    principal: auth.Principal, event_id: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An event and the caller's booking of it. A hidden (unpublished) event is shown only to
    those who booked it, so they can still cancel; to anyone else it is 404, as in the API."""
    event = events.find(schemas.load_id(event_id, "event_id"))
    booking = bookings.mine_for_events(principal, [event.event_id]).get(event.event_id)
    published = event.listing == models.PUBLISHED
    if not published and booking is None:
        raise events.EventNotFound()
    movable = series_pages.movable(event, booking)
    view = {**events.event_view(event, principal.user_id), "published": published}
    return {**view, "movable": movable}, booking


def _book(principal: auth.Principal, form: dict[str, str]) -> tuple[str, str]:
    """Book from a card or the event page; the event page says how it went, except that a
    paid event's held seat goes straight to its payment page."""
    event_id = schemas.load_mapping(form, schemas.BookingBody())["event_id"]
    booked = bookings.book(principal, event_id)
    if booked["status"] == models.PENDING_PAYMENT:
        return "payment_held", f"/dashboard/bookings/{booked['booking_id']}/pay"
    return "booked", _event_path(event_id)


def _join_waitlist(principal: auth.Principal, form: dict[str, str]) -> tuple[str, str]:
    """Join from a card or the event page, which then shows the place in line."""
    event_id = schemas.load_mapping(form, schemas.BookingBody())["event_id"]
    bookings.join_waitlist(principal, event_id)
    return "waitlisted", _event_path(event_id)


def _cancel(principal: auth.Principal, form: dict[str, str]) -> tuple[str, str]:
    leaving = form.pop("leaving", None) == "yes"
    form.pop("event_id", None)
    booking_id = schemas.load_mapping(form, schemas.CancelForm())["booking_id"]
    cancelled = bookings.cancel(principal, booking_id)
    return ("left_waitlist" if leaving else "cancelled"), _event_path(cancelled["event"]["id"])


def _event_path(event_id: str) -> str:
    return f"/dashboard/events/{event_id}"


def _act(
    visit: Visit,
    principal: auth.Principal,
    action: Callable[[auth.Principal, dict[str, str]], tuple[str, str]],
) -> Response:
    """A button: do it, then to the page the action names (the event's, or a held seat's
    payment page) to say how it went; after a refusal, to the event's page (or the dashboard,
    when there is no event to show)."""
    form = visit.form()
    event_id = ids.normalize(form.get("event_id", ""))
    try:
        done, path = action(principal, form)
    except (errors.ValidationFailed, events.EventNotFound):
        # The buttons send ids the page was given; a malformed one points at nothing.
        visit.notify("not_found")
        return visit.redirect("/dashboard")
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify(done)
        return visit.redirect(path)
    return visit.redirect(_event_path(event_id) if event_id else "/dashboard")


def cancellation_policy(event: dict[str, Any]) -> str:
    """What happens on cancelling, in words: until when, and what becomes of the seat."""
    hours = event.get("cancellable_until_hours") or 0
    deadline = event_state.cancellation_deadline(event)
    until = when.moment(clock.to_iso(deadline), event["timezone"])
    if hours:
        window = f"You can cancel up to {hours} hours before it starts (until {until})."
    else:
        window = f"You can cancel until it starts ({until})."
    seat = (
        "Your seat then goes to the first person on the waiting list."
        if event.get("waitlist_count")
        else "Your seat is then free for someone else."
    )
    return f"{window} {seat}"


def leaving_policy(event: dict[str, Any]) -> str:
    """What leaving a waiting list means: the cancellation window is not for it."""
    until = when.moment(event["starts_at"], event["timezone"])
    return f"You can leave the list until it starts ({until}); those behind you move up."


def field_messages(error: errors.AppError, fields: Iterable[str]) -> dict[str, str]:
    """The first reason for each of ``fields`` that an error names."""
    return {
        name: messages[0] if isinstance(messages, list) else str(messages)
        for name, messages in (error.fields or {}).items()
        if name in fields
    }


def _form_page(
    visit: Visit,
    template: str,
    typed: dict[str, str],
    error: errors.AppError | None = None,
    fields: Iterable[str] = (),
) -> Response:
    """A form, again with what was typed and the reasons it failed next to each field."""
    field_errors = field_messages(error, fields) if error else {}
    notice = None
    if error is not None and error.fields and not field_errors:
        notice = notices.Notice("error", "The form was not as expected; reload the page.")
    return visit.page(template, error=error, notice=notice, typed=typed, field_errors=field_errors)


def _url(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path
