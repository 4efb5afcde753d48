"""Where one delivery goes and what signs it: its facilitator's own endpoint when they set one
(``PUT /admin/facilitators/{id}/webhook``), else ``CRM_WEBHOOK_URL`` with its secret.

Read once per send (one GetItem of the Facilitator item), so a new URL, a rotation or a
re-enabled endpoint counts from the next attempt on; the retrier reads it again each time.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from chalicelib import clock, metrics, models
from chalicelib.config import get_settings
from chalicelib.logs import json_logger
from chalicelib.transactions import condition_failed

log = json_logger("ahoum.webhooks")


@dataclass(frozen=True)
class Endpoint:
    """A URL and the secrets that sign for it (None: no CRM is configured at all)."""

    url: str | None
    secret: str | None
    # During a rotation's overlap: the old secret, which signs as well.
    previous_secret: str | None = None
    # Set for a facilitator's own endpoint: only those are checked as destinations and
    # disabled by a 410 (the default CRM is the operator's, set in the stage's settings).
    facilitator_id: str | None = None
    disabled: bool = False


def endpoint_for(facilitator_id: str | None) -> Endpoint:
    """The endpoint of a delivery for this facilitator (None: a booking from before the
    facilitator was copied onto bookings, which goes to the default CRM)."""
    settings = get_settings()
    default = Endpoint(settings.crm_webhook_url, settings.crm_webhook_secret)
    if facilitator_id is None:
        return default
    try:
        facilitator = models.Facilitator.get(facilitator_id, consistent_read=True)
    except models.Facilitator.DoesNotExist:
        return default
    if facilitator.webhook_url is None:
        return default
    previous = facilitator.webhook_previous_secret
    until = facilitator.webhook_previous_until
    overlapping = until is not None and clock.parse_iso(until) > clock.now()
    return Endpoint(
        url=facilitator.webhook_url,
        secret=facilitator.webhook_secret,
        previous_secret=previous if overlapping else None,
        facilitator_id=facilitator_id,
        disabled=facilitator.webhook_disabled_at is not None,
    )


def disable(endpoint: Endpoint) -> bool:
    """The endpoint answered 410 Gone: mark it disabled, unless its URL or secret changed
    since it was read (a new PUT stands). True when this call disabled it (counted once)."""
    model = models.Facilitator
    try:
        model(endpoint.facilitator_id).update(
            actions=[model.webhook_disabled_at.set(clock.to_iso_ms(clock.now()))],
            condition=(model.webhook_url == endpoint.url)
            & (model.webhook_secret == endpoint.secret)
            & model.webhook_disabled_at.does_not_exist(),
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    metrics.emit(metrics.WEBHOOK_ENDPOINTS_DISABLED)
    log.warning(
        "facilitator webhook endpoint answered 410 Gone; disabled until its URL is set again",
        extra={"fields": {"facilitator_id": endpoint.facilitator_id}},
    )
    return True
