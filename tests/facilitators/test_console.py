"""The facilitator's console without JavaScript: who gets in, the schedule, a roster with
attendance, and the report with its chart and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from chalicelib import models
from tests.support.browser import Browser, text
from tests.support.factories import (
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_facilitator_account,
    make_user,
)

ROOT = "/facilitator/console"


@pytest.fixture
def alice():
    return make_facilitator(name="Alice")


@pytest.fixture
def fay(client, alice):
    return Browser(client).as_user(make_facilitator_account(alice))


def test_the_schedule_lists_only_their_classes_and_links_their_crm_endpoint(fay, alice):
    make_event(timedelta(days=2), facilitator=alice, name="Alice's Flow")
    make_event(timedelta(days=2), name="Bob's Flow")

    page = text(fay.get(ROOT))

    assert "Alice&#39;s Flow" in page
    assert "Bob" not in page
    assert 'href="/facilitator/webhook"' in page
    assert ">My classes</a>" in page


def test_a_roster_shows_attendance_and_hostile_names_as_text(fay, alice):
    event = make_event(timedelta(hours=-1), facilitator=alice, name="Now")
    came = make_booking(make_user(name="<script>alert(1)</script>"), event)
    came.update(actions=[models.Booking.attendance.set(models.ATTENDANCE_CHECKED_IN)])
    make_booking(make_user(name="Bo"), event)

    page = text(fay.get(f"{ROOT}/events/{event.event_id}"))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "Checked in" in page and "Not recorded" in page


def test_the_roster_s_button_checks_someone_in_and_shows_the_roster_again(fay, alice):
    event = make_event(timedelta(minutes=30), facilitator=alice, name="Soon")
    booking = make_booking(make_user(name="Bo"), event)
    roster = f"{ROOT}/events/{event.event_id}"
    assert 'aria-label="Check in Bo"' in text(fay.get(roster))

    clicked = fay.submit(
        roster, f"/check-in/bookings/{booking.booking_id}", {"back": roster, "action": "check_in"}
    )

    page = text(fay.follow(clicked))
    assert clicked.headers["Location"] == roster
    assert 'aria-label="Undo check-in of Bo"' in page
    assert models.Booking.get(booking.user_id, event.event_id).attendance == "checked_in"


def test_the_report_draws_one_bar_per_week_and_exports_csv(fay, alice):
    event = make_event(timedelta(days=-2), facilitator=alice, name="Last class")
    for n, attendance in enumerate((models.ATTENDANCE_CHECKED_IN, models.ATTENDANCE_NO_SHOW)):
        booking = make_booking(make_user(name=f"P{n}"), event)
        booking.update(actions=[models.Booking.attendance.set(attendance)])

    page = text(fay.get(f"{ROOT}/report"))
    exported = fay.get(f"{ROOT}/report.csv")

    assert page.count('class="chart-bar"') == 1
    assert "50% (1 of 2)" in page
    rows = list(csv.reader(io.StringIO(text(exported))))
    assert rows[1][1:2] == ["Last class"] and rows[1][4:7] == ["2", "1", "1"]


def test_a_bad_report_range_is_a_400_page(fay):
    response = fay.get(f"{ROOT}/report?from=2026-03-01&to=2026-02-01")

    assert response.status_code == 400


@pytest.mark.parametrize("who", ["user", "admin"])
def test_anyone_not_linked_gets_a_403_page_and_strangers_the_login(client, alice, who):
    event = make_event(facilitator=alice)
    caller = Browser(client).as_user(make_admin() if who == "admin" else make_user())
    for path in (ROOT, f"{ROOT}/events/{event.event_id}", f"{ROOT}/report"):
        assert caller.get(path).status_code == 403
        assert Browser(client).get(path).headers["Location"].endswith("/login")
