"""The console's series: the list, the new-series form with its recurrence picker (days of
the week, time, zone, duration, a count or an end date, turned into an RRULE here) and its
"Preview dates" button, and a series' page with its dates.

A preview runs every check creation makes (``series.plan``) and lists the dates it would
make, writing nothing; "Create" sends the same fields to ``series.create``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from chalice import Response

from chalicelib import auth, clock, errors, events, facilitators, models, schemas, series
from chalicelib.series import recurrence
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web import when
from chalicelib.web.console.events import price_fields_named, with_price, zone_choices
from chalicelib.web.console.facilitators import FACILITATORS_PER_PAGE
from chalicelib.web.console.form_errors import form_errors, unexpected_form
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

SERIES_PER_PAGE = 50
WEEKDAYS = (
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
)
_SERIES_FIELDS = (
    "name",
    "description",
    "kind",
    "facilitator_id",
    "timezone",
    "start_date",
    "start_time",
    "duration_minutes",
    "count",
    "until",
    "capacity",
    "booking_mode",
    "rrule",
    "price_amount",
    "price_currency",
    "refund_percent",
)
_NUMBER_FIELDS = ("duration_minutes", "capacity", "refund_percent")
_MODES = [(models.DROP_IN, "Drop-in (each date booked on its own)"), (models.COURSE, "Course")]


@admin_only
def series_list_page(visit: Visit, principal: auth.Principal) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    page = series.list_all(limit=SERIES_PER_PAGE, cursor=cursor)
    return visit.page(
        "admin/series_list.html",
        section="admin",
        series_list=sorted(page["series"], key=lambda item: item["name"].lower()),
        first_page=cursor and f"{ROOT}/series",
        next_page=page["next_cursor"] and f"{ROOT}/series?cursor={page['next_cursor']}",
    )


@admin_only
def new_series_page(visit: Visit, principal: auth.Principal) -> Response:
    typed = {
        "kind": "session",
        "timezone": "UTC",
        "capacity": "10",
        "duration_minutes": "60",
        "refund_percent": "100",
    }
    return _series_form(visit, {**typed, "booking_mode": models.DROP_IN}, days=[])


@admin_only
def create_series(visit: Visit, principal: auth.Principal) -> Response:
    """Both buttons post here: "Preview dates" lists the dates, "Create" writes them."""
    form = visit.form()
    days = [day for day, _ in WEEKDAYS if form.pop(f"day_{day}", None) == "on"]
    previewing = form.pop("action", "") == "preview"
    try:
        body = schemas.load_mapping(_series_input(form, days), schemas.SeriesBody())
        if previewing:
            planned, starts = series.plan(**body)
            return _series_form(visit, form, days, preview=_dates(planned, starts))
        created = series.create(**body)
    except errors.ValidationFailed as error:
        return _series_form(visit, form, days, error=error)
    except facilitators.FacilitatorNotFound:
        gone = errors.ValidationFailed(fields={"facilitator_id": ["Not a valid id."]})
        return _series_form(visit, form, days, error=gone)
    visit.notify("series_created")
    return visit.redirect(f"{ROOT}/series/{created['series_id']}")


@admin_only
def series_detail_page(visit: Visit, principal: auth.Principal, series_id: str) -> Response:
    shown = series.get(schemas.load_id(series_id, "series_id"))
    return visit.page("admin/series.html", section="admin", series=shown)


def rrule_of(days: list[str], count: str, until: str) -> str:
    """The RRULE the picker describes: weekly on the days ticked (the start date's own day when
    none is), ending after ``count`` dates or on ``until`` (a local date), or open-ended."""
    parts = ["FREQ=WEEKLY"]
    if days:
        parts.append("BYDAY=" + ",".join(days))
    if count.strip():
        parts.append(f"COUNT={count.strip()}")
    if until.strip():
        parts.append("UNTIL=" + until.strip().replace("-", ""))
    return ";".join(parts)


def _series_input(form: dict[str, str], days: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: value for name, value in form.items() if name not in ("count", "until")
    }
    data["description"] = " ".join(data.get("description", "").split())
    data["rrule"] = rrule_of(days, form.get("count", ""), form.get("until", ""))
    for name in _NUMBER_FIELDS:
        if str(data.get(name, "")).strip().isdigit():
            data[name] = int(data[name])
    return with_price(data)


def _dates(planned: models.Series, starts: list[Any]) -> list[str]:
    zone = ZoneInfo(planned.timezone)
    return [
        when.moment(clock.to_iso(recurrence.to_utc(local, zone)), planned.timezone)
        for local in starts
    ]


def _series_form(
    visit: Visit,
    typed: dict[str, str],
    days: list[str],
    error: errors.AppError | None = None,
    preview: list[str] | None = None,
) -> Response:
    # The rule is never typed but picked, so it is never "left empty".
    rule = rrule_of(days, typed.get("count", ""), typed.get("until", ""))
    field_errors = form_errors(price_fields_named(error), _SERIES_FIELDS, {**typed, "rrule": rule})
    choices = facilitators.list_all(limit=FACILITATORS_PER_PAGE)["facilitators"]
    return visit.page(
        "admin/series_form.html",
        error=error,
        notice=unexpected_form(error, field_errors),
        section="admin",
        typed={name: typed.get(name, "") for name in _SERIES_FIELDS},
        days=days,
        weekdays=WEEKDAYS,
        preview=preview,
        field_errors=field_errors,
        kinds=[(kind, kind.capitalize()) for kind in events.KINDS],
        modes=_MODES,
        zones=[(zone, zone) for zone in zone_choices(typed.get("timezone", ""))],
        facilitators=[("", "Choose a facilitator")]
        + [(item["id"], f"{item['name']} ({item['crm_id']})") for item in choices],
    )
