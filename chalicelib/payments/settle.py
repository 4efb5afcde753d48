"""The ``settle_payments`` job (every minute): the payment work no request is waiting for,
as a list of steps run one after the other. A step that fails is logged and the next one
still runs: expiring holds must not wait on Stripe answering a refund."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from chalicelib.payments import holds, refunds

log = logging.getLogger(__name__)

Step = Callable[[], dict[str, Any]]

# In order. Each step is idempotent: a run that dies anywhere is redone by the next.
STEPS: list[tuple[str, Step]] = [
    ("expire_holds", holds.expire_due_holds),
    ("refunds", refunds.refund_step),
]


def settle_payments() -> dict[str, Any]:
    """Run every step; what each did (or that it failed), by name."""
    results: dict[str, Any] = {}
    for name, step in STEPS:
        try:
            results[name] = step()
        except Exception as error:
            log.exception("settle step failed", extra={"fields": {"step": name}})
            results[name] = {"failed": type(error).__name__}
    return results
