"""The attendance report: per event in a date range, who is booked now, who came, who did
not, who cancelled and who came off the waiting list, counted from the event's bookings.

Events come from the events' ``by_facilitator`` index (one Query per facilitator; an admin's
report over every facilitator first reads the facilitators, a short Scan), then one
``by_event`` Query per event (per 1 MB of its bookings). Nothing scans the events or the
bookings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib import auth, clock, errors, facilitators, models
from chalicelib.config import get_settings
from chalicelib.facilitation.schedule import events_between
from chalicelib.web import spreadsheets

COLUMNS = (
    "event_id",
    "name",
    "starts_at",
    "capacity",
    "booked",
    "checked_in",
    "no_shows",
    "cancelled",
    "promoted",
)


def attendance(from_date: date, to_date: date, facilitator_id: str | None = None) -> dict[str, Any]:
    """The report over events starting from ``from_date`` through ``to_date`` (whole UTC
    days), of one facilitator (404 if unknown) or (None) of every facilitator, soonest
    first."""
    lowest, highest = _range(from_date, to_date)
    if facilitator_id is not None:
        facilitators.find(facilitator_id)
    return _report(lowest, highest, facilitator_id)


def my_attendance(principal: auth.Principal, from_date: date, to_date: date) -> dict[str, Any]:
    """The report of the caller's own facilitator."""
    facilitator_id = auth.require_facilitator(principal).facilitator_id
    return _report(*_range(from_date, to_date), facilitator_id)


def _report(lowest: str, highest: str, facilitator_id: str | None) -> dict[str, Any]:
    if facilitator_id is not None:
        chosen = events_between(facilitator_id, lowest, highest)
    else:
        chosen = [
            event
            for facilitator in models.Facilitator.scan()
            for event in events_between(facilitator.facilitator_id, lowest, highest)
        ]
    chosen.sort(key=lambda event: (event.starts_at, event.event_id))
    return {"events": [_counted(event) for event in chosen]}


def as_csv(report: dict[str, Any]) -> str:
    """The report as a formula-safe CSV document, one row per event."""
    rows = ([str(row[name]) for name in COLUMNS] for row in report["events"])
    return spreadsheets.csv_text(COLUMNS, rows)


def weekly_rates(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per ISO week (its Monday) of the report's events: checked in / booked, for the weeks
    with anyone booked, oldest first."""
    weeks: dict[date, list[int]] = {}
    for row in report["events"]:
        started = clock.parse_iso(row["starts_at"]).date()
        monday = started - timedelta(days=started.weekday())
        counts = weeks.setdefault(monday, [0, 0])
        counts[0] += row["checked_in"]
        counts[1] += row["booked"]
    return [
        {"week": monday.isoformat(), "rate": came / booked, "checked_in": came, "booked": booked}
        for monday, (came, booked) in sorted(weeks.items())
        if booked
    ]


def _range(from_date: date, to_date: date) -> tuple[str, str]:
    if to_date < from_date:
        raise errors.ValidationFailed(fields={"to": ["Must not be before `from`."]})
    most = get_settings().report_max_days
    if (to_date - from_date).days + 1 > most:
        raise errors.ValidationFailed(
            fields={"to": [f"A report covers at most {most} days; choose a shorter range."]}
        )
    lowest = datetime.combine(from_date, time(), tzinfo=UTC)
    highest = datetime.combine(to_date, time(23, 59, 59), tzinfo=UTC)
    return clock.to_iso(lowest), clock.to_iso(highest)


def _counted(event: models.Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "name": event.name,
        "starts_at": event.starts_at,
        "capacity": int(event.capacity),
        **_counts(models.Booking.by_event.query(event.event_id)),
    }


def _counts(bookings: Iterable[models.Booking]) -> dict[str, int]:
    counts = dict.fromkeys(("booked", "checked_in", "no_shows", "cancelled", "promoted"), 0)
    for booking in bookings:
        counts["booked"] += booking.status == models.CONFIRMED
        counts["checked_in"] += booking.attendance == models.ATTENDANCE_CHECKED_IN
        counts["no_shows"] += booking.attendance == models.ATTENDANCE_NO_SHOW
        counts["cancelled"] += booking.status == models.CANCELLED
        counts["promoted"] += booking.promoted_at is not None
    return counts
