"""A delivery row's life: created, claimed by one worker, attempted, and what comes next.

``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed until the lease ends) →
``delivered``, ``pending`` again (backoff), or ``failed`` past ``retry_until``. Without a
CRM URL a row is ``skipped``. Every change is conditional, so two workers never both own a row.
Every change of state goes through ``enter`` or ``entering``: a queued row is in the ``due``
index (all the retrier reads), a finished one in ``finished``, expiring after its retention.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from ulid import ULID

from chalicelib import clock, metrics, models
from chalicelib.config import get_settings
from chalicelib.logs import json_logger

# Longer than any POST can take: a claim older than this belongs to a sender that died.
CLAIM_LEASE = timedelta(seconds=60)
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=2)
HISTORY_KEPT = 20

log = json_logger("ahoum.webhooks")


def new_row(delivery_id: str, body: str) -> models.WebhookDelivery:
    """A row for a new message, not yet stored and without a state."""
    now = clock.now()
    return models.WebhookDelivery(
        delivery_id,
        payload=body,
        attempts=0,
        retry_until=clock.to_iso_ms(now + retry_window()),
        created_at=clock.to_iso_ms(now),
        updated_at=clock.to_iso_ms(now),
    )


def create(row: models.WebhookDelivery) -> bool:
    """Put the row unless one with its id exists; False means someone already has it."""
    try:
        row.save(condition=models.WebhookDelivery.delivery_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def hold(row: models.WebhookDelivery) -> None:
    """Mark a row not yet stored as claimed by this worker (``create`` then stores the claim)."""
    enter(row, models.SENDING, clock.now() + CLAIM_LEASE)
    row.claim = str(ULID())


def claim(row: models.WebhookDelivery) -> bool:
    """Take a due row for this worker, unless another worker changed it since it was listed."""
    model = models.WebhookDelivery
    lease_ends = clock.now() + CLAIM_LEASE
    try:
        row.update(
            actions=[*entering(models.SENDING, lease_ends), model.claim.set(str(ULID()))],
            condition=(model.state == row.state) & (model.next_attempt_at == row.next_attempt_at),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# A given-up delivery failed its last attempt too: it counts as failed and as given up.
_ATTEMPT_METRICS = {
    models.DELIVERED: metrics.WEBHOOKS_SENT,
    models.PENDING: metrics.WEBHOOKS_FAILED,
    models.FAILED: metrics.WEBHOOKS_FAILED,
}


def deliver_new(delivery_id: str, body: str, send_now: bool) -> bool:
    """Record a new message and, when ``send_now``, POST it; otherwise it is left ``pending``
    and due at once, for the retrier. False when a row with this id exists: the message was
    already handed over (by this worker earlier, or another one), and nothing is done."""
    row = new_row(delivery_id, body)
    if not get_settings().crm_webhook_url:
        enter(row, models.SKIPPED, clock.parse_iso(row.created_at))
        created = create(row)
        if created:
            warn_skipped(delivery_id)
        return created
    if not send_now:
        enter(row, models.PENDING, clock.parse_iso(row.created_at))
        return create(row)
    hold(row)
    if not create(row):
        return False
    attempt(row)
    return True


def warn_skipped(delivery_id: str) -> None:
    log.warning(
        "CRM_WEBHOOK_URL is not set; webhook recorded as skipped",
        extra={"fields": {"delivery_id": delivery_id}},
    )


def attempt(row: models.WebhookDelivery) -> str:
    """POST a row this worker has claimed and record the outcome; returns the new state."""
    started = clock.now()
    if not get_settings().crm_webhook_url:
        state, status, error, next_at = models.SKIPPED, None, "CRM_WEBHOOK_URL is not set", started
        warn_skipped(row.delivery_id)
    else:
        state, status, error, next_at = _post(row, started)
    _record_outcome(row, started, state, status, error, next_at)
    return state


def _post(
    row: models.WebhookDelivery, started: datetime
) -> tuple[str, int | None, str | None, datetime]:
    """POST the row's payload; its new state, the answer's status and error, and when next."""
    # The HTTP stack (requests) is loaded by the Lambdas that send, not by the API's, which
    # reads this module only for its admin pages.
    from chalicelib.webhooks import sender

    settings = get_settings()
    timer = time.monotonic()
    status, error = sender.post(
        settings.crm_webhook_url,
        settings.crm_webhook_secret,
        row.delivery_id,
        row.payload,
        started,
    )
    finished = clock.now()
    give_up_at = clock.parse_iso(row.retry_until)
    if error is None:
        state, next_at = models.DELIVERED, finished
    elif finished >= give_up_at:
        state, next_at = models.FAILED, finished
    else:
        state = models.PENDING
        next_at = min(finished + retry_delay(row.attempts + 1), give_up_at)
    metrics.emit(_ATTEMPT_METRICS[state])
    if state == models.FAILED:
        metrics.emit(metrics.WEBHOOKS_GIVEN_UP)
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
    return state, status, error, next_at


def _record_outcome(
    row: models.WebhookDelivery,
    started: datetime,
    state: str,
    status: int | None,
    error: str | None,
    next_at: datetime,
) -> None:
    """Store an attempt's outcome and release the claim, unless another worker took it over."""
    attempt = models.DeliveryAttempt(at=clock.to_iso_ms(started), status=status, error=error)
    history = [*row.history, attempt][-HISTORY_KEPT:]
    model = models.WebhookDelivery
    actions = [
        *entering(state, next_at),
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


def enter(row: models.WebhookDelivery, state: str, at: datetime) -> None:
    """Put a row not yet stored in ``state`` at ``at``, as ``entering`` does a stored one."""
    row.state, row.next_attempt_at = state, clock.to_iso_ms(at)
    queued = state in models.QUEUED_STATES
    row.queue = state if queued else None
    row.finished_state = None if queued else state
    row.expires_at = None if queued else at + _kept_for(state)


def entering(state: str, at: datetime) -> list[Action]:
    """The writes that move a stored row to ``state`` at ``at`` (its due time, or when it
    finished): the state, and what follows from it, so that the row is in the index of its
    kind only, and a finished row expires after its retention."""
    model = models.WebhookDelivery
    actions = [model.state.set(state), model.next_attempt_at.set(clock.to_iso_ms(at))]
    if state in models.QUEUED_STATES:
        return [
            *actions,
            model.queue.set(state),
            model.finished_state.remove(),
            model.expires_at.remove(),
        ]
    return [
        *actions,
        model.finished_state.set(state),
        model.queue.remove(),
        model.expires_at.set(at + _kept_for(state)),
    ]


def _kept_for(state: str) -> timedelta:
    settings = get_settings()
    if state == models.FAILED:
        return timedelta(days=settings.failed_delivery_retention_days)
    return timedelta(days=settings.delivery_retention_days)


def retry_window() -> timedelta:
    """How long a delivery is retried before it is given up (``WEBHOOK_RETRY_DAYS``)."""
    return timedelta(days=get_settings().webhook_retry_days)


def retry_delay(failed_attempts: int, jitter: float | None = None) -> timedelta:
    """Wait after the n-th failed attempt: 1 min doubling to a 2 h cap, times 0.5 to 1.0.

    The random half spreads a backlog out so a recovering CRM is not hit all at once.
    """
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** min(failed_attempts - 1, 32))
    jitter = random.random() if jitter is None else jitter
    return ceiling * (0.5 + jitter / 2)
