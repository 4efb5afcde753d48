"""A facilitator at the door, in Chromium on a 390 x 844 phone: the attendee's QR code opens
the check-in page, one tap checks them in, and the roster shows it; axe finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import models
from chalicelib.attendance import codes
from tests.attendance.conftest import facilitator_account
from tests.support.browser import log_in_as, page_problems
from tests.support.factories import (
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_user,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_facilitator_opens_a_code_and_checks_someone_in(live_server, new_context, dialogs):
    facilitator = make_facilitator(name="Priya")
    event = make_event(timedelta(minutes=20), facilitator=facilitator, name="Sunrise Flow")
    ann = make_user(name="Ann Lee")
    booking = make_booking(ann, event)
    problems: list[str] = []

    # The attendee's booking page holds the code the facilitator's camera reads.
    attendee = new_context(axe=True, viewport=PHONE, is_mobile=True)
    log_in_as(attendee, live_server, ann)
    own = attendee.new_page()
    dialogs(own)
    own.goto(f"{live_server}/dashboard/events/{event.event_id}")
    expect(own.get_by_role("img", name="QR code of your check-in link")).to_be_visible()
    problems += page_problems(own, "booking page with its QR code")

    phone = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(phone, live_server, facilitator_account(facilitator, name="Priya"))
    page = phone.new_page()
    dialogs(page)
    page.goto(f"{live_server}/check-in/{codes.code(booking.booking_id, event.event_id)}")
    problems += page_problems(page, "check-in page")
    page.get_by_role("button", name="Check in Ann Lee").tap()
    expect(page.get_by_role("status")).to_have_text("Ann Lee is checked in.")
    problems += page_problems(page, "checked in")
    stored = models.Booking.get(ann.user_id, event.event_id)
    assert stored.attendance == models.ATTENDANCE_CHECKED_IN

    roster = new_context(axe=True, viewport=PHONE, is_mobile=True)
    log_in_as(roster, live_server, make_admin())
    admin = roster.new_page()
    dialogs(admin)
    admin.goto(f"{live_server}/admin/console/events/{event.event_id}/attendees")
    expect(admin.get_by_role("button", name="Undo check-in of Ann Lee")).to_be_visible()
    problems += page_problems(admin, "roster with a check-in")

    assert problems == []
