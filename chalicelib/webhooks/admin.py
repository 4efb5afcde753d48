"""What admins see of deliveries (a page per state) and how they send one again."""

from __future__ import annotations

import json
import re
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock, errors, models, operations, pagination
from chalicelib.redaction import without_credentials
from chalicelib.transactions import condition_failed
from chalicelib.webhooks.deliveries import entering, retry_window

_DUE_KEY = pagination.key_names(models.WebhookDelivery, models.WebhookDelivery.due)
_FINISHED_KEY = pagination.key_names(models.WebhookDelivery, models.WebhookDelivery.finished)
_QUEUED = models.QUEUED_STATES


class DeliveryNotFound(errors.NotFound):
    code = "delivery_not_found"
    default_message = "No webhook delivery has this id."


class DeliveryInFlight(errors.Conflict):
    code = "delivery_in_flight"
    default_message = "This delivery is being sent right now; try again in a minute."


def list_deliveries(state: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """One page of deliveries in a state: queued ones soonest first (from the ``due``
    index), finished ones newest first (from ``finished``); one Query either way."""
    queued = state in _QUEUED
    index = models.WebhookDelivery.due if queued else models.WebhookDelivery.finished
    key_names = _DUE_KEY if queued else _FINISHED_KEY
    hash_name = "queue" if queued else "finished_state"
    page = pagination.fetch_page(
        lambda size, key: index.query(
            state, scan_index_forward=queued, page_size=size, last_evaluated_key=key
        ),
        models.WebhookDelivery,
        key_names,
        limit,
        pagination.start_key(cursor, key_names, {hash_name: state}),
    )
    return {
        "deliveries": [delivery_view(row) for row in page.items],
        "next_cursor": page.next_cursor,
    }


def replay(delivery_id: str) -> dict[str, Any]:
    """Queue a delivery to be sent again now, with a fresh retry window (``WEBHOOK_RETRY_DAYS``)."""
    # The API checks the id's shape with its path; the console hands it on as typed. No id of
    # another shape names a delivery, and one over DynamoDB's 2 KB key limit would fail the call.
    if not re.fullmatch(operations.PATH_PARAMETERS["delivery_id"].pattern, delivery_id):
        raise DeliveryNotFound()
    model = models.WebhookDelivery
    now = clock.now()
    row = model(delivery_id)
    try:
        row.update(
            actions=[
                *entering(models.PENDING, now),
                model.retry_until.set(clock.to_iso_ms(now + retry_window())),
                model.updated_at.set(clock.to_iso_ms(now)),
            ],
            condition=model.delivery_id.exists() & (model.state != models.SENDING),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        try:
            model.get(delivery_id, consistent_read=True)
        except model.DoesNotExist:
            raise DeliveryNotFound() from None
        raise DeliveryInFlight() from None
    return delivery_view(row)


def delivery_view(row: models.WebhookDelivery) -> dict[str, Any]:
    # Errors are stored redacted; rows written before that was so are redacted here.
    return {
        "id": row.delivery_id,
        "state": row.state,
        "payload": json.loads(row.payload),
        "attempts": row.attempts,
        "last_status": row.last_status,
        "last_error": _redacted(row.last_error),
        "next_attempt_at": row.next_attempt_at if row.state in _QUEUED else None,
        "retry_until": row.retry_until,
        "history": [
            {"at": entry.at, "status": entry.status, "error": _redacted(entry.error)}
            for entry in row.history
        ],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _redacted(error: str | None) -> str | None:
    return without_credentials(error) if error is not None else None
