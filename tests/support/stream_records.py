"""DynamoDB stream records as Lambda sends them (recorded from DynamoDB Local into
``tests/webhooks/events/``), and the app's two webhook Lambdas invoked as AWS invokes them."""

from __future__ import annotations

import json
from typing import Any

from local.paths import REPO_ROOT
from local.relay import scheduled_event

EVENTS_DIR = REPO_ROOT / "tests" / "webhooks" / "events"


def recorded_event(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded stream event ``EVENTS_DIR/<name>.json``."""
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def invoke_stream_handler(client: Any, event: dict[str, Any]) -> Any:
    """``on_booking_change`` given ``event``, through the test client: its answer to Lambda."""
    return client.lambda_.invoke("on_booking_change", event).payload


def run_retrier(client: Any) -> Any:
    """``retry_webhooks`` as its schedule runs it, through the test client."""
    return client.lambda_.invoke("retry_webhooks", scheduled_event()).payload
