"""DynamoDB stream records as Lambda sends them, and the app's webhook Lambdas invoked as
AWS invokes them. The records were recorded from DynamoDB Local by
``local/record_stream_events.py``, whose writers (``confirm``, ``cancel``) also make live stream
traffic for the end-to-end tests."""

from __future__ import annotations

import json
from typing import Any

from local.record_stream_events import EVENTS_DIR
from local.relay import scheduled_event


def recorded_event(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded stream event ``EVENTS_DIR/<name>.json``."""
    return json.loads((EVENTS_DIR / f"{name}.json").read_text())


def invoke_stream_handler(client: Any, event: dict[str, Any]) -> Any:
    """``on_booking_change`` given ``event``, through the test client: its answer to Lambda."""
    return client.lambda_.invoke("on_booking_change", event).payload


def run_retrier(client: Any) -> Any:
    """``retry_webhooks`` as its schedule runs it, through the test client."""
    return client.lambda_.invoke("retry_webhooks", scheduled_event()).payload


def run_reminders(client: Any) -> Any:
    """``send_reminders`` as its schedule runs it, through the test client."""
    return client.lambda_.invoke("send_reminders", scheduled_event("send_reminders")).payload
