"""Calendar files parsed back as a calendar app reads them, and the bookings stream relayed to
the stream handler (which marks a newly confirmed booking as owed a reminder)."""

from __future__ import annotations

import time

import icalendar
import pytest


def parse(response):
    """The VCALENDAR of an answer, once its status and content type are those of a file."""
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.body)


def vevents(calendar):
    return [component for component in calendar.walk("VEVENT")]


@pytest.fixture
def parsed():
    return parse


@pytest.fixture
def stream(dynamodb_local, tmp_path):
    """Hands the bookings stream's new records to the app's stream handler, as the relay of
    `make run` does: ``stream(until)`` relays until ``until()`` holds (or gives up)."""
    from app import on_booking_change
    from chalicelib import models
    from local.relay import StreamRelay

    position = tmp_path / "relay" / "position.json"

    def relay(handler, **options):
        return StreamRelay(
            endpoint=dynamodb_local.endpoint,
            table_name=models.Booking.Meta.table_name,
            handler=handler,
            retrier=lambda event, context: None,
            position_path=position,
            **options,
        )

    # Begin after what earlier tests left on the session's stream.
    skipper = relay(lambda event, context: None, batch_size=1000)
    while skipper.poll():
        pass
    live = relay(on_booking_change)

    def hand_over(until, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                return False
            if not live.poll():
                time.sleep(0.05)
        return True

    return hand_over
