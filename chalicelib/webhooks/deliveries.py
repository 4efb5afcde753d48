"""A delivery row's life: created, claimed by one worker, attempted, and what comes next.

``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed until the lease ends) →
``delivered``, ``pending`` again (backoff), or ``failed`` past ``retry_until``. Without a
CRM URL a row is ``skipped``; to a facilitator's endpoint that answered 410 Gone, ``disabled``.
Every change is conditional, so two workers never both own a row.
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
from chalicelib.transactions import condition_failed
from chalicelib.webhooks import destinations, routing

# Longer than any POST can take: a claim older than this belongs to a sender that died.
CLAIM_LEASE = timedelta(seconds=60)
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=2)
HISTORY_KEPT = 20

log = json_logger("ahoum.webhooks")


def new_row(
    delivery_id: str, body: str, facilitator_id: str | None = None
) -> models.WebhookDelivery:
    """A row for a new message, not yet stored and without a state."""
    now = clock.now()
    return models.WebhookDelivery(
        delivery_id,
        payload=body,
        attempts=0,
        retry_until=clock.to_iso_ms(now + retry_window()),
        created_at=clock.to_iso_ms(now),
        updated_at=clock.to_iso_ms(now),
        facilitator_id=facilitator_id,
    )


def create(row: models.WebhookDelivery) -> bool:
    """Put the row unless one with its id exists; False means someone already has it."""
    try:
        row.save(condition=models.WebhookDelivery.delivery_id.does_not_exist())
    except PutError as error:
        if condition_failed(error):
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
        if condition_failed(error):
            return False
        raise
    return True


# A given-up delivery failed its last attempt too: it counts as failed and as given up.
_ATTEMPT_METRICS = {
    models.DELIVERED: metrics.WEBHOOKS_SENT,
    models.PENDING: metrics.WEBHOOKS_FAILED,
    models.FAILED: metrics.WEBHOOKS_FAILED,
    models.DISABLED: metrics.WEBHOOKS_FAILED,
}


def deliver_new(
    delivery_id: str, body: str, send_now: bool, facilitator_id: str | None = None
) -> bool:
    """Record a new message and, when ``send_now``, POST it; otherwise it is left ``pending``
    and due at once, for the retrier. False when a row with this id exists: the message was
    already handed over (by this worker earlier, or another one), and nothing is done.
    ``facilitator_id`` picks the endpoint (``routing``): theirs if they set one."""
    row = new_row(delivery_id, body, facilitator_id)
    endpoint = routing.endpoint_for(facilitator_id)
    if endpoint.url is None or endpoint.disabled:
        state = models.SKIPPED if endpoint.url is None else models.DISABLED
        enter(row, state, clock.parse_iso(row.created_at))
        created = create(row)
        if created and state == models.SKIPPED:
            warn_skipped(delivery_id)
        return created
    if not send_now:
        enter(row, models.PENDING, clock.parse_iso(row.created_at))
        return create(row)
    hold(row)
    if not create(row):
        return False
    attempt(row, endpoint)
    return True


def warn_skipped(delivery_id: str) -> None:
    log.warning(
        "CRM_WEBHOOK_URL is not set; webhook recorded as skipped",
        extra={"fields": {"delivery_id": delivery_id}},
    )


def attempt(row: models.WebhookDelivery, endpoint: routing.Endpoint | None = None) -> str:
    """POST a row this worker has claimed and record the outcome; returns the new state.
    ``endpoint`` is where it goes when the caller just looked it up (else looked up here)."""
    started = clock.now()
    endpoint = endpoint or routing.endpoint_for(row.facilitator_id)
    if endpoint.url is None:
        state, status, error, next_at = models.SKIPPED, None, "CRM_WEBHOOK_URL is not set", started
        warn_skipped(row.delivery_id)
    elif endpoint.disabled:
        state, status, error, next_at = models.DISABLED, None, _DISABLED_ERROR, started
    else:
        state, status, error, next_at = _post(row, started, endpoint)
    _record_outcome(row, started, state, status, error, next_at)
    return state


_DISABLED_ERROR = "the facilitator's endpoint is disabled (it answered 410 Gone)"


def _post(
    row: models.WebhookDelivery, started: datetime, endpoint: routing.Endpoint
) -> tuple[str, int | None, str | None, datetime]:
    """POST the row's payload; its new state, the answer's status and error, and when next."""
    # The HTTP stack (requests) is loaded by the Lambdas that send, not by the API's, which
    # reads this module only for its admin pages.
    from chalicelib.webhooks import sender

    timer = time.monotonic()
    refused = _refused_destination(endpoint)
    if refused is not None:
        # Fails as a network error would: retried, in case the name resolves well again.
        status, error = None, refused
    else:
        status, error = sender.post(
            endpoint.url,
            endpoint.secret,
            row.delivery_id,
            row.payload,
            started,
            previous_secret=endpoint.previous_secret,
        )
    finished = clock.now()
    give_up_at = clock.parse_iso(row.retry_until)
    if error is None:
        state, next_at = models.DELIVERED, finished
    elif status == GONE and _disabled_by_gone(endpoint):
        state, next_at = models.DISABLED, finished
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


# The HTTP status by which an endpoint says it is gone for good (the Standard Webhooks
# convention): a facilitator's own endpoint is then disabled rather than retried for days.
GONE = 410


def _disabled_by_gone(endpoint: routing.Endpoint) -> bool:
    """A 410: a facilitator's endpoint is disabled (by this answer or an earlier one). False
    for the default CRM (retried as before), and when a new PUT replaced the endpoint since it
    was read: the row is then retried, to the new one."""
    if endpoint.facilitator_id is None:
        return False
    return routing.disable(endpoint) or routing.endpoint_for(endpoint.facilitator_id).disabled


def _refused_destination(endpoint: routing.Endpoint) -> str | None:
    """Why a facilitator's endpoint may not be POSTed to now (checked again before each POST:
    the name may resolve elsewhere than when it was set), logged; None when it may."""
    if endpoint.facilitator_id is None or endpoint.url is None:
        return None
    reason = destinations.refusal(endpoint.url, deployed=not get_settings().is_local)
    if reason is None:
        return None
    log.warning(
        "webhook destination refused",
        extra={"fields": {"facilitator_id": endpoint.facilitator_id, "reason": reason}},
    )
    return f"destination refused: {reason}"


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
        if not condition_failed(exc):
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
    # Failed and disabled rows wait for a replay (an admin's, or a new PUT of the URL).
    if state in (models.FAILED, models.DISABLED):
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
