"""A facilitator's own events: today's and later ones soonest first, or earlier ones latest
first, one Query of the events' ``by_facilitator`` index per page (no Scan)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from chalicelib import auth, clock, events, models, pagination

UPCOMING = "upcoming"
PAST = "past"
WHEN = (UPCOMING, PAST)

_EVENTS_KEY = pagination.key_names(models.Event, models.Event.by_facilitator)


def my_events(
    principal: auth.Principal, when: str = UPCOMING, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """The caller's facilitator's events. ``upcoming`` starts at today's midnight (UTC), so
    a class under way, or one that ended an hour ago, is still on the schedule to check
    people in; ``past`` is everything before."""
    facilitator_id = auth.require_facilitator(principal).facilitator_id
    today = clock.to_iso(datetime.combine(clock.now().date(), time(), tzinfo=UTC))
    upcoming = when == UPCOMING
    start = pagination.start_key(cursor, _EVENTS_KEY, {"facilitator_id": facilitator_id})
    if start is not None and (start["starts_at"]["S"] >= today) != upcoming:
        # A cursor of the other list: DynamoDB refuses a start key outside the key condition.
        raise pagination.bad_cursor()
    in_range = models.Event.starts_at >= today if upcoming else models.Event.starts_at < today
    page = pagination.fetch_page(
        lambda size, key: models.Event.by_facilitator.query(
            facilitator_id,
            in_range,
            scan_index_forward=upcoming,
            page_size=size,
            last_evaluated_key=key,
        ),
        models.Event,
        _EVENTS_KEY,
        limit,
        start,
    )
    return {
        "events": [events.admin_event_view(event) for event in page.items],
        "next_cursor": page.next_cursor,
    }


def events_between(facilitator_id: str, lowest: str, highest: str) -> list[models.Event]:
    """Every event of the facilitator starting in [lowest, highest], soonest first (one
    Query per 1 MB of events)."""
    return list(
        models.Event.by_facilitator.query(
            facilitator_id, models.Event.starts_at.between(lowest, highest)
        )
    )
