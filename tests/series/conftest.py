"""Series tests: an admin who sends JSON, and a series body to vary."""

import pytest

from tests.support.factories import json_caller, make_admin, make_facilitator


@pytest.fixture
def admin():
    return make_admin()


@pytest.fixture
def facilitator():
    return make_facilitator()


@pytest.fixture
def call(client, admin):
    """Send a request as the admin (or as ``user``); JSON bodies are encoded."""
    return json_caller(client, admin)


@pytest.fixture
def series_body(facilitator):
    def make(**changes):
        return {
            "name": "Monday Evening Yoga",
            "description": "Hatha after work.",
            "kind": "session",
            "facilitator_id": facilitator.facilitator_id,
            "timezone": "Europe/London",
            "start_date": "2027-10-04",
            "start_time": "18:30",
            "duration_minutes": 60,
            "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
            "capacity": 10,
            "booking_mode": "drop_in",
            **changes,
        }

    return make
