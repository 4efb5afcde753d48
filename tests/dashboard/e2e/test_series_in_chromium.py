"""A class series in Chromium on a phone-sized window: an admin previews and creates it in the
console, a person books all its dates on the dashboard with the keyboard and moves one; axe
finds nothing serious on the new pages and the focus always shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import bookings, clock, models
from tests.dashboard.e2e.test_console_in_chromium import _tab_to
from tests.support.browser import log_in_as, page_problems
from tests.support.factories import make_admin, make_facilitator, make_user, principal_of

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_series_is_previewed_created_booked_whole_and_one_date_moved(
    live_server, new_context, dialogs, artifacts
):
    make_facilitator(name="Priya", crm_id="crm_priya")
    problems: list[str] = []
    admin_context = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(admin_context, live_server, make_admin())
    admin = admin_context.new_page()
    dialogs(admin)
    admin.goto(f"{live_server}/admin/console/series")
    admin.get_by_role("link", name="New series").click()
    admin.get_by_label("Name", exact=True).fill("Evening Flow")
    admin.get_by_label("Facilitator").select_option(label="Priya (crm_priya)")
    admin.get_by_label("Time zone (where it happens)").select_option("Europe/London")
    first = (clock.now() + timedelta(days=5)).date()
    admin.get_by_label("First date").fill(first.isoformat())
    admin.get_by_label("Time of day").fill("18:30")
    admin.get_by_label("Duration (minutes)").fill("60")
    admin.get_by_label("Monday").check()
    admin.get_by_label("Thursday").check()
    admin.get_by_label("Number of dates").fill("4")
    admin.get_by_label("Capacity (seats per date)").fill("1")
    admin.get_by_role("button", name="Preview dates").click()
    expect(admin.get_by_role("heading", name="4 dates to be made")).to_be_visible()
    expect(admin.locator(".preview li")).to_have_count(4)
    assert models.Series.count() == 0
    problems += page_problems(admin, "series preview")
    admin.get_by_role("button", name="Create series").click()
    expect(admin.get_by_role("status")).to_have_text("Series created. Its dates are listed below.")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Evening Flow")
    problems += page_problems(admin, "console series page")
    admin.screenshot(path=artifacts / "console-series.png", full_page=True)

    # Someone else holds the second date, so Ann's "Book all dates" skips it.
    dates = list(models.Event.by_series.query(models.Series.scan().next().series_id))
    bo = make_user(name="Bo")
    bo_caller = principal_of(bo)
    bos = bookings.book(bo_caller, dates[1].event_id)

    person_context = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(person_context, live_server, make_user(name="Ann"))
    person = person_context.new_page()
    dialogs(person)
    person.goto(f"{live_server}/dashboard")
    person.locator(".series-link a").first.click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Evening Flow")
    problems += page_problems(person, "series page")
    _tab_to(person, "Book all dates")
    person.keyboard.press("Enter")
    expect(person.get_by_role("status")).to_contain_text("the dates of Evening Flow that had room")
    expect(person.locator(".series-summary")).to_contain_text(
        "you are booked for 3, on the waiting list for 0, and 1 is not yours"
    )
    person.screenshot(path=artifacts / "series-booked.png", full_page=True)

    # Bo gives the second date up; Ann moves her first date there.
    bookings.cancel(bo_caller, bos["booking_id"])
    person.get_by_role("heading", level=3).first.get_by_role("link").click()
    _tab_to(person, "Move to another date")
    person.keyboard.press("Enter")
    expect(person.get_by_role("heading", name="Move to another date")).to_be_visible()
    expect(person.get_by_role("radio")).to_have_count(1)
    problems += page_problems(person, "move page")
    _tab_to(person, "Move my booking")
    person.keyboard.press("Enter")
    expect(person.get_by_role("status")).to_contain_text("on this date instead")
    ann_dates = {b.event_id for b in models.Booking.scan(models.Booking.status == models.CONFIRMED)}
    assert dates[1].event_id in ann_dates and dates[0].event_id not in ann_dates
    assert problems == []
