"""What the benchmarks put in the tables, wherever the models are bound.

Single events, facilitators and users are made as the app makes them (its services and
models). The scaling measure's bulk items are copies of one item the model serialized, with
only their keys and start times changed, sent 25 to a BatchWriteItem from a few threads:
building 100,000 model objects one by one would cost more than writing them.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from chalicelib import auth, clock, dynamodb, events, facilitators, ids, models

BATCH_SIZE = 25
LOAD_THREADS = 4
_CREATED_AT = "2026-01-01T00:00:00.000Z"
_emails = itertools.count()


def unique_email() -> str:
    return f"bench-{ids.new_id().lower()}-{next(_emails)}@example.com"


def new_event(
    capacity: int, starts_in: timedelta = timedelta(days=30), waitlist_capacity: int | None = None
) -> str:
    """A published event (and its facilitator), made by the services; returns its id."""
    facilitator = facilitators.create(name="Bench Facilitator", crm_id="crm_bench")
    starts_at = clock.now() + starts_in
    return events.create(
        name="Bench Session",
        kind="session",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        timezone="Europe/Berlin",
        capacity=capacity,
        facilitator_id=facilitator["id"],
        waitlist_capacity=waitlist_capacity,
    )["id"]


def new_series(dates: int, booking_mode: str = models.DROP_IN) -> tuple[str, list[str]]:
    """A series of ``dates`` weekly events (made by the services, then marked as the series'
    occurrences as series creation marks them); returns its id and their ids."""
    series_id = ids.new_id()
    event_ids = [new_event(capacity=10, starts_in=timedelta(days=30 + 7 * n)) for n in range(dates)]
    for event_id in event_ids:
        models.Event(event_id).update(
            actions=[
                models.Event.series.set(
                    models.SeriesCopy(id=series_id, name="Bench Series", booking_mode=booking_mode)
                ),
                models.Event.series_id.set(series_id),
            ]
        )
    return series_id, event_ids


def new_user_token(role: str = "user") -> str:
    """A token for a new user written straight to the table (no password, no bcrypt)."""
    user_id = ids.new_id()
    models.User(
        user_id,
        name="Bench User",
        email=f"{user_id.lower()}@example.com",
        role=role,
        created_at=_CREATED_AT,
    ).save()
    return auth.issue_token(user_id)


def weekly_series(facilitator_id: str, dates: int) -> dict[str, Any]:
    """The body of POST /admin/series: ``dates`` Mondays at 18:30 London, from next week."""
    monday = clock.now().date() + timedelta(days=7 - clock.now().weekday())
    return {
        "name": "Bench Series",
        "kind": "session",
        "facilitator_id": facilitator_id,
        "timezone": "Europe/London",
        "start_date": (monday + timedelta(days=7)).isoformat(),
        "start_time": "18:30",
        "duration_minutes": 60,
        "rrule": f"FREQ=WEEKLY;BYDAY=MO;COUNT={dates}",
        "capacity": 20,
        "booking_mode": "drop_in",
    }


def bulk_events(count: int, first: int = 0) -> list[str]:
    """``count`` published events, one every minute from an hour from now; returns their ids.

    ``first`` continues an earlier load's minutes, so every start time stays distinct.
    """
    template = _event_template()
    starts = clock.now() + timedelta(hours=1)
    items = []
    for n in range(first, first + count):
        starts_at = starts + timedelta(minutes=n)
        item = dict(template)
        item["event_id"] = {"S": ids.new_id()}
        item["starts_at"] = {"S": clock.to_iso(starts_at)}
        item["ends_at"] = {"S": clock.to_iso(starts_at + timedelta(hours=1))}
        items.append(item)
    _write(models.Event, items)
    return [item["event_id"]["S"] for item in items]


def bulk_bookings(event_ids: list[str]) -> list[str]:
    """One confirmed booking of each event, each by a different (made-up) user; returns the
    booking ids."""
    template = _booking_template()
    items = []
    for event_id in event_ids:
        item = dict(template)
        item["user_id"] = {"S": ids.new_id()}
        item["event_id"] = {"S": event_id}
        item["booking_id"] = {"S": ids.new_id()}
        items.append(item)
    _write(models.Booking, items)
    return [item["booking_id"]["S"] for item in items]


def _event_template() -> dict[str, Any]:
    return models.Event(
        "template",
        listing=models.PUBLISHED,
        name="Bulk Session",
        description="Loaded by the scaling benchmark.",
        kind="session",
        starts_at=_CREATED_AT,
        ends_at=_CREATED_AT,
        timezone="Europe/Berlin",
        capacity=20,
        seats_taken=0,
        facilitator=models.FacilitatorCopy(id=ids.new_id(), name="Bulk", crm_id="crm_bulk"),
        created_at=_CREATED_AT,
    ).serialize()


def _booking_template() -> dict[str, Any]:
    return models.Booking(
        "template",
        "template",
        booking_id="template",
        status="confirmed",
        created_at=_CREATED_AT,
        updated_at=_CREATED_AT,
        event=models.EventCopy(
            name="Bulk Session",
            starts_at=_CREATED_AT,
            ends_at=_CREATED_AT,
            timezone="Europe/Berlin",
        ),
        user=models.UserCopy(name="Bulk User", email="bulk@example.com"),
        facilitator_crm_id="crm_bulk",
    ).serialize()


def _write(model: type[dynamodb.Table], items: list[dict[str, Any]]) -> None:
    table = model.Meta.table_name
    client = dynamodb.connection().client

    def write_share(share: list[dict[str, Any]]) -> None:
        for start in range(0, len(share), BATCH_SIZE):
            request: dict[str, Any] = {
                table: [
                    {"PutRequest": {"Item": item}} for item in share[start : start + BATCH_SIZE]
                ]
            }
            while request:
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems")

    shares = [items[n::LOAD_THREADS] for n in range(LOAD_THREADS) if items[n::LOAD_THREADS]]
    if shares:
        with ThreadPoolExecutor(max_workers=len(shares)) as pool:
            list(pool.map(write_share, shares))
