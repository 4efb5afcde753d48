"""Business metrics as CloudWatch Embedded Metric Format (EMF) lines.

Each measurement is one JSON object written to stdout: CloudWatch Logs recognises the ``_aws``
key and turns the line into a metric, so a count costs a print — no API call, no permission,
no network in the request's path. Metrics land in namespace ``AhoumBookings`` with one
dimension, ``Stage``; the data stack's alarms read them (see deploy/resources.py).

    metrics.emit(metrics.BOOKINGS_CONFIRMED)
    metrics.emit(metrics.RETRIER_BACKLOG, 42)
    metrics.emit(metrics.RETRIER_OLDEST_DUE_AGE, 95.2)

A small formatter rather than Powertools' ``Metrics``: importing this module costs next to
nothing at cold start (``python -m bench.metrics_import`` measures both).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

NAMESPACE = "AhoumBookings"
# `make run` and the in-process benchmarks: only CloudWatch turns these lines into metrics, and
# on a terminal they would bury the relay's and the CRM sink's lines. (Tests run as stage
# `test`, so they still see every line.)
QUIET_STAGE = "local"

BOOKINGS_CONFIRMED = "BookingsConfirmed"
BOOKINGS_CANCELLED = "BookingsCancelled"
BOOKINGS_WAITLISTED = "BookingsWaitlisted"
WEBHOOKS_SENT = "WebhookDeliveriesSent"
# An attempt that did not get a 2xx; the delivery stays pending for the retrier.
WEBHOOKS_FAILED = "WebhookDeliveriesFailed"
# A delivery whose retry window ran out: it is `failed` and needs a person (an alarm says so).
WEBHOOKS_GIVEN_UP = "WebhookDeliveriesGivenUp"
# Deliveries a retrier run found due: a backlog that keeps growing means the CRM is down.
RETRIER_BACKLOG = "WebhookRetrierBacklog"
# How long the oldest delivery a retrier run found due had been due (0 when none was): past
# a few minutes the retrier is not keeping up, or not sending at all.
RETRIER_OLDEST_DUE_AGE = "WebhookRetrierOldestDueAge"
LOGINS_THROTTLED = "LoginsThrottled"
# A Stripe payment whose amount or currency is not its hold's: refused, and a person must look.
PAYMENTS_MISMATCHED = "PaymentsMismatched"
# Refunds a settle_payments run found owed for longer than REFUND_STUCK_ALARM_MINUTES.
REFUNDS_STUCK = "RefundsStuck"
# A refund Stripe refused (4xx): it stays owed, and a person has to look (an alarm says so).
REFUNDS_REFUSED = "RefundsRefused"

# Unit of each metric, in CloudWatch's spelling.
UNITS = {
    BOOKINGS_CONFIRMED: "Count",
    BOOKINGS_CANCELLED: "Count",
    BOOKINGS_WAITLISTED: "Count",
    WEBHOOKS_SENT: "Count",
    WEBHOOKS_FAILED: "Count",
    WEBHOOKS_GIVEN_UP: "Count",
    RETRIER_BACKLOG: "Count",
    RETRIER_OLDEST_DUE_AGE: "Seconds",
    LOGINS_THROTTLED: "Count",
    PAYMENTS_MISMATCHED: "Count",
    REFUNDS_STUCK: "Count",
    REFUNDS_REFUSED: "Count",
}


def document(name: str, value: float, stage: str, timestamp_ms: int) -> dict[str, Any]:
    """The EMF object for one measurement of ``name``."""
    if name not in UNITS:
        raise ValueError(f"unknown metric {name!r}; add it to chalicelib/metrics.py")
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["Stage"]],
                    "Metrics": [{"Name": name, "Unit": UNITS[name]}],
                }
            ],
        },
        "Stage": stage,
        name: value,
    }


def emit(name: str, value: float = 1, write: Callable[[str], Any] | None = None) -> None:
    """Write one EMF line for ``name`` (stdout unless ``write`` is given)."""
    # Imported here so that importing this module reads no settings.
    from chalicelib.config import get_settings

    stage = get_settings().stage
    if stage == QUIET_STAGE:
        return
    line = json.dumps(
        document(name, value, stage, int(time.time() * 1000)),
        separators=(",", ":"),
    )
    (write or _stdout)(line)


def _stdout(line: str) -> None:
    # Printed, not logged: with the Lambda's JSON log format the runtime wraps `logging`
    # records in its own object, which would hide `_aws` from CloudWatch; stdout lines that
    # are JSON already pass through as they are.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
