"""The answer shapes of a series and its occurrences."""

from __future__ import annotations

from typing import Any

from chalicelib import events, models


def series_view(series: models.Series) -> dict[str, Any]:
    return {
        "series_id": series.series_id,
        "name": series.name,
        "description": series.description,
        "kind": series.kind,
        "facilitator_id": series.facilitator_id,
        "timezone": series.timezone,
        "start_date": series.start_date,
        "start_time": series.start_time,
        "duration_minutes": int(series.duration_minutes),
        "rrule": series.rrule,
        "capacity": int(series.capacity),
        "waitlist_capacity": (
            None if series.waitlist_capacity is None else int(series.waitlist_capacity)
        ),
        "cancellable_until_hours": int(series.cancellable_until_hours or 0),
        "booking_mode": series.booking_mode,
        # A drop-in series' price is each date's; a course's, the whole course's.
        "price": events.price_view(series.price),
        "refund_percent": int(series.refund_percent if series.refund_percent is not None else 100),
        "state": series.state,
        # No COUNT or UNTIL: occurrences are made SERIES_HORIZON_DAYS ahead, topped up daily.
        "open_ended": not any(part in series.rrule.upper() for part in ("COUNT=", "UNTIL=")),
        "created_at": series.created_at,
    }


def occurrence(event: models.Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        # As GET /events/{event_id} says it: none while anyone waits.
        "seats_left": events.seats_left(event),
    }
