"""Time in one place: every timestamp is UTC, written ISO 8601 ending in ``Z``.

Stored strings have a fixed width per attribute so DynamoDB's lexicographic order is
chronological order (GSI sort keys and condition expressions rely on it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

# Tests and the local retrier swap this to drive time without sleeping.
_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Replace the time source (``None`` restores the real clock)."""
    global _now
    _now = source or (lambda: datetime.now(UTC))


def to_iso(moment: datetime) -> str:
    """Seconds precision, e.g. ``2026-12-01T09:00:00Z``: event times and comparisons with them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_iso_ms(moment: datetime) -> str:
    """Millisecond precision, e.g. ``2026-12-01T09:00:00.123Z``: when something happened."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601; a value without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def on_clock_of(moment: datetime, zone: tzinfo) -> datetime:
    """The moment as the zone's clocks show it, or in UTC where that would pass the year 9999
    (the API refuses such dates, but nothing already stored may make a page or file fail)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment.astimezone(UTC)
