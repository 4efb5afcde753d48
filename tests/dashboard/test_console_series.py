"""The console's series: the list, the new-series form (its recurrence picker and "Preview
dates", which writes nothing) and a series' page with its dates."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import clock, models
from chalicelib.web.console.series import rrule_of
from tests.dashboard.test_console import ROOT, field_error, notice
from tests.support.browser import Browser, text
from tests.support.factories import make_admin, make_facilitator, make_full_event


@pytest.fixture
def admin(browser) -> Browser:
    return browser.as_user(make_admin())


def weekly_form(facilitator: models.Facilitator, **overrides: str) -> dict[str, str]:
    first = (clock.now() + timedelta(days=3)).date()
    return {
        "name": "Evening Flow",
        "description": "",
        "kind": "session",
        "booking_mode": models.DROP_IN,
        "facilitator_id": facilitator.facilitator_id,
        "timezone": "Europe/London",
        "start_date": first.isoformat(),
        "start_time": "18:30",
        "duration_minutes": "60",
        "count": "4",
        "until": "",
        "capacity": "12",
        **overrides,
    }


@pytest.mark.parametrize(
    ("days", "count", "until", "rule"),
    [
        (["MO", "WE"], "8", "", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=8"),
        ([], "", "2027-03-01", "FREQ=WEEKLY;UNTIL=20270301"),
        (["FR"], "", "", "FREQ=WEEKLY;BYDAY=FR"),
    ],
)
def test_the_picker_becomes_an_rrule(days, count, until, rule):
    assert rrule_of(days, count, until) == rule


def test_preview_lists_the_dates_in_local_time_and_writes_nothing(admin):
    form = weekly_form(make_facilitator())
    page = admin.submit(f"{ROOT}/series/new", f"{ROOT}/series/new", {**form, "action": "preview"})
    assert page.status_code == 200
    assert "4 dates to be made" in text(page)
    assert text(page).count("18:30 GMT") + text(page).count("18:30 BST") == 4
    assert models.Series.count() == 0 and models.Event.count() == 0
    # What was typed stays in the form for "Create".
    assert 'value="Evening Flow"' in text(page)


def test_create_makes_the_series_and_its_page_lists_its_dates(admin):
    form = weekly_form(make_facilitator(), count="3")
    response = admin.submit(f"{ROOT}/series/new", f"{ROOT}/series/new", {**form, "day_TU": "on"})
    page = admin.follow(response)
    assert "Series created." in notice(page)
    assert "FREQ=WEEKLY;BYDAY=TU;COUNT=3" in text(page)
    assert text(page).count("Attendees</a>") == 3
    assert text(page).count(">Cancel</a>") == 3
    assert models.Event.count() == 3
    listing = text(admin.get(f"{ROOT}/series"))
    assert ">Evening Flow</a>" in listing and "Europe/London" in listing and "Drop-in" in listing


def test_a_refused_rule_and_a_missing_field_are_said_beside_the_fields(admin):
    form = weekly_form(make_facilitator(), count="4", until="2027-01-01", name="")
    page = admin.submit(f"{ROOT}/series/new", f"{ROOT}/series/new", {**form, "action": "preview"})
    assert page.status_code == 400
    assert field_error(page, "name") == "Fill this in."
    form["name"] = "Evening Flow"
    page = admin.submit(f"{ROOT}/series/new", f"{ROOT}/series/new", {**form, "action": "preview"})
    assert field_error(page, "rrule") == "Give COUNT or UNTIL, not both."
    assert models.Series.count() == 0


def test_a_course_without_an_end_is_refused_before_anything_is_written(admin):
    form = weekly_form(make_facilitator(), count="", booking_mode=models.COURSE)
    page = admin.submit(f"{ROOT}/series/new", f"{ROOT}/series/new", form)
    assert "A course needs COUNT or UNTIL" in field_error(page, "rrule")
    assert models.Series.count() == 0 and models.Event.count() == 0


def test_cancelling_a_date_says_how_many_are_told_then_cancels_every_booking(admin):
    event, people = make_full_event(seated=2, waiting=1)
    path = f"{ROOT}/events/{event.event_id}/cancel"
    page = text(admin.get(path))
    assert "3 people will be told: 2 booked and 1 on the waiting list" in page

    page = admin.follow(admin.submit(path, path, {"reason": "Teacher ill"}))

    assert "The date is cancelled" in notice(page)
    stored = models.Event.get(event.event_id)
    assert stored.cancelled_at is not None and stored.listing is None
    statuses = {models.Booking.get(p.user_id, event.event_id).status for p in people}
    assert statuses == {models.CANCELLED}


def test_moving_a_date_takes_the_new_local_times_and_says_how_many_are_told(admin):
    event, _ = make_full_event(seated=1, waiting=0)
    path = f"{ROOT}/events/{event.event_id}/move"
    assert "1 person will be told: 1 booked and 0 on the waiting list" in text(admin.get(path))
    # Typed as wall-clock time in the event's own zone.
    new_start = (clock.now() + timedelta(days=9)).replace(tzinfo=None, hour=18, minute=30)
    new_start = new_start.replace(second=0, microsecond=0)
    fields = {
        "starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (new_start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }

    page = admin.follow(admin.submit(path, path, fields))

    assert "The date is moved" in notice(page)
    in_zone = new_start.replace(tzinfo=ZoneInfo(event.timezone))
    assert models.Event.get(event.event_id).starts_at == clock.to_iso(in_zone)


def test_a_move_ending_before_it_starts_is_said_beside_the_field(admin):
    event, _ = make_full_event(seated=1, waiting=0)
    path = f"{ROOT}/events/{event.event_id}/move"
    start = (clock.now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    page = admin.submit(path, path, {"starts_at": start, "ends_at": start})
    assert field_error(page, "ends_at") == "Must be after the start."
    assert models.Event.get(event.event_id).starts_at == event.starts_at
