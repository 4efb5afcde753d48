"""A facilitator on their phone in Chromium: their schedule, a class's roster with who was
checked in, and their attendance report with its chart; axe finds nothing serious."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import models
from tests.support.browser import log_in_as, page_problems
from tests.support.factories import (
    make_booking,
    make_event,
    make_facilitator,
    make_facilitator_account,
    make_user,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_facilitator_reads_their_schedule_a_roster_and_the_report_on_a_phone(
    live_server, new_context, dialogs, artifacts
):
    priya = make_facilitator(name="Priya", crm_id="crm_priya")
    today = make_event(timedelta(minutes=-20), facilitator=priya, name="Morning Flow")
    make_event(timedelta(days=2), facilitator=priya, name="Evening Flow")
    make_event(timedelta(days=1), name="Someone else's class")
    came = make_booking(make_user(name="Ann Attendee"), today)
    came.update(actions=[models.Booking.attendance.set(models.ATTENDANCE_CHECKED_IN)])
    make_booking(make_user(name="Bo Booked"), today)
    problems: list[str] = []
    context = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(context, live_server, make_facilitator_account(priya, name="Priya"))
    page = context.new_page()
    dialogs(page)

    page.goto(f"{live_server}/dashboard")
    page.get_by_role("link", name="My classes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your schedule")
    expect(page.get_by_role("row")).to_have_count(3)
    expect(page.get_by_text("Someone else's class")).to_have_count(0)
    problems += page_problems(page, "facilitator schedule")

    page.get_by_role("link", name="Roster of Morning Flow").click()
    expect(page.get_by_role("heading", name="Confirmed (2)")).to_be_visible()
    ann = page.get_by_role("row", name="Ann Attendee")
    expect(ann).to_contain_text("Checked in")
    expect(page.get_by_role("row", name="Bo Booked")).to_contain_text("Not recorded")
    problems += page_problems(page, "facilitator roster")
    page.screenshot(path=artifacts / "facilitator-roster.png", full_page=True)

    page.get_by_role("link", name="Attendance report").click()
    expect(page.get_by_role("img")).to_have_count(1)
    expect(page.locator(".chart-bar")).to_have_count(1)
    expect(page.get_by_role("row", name="Morning Flow")).to_be_visible()
    problems += page_problems(page, "facilitator report")
    page.screenshot(path=artifacts / "facilitator-report.png", full_page=True)

    assert problems == []
