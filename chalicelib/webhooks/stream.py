"""The bookings stream handler: a delivery row per booking change the CRM hears of, sent now;
a booking that became confirmed is also marked as owed its reminder (``reminders``).

A batch's records wait mostly on the network (a conditional put, the POST, the outcome's
update, the reminder mark), so records of different bookings are handled side by side, up to
``STREAM_SEND_CONCURRENCY`` at once; the records of one booking item stay in stream order, one
after the other, so a CRM never hears of a cancellation before the confirmation it cancels.
"""

from __future__ import annotations

import contextvars
import json
import time
from collections.abc import Iterable
from typing import Any

from chalice.app import DynamoDBEvent, DynamoDBRecord

from chalicelib import metrics, models, reminders
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.webhooks import deliveries
from chalicelib.webhooks.payload import message_from_record

# A batch meeting a slow CRM hands its remaining messages to the retrier (due at once) rather
# than run into the stream Lambda's timeout.
STREAM_SEND_BUDGET_SECONDS = 30

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
    workers = min(get_settings().stream_send_concurrency, len(lines))
    if workers <= 1:
        failed = [record for line in lines for record in _handle_line(line, started)]
    else:
        # Imported here: a batch of one booking (most batches, and every warm trickle) starts
        # no thread.
        from concurrent.futures import ThreadPoolExecutor

        # Each line runs in a copy of the invocation's context (context variables: log and
        # audit context), which a pool's threads would not otherwise see.
        runs = [(contextvars.copy_context(), line) for line in lines]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = pool.map(lambda run: run[0].run(_handle_line, run[1], started), runs)
            failed = [record for line_failed in outcomes for record in line_failed]
    order = {id(record): n for n, record in enumerate(records)}
    failed.sort(key=lambda record: order[id(record)])
    return {"batchItemFailures": [{"itemIdentifier": r.sequence_number} for r in failed]}


def _lines_per_item(records: Iterable[DynamoDBRecord]) -> list[list[DynamoDBRecord]]:
    """The batch's records grouped by booking item (its table key), each group in stream order."""
    lines: dict[str, list[DynamoDBRecord]] = {}
    for record in records:
        lines.setdefault(json.dumps(record.keys, sort_keys=True), []).append(record)
    return list(lines.values())


def _handle_line(line: list[DynamoDBRecord], started: float) -> list[DynamoDBRecord]:
    """Handle one booking item's records in order; the first that fails and all after it are
    returned as failed."""
    for position, record in enumerate(line):
        try:
            _handle(record, started)
        except Exception:
            log.exception(
                "stream record not handled",
                extra={"fields": {"sequence_number": record.sequence_number}},
            )
            return line[position:]
    return []


def _handle(record: DynamoDBRecord, started: float) -> None:
    message = message_from_record(record)
    if message is not None:
        send_now = time.monotonic() - started < STREAM_SEND_BUDGET_SECONDS
        if deliveries.deliver_new(*message, send_now=send_now):
            # Counted here, not in the services: a promotion happens inside another user's
            # cancellation, and the stream sees every change exactly once per new delivery row
            # (a redelivered record counts nothing).
            metrics.emit(_BOOKING_METRICS[message[0].split(".", 1)[1]])
    reminders.mark_if_confirmed(record)
