"""Calendar files parsed back, as a calendar app reads them."""

from __future__ import annotations

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
