"""Reading series: one for an attendee (with its upcoming dates), a page for admins."""

from __future__ import annotations

from typing import Any

from chalicelib import dynamodb, models, pagination
from chalicelib.series import occurrences, views
from chalicelib.series.errors import SeriesNotFound


def get(series_id: str) -> dict[str, Any]:
    """The series and its occurrences not yet started, soonest first, with seats left: one
    GetItem and one Query of ``by_series`` (no Scan)."""
    series = find(series_id)
    upcoming = occurrences.upcoming(series_id)
    return {**views.series_view(series), "occurrences": [views.occurrence(e) for e in upcoming]}


def list_all(limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """A page of series in no particular order: one Scan call (an admin's short list, as
    facilitators are)."""
    page = pagination.scan_page(models.Series, limit, cursor)
    return {
        "series": [views.series_view(series) for series in page.items],
        "next_cursor": page.next_cursor,
    }


def drop_in_dates(event_ids: list[str]) -> set[str]:
    """Which of these events (at most 100) are dates of a drop-in series, whose bookings may
    be moved to another date: one BatchGetItem (the dashboard's My bookings)."""
    if not event_ids:
        return set()
    keys: list[dynamodb.ItemKey] = [
        (models.Event, event_id) for event_id in dict.fromkeys(event_ids)
    ]
    return {
        event.event_id
        for event in dynamodb.batch_get(keys).values()
        if event.series is not None and event.series.booking_mode == models.DROP_IN
    }


def find(series_id: str) -> models.Series:
    try:
        return models.Series.get(series_id, consistent_read=True)
    except models.Series.DoesNotExist:
        raise SeriesNotFound() from None
