"""Relays that carry DynamoDB Local's bookings stream to the app's webhook handler, as `make run`
does, for the tests that follow a booking to the CRM; and waiting for what they deliver."""

from __future__ import annotations

import threading
import time

import pytest

from chalicelib import models
from local.record_stream_events import Person
from local.relay import StreamRelay


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def people(count, prefix="P"):
    return [
        Person(f"01J{prefix}{number:022d}", f"Guest {prefix}{number}", f"guest{number}@example.com")
        for number in range(count)
    ]


class Relays:
    """Starts relays that share one position file, each in a thread, as `make run` would."""

    def __init__(self, endpoint, position_path):
        self.endpoint = endpoint
        self.position_path = position_path
        self.running = []

    def make(self, handler=None, **options):
        from app import on_booking_change, retry_webhooks

        options = {"poll_seconds": 0.05, "retry_seconds": 0.2, **options}
        return StreamRelay(
            endpoint=self.endpoint,
            table_name=models.Booking.Meta.table_name,
            handler=handler or on_booking_change,
            retrier=retry_webhooks,
            position_path=self.position_path,
            **options,
        )

    def start(self, handler=None, **options):
        stop = threading.Event()
        thread = threading.Thread(target=self.make(handler, **options).run, args=(stop,))
        thread.start()
        self.running.append((stop, thread))
        return lambda: self._stop(stop, thread)

    @staticmethod
    def _stop(stop, thread):
        stop.set()
        thread.join(timeout=10)

    def stop_all(self):
        for stop, thread in self.running:
            self._stop(stop, thread)


@pytest.fixture
def relays(dynamodb_local, tmp_path):
    relays = Relays(dynamodb_local.endpoint, tmp_path / "relay" / "position.json")
    # Begin after what earlier tests left on the session's stream.
    skipper = relays.make(handler=lambda event, context: None, batch_size=1000)
    while skipper.poll():
        pass
    yield relays
    relays.stop_all()
