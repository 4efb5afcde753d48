"""PATCH and DELETE /admin/series/{series_id}: a change to every occurrence not yet started.

Each occurrence is changed through ``event_changes``, exactly as if an admin patched or
cancelled it alone: a capacity raise seats the first in line, a new time of day or duration is
a move (its bookings get ``booking.rescheduled``, calendar SEQUENCE rises, reminders re-arm),
and a deleted series cancels each date not yet started (its bookings ``event_cancelled``). All
dates share one request deadline; what a request leaves, the ``finish_event_changes`` job
finishes. The series item changes first, so occurrences the daily top-up makes from then on
follow the new template too.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock, errors, event_changes, events, models
from chalicelib.series import occurrences, recurrence, views
from chalicelib.series.reading import find

# The series fields a change copies onto each occurrence as the same event field.
_COPIED = ("name", "description", "capacity", "facilitator_id", "refund_percent")


def update(series_id: str, **changes: Any) -> dict[str, Any]:
    series = find(series_id)
    # Every date's change is worked out and checked before anything is written; each date's
    # own update still checks its conditions as it writes.
    if "facilitator_id" in changes:
        events.facilitator_copy(changes["facilitator_id"])
    planned = [
        (event, _event_changes(series, event, changes)) for event in occurrences.upcoming(series_id)
    ]
    _check_plan(planned)
    actions = [
        getattr(models.Series, name).set(value)
        for name, value in changes.items()
        if name != "price"
    ]
    if "price" in changes:
        price = events.price_item(changes["price"])
        actions.append(
            models.Series.price.remove() if price is None else models.Series.price.set(price)
        )
    series.update(actions=actions, condition=models.Series.series_id.exists())
    deadline = event_changes.request_deadline()
    changed = [
        _occurrence(event_changes.update_event(event.event_id, deadline, **plan))
        for event, plan in planned
    ]
    return {**views.series_view(series), "occurrences": changed}


def cancel(series_id: str) -> dict[str, Any]:
    """The series makes no more dates, and every date not yet started is cancelled as an
    admin cancels an event: off the listing, each booking cancelled with a webhook."""
    series = find(series_id)
    series.update(
        actions=[
            models.Series.state.set(models.SERIES_CANCELLED),
            models.Series.extending.remove(),
        ],
        condition=models.Series.series_id.exists(),
    )
    deadline = event_changes.request_deadline()
    for event in occurrences.upcoming(series_id):
        event_changes.cancel_event(event.event_id, deadline=deadline)
    return {**views.series_view(series), "occurrences": []}


def _event_changes(
    series: models.Series, event: models.Event, changes: dict[str, Any]
) -> dict[str, Any]:
    event_changes = {name: changes[name] for name in _COPIED if name in changes}
    if "name" in changes or ("price" in changes and series.booking_mode == models.COURSE):
        # The whole copy, renamed and with the course's new price as asked.
        copy = occurrences.series_copy(series)
        copy.name = changes.get("name", series.name)
        if "price" in changes:
            copy.course_price = events.price_item(changes["price"])
        event_changes["series"] = copy
    if "price" in changes and series.booking_mode == models.DROP_IN:
        # Each date's own price; holds already taken keep what they were made for.
        event_changes["price"] = changes["price"]
    if "start_time" in changes or "duration_minutes" in changes:
        start_time = time.fromisoformat(changes.get("start_time", series.start_time))
        local = datetime.combine(occurrences.local_date(event), start_time)
        minutes = changes.get("duration_minutes", series.duration_minutes)
        starts_at, ends_at = recurrence.times_of(
            local, timedelta(minutes=int(minutes)), ZoneInfo(series.timezone)
        )
        event_changes["starts_at"] = starts_at
        event_changes["ends_at"] = ends_at
    return event_changes


def _check_plan(planned: list[tuple[models.Event, dict[str, Any]]]) -> None:
    now = clock.now()
    for event, plan in planned:
        if event.seats_taken > plan.get("capacity", event.seats_taken):
            raise events.CapacityBelowBookings()
        if plan.get("starts_at", now + timedelta(seconds=1)) <= now:
            raise errors.ValidationFailed(
                fields={"start_time": ["A date of today would move into the past."]}
            )


def _occurrence(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": view["id"],
        "starts_at": view["starts_at"],
        "ends_at": view["ends_at"],
        "seats_left": view["seats_left"],
    }
