"""Admins and people together in Chromium: an event put on in the console shows on the
dashboard, an admin's cancellation reaches the attendee, a failed webhook is replayed once
the CRM is back; the keyboard alone books and cancels; times show in the viewer's zone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import models, webhooks
from tests.support.api import PASSWORD, register
from tests.support.browser import log_in_as
from tests.support.factories import (
    make_admin,
    make_delivery,
    make_event,
    make_facilitator,
    make_user,
    new_event,
)

pytestmark = pytest.mark.browser


def test_an_event_put_on_in_the_console_is_booked_and_then_cancelled_by_the_admin(
    live_server, new_context, artifacts, dialogs
):
    make_facilitator(name="Priya", crm_id="crm_priya")
    admin_context = new_context(java_script_enabled=False)
    log_in_as(admin_context, live_server, make_admin())
    admin = admin_context.new_page()
    dialogs(admin)
    admin.goto(f"{live_server}/admin")
    admin.get_by_role("link", name="New event").click()
    admin.get_by_label("Name").fill("Sound Bath")
    admin.get_by_label("Description").fill("Gongs and bowls.\nBring a blanket.")
    admin.get_by_label("Kind").select_option("session")
    admin.get_by_label("Time zone (where it happens)").select_option("Asia/Kolkata")
    admin.get_by_label("Starts").fill("2031-01-15T19:00")
    admin.get_by_label("Ends").fill("2031-01-15T21:00")
    admin.get_by_label("Capacity (seats)").fill("2")
    admin.get_by_label("Facilitator").select_option(label="Priya (crm_priya)")
    admin.get_by_role("button", name="Create event").click()
    expect(admin.get_by_role("status")).to_have_text("Event created. It is listed as shown below.")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Attendees of Sound Bath")

    person_context = new_context(java_script_enabled=False)
    log_in_as(person_context, live_server, make_user(name="Ann"))
    person = person_context.new_page()
    person.goto(f"{live_server}/dashboard")
    card = person.locator("article", has=person.get_by_role("heading", name="Sound Bath"))
    expect(card).to_contain_text("Wed 15 Jan 2031, 19:00\u201321:00 IST")
    expect(card).to_contain_text("2 hours · with Priya")
    card.get_by_role("button", name="Book Sound Bath").click()
    expect(person.get_by_text("Booked ✓")).to_be_visible()

    admin.reload()
    expect(admin.get_by_role("heading", name="Confirmed (1)")).to_be_visible()
    admin.screenshot(path=artifacts / "admin-attendees.png", full_page=True)
    admin.get_by_role("link", name="Cancel the booking of Ann").click()
    expect(admin.get_by_text("Ann (")).to_be_visible()
    admin.get_by_role("button", name="Yes, cancel this booking").click()
    expect(admin.get_by_role("heading", name="Cancelled (1)")).to_be_visible()

    person.reload()
    expect(person.get_by_text("2 seats left")).to_be_visible()
    expect(person.get_by_role("button", name="Book Sound Bath")).to_be_visible()


def test_a_seat_the_admin_frees_goes_to_the_first_on_the_waiting_list(
    live_server, new_context, dialogs
):
    event = make_event(name="Healing Circle", capacity=1)
    pages = {}
    for name in ("Bo", "Ann"):
        context = new_context(java_script_enabled=False)
        log_in_as(context, live_server, make_user(name=name))
        pages[name] = context.new_page()
        dialogs(pages[name])
        pages[name].goto(f"{live_server}/dashboard/events/{event.event_id}")
    pages["Bo"].get_by_role("button", name="Book Healing Circle").click()
    expect(pages["Bo"].get_by_text("Booked ✓")).to_be_visible()

    ann = pages["Ann"]
    ann.reload()
    expect(ann.get_by_text("Full — join the waiting list")).to_be_visible()
    ann.get_by_role("button", name="Join the waiting list of Healing Circle").click()
    expect(ann.get_by_role("status")).to_have_text(
        "You're on the waiting list for Healing Circle, position 1. We'll confirm your seat "
        "automatically if one frees up."
    )
    expect(ann.get_by_text("On the waiting list — position 1")).to_be_visible()
    expect(ann.get_by_role("link", name="Leave the waiting list of Healing Circle")).to_be_visible()

    admin_context = new_context(java_script_enabled=False)
    log_in_as(admin_context, live_server, make_admin())
    admin = admin_context.new_page()
    dialogs(admin)
    admin.goto(f"{live_server}/admin/console/events/{event.event_id}/attendees")
    expect(admin.get_by_role("heading", name="Waiting, in order (1)")).to_be_visible()
    admin.get_by_role("link", name="Cancel the booking of Bo").click()
    admin.get_by_role("button", name="Yes, cancel this booking").click()
    expect(admin.get_by_role("heading", name="Confirmed (1)")).to_be_visible()
    expect(admin.get_by_role("heading", name="Cancelled (1)")).to_be_visible()

    ann.reload()
    expect(ann.get_by_text("Booked ✓")).to_be_visible()
    expect(ann.get_by_role("link", name="Cancel Healing Circle")).to_be_visible()


def test_a_failed_delivery_is_replayed_once_the_crm_is_back(live_server, new_context, crm):
    failed = make_delivery(models.FAILED, last_error="ConnectionError: refused")
    context = new_context(java_script_enabled=False)
    log_in_as(context, live_server, make_admin())
    page = context.new_page()
    page.goto(f"{live_server}/admin/console/webhooks?state=failed")
    expect(page.get_by_text("ConnectionError: refused")).to_be_visible()
    page.get_by_role("button", name=f"Replay delivery {failed.delivery_id}").click()
    expect(page.get_by_role("status")).to_contain_text("Delivery queued")

    webhooks.retry_due_deliveries()

    page.get_by_role("link", name="Delivered").click()
    expect(page.get_by_text(failed.delivery_id)).to_be_visible()
    assert [delivery["webhook_id"] for delivery in crm.deliveries] == [failed.delivery_id]


def _tab_to(page, name: str, limit: int = 40) -> None:
    """Press Tab until the element named ``name`` has the focus, and check the focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement;
                return [e.getAttribute("aria-label") || e.textContent.trim(),
                        getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]; }"""
        )
        if focused[0] == name:
            assert focused[1] != "none" and float(focused[2].rstrip("px")) >= 2, focused
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_keyboard_alone_books_and_cancels_with_the_focus_always_visible(
    live_server, new_context
):
    make_event(name="Morning Yoga")
    context = new_context()
    log_in_as(context, live_server, make_user(name="Ann"))
    page = context.new_page()
    page.goto(f"{live_server}/dashboard")

    _tab_to(page, "Book Morning Yoga")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You're booked for Morning Yoga.")
    _tab_to(page, "Cancel Morning Yoga")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    _tab_to(page, "Yes, cancel my booking")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your booking for Morning Yoga is cancelled")


def test_times_also_show_in_the_viewers_own_zone_where_scripts_run(live_server, new_context):
    event = new_event(name="Healing Circle")
    event.starts_at, event.ends_at = "2031-01-15T15:00:00Z", "2031-01-15T17:00:00Z"
    event.save()
    user = make_user()
    in_new_york = new_context(timezone_id="America/New_York", locale="en-US")
    log_in_as(in_new_york, live_server, user)
    page = in_new_york.new_page()
    page.goto(f"{live_server}/dashboard/events/{event.event_id}")
    viewer = page.locator(".viewer")
    expect(viewer).to_be_visible()
    expect(viewer).to_have_text(
        re.compile("^Your time: Wed, Jan 15, 2031, 10:00 EST \u2013 12:00 EST$")
    )

    without_scripts = new_context(java_script_enabled=False)
    log_in_as(without_scripts, live_server, user)
    plain = without_scripts.new_page()
    plain.goto(f"{live_server}/dashboard/events/{event.event_id}")
    expect(plain.locator(".viewer")).to_be_hidden()
    expect(plain.get_by_text("Wed 15 Jan 2031, 15:00\u201317:00 UTC")).to_be_visible()


def test_the_back_button_after_logging_out_of_the_console_shows_no_admin_page(
    client, live_server, new_context
):
    register(client, name="Ada", email="ada@example.com")
    (credential,) = models.Credential.scan()
    models.User(credential.user_id).update(actions=[models.User.role.set("admin")])
    make_event(timedelta(days=3), name="Secret Planning", published=False)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/admin/console/events")
    expect(page.get_by_text("Secret Planning")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text("Secret Planning")).to_have_count(0)
