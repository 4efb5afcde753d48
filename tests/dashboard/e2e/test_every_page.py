"""Every dashboard and admin page, in each state people meet it in, checked in Chromium:
zero serious or critical axe-core violations, and no sideways scrolling on a 390 x 844
phone. Hostile names are in the data throughout, so each page also shows them as text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import bookings, clock, models
from tests.support.browser import log_in_as, page_problems
from tests.support.factories import (
    make_admin,
    make_booking,
    make_delivery,
    make_event,
    make_facilitator,
    make_user,
    new_event,
    principal_of,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def world():
    """A user with a booking in each state, and what an admin has to look at."""
    facilitator = make_facilitator(name=f"Priya {HOSTILE}", crm_id="crm_priya")
    ann = make_user(name=f"Ann {HOSTILE}")
    other = make_user(name="Bo")
    events = {
        "open": make_event(name=f"Open Circle {HOSTILE}", facilitator=facilitator),
        "booked": new_event(timedelta(days=3), kind="retreat", name="Yoga Retreat"),
        "full": new_event(timedelta(days=4), capacity=1, name="Full Session"),
        "waiting": new_event(timedelta(days=5), capacity=1, name="Waiting Session"),
        "no_room": new_event(timedelta(days=5, hours=2), capacity=1, name="No Room Session"),
        "started": new_event(timedelta(minutes=-30), name="Started Session"),
        "cancelled": make_event(timedelta(days=6), name="Cancelled Session"),
        "past": make_event(timedelta(days=-10), name="Last Month"),
    }
    retreat = events["booked"]
    retreat.ends_at = clock.to_iso(clock.parse_iso(retreat.starts_at) + timedelta(days=2, hours=9))
    events["no_room"].waitlist_capacity = 0
    for key in ("booked", "full", "waiting", "no_room", "started"):
        event = events[key]
        event.description = f"First line {HOSTILE}. " + "A long description. " * 30
        event.seats_taken = 1
        event.save()
    make_booking(ann, events["booked"])
    make_booking(other, events["full"])
    make_booking(other, events["waiting"])
    # Through the service, so Ann is in the event's line as well as holding the booking.
    bookings.join_waitlist(principal_of(ann), events["waiting"].event_id)
    make_booking(ann, events["started"])
    make_booking(ann, events["cancelled"], status=models.CANCELLED)
    make_booking(ann, events["past"])
    make_delivery(models.FAILED, event_name=HOSTILE, user_name=HOSTILE)
    return {"ann": ann, "events": events, "facilitator": facilitator}


def _visit(page, url: str, problems: list[str], name: str) -> None:
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("load")
    problems += page_problems(page, name)
    assert page.locator("img").count() == 0, name


def test_every_dashboard_page_is_accessible_and_fits_a_phone(
    live_server, new_context, world, dialogs
):
    events = world["events"]
    context = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    dialogs(page)
    problems: list[str] = []
    base = live_server

    _visit(page, f"{base}/login", problems, "login")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    problems += page_problems(page, "login with an error")
    _visit(page, f"{base}/register", problems, "register")

    log_in_as(context, base, world["ann"])
    _visit(page, f"{base}/dashboard", problems, "dashboard: open, booked, full, waiting")
    expect(page.get_by_text("Booked ✓")).to_be_visible()
    expect(page.get_by_text("Full — join the waiting list")).to_be_visible()
    expect(page.get_by_text("On the waiting list — position 1")).to_be_visible()
    expect(page.get_by_text("Full — the waiting list is full too")).to_be_visible()
    _visit(page, f"{base}/dashboard?from=2030-01-02&to=2030-01-01", problems, "filter error")
    expect(page.get_by_text("Must not be before the From date.")).to_be_visible()
    for key in ("booked", "full", "waiting", "no_room", "started", "open"):
        _visit(page, f"{base}/dashboard/events/{events[key].event_id}", problems, f"event {key}")
    page.goto(f"{base}/dashboard/events/{events['full'].event_id}")
    page.get_by_role("button", name="Join the waiting list of Full Session").click()
    expect(page.get_by_text("On the waiting list — position 1")).to_be_visible()
    problems += page_problems(page, "joined the waiting list, with its notice")
    _visit(page, f"{base}/dashboard/events/{events['cancelled'].event_id}", problems, "rebook")
    not_booked = new_event(timedelta(minutes=-5), name="Closed")
    not_booked.save()
    _visit(page, f"{base}/dashboard/events/{not_booked.event_id}", problems, "booking closed")
    expect(page.get_by_text("Booking closed")).to_be_visible()
    _visit(page, f"{base}/dashboard/events/{events['booked'].event_id}/cancel", problems, "cancel?")
    _visit(page, f"{base}/dashboard/events/{events['waiting'].event_id}/cancel", problems, "leave?")
    expect(page.get_by_role("heading", name="Leave the waiting list?")).to_be_visible()
    _visit(page, f"{base}/dashboard/bookings", problems, "my bookings")
    page.get_by_text("Cancelled (1)").click()
    problems += page_problems(page, "my bookings, cancelled ones open")
    _visit(page, f"{base}/dashboard/events/01ARZ3NDEKTSV4RRFFQ69G5FAV", problems, "404 page")
    _visit(page, f"{base}/admin/console/events", problems, "403 page")

    assert problems == []


def test_every_admin_page_is_accessible_and_fits_a_phone(live_server, new_context, world, dialogs):
    event_id = world["events"]["waiting"].event_id
    facilitator_id = world["facilitator"].facilitator_id
    context = new_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    log_in_as(context, live_server, make_admin(name=f"Ada {HOSTILE}"))
    page = context.new_page()
    dialogs(page)
    problems: list[str] = []
    console = f"{live_server}/admin/console"

    _visit(page, f"{console}/events", problems, "admin events")
    _visit(page, f"{console}/events/new", problems, "new event")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    problems += page_problems(page, "new event with errors")
    _visit(page, f"{console}/events/{event_id}/edit", problems, "edit event")
    _visit(page, f"{console}/events/{event_id}/attendees", problems, "attendees")
    expect(page.get_by_role("heading", name="Waiting, in order (1)")).to_be_visible()
    page.get_by_role("link", name="Cancel the booking of Bo").click()
    expect(page.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    problems += page_problems(page, "cancel an attendee?")
    _visit(page, f"{console}/facilitators", problems, "facilitators")
    _visit(page, f"{console}/facilitators/new", problems, "new facilitator")
    page.get_by_role("button", name="Add facilitator").click()
    expect(page.get_by_text("Fill this in.").first).to_be_visible()
    problems += page_problems(page, "new facilitator with errors")
    _visit(page, f"{console}/facilitators/{facilitator_id}/edit", problems, "edit facilitator")
    _visit(page, f"{console}/facilitators/{facilitator_id}/webhook", problems, "CRM endpoint")
    page.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/hooks/" + "long-path-" * 12)
    page.get_by_role("button", name="Set URL and make a new secret").click()
    expect(page.get_by_text("The signing secret, shown this once")).to_be_visible()
    problems += page_problems(page, "CRM endpoint with its new secret")
    for state in ("failed", "pending", "delivered", "disabled"):
        _visit(page, f"{console}/webhooks?state={state}", problems, f"{state} deliveries")

    assert problems == []
