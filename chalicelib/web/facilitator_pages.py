"""The facilitator's console (``/facilitator/console``): their schedule, each class's
roster with attendance, and the attendance report with a chart of the attendance rate per
week, over the same services as the facilitator's JSON API. Only accounts linked to a
facilitator get in; another facilitator's class is the 404 of an unknown one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalice import Response

from chalicelib import auth, bookings, clock, facilitation, schemas
from chalicelib.web import FACILITATOR_ROOT as ROOT
from chalicelib.web import rendering
from chalicelib.web.views import facilitator_only
from chalicelib.web.visit import Visit

EVENTS_PER_PAGE = 50
ATTENDEES_PER_PAGE = 100
# Where F3's page for the facilitator's own CRM endpoint lives.
WEBHOOK_PAGE = "/facilitator/webhook"
# The report a facilitator first sees: the last eight weeks, today included.
_DEFAULT_REPORT_DAYS = 56
# The chart's drawing area, in SVG user units (the browser scales it to the page).
_CHART_WIDTH, _CHART_HEIGHT, _BAR_GAP, _BAR_MOST = 320, 120, 4, 40


@facilitator_only
def schedule_page(visit: Visit, principal: auth.Principal) -> Response:
    query = schemas.load_query(visit.request, schemas.FacilitatorEventsQuery())
    when, cursor = query["when"], query["cursor"]
    page = facilitation.my_events(principal, when=when, limit=EVENTS_PER_PAGE, cursor=cursor)
    here = f"{ROOT}?when={when}"
    return visit.page(
        "facilitator/schedule.html",
        section="facilitator",
        when=when,
        events=page["events"],
        first_page=cursor and here,
        next_page=page["next_cursor"] and f"{here}&cursor={page['next_cursor']}",
        webhook_page=WEBHOOK_PAGE,
    )


@facilitator_only
def roster_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    event_id = schemas.load_id(event_id, "event_id")
    roster = bookings.roster(principal, event_id, limit=ATTENDEES_PER_PAGE, cursor=cursor)
    here = f"{ROOT}/events/{event_id}"
    return visit.page(
        "facilitator/roster.html",
        section="facilitator",
        **roster,
        first_page=cursor and here,
        next_page=roster["next_cursor"] and f"{here}?cursor={roster['next_cursor']}",
        webhook_page=WEBHOOK_PAGE,
    )


@facilitator_only
def report_page(visit: Visit, principal: auth.Principal) -> Response:
    from_date, to_date = _report_range(visit)
    report = facilitation.my_attendance(principal, from_date, to_date)
    return visit.page(
        "facilitator/report.html",
        section="facilitator",
        from_date=from_date.isoformat(),
        to_date=to_date.isoformat(),
        events=report["events"],
        chart=chart(facilitation.weekly_rates(report)),
        webhook_page=WEBHOOK_PAGE,
    )


@facilitator_only
def report_csv(visit: Visit, principal: auth.Principal) -> Response:
    from_date, to_date = _report_range(visit)
    report = facilitation.my_attendance(principal, from_date, to_date)
    return rendering.csv_file(facilitation.as_csv(report), f"attendance-{from_date}-{to_date}.csv")


def chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars of the attendance rate per week, laid out for an inline SVG: each bar's place
    and height in the drawing's units, and the words a screen reader gets instead."""
    # A few weeks get bars of at most _BAR_MOST, not one bar across the whole chart.
    width = min((_CHART_WIDTH - _BAR_GAP * max(len(weeks) - 1, 0)) / max(len(weeks), 1), _BAR_MOST)
    bars = []
    for n, week in enumerate(weeks):
        height = round(week["rate"] * _CHART_HEIGHT, 1)
        percent = round(week["rate"] * 100)
        bars.append(
            {
                "x": round(n * (width + _BAR_GAP), 1),
                "y": round(_CHART_HEIGHT - height, 1),
                "width": round(width, 1),
                "height": height,
                "label": f"Week of {week['week']}: {percent}% "
                f"({week['checked_in']} of {week['booked']})",
            }
        )
    return {"width": _CHART_WIDTH, "height": _CHART_HEIGHT, "bars": bars}


def _report_range(visit: Visit) -> tuple[date, date]:
    today = clock.now().date()
    typed = {
        "from": visit.query_param("from")
        or (today - timedelta(days=_DEFAULT_REPORT_DAYS)).isoformat(),
        "to": visit.query_param("to") or today.isoformat(),
    }
    loaded = schemas.load_mapping(typed, schemas.MyAttendanceQuery())
    return loaded["from_date"], loaded["to_date"]
