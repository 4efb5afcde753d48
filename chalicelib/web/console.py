"""The admin console (``/admin``): events, their attendees, facilitators and CRM webhook
deliveries, as HTML forms over the same services and schemas as the admin API.

Its pages live under ``/admin/console/`` because the admin API already answers JSON at
``/admin/events`` and the like. Only admins get in: anyone else logged in gets a 403 page,
anyone not logged in the login page. A form's fields are loaded by the API's own schema
(unknown fields are refused, so a smuggled ``seats_taken`` changes nothing), and the
reasons it fails are shown next to the fields.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalice import Response

from chalicelib import auth, bookings, clock, errors, events, facilitators, models, schemas
from chalicelib import webhooks as webhook_service
from chalicelib.web import CONSOLE_ROOT, notices, rendering
from chalicelib.web.pages import field_messages, html_view
from chalicelib.web.visit import Visit

EVENTS_PER_PAGE = 50
ATTENDEES_PER_PAGE = 100
FACILITATORS_PER_PAGE = 100
DELIVERIES_PER_PAGE = 50
# The CSV export reads the attendee list page by page; an event has at most 100,000 seats.
_CSV_PAGE = 100

ROOT = CONSOLE_ROOT
_EVENT_FIELDS = (
    "name",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "timezone",
    "capacity",
    "waitlist_capacity",
    "cancellable_until_hours",
    "facilitator_id",
    "published",
)
# Whole numbers typed into the event form; an empty one is left out (the service's default).
_NUMBER_FIELDS = ("capacity", "waitlist_capacity", "cancellable_until_hours")
_FACILITATOR_FIELDS = ("name", "crm_id")
# The schemas speak to API clients; a form's reader gets these words instead.
_FORM_WORDS = {
    "Not an ISO 8601 date and time.": "Enter a date and time.",
    "Must be after starts_at.": "Must be after the start.",
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid id.": "Pick one from the list.",
}
# The zones to pick from: the canonical Area/City names (not aliases such as US/Eastern).
_AREAS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
_ZONES = ["UTC", *sorted(zone for zone in available_timezones() if zone.split("/")[0] in _AREAS)]
# URLs in a delivery's last error can carry a CRM's key in their path or query: only the
# scheme and host are shown.
_URL = re.compile(r"(https?://[^/\s'\"]+)[^\s'\"]*")
# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def admin_view(handler: Callable[..., Response]) -> Callable[..., Response]:
    """``html_view`` for admins only: the handler also gets the admin's ``principal``."""

    @html_view
    @functools.wraps(handler)
    def answer(visit: Visit, **path_values: str) -> Response:
        principal = visit.principal()
        if principal is None:
            return visit.to_login()
        auth.require_admin(principal)
        return handler(visit, principal, **path_values)

    return answer


@admin_view
def home(visit: Visit, principal: auth.Principal) -> Response:
    return visit.redirect(f"{ROOT}/events")


# --- Events ---


@admin_view
def events_page(visit: Visit, principal: auth.Principal) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    page = events.list_all(limit=EVENTS_PER_PAGE, cursor=cursor)
    now = clock.to_iso(clock.now())
    listed = sorted(page["events"], key=lambda event: event["starts_at"])
    return visit.page(
        "admin/events.html",
        section="admin",
        upcoming=[event for event in listed if event["starts_at"] > now],
        past=[event for event in reversed(listed) if event["starts_at"] <= now],
        first_page=cursor and f"{ROOT}/events",
        next_page=page["next_cursor"] and f"{ROOT}/events?cursor={page['next_cursor']}",
    )


@admin_view
def new_event_page(visit: Visit, principal: auth.Principal) -> Response:
    typed = {"kind": "session", "timezone": "UTC", "published": "on", "capacity": "10"}
    return _event_form(visit, None, typed)


@admin_view
def create_event(visit: Visit, principal: auth.Principal) -> Response:
    form = visit.form()
    try:
        created = events.create(**schemas.load_mapping(_event_input(form), schemas.EventBody()))
    except errors.ValidationFailed as error:
        return _event_form(visit, None, form, error)
    visit.notify("event_created")
    return visit.redirect(f"{ROOT}/events/{created['id']}/attendees")


