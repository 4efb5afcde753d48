"""CRM webhooks: every booking that becomes confirmed or cancelled reaches the CRM, once.

The stream handler builds each message from the stream image alone (no reads), claims its
delivery row with a conditional put, then POSTs it. The claim is what makes a redelivered
stream record (Lambda retries a batch) post nothing: the row exists, so whoever holds it
finishes the job. A failed POST leaves the row ``pending`` with ``next_attempt_at``; the
retrier sends due rows with exponential backoff and jitter until ``retry_until`` (3 days),
then marks them ``failed``. Messages follow the Standard Webhooks spec: ``webhook-id`` is
the delivery id (stable per booking and type, so a CRM can drop repeats), and the signature
covers ``id.timestamp.body``.

Delivery is at least once: if the row cannot be updated after a successful POST, the claim
lapses and the message is sent again under the same ``webhook-id``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from chalice.app import DynamoDBEvent, DynamoDBRecord
from pynamodb.exceptions import PutError, UpdateError
from standardwebhooks import Webhook
from ulid import ULID

from chalicelib import clock, errors, models
from chalicelib.api import json_logger
from chalicelib.config import get_settings

CONFIRMED = "booking.confirmed"
CANCELLED = "booking.cancelled"

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"
STATES = (PENDING, SENDING, DELIVERED, FAILED, SKIPPED)

USER_AGENT = "Ahoum-Bookings-Webhooks/1.0"
# (connect, read): a slow CRM costs a sender at most ~5 s, then the retrier takes over.
HTTP_TIMEOUT_SECONDS = (2, 3)
# Longer than any POST can take: a claim older than this belongs to a sender that died.
CLAIM_LEASE = timedelta(seconds=60)
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=2)
GIVE_UP_AFTER = timedelta(days=3)
HISTORY_KEPT = 20
# A batch meeting a slow CRM hands its remaining messages to the retrier (due at once) rather
# than run into the stream Lambda's timeout.
STREAM_SEND_BUDGET_SECONDS = 30
# The retrier runs every minute; it stops taking new rows after this long so one run never
# overlaps the next by much (what is left is still due next time).
RETRIER_BUDGET_SECONDS = 40

log = json_logger("ahoum.webhooks")
_session: requests.Session | None = None


class DeliveryNotFound(errors.NotFound):
    code = "delivery_not_found"
    default_message = "No webhook delivery has this id."


class DeliveryInFlight(errors.Conflict):
    code = "delivery_in_flight"
    default_message = "This delivery is being sent right now; try again in a minute."


class InvalidCursor(errors.ValidationFailed):
    def __init__(self) -> None:
        super().__init__(fields={"cursor": ["Not a cursor from this list; start without one."]})


# --- the stream handler --------------------------------------------------------------------


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


def message_from_record(record: DynamoDBRecord) -> tuple[str, str] | None:
    """``(delivery_id, body)`` for a booking that became confirmed or cancelled, else None."""
    kind = _change_type(record)
    if kind is None:
        return None
    booking = models.Booking.from_raw_data(record.new_image)
    payload = {
        "type": kind,
        "occurred_at": clock.to_iso_ms(clock.parse_iso(_required(booking, "updated_at"))),
        "booking_id": _required(booking, "booking_id"),
        "event": {
            "id": _required(booking, "event_id"),
            "name": _required(booking.event, "name"),
            "date": clock.to_iso(clock.parse_iso(_required(booking.event, "starts_at"))),
        },
        "user": {
            "id": _required(booking, "user_id"),
            "name": _required(booking.user, "name"),
            "email": _required(booking.user, "email"),
        },
        "facilitator_crm_id": _required(booking, "facilitator_crm_id"),
    }
    # ASCII-only JSON: the signed bytes and the sent bytes cannot differ by encoding.
    return f"{payload['booking_id']}.{kind}", json.dumps(payload, separators=(",", ":"))


def _change_type(record: DynamoDBRecord) -> str | None:
    old_status = _status(record.old_image)
    new_status = _status(record.new_image)
    if new_status == old_status:
        return None
    if new_status == "confirmed":
        return CONFIRMED
    if new_status == "cancelled" and old_status == "confirmed":
        return CANCELLED
    return None


def _status(image: dict[str, Any] | None) -> str | None:
    return (image or {}).get("status", {}).get("S")


def _required(holder: Any, name: str) -> Any:
    value = getattr(holder, name, None) if holder is not None else None
    if value is None:
        raise ValueError(f"the booking image has no {name!r}")
    return value


def _deliver_new(delivery_id: str, body: str, send_now: bool) -> None:
    now = clock.now()
    row = models.WebhookDelivery(
        delivery_id,
        payload=body,
        attempts=0,
        retry_until=clock.to_iso_ms(now + GIVE_UP_AFTER),
        created_at=clock.to_iso_ms(now),
        updated_at=clock.to_iso_ms(now),
    )
    if not get_settings().crm_webhook_url:
        row.state, row.next_attempt_at = SKIPPED, clock.to_iso_ms(now)
        if _create(row):
            log.warning(
                "CRM_WEBHOOK_URL is not set; webhook recorded as skipped",
                extra={"fields": {"delivery_id": delivery_id}},
            )
        return
    if not send_now:
        row.state, row.next_attempt_at = PENDING, clock.to_iso_ms(now)
        _create(row)
        return
    row.state, row.next_attempt_at = SENDING, clock.to_iso_ms(now + CLAIM_LEASE)
    row.claim = str(ULID())
    if _create(row):
        _attempt(row)


def _create(row: models.WebhookDelivery) -> bool:
    """Put the row unless one with its id exists; False means someone already has it."""
    try:
        row.save(condition=models.WebhookDelivery.delivery_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# --- sending --------------------------------------------------------------------------------


def webhook_headers(
    delivery_id: str, body: str, moment: datetime, secret: str | None
) -> dict[str, str]:
    """Standard Webhooks headers; signed (``v1,<base64 HMAC-SHA256>``) when there is a secret."""
    moment = moment.astimezone(UTC)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(math.floor(moment.timestamp())),
    }
    if secret:
        headers["webhook-signature"] = Webhook(secret).sign(delivery_id, moment, body)
    return headers


def _attempt(row: models.WebhookDelivery) -> str:
    """POST a row this worker has claimed and record the outcome; returns the new state."""
    settings = get_settings()
    started = clock.now()
    if not settings.crm_webhook_url:
        state, status, error, next_at = SKIPPED, None, "CRM_WEBHOOK_URL is not set", started
        log.warning(
            "CRM_WEBHOOK_URL is not set; webhook recorded as skipped",
            extra={"fields": {"delivery_id": row.delivery_id}},
        )
    else:
        timer = time.monotonic()
        status, error = _post(settings.crm_webhook_url, settings.crm_webhook_secret, row, started)
        finished = clock.now()
        give_up_at = clock.parse_iso(row.retry_until)
        if error is None:
            state, next_at = DELIVERED, finished
        elif finished >= give_up_at:
            state, next_at = FAILED, finished
        else:
            state = PENDING
            next_at = min(finished + retry_delay(row.attempts + 1), give_up_at)
        log.info(
            "webhook attempt",
            extra={
                "fields": {
                    "delivery_id": row.delivery_id,
                    "status": status,
                    "error": error,
                    "state": state,
                    "ms": round((time.monotonic() - timer) * 1000, 1),
                }
            },
        )
    attempt = models.DeliveryAttempt(at=clock.to_iso_ms(started), status=status, error=error)
    history = [*row.history, attempt][-HISTORY_KEPT:]
    model = models.WebhookDelivery
    actions = [
        model.state.set(state),
        model.next_attempt_at.set(clock.to_iso_ms(next_at)),
        model.attempts.add(1),
        model.history.set(history),
        model.updated_at.set(clock.to_iso_ms(clock.now())),
        model.claim.remove(),
        model.last_status.set(status) if status is not None else model.last_status.remove(),
        model.last_error.set(error) if error is not None else model.last_error.remove(),
    ]
    try:
        row.update(actions=actions, condition=model.claim == row.claim)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        # Our claim lapsed and another worker took the row over; its outcome stands.
        log.warning("webhook claim lost", extra={"fields": {"delivery_id": row.delivery_id}})
    return state


def _post(
    url: str, secret: str | None, row: models.WebhookDelivery, moment: datetime
) -> tuple[int | None, str | None]:
    """``(status, error)``: error is None exactly when the CRM answered 2xx."""
    headers = webhook_headers(row.delivery_id, row.payload, moment, secret)
    try:
        response = _http().post(
            url,
            data=row.payload.encode(),
            headers=headers,
            timeout=HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"


def _http() -> requests.Session:
    # One session per container: a warm Lambda reuses the CRM connection.
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def retry_delay(failed_attempts: int, jitter: float | None = None) -> timedelta:
    """Wait after the n-th failed attempt: 1 min doubling to a 2 h cap, times 0.5 to 1.0.

    The random half spreads a backlog out so a recovering CRM is not hit all at once.
    """
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** min(failed_attempts - 1, 32))
    jitter = random.random() if jitter is None else jitter
    return ceiling * (0.5 + jitter / 2)


# --- the retrier ----------------------------------------------------------------------------


def retry_due_deliveries() -> dict[str, int]:
    """Send every due row: pending ones whose time has come, and ``sending`` ones whose
    sender died mid-attempt (its claim lapsed). Returns how many ended in each state."""
    started = time.monotonic()
    outcomes: Counter[str] = Counter()
    now = clock.to_iso_ms(clock.now())
    model = models.WebhookDelivery
    for state in (PENDING, SENDING):
        for row in model.due.query(state, model.next_attempt_at <= now):
            if time.monotonic() - started > RETRIER_BUDGET_SECONDS:
                return _outcome_counts(outcomes)
            if _claim(row):
                outcomes[_attempt(row)] += 1
    return _outcome_counts(outcomes)


def _outcome_counts(outcomes: Counter[str]) -> dict[str, int]:
    return {state: outcomes[state] for state in (DELIVERED, PENDING, FAILED, SKIPPED)}


def _claim(row: models.WebhookDelivery) -> bool:
    """Take a due row for this worker, unless another worker changed it since it was listed."""
    model = models.WebhookDelivery
    lease_ends = clock.to_iso_ms(clock.now() + CLAIM_LEASE)
    try:
        row.update(
            actions=[
                model.state.set(SENDING),
                model.next_attempt_at.set(lease_ends),
                model.claim.set(str(ULID())),
            ],
            condition=(model.state == row.state) & (model.next_attempt_at == row.next_attempt_at),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# --- admin ----------------------------------------------------------------------------------


def list_deliveries(state: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """One page of deliveries in a state: queued ones soonest first, finished ones newest first."""
    results = models.WebhookDelivery.due.query(
        state,
        scan_index_forward=state in (PENDING, SENDING),
        limit=limit,
        page_size=limit,
        last_evaluated_key=_decode_cursor(cursor, state) if cursor else None,
    )
    deliveries = [delivery_view(row) for row in results]
    return {"deliveries": deliveries, "next_cursor": _encode_cursor(results.last_evaluated_key)}


def replay(delivery_id: str) -> dict[str, Any]:
    """Queue a delivery to be sent again now, with a fresh 3-day retry window."""
    model = models.WebhookDelivery
    now = clock.now()
    row = model(delivery_id)
    try:
        row.update(
            actions=[
                model.state.set(PENDING),
                model.next_attempt_at.set(clock.to_iso_ms(now)),
                model.retry_until.set(clock.to_iso_ms(now + GIVE_UP_AFTER)),
                model.updated_at.set(clock.to_iso_ms(now)),
            ],
            condition=model.delivery_id.exists() & (model.state != SENDING),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        try:
            model.get(delivery_id, consistent_read=True)
        except model.DoesNotExist:
            raise DeliveryNotFound() from None
        raise DeliveryInFlight() from None
    return delivery_view(row)


def delivery_view(row: models.WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.delivery_id,
        "state": row.state,
        "payload": json.loads(row.payload),
        "attempts": row.attempts,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at if row.state in (PENDING, SENDING) else None,
        "retry_until": row.retry_until,
        "history": [
            {"at": entry.at, "status": entry.status, "error": entry.error} for entry in row.history
        ],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    position = [last_key["delivery_id"]["S"], last_key["next_attempt_at"]["S"]]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, state: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    if not (
        isinstance(position, list)
        and len(position) == 2
        and all(isinstance(part, str) and part for part in position)
    ):
        raise InvalidCursor()
    delivery_id, next_attempt_at = position
    return {
        "delivery_id": {"S": delivery_id},
        "state": {"S": state},
        "next_attempt_at": {"S": next_attempt_at},
    }
