"""Event times in words: when it runs (in the event's zone, or in UTC) and for how long.

The server cannot know the viewer's own offset (a browser does not send it); the pages show
the event's zone and UTC, and ``static/local-time.js`` adds the viewer's own where scripts run.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from chalicelib import clock

_DASH = "\u2013"  # an en dash, as between the ends of a range


def span(starts_at: str, ends_at: str, zone: str = "UTC") -> str:
    """``Sat 5 Dec 2026, 18:30 to 20:30 CET`` (an en dash, not "to"), or both dates when it
    ends on another day."""
    place = _zone(zone)
    start = clock.on_clock_of(clock.parse_iso(starts_at), place)
    end = clock.on_clock_of(clock.parse_iso(ends_at), place)
    if start.date() == end.date():
        return f"{_day(start)}, {start:%H:%M}{_DASH}{end:%H:%M} {end:%Z}"
    return f"{_day(start)}, {start:%H:%M %Z} {_DASH} {_day(end)}, {end:%H:%M %Z}"


def moment(iso: str, zone: str = "UTC") -> str:
    """``Sat 5 Dec 2026, 18:30 CET``."""
    local = clock.on_clock_of(clock.parse_iso(iso), _zone(zone))
    return f"{_day(local)}, {local:%H:%M %Z}"


def duration(starts_at: str, ends_at: str, zone: str = "UTC") -> str:
    """``45 minutes``, ``2 hours``, ``1 hour 30 minutes``; from a day on, the calendar days it
    touches where it happens (a retreat from Friday morning to Sunday evening: ``3 days``)."""
    start = clock.parse_iso(starts_at)
    end = clock.parse_iso(ends_at)
    minutes = int((end - start).total_seconds() // 60)
    if minutes >= 24 * 60:
        place = _zone(zone)
        days = (
            clock.on_clock_of(end, place).date() - clock.on_clock_of(start, place).date()
        ).days + 1
        return _count(days, "day")
    hours, minutes = divmod(minutes, 60)
    parts = [_count(hours, "hour")] if hours else []
    if minutes or not hours:
        parts.append(_count(minutes, "minute"))
    return " ".join(parts)


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _day(local: datetime) -> str:
    return f"{local:%a} {local.day} {local:%b %Y}"


def _zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)
