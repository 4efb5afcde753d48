"""Changing an event's capacity: new seats go to the first in line in the transaction that
raises it (``events.update`` hands a capacity change here)."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib import clock, events, models, retries, waitlist
from chalicelib.payments import offers
from chalicelib.transactions import commit, condition_failed, failed_condition


def change(event: models.Event, capacity: int, actions: list[Action]) -> models.Event:
    """Apply ``actions`` (which set the capacity) and give any new seats to the first in line.

    Checked by DynamoDB, not from the read: the write is conditioned on the seat count, the
    line's length and who is first as read, so a booking, join or leave landing in between
    cancels it, and it is tried again on a fresh read. More people than one transaction can
    promote (``waitlist.MOST_PROMOTED_AT_ONCE``) move up in further transactions; meanwhile
    nobody else can book, since people are still waiting.
    """
    refused = 0
    # Only refusals count against the tries: each round that commits seats more of the line,
    # so the rounds end with it (at most WAITLIST_MAX / MOST_PROMOTED_AT_ONCE of them).
    while refused < retries.CAPACITY_ATTEMPTS:
        if event.seats_taken > capacity:
            raise events.CapacityBelowBookings()
        free = capacity - event.seats_taken
        waiting = waitlist.line(event)
        promoted = waiting[: max(0, min(free, waitlist.MOST_PROMOTED_AT_ONCE))]
        condition = events.exists_and_not_cancelled() & (models.Event.seats_taken <= capacity)
        if free > 0:
            # Nobody joined unseen who should have a seat too.
            condition &= waitlist.count_is(len(waiting))
        try:
            if promoted:
                _promote_with(event, actions, condition, promoted)
            else:
                event.update(actions=actions, condition=condition)
        except UpdateError as error:
            if not condition_failed(error):
                raise
            refused += 1
        except TransactWriteError as error:
            if not any(failed_condition(reason) for reason in error.cancellation_reasons):
                raise
            refused += 1
        else:
            if promoted:
                offers.after_promotion(event, promoted)
            if len(promoted) < waitlist.MOST_PROMOTED_AT_ONCE:
                return events.find(event.event_id) if promoted else event
            # The other changes are made; what is left is more of the line to seat.
            actions = [models.Event.capacity.set(capacity)]
        event = events.find(event.event_id)
    raise events.CapacityContended()


def _promote_with(
    event: models.Event, actions: list[Action], condition: Condition, promoted: list[str]
) -> None:
    line_actions, still_first = waitlist.take_first(waitlist.line(event), len(promoted))
    at = clock.to_iso_ms(clock.now())

    def write(transaction: TransactWrite) -> None:
        transaction.update(
            models.Event(event.event_id),
            actions=[*actions, *line_actions, models.Event.seats_taken.add(len(promoted))],
            # The seat count as read: exactly ``len(promoted)`` of its seats were free.
            condition=condition & still_first & (models.Event.seats_taken == event.seats_taken),
        )
        waitlist.promote(transaction, event, promoted, at)

    commit(write)
