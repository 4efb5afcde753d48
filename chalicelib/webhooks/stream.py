"""The bookings stream handler: a delivery row per booking change the CRM hears of, sent now."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import DynamoDBEvent

from chalicelib import models
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.webhooks import deliveries
from chalicelib.webhooks.payload import message_from_record

# A batch meeting a slow CRM hands its remaining messages to the retrier (due at once) rather
# than run into the stream Lambda's timeout.
STREAM_SEND_BUDGET_SECONDS = 30

log = json_logger("ahoum.webhooks")


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
                _deliver_new(*message, send_now=send_now)
        except Exception:
            log.exception(
                "stream record not handled",
                extra={"fields": {"sequence_number": record.sequence_number}},
            )
            failures.append({"itemIdentifier": record.sequence_number})
    return {"batchItemFailures": failures}


def _deliver_new(delivery_id: str, body: str, send_now: bool) -> None:
    row = deliveries.new_row(delivery_id, body)
    if not get_settings().crm_webhook_url:
        row.state, row.next_attempt_at = models.SKIPPED, row.created_at
        if deliveries.create(row):
            deliveries.warn_skipped(delivery_id)
        return
    if not send_now:
        row.state, row.next_attempt_at = models.PENDING, row.created_at
        deliveries.create(row)
        return
    deliveries.hold(row)
    if deliveries.create(row):
        deliveries.attempt(row)
