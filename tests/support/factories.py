"""Users, admins, facilitators and events written straight to DynamoDB Local: the one place
tests make them (no auth flow is needed to get a token; tests of those flows use
``tests.support.api``)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from pynamodb.models import Model

from chalicelib import auth, bookings, clock, ids, models
from chalicelib.webhooks import deliveries
from tests.support.api import bearer, post_json

CREATED_AT = "2026-01-01T00:00:00.000Z"


def new_user(role: str = "user", name: str = "Ann", user_id: str | None = None) -> models.User:
    user_id = user_id or ids.new_id()
    return models.User(
        user_id, name=name, email=f"{user_id.lower()}@example.com", role=role, created_at=CREATED_AT
    )


def make_user(role: str = "user", name: str = "Ann", user_id: str | None = None) -> models.User:
    user = new_user(role, name, user_id)
    user.save()
    return user


def make_admin(name: str = "Ada Admin") -> models.User:
    return make_user(role="admin", name=name)


def make_users(count: int) -> list[models.User]:
    users = [new_user(name=f"User {n}") for n in range(count)]
    save_all(users)
    return users


def headers_for(user: models.User) -> dict[str, str]:
    return bearer(auth.issue_token(user.user_id))


def book(client: Any, user: models.User, event_id: str, **headers: str) -> Any:
    """POST /bookings/ as ``user`` (extra headers such as ``Idempotency-Key`` as keywords)."""
    return post_json(client, "/bookings/", {"event_id": event_id}, {**headers_for(user), **headers})


def join_waitlist(client: Any, user: models.User, event_id: str, **headers: str) -> Any:
    """POST /events/{event_id}/waitlist as ``user`` (no body, as a client sends it)."""
    return client.http.post(
        f"/events/{event_id}/waitlist", headers={**headers_for(user), **headers}
    )


def principal_of(user: models.User) -> auth.Principal:
    # Chalice hands services case-insensitive headers, lower-case keys in a plain dict.
    return auth.authenticate({"authorization": f"Bearer {auth.issue_token(user.user_id)}"})


def make_facilitator(name: str = "Alice", crm_id: str = "crm_001") -> models.Facilitator:
    facilitator = models.Facilitator(ids.new_id(), name=name, crm_id=crm_id, created_at=CREATED_AT)
    facilitator.save()
    return facilitator


def new_event(
    starts_in: timedelta = timedelta(days=7),
    *,
    capacity: int = 10,
    kind: str = "session",
    published: bool = True,
    facilitator: models.Facilitator | None = None,
    name: str = "Morning Yoga",
) -> models.Event:
    """An unsaved event starting ``starts_in`` from now (negative: already started)."""
    starts_at = clock.now() + starts_in
    facilitator_copy = models.FacilitatorCopy(
        id=facilitator.facilitator_id if facilitator else ids.new_id(),
        name=facilitator.name if facilitator else "Alice",
        crm_id=facilitator.crm_id if facilitator else "crm_001",
    )
    return models.Event(
        ids.new_id(),
        listing=models.PUBLISHED if published else None,
        name=name,
        description="Bring a mat.",
        kind=kind,
        starts_at=clock.to_iso(starts_at),
        ends_at=clock.to_iso(starts_at + timedelta(hours=1)),
        timezone="Europe/Berlin",
        capacity=capacity,
        seats_taken=0,
        facilitator=facilitator_copy,
        facilitator_id=facilitator_copy.id,
        created_at=CREATED_AT,
    )


def make_event(starts_in: timedelta = timedelta(days=7), **kwargs: Any) -> models.Event:
    event = new_event(starts_in, **kwargs)
    event.save()
    return event


def save_all(items: list[Model], threads: int = 4) -> None:
    """Many items in BatchWriteItem calls of 25, a few streams at once (bulk loading)."""

    def save(share: list[Model]) -> None:
        with type(share[0]).batch_write() as batch:
            for item in share:
                batch.save(item)

    shares = [items[n::threads] for n in range(threads) if items[n::threads]]
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        list(pool.map(save, shares))


def seats_taken(event_id: str) -> int:
    return models.Event.get(event_id, consistent_read=True).seats_taken


def make_delivery(
    state: str = models.FAILED,
    *,
    booking_id: str | None = None,
    last_error: str | None = "HTTP 503: down for maintenance",
    event_name: str = "Morning Yoga",
    user_name: str = "Ann",
) -> models.WebhookDelivery:
    """A webhook delivery row as the sender leaves it (for the admin views of deliveries)."""
    import json

    booking_id = booking_id or ids.new_id()
    payload = {
        "type": models.BOOKING_CONFIRMED,
        "occurred_at": CREATED_AT,
        "booking_id": booking_id,
        "event": {"id": ids.new_id(), "name": event_name, "date": "2026-12-05T18:00:00Z"},
        "user": {"id": ids.new_id(), "name": user_name, "email": "ann@example.com"},
        "facilitator_crm_id": "crm_001",
    }
    row = models.WebhookDelivery(
        f"{booking_id}.{models.BOOKING_CONFIRMED}",
        state=state,
        next_attempt_at=CREATED_AT,
        payload=json.dumps(payload),
        attempts=7,
        last_status=503,
        last_error=last_error,
        retry_until=CREATED_AT,
        created_at=CREATED_AT,
        updated_at=CREATED_AT,
    )
    # In the index of its state, and (finished) expiring a retention from now: from
    # CREATED_AT, long past, DynamoDB Local would delete the row within seconds.
    deliveries.enter(row, state, clock.now())
    row.next_attempt_at = CREATED_AT
    row.save()
    return row


def make_booking(
    user: models.User, event: models.Event, status: str = models.CONFIRMED
) -> models.Booking:
    """A booking written as the service writes one (the event's seat count is not touched:
    use ``book`` for the real thing); for states no request can reach yet, or the past."""
    booking = bookings.booking_item(user.user_id, user.name, user.email, event, status, CREATED_AT)
    booking.save()
    return booking


def make_series_events(
    count: int,
    booking_mode: str = models.DROP_IN,
    *,
    capacity: int = 10,
    first_in: timedelta = timedelta(days=7),
    every: timedelta = timedelta(days=7),
    name: str = "Evening Flow",
) -> tuple[str, list[models.Event]]:
    """A series' id and its ``count`` occurrences (weekly from ``first_in``), written as
    series creation writes them: ordinary events carrying ``series`` and ``series_id``."""
    series_id = ids.new_id()
    occurrences = []
    for n in range(count):
        event = new_event(first_in + n * every, capacity=capacity, name=name)
        event.series = models.SeriesCopy(id=series_id, name=name, booking_mode=booking_mode)
        event.series_id = series_id
        occurrences.append(event)
    save_all(occurrences)
    return series_id, occurrences


def book_series(client: Any, user: models.User, series_id: str, **body: Any) -> Any:
    """POST /series/{series_id}/bookings as ``user`` (``waitlist=True`` as a keyword)."""
    return post_json(client, f"/series/{series_id}/bookings", body, headers_for(user))


def move(client: Any, user: models.User, booking_id: str, event_id: str) -> Any:
    """POST /bookings/{booking_id}/move as ``user``."""
    return post_json(
        client, f"/bookings/{booking_id}/move", {"event_id": event_id}, headers_for(user)
    )


def make_full_event(
    seated: int, waiting: int, starts_in: timedelta = timedelta(days=7)
) -> tuple[models.Event, list[models.User]]:
    """An event with ``seated`` confirmed bookings and ``waiting`` people in line, written as
    the services leave them."""
    event = make_event(starts_in, capacity=seated)
    people = make_users(seated + waiting)
    items = [
        bookings.booking_item(
            user.user_id,
            user.name,
            user.email,
            event,
            models.CONFIRMED if n < seated else models.WAITLISTED,
            CREATED_AT,
        )
        for n, user in enumerate(people)
    ]
    save_all(items)
    line = [user.user_id for user in people[seated:]]
    event.update(
        actions=[
            models.Event.seats_taken.set(seated),
            models.Event.waitlist.set(line),
            models.Event.waitlist_count.set(len(line)),
            models.Event.waitlist_joins.set(len(line)),
            models.Event.waitlist_capacity.set(len(line)),
        ]
    )
    return event, people


def json_caller(client: Any, default_user: models.User) -> Any:
    """``send(method, path, payload=None, user=None)``: a request as ``default_user`` (or as
    ``user``), its payload sent as JSON."""

    def send(method: str, path: str, payload: Any = None, user: models.User | None = None) -> Any:
        headers = headers_for(user or default_user)
        kwargs = {}
        if payload is not None:
            headers["Content-Type"] = "application/json"
            kwargs["body"] = json.dumps(payload)
        return getattr(client.http, method)(path, headers=headers, **kwargs)

    return send


def make_credential(user: models.User, password_hash: str = "not-a-hash") -> models.Credential:
    """The login lookup of ``user`` (what linking an account by its email reads)."""
    credential = models.Credential(user.email, user_id=user.user_id, password_hash=password_hash)
    credential.save()
    return credential


def make_facilitator_account(
    facilitator: models.Facilitator | None = None, name: str = "Fay"
) -> models.User:
    """An account linked to ``facilitator`` (a new one if None), as the members route
    leaves it: role facilitator and its facilitator_id."""
    facilitator = facilitator or make_facilitator(name=name)
    user = new_user(role=models.ROLE_FACILITATOR, name=name)
    user.facilitator_id = facilitator.facilitator_id
    user.save()
    return user
