"""CRM webhooks from the bookings stream. Built in issue 6; these are the entry points
app.py registers (the stream handler Lambda and the retrier Lambda)."""

from __future__ import annotations

from typing import Any


def handle_stream_batch(event: Any) -> dict[str, Any]:
    raise NotImplementedError("the webhook sender is issue 6")


def retry_due_deliveries() -> dict[str, Any]:
    raise NotImplementedError("the webhook retrier is issue 6")
