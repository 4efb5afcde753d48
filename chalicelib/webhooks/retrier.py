"""The scheduled retrier: every due delivery sent again, within one run's time budget."""

from __future__ import annotations

import time
from collections import Counter

from chalicelib import clock, metrics, models
from chalicelib.config import get_settings
from chalicelib.webhooks import deliveries


def retry_due_deliveries() -> dict[str, int]:
    """Send every due row: pending ones whose time has come, and ``sending`` ones whose
    sender died mid-attempt (its claim lapsed). Returns how many ended in each state."""
    started = time.monotonic()
    # The retrier runs every minute; it stops taking new rows after its budget so one run
    # never overlaps the next by much (what is left is still due next time).
    budget = get_settings().retrier_budget_seconds
    outcomes: Counter[str] = Counter()
    now = clock.to_iso_ms(clock.now())
    model = models.WebhookDelivery
    due = 0
    oldest_due_at = now
    try:
        for state in models.QUEUED_STATES:
            for row in model.due.query(state, model.next_attempt_at <= now):
                due += 1
                oldest_due_at = min(oldest_due_at, row.next_attempt_at)
                if time.monotonic() - started > budget:
                    return _outcome_counts(outcomes)
                if deliveries.claim(row):
                    outcomes[deliveries.attempt(row)] += 1
        return _outcome_counts(outcomes)
    finally:
        # What this run found due (up to where its budget stopped it): a backlog that keeps
        # growing run after run means the CRM is down.
        metrics.emit(metrics.RETRIER_BACKLOG, due)
        # How long the oldest row found due had waited: an alarm reads it (deliveries left
        # far past their time mean the retrier is not keeping up, or not sending).
        waited = clock.parse_iso(now) - clock.parse_iso(oldest_due_at)
        metrics.emit(metrics.RETRIER_OLDEST_DUE_AGE, round(waited.total_seconds(), 3))


def _outcome_counts(outcomes: Counter[str]) -> dict[str, int]:
    finished = (models.DELIVERED, models.PENDING, models.FAILED, models.SKIPPED, models.DISABLED)
    return {state: outcomes[state] for state in finished}
