"""The console calls off or moves one event (a series' date, or any event): each asks once
more on a page that says how many people will be told (confirmed and waiting), then goes
through ``event_changes``, the service the admin API's cancel and PATCH call."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalice import Response

from chalicelib import auth, errors, event_changes, events, schemas
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web.console.events import wall_clock, with_offset
from chalicelib.web.console.form_errors import form_errors
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

_MOVE_FIELDS = ("starts_at", "ends_at")


@admin_only
def cancel_event_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event = _event(event_id)
    return visit.page(
        "admin/event_change.html",
        section="admin",
        event=event,
        change="cancel",
        told=_told(event),
        typed={},
        back=_back(event),
    )


@admin_only
def cancel_event(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    form = visit.form()
    event = _event(event_id)
    reason = " ".join(form.get("reason", "").split())
    body = schemas.load_mapping({"reason": reason} if reason else {}, schemas.EventCancelBody())
    event_changes.cancel_event(event["id"], **body)
    visit.notify("event_called_off")
    return visit.redirect(_back(event))


@admin_only
def move_event_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event = _event(event_id)
    zone = ZoneInfo(event["timezone"])
    typed = {name: wall_clock(event[name], zone) for name in _MOVE_FIELDS}
    return _move_form(visit, event, typed)


@admin_only
def move_event(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    form = visit.form()
    event = _event(event_id)
    zone = ZoneInfo(event["timezone"])
    given = {name: with_offset(form.get(name, ""), zone) for name in _MOVE_FIELDS}
    try:
        changes = schemas.load_mapping(given, schemas.EventChanges())
        event_changes.update_event(event["id"], **changes)
    except errors.ValidationFailed as error:
        return _move_form(visit, event, form, error)
    except events.EventCancelled:
        visit.notify("event_is_cancelled")
        return visit.redirect(_back(event))
    visit.notify("event_moved")
    return visit.redirect(_back(event))


def _move_form(
    visit: Visit, event: dict[str, Any], typed: dict[str, str], error: errors.AppError | None = None
) -> Response:
    return visit.page(
        "admin/event_change.html",
        error=error,
        section="admin",
        event=event,
        change="move",
        told=_told(event),
        typed={name: typed.get(name, "") for name in _MOVE_FIELDS},
        field_errors=form_errors(error, _MOVE_FIELDS, typed),
        back=_back(event),
    )


def _event(event_id: str) -> dict[str, Any]:
    return events.admin_event_view(events.find(schemas.load_id(event_id, "event_id")))


def _told(event: dict[str, Any]) -> dict[str, int]:
    """Who hears of the change: every confirmed and every waiting booking (the event item's
    own counts, so the page costs no Query)."""
    booked, waiting = event["seats_taken"], event.get("waitlist_count", 0)
    return {"booked": booked, "waiting": waiting, "people": booked + waiting}


def _back(event: dict[str, Any]) -> str:
    series = event.get("series")
    return f"{ROOT}/series/{series['id']}" if series else f"{ROOT}/events"
