"""A facilitator's own CRM endpoint: set (a new URL, a new secret), rotate the secret, send a
test, and what the console shows of it.

The signing secret is answered once, by the call that makes it, and never again: no view,
log line or page holds it. It is kept in the Facilitator item (the senders sign with it; the
table is encrypted at rest by DynamoDB), never in a delivery row.

A rotation keeps the old secret signing beside the new one for
``WEBHOOK_ROTATION_OVERLAP_HOURS``, so a CRM can switch secrets without losing a message. A
new ``PUT`` of the URL starts afresh (a new secret, no overlap, not disabled) and makes the
deliveries that waited while the endpoint was disabled (410 Gone) due again.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock, errors, ids, models
from chalicelib.config import get_settings
from chalicelib.facilitators import FacilitatorNotFound, find
from chalicelib.transactions import condition_failed
from chalicelib.webhooks import deliveries, destinations

# Rotations of one endpoint at the same instant: each tries again on the secret it lost to.
_ROTATION_TRIES = 5


class WebhookNotSet(errors.Conflict):
    code = "webhook_not_set"
    default_message = "This facilitator has no webhook endpoint; PUT its URL first."


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def set_url(facilitator_id: str, url: str) -> dict[str, str]:
    """Point the facilitator's deliveries at ``url`` with a new secret (answered this once),
    re-enabling an endpoint disabled by a 410 and replaying what waited for it."""
    reason = destinations.refusal(url, deployed=not get_settings().is_local)
    if reason is not None:
        raise errors.ValidationFailed(fields={"url": [f"The URL {reason}."]})
    secret = new_secret()
    model = models.Facilitator
    try:
        model(facilitator_id).update(
            actions=[
                model.webhook_url.set(url),
                model.webhook_secret.set(secret),
                model.webhook_previous_secret.remove(),
                model.webhook_previous_until.remove(),
                model.webhook_disabled_at.remove(),
            ],
            condition=model.facilitator_id.exists(),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise FacilitatorNotFound() from None
        raise
    replay_disabled(facilitator_id)
    return {"url": url, "secret": secret}


def rotate(facilitator_id: str) -> dict[str, str]:
    """A new secret; the current one goes on signing for the overlap, then stops."""
    model = models.Facilitator
    overlap = timedelta(hours=get_settings().webhook_rotation_overlap_hours)
    for _ in range(_ROTATION_TRIES):
        facilitator = find(facilitator_id)
        if facilitator.webhook_url is None:
            raise WebhookNotSet()
        secret = new_secret()
        keeps_old = overlap > timedelta(0)
        until = clock.to_iso_ms(clock.now() + overlap)
        try:
            facilitator.update(
                actions=[
                    model.webhook_secret.set(secret),
                    model.webhook_previous_secret.set(facilitator.webhook_secret)
                    if keeps_old
                    else model.webhook_previous_secret.remove(),
                    model.webhook_previous_until.set(until)
                    if keeps_old
                    else model.webhook_previous_until.remove(),
                ],
                # As read: a rotation or a PUT in between would otherwise be overwritten.
                condition=(model.webhook_secret == facilitator.webhook_secret)
                & (model.webhook_url == facilitator.webhook_url),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            continue
        return {"url": facilitator.webhook_url, "secret": secret}
    raise errors.Conflict("The endpoint changed while rotating; try again.")


def send_test(facilitator_id: str) -> dict[str, Any]:
    """Queue a ``webhook.test`` delivery to the facilitator's endpoint: a row like any other,
    due at once, which the retrier signs and sends (the API holds no signing step)."""
    facilitator = find(facilitator_id)
    if facilitator.webhook_url is None:
        raise WebhookNotSet()
    now = clock.now()
    body = json.dumps(
        {
            "type": models.WEBHOOK_TEST,
            "occurred_at": clock.to_iso_ms(now),
            "facilitator": facilitator_id,
        },
        separators=(",", ":"),
    )
    row = deliveries.new_row(f"{ids.new_id()}.{models.WEBHOOK_TEST}", body, facilitator_id)
    deliveries.enter(row, models.PENDING, now)
    deliveries.create(row)
    return {"id": row.delivery_id, "state": row.state}


def replay_disabled(facilitator_id: str) -> int:
    """Make due again every delivery of this facilitator that its disabled endpoint stopped;
    how many. (One Query of the few disabled rows, filtered to this facilitator's.)"""
    model = models.WebhookDelivery
    now = clock.now()
    replayed = 0
    stopped = model.finished.query(
        models.DISABLED, filter_condition=model.facilitator_id == facilitator_id
    )
    for row in stopped:
        try:
            row.update(
                actions=[
                    *deliveries.entering(models.PENDING, now),
                    model.retry_until.set(clock.to_iso_ms(now + deliveries.retry_window())),
                    model.updated_at.set(clock.to_iso_ms(now)),
                ],
                condition=model.state == models.DISABLED,
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            continue
        replayed += 1
    return replayed


def endpoint_view(facilitator_id: str) -> dict[str, Any]:
    """What the console shows of the endpoint: never its secret."""
    facilitator = find(facilitator_id)
    until = facilitator.webhook_previous_until
    overlapping = until is not None and clock.parse_iso(until) > clock.now()
    if facilitator.webhook_url is None:
        state = "not_set"
    elif facilitator.webhook_disabled_at is not None:
        state = "disabled"
    else:
        state = "active"
    return {
        "facilitator_id": facilitator.facilitator_id,
        "name": facilitator.name,
        "url": facilitator.webhook_url,
        "state": state,
        "disabled_at": facilitator.webhook_disabled_at,
        "rotation_overlap_until": until if overlapping else None,
    }
