"""One transaction on a booking and its event's waiting line, tried again on the event item
it hands back while the line keeps moving: the one loop joining, leaving and giving up a
seat share.

Each try writes the booking (first) and the event item (second) in one TransactWrite
conditioned on the line as last read. When someone joined, left or was promoted in between,
DynamoDB cancels the try and hands back the event item as it is now (``ALL_OLD`` on the
failed condition, strongly consistent): the next try is built from it, after a short
jittered pause so that a wave of tries spreads out instead of colliding again. A try that
only collided with another transaction (``TransactionConflict``, on AWS) is tried again on
the same event item. Both kinds of try spend one budget, ``retries.LINE_ATTEMPTS``
TransactWriteItems calls in all; then the answer is ``Contended``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import models, retries, waitlist
from chalicelib.bookings.errors import Contended
from chalicelib.bookings.items import booking_from
from chalicelib.transactions import commit, failed_condition, only_conflicts, reasons


def _nothing_rules_it_out(event: models.Event) -> None:
    return None


def _booking_then_event(error: TransactWriteError) -> tuple[Any, Any]:
    booking_reason, event_reason = reasons(error, 2)
    return booking_reason, event_reason


@dataclass(frozen=True)
class LineTry[Answer]:
    """One try: its transaction, the answer when it commits, and what a refusal means."""

    # Writes the booking first, then the event item with ``return_values="ALL_OLD"``.
    write: Callable[[TransactWrite], None]
    committed: Callable[[], Answer]
    # The booking's own condition failed: given the booking item as it is now (or None),
    # answer (a retry of what went through, a different cancellation) or raise why not.
    booking_refused: Callable[[models.Booking | None], Answer]
    # The line moved: given the event item as it is now, raise when it rules out another try.
    line_moved: Callable[[models.Event], None] = _nothing_rules_it_out
    # The booking's and the line's event's cancellation reasons, for a transaction of more
    # than those two items; it raises first when another of its items explains the refusal.
    reasons_of: Callable[[TransactWriteError], tuple[Any, Any]] = _booking_then_event


def retry_while_line_moves[Answer](
    plan: Callable[[models.Event | None], LineTry[Answer] | Answer],
    event: models.Event | None,
    *,
    first_try_reads_the_line: bool = False,
) -> Answer:
    """Commit ``plan(event)``'s transaction; while it is cancelled because the line moved (or
    only conflicted), plan the next try on the event item handed back, after a pause.

    ``plan`` may answer without a try (what it needs is no longer there to write). With
    ``first_try_reads_the_line`` the first try is made without reading the event, guessing
    that nobody waits: its refusal is how the line is read, so no pause follows it.
    """
    for tried in range(retries.LINE_ATTEMPTS):
        step = plan(event)
        if not isinstance(step, LineTry):
            return step
        try:
            commit(step.write, attempts=1)
        except TransactWriteError as error:
            booking_reason, event_reason = step.reasons_of(error)
            if failed_condition(booking_reason):
                return step.booking_refused(booking_from(booking_reason))
            current = waitlist.event_from(event_reason) if failed_condition(event_reason) else None
            if current is None and not only_conflicts(error.cancellation_reasons):
                # Nothing here explains it: the line and the bookings change together, so
                # e.g. a first in line whose booking is not waiting cannot be.
                raise
            if current is not None:
                step.line_moved(current)
                event = current
            if tried or current is None or not first_try_reads_the_line:
                _pause(tried)
            continue
        return step.committed()
    raise Contended()


def _pause(tried: int) -> None:
    most = min(retries.LINE_PAUSE_SECONDS * 2**tried, retries.LINE_PAUSE_MOST_SECONDS)
    time.sleep(random.uniform(0, most))
