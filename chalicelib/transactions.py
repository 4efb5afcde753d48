"""One TransactWrite, retried while it only collided with another, and how to read why one
was cancelled, or why a single conditional write was refused."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import dynamodb, retries

CONDITION_FAILED = "ConditionalCheckFailed"
# The error code of a single PutItem, UpdateItem or DeleteItem whose condition was false.
_CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
_TRANSACTION_CONFLICT = "TransactionConflict"


def commit(
    write: Callable[[TransactWrite], None], attempts: int = retries.CONFLICT_ATTEMPTS
) -> None:
    """Run one TransactWrite, retried after a jittered pause while it only conflicted, up to
    ``attempts`` calls in all (``retries.CONFLICT_ATTEMPTS``; 1 for a caller whose own loop
    retries conflicts within its budget)."""
    for attempt in range(attempts):
        try:
            with TransactWrite(connection=dynamodb.connection()) as transaction:
                write(transaction)
            return
        except TransactWriteError as error:
            if attempt == attempts - 1 or not only_conflicts(error.cancellation_reasons):
                raise
        time.sleep(random.uniform(0, retries.CONFLICT_PAUSE_SECONDS * 2**attempt))


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


def condition_failed(error: PynamoDBException) -> bool:
    """A single conditional write was refused by its condition (not throttled, not failed)."""
    return error.cause_response_code == _CONDITIONAL_CHECK_FAILED
