"""Events: what is on, soonest first, and how admins put events on and take them off.

Only published events carry ``listing``, so the sparse ``upcoming`` index holds exactly the
listable ones: listing is one Query whose cost does not grow with past or hidden events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import capacity, clock, errors, facilitators, ids, models, pagination, waitlist
from chalicelib.config import get_settings

KINDS = ("session", "retreat")

_UPCOMING_KEY = pagination.key_names(models.Event, models.Event.upcoming)
# Far enough ahead to bound a range condition, and still a valid fixed-width timestamp.
_END_OF_TIME = "9999-12-31T23:59:59Z"


class EventNotFound(errors.NotFound):
    default_message = "No such event."


class CapacityBelowBookings(errors.Conflict):
    code = "capacity_below_bookings"
    default_message = "More seats are already booked than this capacity allows."


class EventCancelled(errors.Conflict):
    code = "event_cancelled"
    default_message = "This event is cancelled; it can no longer be changed."


class CapacityContended(errors.Conflict):
    code = "try_again"
    default_message = "The event's seats are changing hands right now; try again in a moment."


def list_upcoming(
    limit: int = 50,
    cursor: str | None = None,
    kind: str | None = None,
    facilitator_id: str | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
    viewer: str | None = None,
) -> dict[str, Any]:
    """Published events that have not started, soonest first, one Query per page.

    ``from_date``/``to_date`` are whole UTC days, both included. ``kind`` and
    ``facilitator_id`` filter after DynamoDB's page limit, so a page may be short.
    With ``viewer`` (a user id) each event also says where that user is in its line
    (see ``event_view``).
    """
    lowest, highest = _start_bounds(from_date, to_date)
    start = pagination.start_key(cursor, _UPCOMING_KEY, {"listing": models.PUBLISHED})
    if start is not None:
        resume_at = start["starts_at"]["S"]
        # A cursor kept a while can point before now (those events have started since), or
        # outside a changed date range; DynamoDB rejects a start key outside the range.
        if resume_at < lowest:
            start = None
        elif resume_at > highest:
            return {"events": [], "next_cursor": None}
    if lowest > highest:
        return {"events": [], "next_cursor": None}
    conditions: list[Condition] = []
    if kind is not None:
        conditions.append(models.Event.kind == kind)
    if facilitator_id is not None:
        conditions.append(models.Event.facilitator.id == facilitator_id)
    page = pagination.fetch_page(
        lambda size, key: models.Event.upcoming.query(
            models.PUBLISHED,
            models.Event.starts_at.between(lowest, highest),
            filter_condition=_all_of(conditions),
            page_size=size,
            last_evaluated_key=key,
        ),
        models.Event,
        _UPCOMING_KEY,
        limit,
        start,
    )
    return {
        "events": [event_view(event, viewer) for event in page.items],
        "next_cursor": page.next_cursor,
    }


def list_all(limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """Every event, published or not, past or upcoming, for admins: one Scan page per call.

    A Scan because no index holds them all: the ``upcoming`` index is sparse by design (only
    published events), and an index over every event would need one constant partition key,
    a hot partition on every write to save a read only admins make. A page costs one Scan
    call of at most ``limit`` items however big the table grows, in no particular order.
    """
    page = pagination.scan_page(models.Event, limit, cursor)
    return {
        "events": [admin_event_view(event) for event in page.items],
        "next_cursor": page.next_cursor,
    }


def get(event_id: str) -> dict[str, Any]:
    """A published event, past or upcoming; hidden ones are 404 like unknown ones."""
    event = find(event_id)
    if event.listing != models.PUBLISHED:
        raise EventNotFound()
    return event_view(event)


def create(
    name: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    capacity: int,
    facilitator_id: str,
    description: str = "",
    published: bool = True,
    waitlist_capacity: int | None = None,
    cancellable_until_hours: int = 0,
    price: dict[str, Any] | None = None,
    refund_percent: int = 100,
) -> dict[str, Any]:
    _check_times(starts_at, ends_at)
    check_waitlist_capacity(waitlist_capacity)
    event = models.Event(
        ids.new_id(),
        listing=models.PUBLISHED if published else None,
        name=name,
        description=description,
        kind=kind,
        starts_at=clock.to_iso(starts_at),
        ends_at=clock.to_iso(ends_at),
        timezone=timezone,
        capacity=capacity,
        seats_taken=0,
        waitlist=[],
        waitlist_count=0,
        waitlist_joins=0,
        waitlist_capacity=waitlist_capacity,
        cancellable_until_hours=cancellable_until_hours,
        cancellable_until=_cancellable_until(starts_at, cancellable_until_hours),
        facilitator=facilitator_copy(facilitator_id),
        created_at=clock.to_iso_ms(clock.now()),
        price=price_item(price),
        refund_percent=refund_percent,
    )
    event.save(condition=models.Event.event_id.does_not_exist())
    return admin_event_view(event)


def update(event_id: str, **changes: Any) -> dict[str, Any]:
    """Change some fields. Bookings already made keep their copy of the old details.

    Raising ``capacity`` gives the new seats to the first in line, in the transaction that
    raises it; lowering ``waitlist_capacity`` keeps everyone already in line.
    """
    event = find(event_id)
    if event.cancelled_at is not None:
        raise EventCancelled()
    starts_at = changes.get("starts_at")
    ends_at = changes.get("ends_at")
    if starts_at is not None or ends_at is not None:
        _check_times(
            starts_at or clock.parse_iso(event.starts_at),
            ends_at or clock.parse_iso(event.ends_at),
            check_start=starts_at is not None,
        )
    if "waitlist_capacity" in changes:
        check_waitlist_capacity(changes["waitlist_capacity"])
    actions = _change_actions(event, changes)
    if "capacity" in changes:
        return admin_event_view(capacity.change(event, changes["capacity"], actions))
    event.update(actions=actions, condition=exists_and_not_cancelled())
    return admin_event_view(event)


def _change_actions(event: models.Event, changes: dict[str, Any]) -> list[Action]:
    actions = []
    for name in ("name", "description", "kind", "timezone", "capacity"):
        if name in changes:
            actions.append(getattr(models.Event, name).set(changes[name]))
    for name in ("starts_at", "ends_at"):
        if name in changes:
            actions.append(getattr(models.Event, name).set(clock.to_iso(changes[name])))
    if "starts_at" in changes or "ends_at" in changes:
        # A move: calendar SEQUENCEs count it, reminders re-arm on a new start, and the
        # bookings' copies have to follow (``unfinished``: chalicelib.event_changes).
        actions.append(models.Event.schedule_changed_at.set(clock.to_iso_ms(clock.now())))
        actions.append(models.Event.revision.add(1))
        actions.append(models.Event.unfinished.set(models.UNFINISHED_MOVE))
    if "waitlist_capacity" in changes:
        actions.append(models.Event.waitlist_capacity.set(changes["waitlist_capacity"]))
    if "starts_at" in changes or "cancellable_until_hours" in changes:
        hours = changes.get("cancellable_until_hours", event.cancellable_until_hours or 0)
        starts_at = changes.get("starts_at") or clock.parse_iso(event.starts_at)
        actions.append(models.Event.cancellable_until_hours.set(hours))
        actions.append(models.Event.cancellable_until.set(_cancellable_until(starts_at, hours)))
    if "facilitator_id" in changes:
        actions.append(models.Event.facilitator.set(facilitator_copy(changes["facilitator_id"])))
    if "price" in changes:
        # Holds already taken keep the amount they were made for (on their booking).
        price = price_item(changes["price"])
        actions.append(
            models.Event.price.remove() if price is None else models.Event.price.set(price)
        )
    if "refund_percent" in changes:
        actions.append(models.Event.refund_percent.set(changes["refund_percent"]))
    if "published" in changes:
        actions.append(_publish_action(changes["published"]))
    if "series" in changes:
        # A series renamed (chalicelib.series.changes): never a field of the API's event body.
        actions.append(models.Event.series.set(changes["series"]))
    return actions


def unpublish(event_id: str) -> dict[str, Any]:
    """Take an event off the listing and out of booking; its bookings stay as they are."""
    return update(event_id, published=False)


def find(event_id: str) -> models.Event:
    """Any event by id, published or not (admin views); 404 when unknown."""
    try:
        return models.Event.get(event_id, consistent_read=True)
    except models.Event.DoesNotExist:
        raise EventNotFound() from None


def event_view(event: models.Event, viewer: str | None = None) -> dict[str, Any]:
    """An event as anyone may see it. With ``viewer`` (a user id, for the dashboard) it also
    carries ``waitlist_position``: that user's place in line (1 is first), or None.

    The position is worked out here because the line (user ids, first in line first) is on
    the event item just read, so it costs no read at all, where the caller's booking (read
    in one BatchGetItem for a page of events) holds no position; and the line itself is never
    shown, only the viewer's own place in it. The API's answers are built without a viewer.
    """
    view = {
        "id": event.event_id,
        "name": event.name,
        "description": event.description,
        "kind": event.kind,
        "date": event.starts_at,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "capacity": event.capacity,
        # Seats a newcomer can book now: none while anyone waits (freed seats are theirs).
        "seats_left": seats_left(event),
        "waitlist_capacity": waitlist.capacity(event),
        "waitlist_count": waitlist.count(event),
        "cancellable_until_hours": int(event.cancellable_until_hours or 0),
        "price": price_view(event.price),
        "refund_percent": int(event.refund_percent if event.refund_percent is not None else 100),
        "facilitator": {
            "id": event.facilitator.id,
            "name": event.facilitator.name,
            "crm_id": event.facilitator.crm_id,
        },
    }
    if event.series is not None:
        # Absent on a one-off event; an occurrence names its series (GET /series/{series_id}).
        view["series"] = {"id": event.series.id, "name": event.series.name}
    if viewer is not None:
        view["waitlist_position"] = waitlist.position(event, viewer)
    return view


def seats_left(event: models.Event) -> int:
    """Seats a newcomer can book now: none while anyone waits (freed seats are theirs); a
    hold past its expiry is free, whether or not the job has cancelled it yet."""
    if waitlist.count(event):
        return 0
    lapsed = sum(
        1
        for entry in event.hold_expiries or ()
        if entry.split(" ", 1)[0] <= clock.to_iso(clock.now())
    )
    return max(int(event.capacity) - int(event.seats_taken) + lapsed, 0)


def price_item(price: dict[str, Any] | None) -> models.Price | None:
    """A loaded ``price`` body (None: free) as stored."""
    if price is None:
        return None
    return models.Price(amount=price["amount"], currency=price["currency"])


def price_view(price: models.Price | None) -> dict[str, Any] | None:
    if price is None:
        return None
    return {"amount": int(price.amount), "currency": price.currency}


def admin_event_view(event: models.Event) -> dict[str, Any]:
    return {
        **event_view(event),
        "published": event.listing == models.PUBLISHED,
        "seats_taken": event.seats_taken,
        "created_at": event.created_at,
        "cancelled_at": event.cancelled_at,
    }


def _start_bounds(from_date: date | None, to_date: date | None) -> tuple[str, str]:
    """The range of ``starts_at`` to list, both ends included, as stored strings."""
    # Seconds precision: "starts after now" is "starts at or after now + 1 s", so the lower
    # bound shares one BETWEEN with the upper one.
    lowest = clock.to_iso(clock.now() + timedelta(seconds=1))
    if from_date is not None:
        lowest = max(lowest, clock.to_iso(datetime.combine(from_date, time.min, UTC)))
    highest = _END_OF_TIME
    if to_date is not None:
        highest = clock.to_iso(datetime.combine(to_date, time(23, 59, 59), UTC))
    return lowest, highest


def _check_times(starts_at: datetime, ends_at: datetime, check_start: bool = True) -> None:
    problems: dict[str, list[str]] = {}
    now = clock.now()
    if check_start and clock.to_iso(starts_at) <= clock.to_iso(now):
        problems["starts_at"] = ["Must be in the future."]
    if clock.to_iso(ends_at) <= clock.to_iso(starts_at):
        problems["ends_at"] = ["Must be after starts_at."]
    horizon = get_settings().event_horizon_days
    latest = now + timedelta(days=horizon)
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment > latest and name not in problems:
            problems[name] = [f"At most {horizon} days ahead (EVENT_HORIZON_DAYS)."]
    if problems:
        raise errors.ValidationFailed(fields=problems)


def exists_and_not_cancelled() -> Condition:
    return models.Event.event_id.exists() & models.Event.cancelled_at.does_not_exist()


def check_waitlist_capacity(waitlist_capacity: int | None) -> None:
    most = get_settings().waitlist_max
    if waitlist_capacity is not None and waitlist_capacity > most:
        raise errors.ValidationFailed(
            fields={"waitlist_capacity": [f"At most {most} (WAITLIST_MAX)."]}
        )


def _cancellable_until(starts_at: datetime, hours: int) -> str:
    return clock.to_iso(starts_at - timedelta(hours=hours))


def facilitator_copy(facilitator_id: str) -> models.FacilitatorCopy:
    """The copy of a facilitator an event carries (400 naming ``facilitator_id`` if unknown)."""
    try:
        facilitator = facilitators.find(facilitator_id)
    except facilitators.FacilitatorNotFound:
        raise errors.ValidationFailed(fields={"facilitator_id": ["No such facilitator."]}) from None
    return models.FacilitatorCopy(
        id=facilitator.facilitator_id, name=facilitator.name, crm_id=facilitator.crm_id
    )


def _publish_action(published: bool) -> Any:
    if published:
        return models.Event.listing.set(models.PUBLISHED)
    return models.Event.listing.remove()


def _all_of(conditions: list[Condition]) -> Condition | None:
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined
