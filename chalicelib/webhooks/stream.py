"""The bookings stream handler: a delivery row per booking change the CRM hears of, sent now;
a booking that became confirmed is also marked as owed its reminder (``reminders``)."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import DynamoDBEvent

from chalicelib import metrics, models, reminders
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
    delivery rows already exist and they post nothing twice.
    """
    started = time.monotonic()
    failures = []
    for record in event:
        try:
            message = message_from_record(record)
            if message is not None:
                send_now = time.monotonic() - started < STREAM_SEND_BUDGET_SECONDS
                if deliveries.deliver_new(*message, send_now=send_now):
                    # Counted here, not in the services: a promotion happens inside another
                    # user's cancellation, and the stream sees every change exactly once per
                    # new delivery row (a redelivered record counts nothing).
                    metrics.emit(_BOOKING_METRICS[message[0].split(".", 1)[1]])
            reminders.mark_if_confirmed(record)
        except Exception:
            log.exception(
                "stream record not handled",
                extra={"fields": {"sequence_number": record.sequence_number}},
            )
            failures.append({"itemIdentifier": record.sequence_number})
    return {"batchItemFailures": failures}
