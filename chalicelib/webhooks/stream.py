"""The bookings stream handler: a delivery row per booking change the CRM hears of, sent now;
a booking that became confirmed is also marked as owed its reminder (``reminders``).

A batch's records wait mostly on the network (a conditional put, the POST, the outcome's
update, the reminder mark), so the batch is split into tasks run side by side, up to
``STREAM_SEND_CONCURRENCY`` at once: one per booking item, delivering that item's records in
stream order (a CRM never hears of a cancellation before the confirmation it cancels), and
one per reminder mark, which depends on no delivery.
"""

from __future__ import annotations

import contextvars
import functools
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from chalice.app import DynamoDBEvent, DynamoDBRecord

from chalicelib import metrics, models, reminders
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.webhooks import deliveries
from chalicelib.webhooks.payload import facilitator_of, message_from_record

log = json_logger("ahoum.webhooks")


_BOOKING_METRICS = {
    models.BOOKING_CONFIRMED: metrics.BOOKINGS_CONFIRMED,
    models.BOOKING_WAITLISTED: metrics.BOOKINGS_WAITLISTED,
    models.BOOKING_CANCELLED: metrics.BOOKINGS_CANCELLED,
}


def handle_stream_batch(event: DynamoDBEvent) -> dict[str, Any]:
    """Deliver every booking change in the batch; report the records that could not be handled.

    Lambda retries from the first reported record, so records after it come again; their
    delivery rows already exist and they post nothing twice. A record that fails also stops
    the later records of its booking (reported with it), which keeps that booking's webhooks
    in order when they come again.
    """
    started = time.monotonic()
    records = list(event)
    lines = _lines_per_item(records)
    # A reminder mark depends on nothing a delivery does (it is conditioned on the booking
    # item alone), so each is a task of its own beside the lines of deliveries.
    owed = [record for record in records if reminders.became_confirmed(record)]
    tasks = [functools.partial(_deliver_line, line, started) for line in lines]
    tasks += [functools.partial(_mark, record) for record in owed]
    outcomes = _run(tasks, workers=min(get_settings().stream_send_concurrency, len(tasks)))
    # A record that failed is reported with the later records of its booking, in stream order.
    from_here_on = {id(r): line[n:] for line in lines for n, r in enumerate(line)}
    reported: dict[int, DynamoDBRecord] = {}
    for failures in outcomes:
        for record in failures:
            reported.update((id(later), later) for later in from_here_on[id(record)])
    return {
        "batchItemFailures": [
            {"itemIdentifier": record.sequence_number}
            for record in records
            if id(record) in reported
        ]
    }


def _run(tasks: list[Callable[[], list[DynamoDBRecord]]], workers: int) -> list[Any]:
    """Each task's answer, the tasks run ``workers`` at a time (one after the other for 1)."""
    if workers <= 1:
        return [task() for task in tasks]
    # Imported by the first batch that needs it: the other Lambdas load this module with
    # app.py and never do.
    from concurrent.futures import ThreadPoolExecutor

    # Each task runs in a copy of the invocation's context (context variables: log and audit
    # context), which a pool's threads would not otherwise see.
    runs = [(contextvars.copy_context(), task) for task in tasks]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda run: run[0].run(run[1]), runs))


def _lines_per_item(records: Iterable[DynamoDBRecord]) -> list[list[DynamoDBRecord]]:
    """The batch's records grouped by booking item (its table key), each group in stream order."""
    lines: dict[str, list[DynamoDBRecord]] = {}
    for record in records:
        lines.setdefault(json.dumps(record.keys, sort_keys=True), []).append(record)
    return list(lines.values())


def _deliver_line(line: list[DynamoDBRecord], started: float) -> list[DynamoDBRecord]:
    """Deliver one booking item's records in order; stop at the first that fails and answer
    it (an empty list when all went)."""
    for record in line:
        try:
            _deliver(record, started)
        except Exception:
            _log_failure(record)
            return [record]
    return []


def _deliver(record: DynamoDBRecord, started: float) -> None:
    message = message_from_record(record)
    if message is None:
        return
    # A batch meeting a slow CRM hands its remaining messages to the retrier (due at once)
    # rather than run into the stream Lambda's timeout.
    send_now = time.monotonic() - started < get_settings().stream_send_budget_seconds
    if deliveries.deliver_new(*message, send_now=send_now, facilitator_id=facilitator_of(record)):
        # Counted here, not in the services: a promotion happens inside another user's
        # cancellation, and the stream sees every change exactly once per new delivery row
        # (a redelivered record counts nothing).
        # The id is `<booking_id>.<type>[.<more>]`; a rescheduling has no metric of its own.
        metric = _BOOKING_METRICS.get(".".join(message[0].split(".")[1:3]))
        if metric is not None:
            metrics.emit(metric)


def _mark(record: DynamoDBRecord) -> list[DynamoDBRecord]:
    try:
        reminders.mark_owed(record)
    except Exception:
        _log_failure(record)
        return [record]
    return []


def _log_failure(record: DynamoDBRecord) -> None:
    log.exception(
        "stream record not handled",
        extra={"fields": {"sequence_number": record.sequence_number}},
    )
