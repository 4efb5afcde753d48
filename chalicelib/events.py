"""Events: what is on, soonest first."""

from __future__ import annotations

from typing import Any

from chalicelib import clock, models

PUBLISHED = "published"


def list_upcoming(limit: int = 50) -> dict[str, Any]:
    """Upcoming published events from one Query on the sparse ``upcoming`` index."""
    now = clock.to_iso(clock.now())
    results = models.Event.upcoming.query(
        PUBLISHED, models.Event.starts_at > now, limit=limit, page_size=limit
    )
    return {"events": [event_view(event) for event in results], "next_cursor": None}


def event_view(event: models.Event) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "name": event.name,
        "description": event.description,
        "kind": event.kind,
        "date": event.starts_at,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "capacity": event.capacity,
        "seats_left": max(event.capacity - event.seats_taken, 0),
        "facilitator": {
            "id": event.facilitator.id,
            "name": event.facilitator.name,
            "crm_id": event.facilitator.crm_id,
        },
    }
