"""The dashboard in a real browser, as a person uses it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.support.api import PASSWORD
from tests.support.factories import make_event, make_facilitator, new_event, save_all

pytestmark = pytest.mark.browser

XSS_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
PHONE = {"width": 390, "height": 844}


def _register(page, base: str, name: str, email: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{base}/dashboard")


def test_register_book_cancel_log_out_without_javascript(live_server, new_context, artifacts):
    make_event(name="Morning Yoga", capacity=10)
    page = new_context(java_script_enabled=False).new_page()

    _register(page, live_server, "Ann", "ann@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ann")
    expect(page.get_by_text("10 seats left")).to_be_visible()

    page.get_by_role("button", name="Book Morning Yoga").click()
    expect(page).to_have_url(re.compile(rf"{live_server}/dashboard/events/\w+$"))
    expect(page.get_by_role("status")).to_contain_text("You're booked for Morning Yoga.")
    expect(page.get_by_text("Booked ✓")).to_be_visible()
    page.get_by_role("link", name="My bookings").click()
    mine = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    expect(mine.get_by_role("heading", name="Morning Yoga")).to_be_visible()
    expect(mine.locator(".status")).to_have_text("confirmed")
    page.screenshot(path=artifacts / "dashboard-booked.png", full_page=True)

    mine.get_by_role("link", name="Morning Yoga", exact=True).click()
    page.get_by_role("link", name="Cancel Morning Yoga").click()
    expect(page.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    expect(page.get_by_text("You can cancel until it starts")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel my booking").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking for Morning Yoga is cancelled")
    expect(page.get_by_text("10 seats left")).to_be_visible()
    page.get_by_role("link", name="My bookings").click()
    expect(page.get_by_text("Cancelled (1)")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("status")).to_have_text("You have logged out.")

    page.go_back()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text("Hello, Ann")).to_have_count(0)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_wrong_password_and_taken_email_are_said_on_the_page(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    _register(page, live_server, "Ann", "ann@example.com")
    page.get_by_role("button", name="Log out").click()

    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
    expect(page.get_by_label("Email")).to_have_value("ann@example.com")
    expect(page.get_by_label("Password")).to_have_value("")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("Ann Again")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("An account with this email already exists")
    expect(page.get_by_label("Name")).to_have_value("Ann Again")


def test_hostile_names_render_as_text_and_no_dialog_opens(live_server, new_context, artifacts):
    context = new_context()
    dialogs: list[str] = []
    problems: list[str] = []
    for number, name in enumerate(XSS_NAMES):
        new_event(name=name, facilitator=make_facilitator(name=name)).save()
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        _register(page, live_server, name, f"hostile{number}@example.com")

        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
        expect(page.get_by_role("heading", name=name, exact=True)).to_have_count(1)
        expect(page.get_by_text(f"1 hour · with {name}", exact=True)).to_have_count(1)
        page.get_by_role("button", name=f"Book {name}").click()
        expect(page.get_by_role("status")).to_contain_text(f"You're booked for {name}.")
        expect(page.get_by_role("heading", name=name, exact=True)).to_have_count(1)
        assert page.locator("img").count() == 0
        assert own_scripts_only(page)
        page.screenshot(path=artifacts / f"dashboard-hostile-name-{number}.png", full_page=True)
        page.get_by_role("button", name="Log out").click()
    assert dialogs == []
    assert problems == [], "console errors or page errors (a CSP violation, say)"


def own_scripts_only(page) -> bool:
    """Every script on the page is a file of this site (the CSP would refuse any other)."""
    sources = page.locator("script").evaluate_all("all => all.map(s => [s.src, s.text])")
    return all(
        src.startswith(page.url.split("/dashboard")[0]) and not body for src, body in sources
    )


def test_dashboard_fits_a_phone_and_its_stylesheet_loads(live_server, new_context, artifacts):
    for n in range(3):
        make_event(name=f"Breathwork Intensive {n + 1}", capacity=40)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _register(page, live_server, "Ann", "ann@example.com")
    page.get_by_role("button", name="Book Breathwork Intensive 1").click()
    expect(page.get_by_role("status")).to_contain_text("You're booked")
    page.get_by_role("link", name="Events", exact=True).click()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = page.get_by_role("button", name="Book Breathwork Intensive 2")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(47, 111, 94)"
    assert button.bounding_box()["width"] > PHONE["width"] * 0.7  # full width, easy to tap
    page.screenshot(path=artifacts / "dashboard-phone.png", full_page=True)


def test_many_events_are_paged(live_server, new_context):
    save_all([new_event(timedelta(days=1, hours=n), name=f"Event {n:02d}") for n in range(12)])
    page = new_context(java_script_enabled=False).new_page()
    _register(page, live_server, "Ann", "ann@example.com")
    events = page.locator("section", has=page.get_by_role("heading", name="Upcoming events"))
    expect(events.locator("article")).to_have_count(10)
    page.get_by_role("link", name="More events").click()
    expect(events.locator("article")).to_have_count(2)
    expect(events.get_by_role("heading", name="Event 11")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dashboard\?cursor="))
    page.get_by_role("link", name="First events").click()
    expect(events.get_by_role("heading", name="Event 00")).to_be_visible()
