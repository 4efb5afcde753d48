"""The console's events: the list, the new-event and edit forms, unpublishing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalice import Response

from chalicelib import auth, clock, errors, event_changes, events, facilitators, schemas
from chalicelib.payments import money
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web.console.facilitators import FACILITATORS_PER_PAGE
from chalicelib.web.console.form_errors import form_errors, unexpected_form
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

EVENTS_PER_PAGE = 50
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
    "price_amount",
    "price_currency",
    "refund_percent",
)
# Whole numbers typed into the event form; an empty one is left out (the service's default).
_NUMBER_FIELDS = ("capacity", "waitlist_capacity", "cancellable_until_hours", "refund_percent")
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


@admin_only
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


@admin_only
def new_event_page(visit: Visit, principal: auth.Principal) -> Response:
    typed = {
        "kind": "session",
        "timezone": "UTC",
        "published": "on",
        "capacity": "10",
        "refund_percent": "100",
    }
    return _event_form(visit, None, typed)


@admin_only
def create_event(visit: Visit, principal: auth.Principal) -> Response:
    form = visit.form()
    try:
        created = events.create(**schemas.load_mapping(_event_input(form), schemas.EventBody()))
    except errors.ValidationFailed as error:
        return _event_form(visit, None, form, error)
    visit.notify("event_created")
    return visit.redirect(f"{ROOT}/events/{created['id']}/attendees")


@admin_only
def edit_event_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event = events.admin_event_view(events.find(schemas.load_id(event_id, "event_id")))
    return _event_form(visit, event, _event_as_typed(event))


@admin_only
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
        event_changes.update_event(
            event["id"], **schemas.load_mapping(changes, schemas.EventChanges())
        )
    except errors.ValidationFailed as error:
        return _event_form(visit, event, form, error)
    except events.CapacityBelowBookings as error:
        taken = errors.ValidationFailed(
            fields={"capacity": [f"{event['seats_taken']} seats are booked: {error.message}"]}
        )
        return _event_form(visit, event, form, taken, status=error.status)
    visit.notify("event_saved")
    return visit.redirect(f"{ROOT}/events/{event['id']}/edit")


@admin_only
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
    field_errors = form_errors(price_fields_named(error), _EVENT_FIELDS, typed)
    notice = unexpected_form(error, field_errors)
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
        zones=[(zone, zone) for zone in zone_choices(typed.get("timezone", ""))],
        facilitators=[("", "Choose a facilitator")]
        + [(item["id"], f"{item['name']} ({item['crm_id']})") for item in choices],
    )


def price_fields_named(error: errors.AppError | None) -> errors.AppError | None:
    """The schema's refusal of ``price`` ({"amount": [...]} or {"currency": [...]}, or one
    message for the whole) put beside the form's own two price fields."""
    if error is None or not isinstance((error.fields or {}).get("price"), (dict, list)):
        return error
    refused = error.fields["price"]
    named = dict(error.fields)
    del named["price"]
    if isinstance(refused, dict):
        for part in ("amount", "currency"):
            if part in refused:
                named[f"price_{part}"] = refused[part]
    else:
        named["price_amount"] = refused
    return errors.ValidationFailed(fields=named)


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
            data[name] = with_offset(data[name], zone)
    for name in _NUMBER_FIELDS:
        typed = data.get(name)
        if not isinstance(typed, str):
            continue
        if typed.strip().isdigit():
            data[name] = int(typed)
        elif not typed.strip() and name != "capacity":
            del data[name]
    data["published"] = form.get("published") == "on"
    return with_price(data)


def with_price(data: dict[str, Any]) -> dict[str, Any]:
    """The price typed in major units (``25.00`` EUR) as the API's ``price`` in the minor
    unit; no amount typed: a free event (and its refund percent, meaningless, left out). A
    typed amount that is not a number with the currency's decimals goes on as typed, for the
    schema to refuse."""
    amount = str(data.pop("price_amount", "")).strip()
    currency = str(data.pop("price_currency", "")).strip().lower()
    if not amount:
        data.pop("refund_percent", None)
        return data
    data["price"] = {"amount": minor_units(amount, currency), "currency": currency}
    return data


def minor_units(amount: str, currency: str) -> int | str:
    """``25.00`` EUR → 2500, ``2000`` JPY → 2000; anything else is returned as typed."""
    try:
        major = Decimal(amount)
    except InvalidOperation:
        return amount
    minor = major.scaleb(money.decimals(currency)) if money.is_currency_code(currency) else major
    return int(minor) if minor == minor.to_integral_value() and minor.is_finite() else amount


def _price_as_typed(event: dict[str, Any]) -> dict[str, str]:
    price = event.get("price")
    if not price:
        return {"price_amount": "", "price_currency": "", "refund_percent": "100"}
    places = money.decimals(price["currency"])
    major = Decimal(price["amount"]).scaleb(-places)
    return {
        "price_amount": f"{major:.{places}f}",
        "price_currency": price["currency"].upper(),
        "refund_percent": str(event.get("refund_percent", 100)),
    }


def _event_as_typed(event: dict[str, Any]) -> dict[str, str]:
    """An event as its edit form shows it: times as wall-clock time in its own zone."""
    zone = ZoneInfo(event["timezone"])
    return {
        "name": event["name"],
        "description": event["description"],
        "kind": event["kind"],
        "starts_at": wall_clock(event["starts_at"], zone),
        "ends_at": wall_clock(event["ends_at"], zone),
        "timezone": event["timezone"],
        "capacity": str(event["capacity"]),
        "waitlist_capacity": str(event["waitlist_capacity"]),
        "cancellable_until_hours": str(event["cancellable_until_hours"]),
        "facilitator_id": event["facilitator"]["id"],
        **({"published": "on"} if event["published"] else {}),
        **_price_as_typed(event),
    }


def with_offset(value: str, zone: ZoneInfo | None) -> str:
    """``2026-12-05T18:30`` as typed into a date-time field, with the event zone's offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def wall_clock(iso: str, zone: ZoneInfo) -> str:
    return clock.parse_iso(iso).astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_choices(current: str) -> list[str]:
    """The list, plus an event's own zone when the API set one that is not on it."""
    if current and current not in _ZONES and _zone(current) is not None:
        return [current, *_ZONES]
    return _ZONES
