"""An event's waiting list, kept on the event item itself: who is in line and in what order,
the conditions that pin it, and the writes that move the first in line into seats.

The line is the list ``Event.waitlist`` of user ids (first in line first) beside its length
``Event.waitlist_count``. Every change to it is part of a TransactWrite that also writes the
booking concerned, conditioned on the event item as it was read, so the line and the
bookings' statuses cannot disagree, and a cancelled transaction hands back the event item as
it is now (strongly consistent) to try again with. No index is read to find who is first,
so no lagging index can promote the wrong person or skip one; and a user's position is their
index in the list, read with the event.
"""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import clock, models
from chalicelib.config import get_settings
from chalicelib.payments import offers

# TransactWriteItems takes 100 items: the event and this many promoted bookings.
MOST_PROMOTED_AT_ONCE = 99


def line(event: models.Event) -> list[str]:
    """The user ids waiting for ``event``, first in line first."""
    return list(event.waitlist or [])


def count(event: models.Event) -> int:
    return int(event.waitlist_count or 0)


def capacity(event: models.Event) -> int:
    """How many may wait: the admin's setting, else one per seat, never above WAITLIST_MAX."""
    wanted = event.capacity if event.waitlist_capacity is None else event.waitlist_capacity
    return min(int(wanted), get_settings().waitlist_max)


def position(event: models.Event, user_id: str) -> int | None:
    """1 for the first in line; None when ``user_id`` is not waiting."""
    waiting = line(event)
    return waiting.index(user_id) + 1 if user_id in waiting else None


def count_is(number: int) -> Condition:
    """The line has exactly ``number`` people (an event written before waiting lists has no
    count, which is none)."""
    condition = models.Event.waitlist_count == number
    if number == 0:
        condition = models.Event.waitlist_count.does_not_exist() | condition
    return condition


def joins(event: models.Event) -> int:
    return int(event.waitlist_joins or 0)


def unchanged_since(event: models.Event) -> Condition:
    """Nobody joined, left or moved up since ``event`` was read: its count and its joins are
    as they were (a leave and a join in between would leave the count alone, not both)."""
    joined = models.Event.waitlist_joins
    seen = joins(event)
    same_joins = joined == seen
    if seen == 0:
        same_joins = joined.does_not_exist() | same_joins
    return count_is(count(event)) & same_joins


def has_room_after(number: int) -> Condition:
    """A line of ``number`` people may take one more, by the event's own setting."""
    limit = models.Event.waitlist_capacity
    condition = (limit.exists() & (limit > number)) | (
        limit.does_not_exist() & (models.Event.capacity > number)
    )
    most = get_settings().waitlist_max
    if number >= most:
        # No line grows past WAITLIST_MAX whatever the event says; as a condition (which
        # cannot hold here), so the refusal is explained from the event item like the others.
        condition &= models.Event.waitlist_count < most
    return condition


def join(user_id: str) -> list[Action]:
    """The event's actions that put ``user_id`` at the end of the line."""
    waiting = models.Event.waitlist
    return [
        waiting.set((waiting | []).append([user_id])),
        models.Event.waitlist_count.add(1),
        models.Event.waitlist_joins.add(1),
    ]


def leave(index: int, user_id: str) -> tuple[list[Action], Condition]:
    """The event's actions that take ``user_id`` out of the line at ``index``, and the
    condition that they are still there."""
    actions = [models.Event.waitlist[index].remove(), models.Event.waitlist_count.add(-1)]
    return actions, models.Event.waitlist[index] == user_id


def take_first(waiting: list[str], number: int) -> tuple[list[Action], Condition | None]:
    """The event's actions that take the first ``number`` of ``waiting`` off the line (one
    REMOVE of several indexes counts them in the list as it was), and the condition that
    these are still the first ``number`` in line."""
    actions: list[Action] = [models.Event.waitlist[i].remove() for i in range(number)]
    condition: Condition | None = None
    for i, user_id in enumerate(waiting[:number]):
        first = models.Event.waitlist[i] == user_id
        condition = first if condition is None else condition & first
    if number:
        actions.append(models.Event.waitlist_count.add(-number))
    return actions, condition


def promote(transaction: TransactWrite, event: models.Event, user_ids: list[str], at: str) -> None:
    """Add to ``transaction``: each of these users' waiting bookings takes the freed seat:
    confirmed on a free event (the stream sends ``booking.confirmed``), offered on a paid one
    (``pending_payment`` until the offer lapses; the stream sends ``booking.offered``)."""
    moved_up = [
        models.Booking.updated_at.set(at),
        models.Booking.revision.add(1),
    ]
    if event.price is None:
        moved_up.append(models.Booking.status.set(models.CONFIRMED))
    else:
        moved_up += offers.offer_actions(event, clock.parse_iso(at))
    for user_id in user_ids:
        transaction.update(
            models.Booking(user_id, event.event_id),
            actions=moved_up,
            condition=models.Booking.status == models.WAITLISTED,
        )


def event_from(reason: Any) -> models.Event | None:
    """The event item a cancelled transaction handed back with its reason."""
    return models.Event.from_raw_data(reason.raw_item) if reason and reason.raw_item else None