@admin_view
def edit_event_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event = events.admin_event_view(events.find(schemas.load_id(event_id, "event_id")))
    return _event_form(visit, event, _event_as_typed(event))


@admin_view
def update_event(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event = events.admin_event_view(events.find(schemas.load_id(event_id, "event_id")))
    form = visit.form()
    given = _event_input(form)
    current = _event_input(_event_as_typed(event))
    changes = {name: value for name, value in given.items() if current.get(name) != value}
    if not changes:
        visit.notify("nothing_changed")
        return visit.redirect(f"{ROOT}/events/{event['id']}/edit")
    try:
        events.update(event["id"], **schemas.load_mapping(changes, schemas.EventChanges()))
    except errors.ValidationFailed as error:
        return _event_form(visit, event, form, error)
    except events.CapacityBelowBookings as error:
        taken = errors.ValidationFailed(
            fields={"capacity": [f"{event['seats_taken']} seats are booked: {error.message}"]}
        )
        return _event_form(visit, event, form, taken, status=error.status)
    visit.notify("event_saved")
    return visit.redirect(f"{ROOT}/events/{event['id']}/edit")


@admin_view
def unpublish_event(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    visit.form()
    events.unpublish(schemas.load_id(event_id, "event_id"))
    visit.notify("event_unpublished")
    return visit.redirect(f"{ROOT}/events")


def _event_form(
    visit: Visit,
    event: dict[str, Any] | None,
    typed: dict[str, str],
    error: errors.AppError | None = None,
    status: int | None = None,
) -> Response:
    field_errors = _form_errors(error, _EVENT_FIELDS, typed)
    notice = _unexpected_form(error, field_errors)
    choices = facilitators.list_all(limit=FACILITATORS_PER_PAGE)["facilitators"]
    return visit.page(
        "admin/event_form.html",
        error=error,
        notice=notice,
        status=status,
        section="admin",
        event=event,
        typed={name: typed.get(name, "") for name in _EVENT_FIELDS},
        field_errors=field_errors,
        kinds=[(kind, kind.capitalize()) for kind in events.KINDS],
        zones=[(zone, zone) for zone in _zone_choices(typed.get("timezone", ""))],
        facilitators=[("", "Choose a facilitator")]
        + [(item["id"], f"{item['name']} ({item['crm_id']})") for item in choices],
    )


def _event_input(form: dict[str, str]) -> dict[str, Any]:
    """A form's fields as the API's JSON would carry them: times with the zone's offset, the
    capacity a number, the checkbox a boolean. Fields that are not the form's own pass on
    unchanged, for the schema to refuse."""
    data: dict[str, Any] = {
        name: value for name, value in form.items() if name not in ("published",)
    }
    if "description" in data:
        # The API refuses control characters, line breaks among them.
        data["description"] = " ".join(data["description"].split())
    zone = _zone(form.get("timezone", ""))
    for name in ("starts_at", "ends_at"):
        if name in data:
            data[name] = _with_offset(data[name], zone)
    for name in _NUMBER_FIELDS:
        typed = data.get(name)
        if not isinstance(typed, str):
            continue
        if typed.strip().isdigit():
            data[name] = int(typed)
        elif not typed.strip() and name != "capacity":
            del data[name]
    data["published"] = form.get("published") == "on"
    return data


def _event_as_typed(event: dict[str, Any]) -> dict[str, str]:
    """An event as its edit form shows it: times as wall-clock time in its own zone."""
    zone = ZoneInfo(event["timezone"])
    return {
        "name": event["name"],
        "description": event["description"],
        "kind": event["kind"],
        "starts_at": _wall_clock(event["starts_at"], zone),
        "ends_at": _wall_clock(event["ends_at"], zone),
        "timezone": event["timezone"],
        "capacity": str(event["capacity"]),
        "waitlist_capacity": str(event["waitlist_capacity"]),
        "cancellable_until_hours": str(event["cancellable_until_hours"]),
        "facilitator_id": event["facilitator"]["id"],
        **({"published": "on"} if event["published"] else {}),
    }


def _with_offset(value: str, zone: ZoneInfo | None) -> str:
    """``2026-12-05T18:30`` as typed into a date-time field, with the event zone's offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def _wall_clock(iso: str, zone: ZoneInfo) -> str:
    return clock.parse_iso(iso).astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_choices(current: str) -> list[str]:
    """The list, plus an event's own zone when the API set one that is not on it."""
    if current and current not in _ZONES and _zone(current) is not None:
        return [current, *_ZONES]
    return _ZONES


# --- Attendees ---


@admin_view
def attendees_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    event_id = schemas.load_id(event_id, "event_id")
    page = bookings.attendees_by_standing(event_id, limit=ATTENDEES_PER_PAGE, cursor=cursor)
    event = page["event"]
    return visit.page(
        "admin/attendees.html",
        section="admin",
        event=event,
        confirmed=page["confirmed"],
        waiting=page["waiting"],
        cancelled=page["cancelled"],
        first_page=cursor and f"{ROOT}/events/{event['id']}/attendees",
        next_page=page["next_cursor"]
        and f"{ROOT}/events/{event['id']}/attendees?cursor={page['next_cursor']}",
    )


@admin_view
def attendees_csv(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event_id = schemas.load_id(event_id, "event_id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["booking_id", "status", "booked_at", "name", "email"])
    cursor = None
    while True:
        page = bookings.list_attendees(event_id, limit=_CSV_PAGE, cursor=cursor)
        for person in page["attendees"]:
            writer.writerow(
                _cell(value)
                for value in (
                    person["booking_id"],
                    person["status"],
                    person["created_at"],
                    person["user"]["name"],
                    person["user"]["email"],
                )
            )
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return rendering.csv_file(out.getvalue(), f"attendees-{event_id}.csv")


def _cell(value: str) -> str:
    """A value a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


@admin_view
def cancel_attendee_page(
    visit: Visit, principal: auth.Principal, event_id: str, booking_id: str
) -> Response:
    person = _attendee(event_id, booking_id)
    back = f"{visit.base}{ROOT}/events/{person['event']['id']}/attendees"
    if person["status"] == models.CANCELLED:
        visit.notify("already_cancelled")
        return visit.redirect(back[len(visit.base) :])
    return visit.page(
        "confirm_cancel.html",
        section="admin",
        heading="Cancel this booking?",
        question=(
            f"{person['user']['name']} ({person['user']['email']}) loses their seat at "
            f"{person['event']['name']}; the CRM is told."
        ),
        cancellation_policy=(
            "The seat goes at once to the first on the waiting list, or is free again for "
            "anyone to book when nobody waits."
        ),
        action=f"{back}/{person['booking_id']}/cancel",
        hidden={},
        confirm_label="Yes, cancel this booking",
        keep_label="No, keep it",
        back=back,
    )


@admin_view
def cancel_attendee(
    visit: Visit, principal: auth.Principal, event_id: str, booking_id: str
) -> Response:
    visit.form()
    person = _attendee(event_id, booking_id)
    try:
        bookings.cancel(principal, person["booking_id"])
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify("event_cancelled_for_attendee")
    return visit.redirect(f"{ROOT}/events/{person['event']['id']}/attendees")


def _attendee(event_id: str, booking_id: str) -> dict[str, Any]:
    return bookings.attendee(
        schemas.load_id(event_id, "event_id"), schemas.load_id(booking_id, "booking_id")
    )


# --- Facilitators ---


@admin_view
def facilitators_page(visit: Visit, principal: auth.Principal) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    page = facilitators.list_all(limit=FACILITATORS_PER_PAGE, cursor=cursor)
    return visit.page(
        "admin/facilitators.html",
        section="admin",
        facilitators=sorted(page["facilitators"], key=lambda item: item["name"].lower()),
        first_page=cursor and f"{ROOT}/facilitators",
        next_page=page["next_cursor"] and f"{ROOT}/facilitators?cursor={page['next_cursor']}",
    )


@admin_view
def new_facilitator_page(visit: Visit, principal: auth.Principal) -> Response:
    return _facilitator_form(visit, None, {})


@admin_view
def create_facilitator(visit: Visit, principal: auth.Principal) -> Response:
    form = visit.form()
    try:
        facilitators.create(**schemas.load_mapping(form, schemas.FacilitatorBody()))
    except errors.ValidationFailed as error:
        return _facilitator_form(visit, None, form, error)
    visit.notify("facilitator_created")
    return visit.redirect(f"{ROOT}/facilitators")


@admin_view
def edit_facilitator_page(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator = facilitators.get(schemas.load_id(facilitator_id, "facilitator_id"))
    return _facilitator_form(visit, facilitator, facilitator)


@admin_view
def update_facilitator(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator = facilitators.get(schemas.load_id(facilitator_id, "facilitator_id"))
    form = visit.form()
    changes = {name: value for name, value in form.items() if facilitator.get(name) != value}
    if not changes:
        visit.notify("nothing_changed")
        return visit.redirect(f"{ROOT}/facilitators")
    try:
        facilitators.update(
            facilitator["id"], **schemas.load_mapping(changes, schemas.FacilitatorChanges())
        )
    except errors.ValidationFailed as error:
        return _facilitator_form(visit, facilitator, form, error)
    visit.notify("facilitator_saved")
    return visit.redirect(f"{ROOT}/facilitators")


def _facilitator_form(
    visit: Visit,
    facilitator: dict[str, Any] | None,
    typed: dict[str, str],
    error: errors.AppError | None = None,
) -> Response:
    field_errors = _form_errors(error, _FACILITATOR_FIELDS, typed)
    return visit.page(
        "admin/facilitator_form.html",
        error=error,
        notice=_unexpected_form(error, field_errors),
        section="admin",
        facilitator=facilitator,
        typed={name: typed.get(name, "") for name in _FACILITATOR_FIELDS},
        field_errors=field_errors,
    )


# --- Webhook deliveries ---


@admin_view
def deliveries_page(visit: Visit, principal: auth.Principal) -> Response:
    query = schemas.load_query(visit.request, schemas.DeliveriesPageQuery())
    state, cursor = query["state"], query["cursor"]
    page = webhook_service.list_deliveries(state, limit=DELIVERIES_PER_PAGE, cursor=cursor)
    return visit.page(
        "admin/deliveries.html",
        section="admin",
        state=state,
        states=models.DELIVERY_STATES,
        deliveries=[
            {**delivery, "last_error": redacted(delivery["last_error"])}
            for delivery in page["deliveries"]
        ],
        first_page=cursor and f"{ROOT}/webhooks?state={state}",
        next_page=page["next_cursor"]
        and f"{ROOT}/webhooks?state={state}&cursor={page['next_cursor']}",
    )


@admin_view
def replay_delivery(visit: Visit, principal: auth.Principal, delivery_id: str) -> Response:
    visit.form()
    try:
        webhook_service.replay(delivery_id)
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify("replayed")
    return visit.redirect(f"{ROOT}/webhooks?state={models.FAILED}")


def redacted(error: str | None) -> str | None:
    """A delivery's last error without what may be secret in it: URLs keep only their host."""
    return _URL.sub(r"\1/…", error) if error else error


def _form_errors(
    error: errors.AppError | None, fields: tuple[str, ...], typed: dict[str, str]
) -> dict[str, str]:
    """Each field's reason in a form reader's words; a field left empty is asked for."""
    found = field_messages(error, fields) if error else {}
    return {
        name: "Fill this in." if not str(typed.get(name, "")).strip() else _FORM_WORDS.get(m, m)
        for name, m in found.items()
    }


def _unexpected_form(error: errors.AppError | None, field_errors: dict[str, str]) -> Any:
    """A refusal that names none of the form's fields: the form itself was tampered with."""
    if error is not None and error.fields and not field_errors:
        return notices.Notice("error", "The form was not as expected; reload the page.")
    return None
