"""One TransactWrite, retried while it only collided with another, and how to read why one
was cancelled."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import dynamodb

CONDITION_FAILED = "ConditionalCheckFailed"
_TRANSACTION_CONFLICT = "TransactionConflict"
# On AWS a transaction touching an item another transaction is writing is cancelled with
# TransactionConflict (DynamoDB Local queues them instead); a rush for one event's seats
# makes that common, and a short jittered retry turns it into the real answer.
_ATTEMPTS = 4
_BACKOFF_SECONDS = 0.02


def commit(write: Callable[[TransactWrite], None]) -> None:
    """Run one TransactWrite, retried after a jittered pause while it only conflicted."""
    for attempt in range(_ATTEMPTS):
        try:
            with TransactWrite(connection=dynamodb.connection()) as transaction:
                write(transaction)
            return
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not only_conflicts(error.cancellation_reasons):
                raise
        time.sleep(random.uniform(0, _BACKOFF_SECONDS * 2**attempt))


def only_conflicts(reasons: list[Any]) -> bool:
    """True when every item of a cancelled transaction failed only by colliding with another."""
    codes = {reason.code for reason in reasons if reason is not None}
    return codes == {_TRANSACTION_CONFLICT}


def reasons(error: TransactWriteError, count: int) -> list[Any]:
    """The cancellation reason of each of the ``count`` items, in the order they were sent
    (PynamoDB sends condition checks, then deletes, puts and updates)."""
    found = list(error.cancellation_reasons)
    return (found + [None] * count)[:count]


def failed_condition(reason: Any) -> bool:
    return reason is not None and reason.code == CONDITION_FAILED
