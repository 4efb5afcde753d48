"""The dashboard's calendar links: "Add to calendar" on each confirmed booking, "Subscribe in
your calendar" (the feed's webcal:// and https:// addresses) and "Stop the feed"."""

import html
import re
from urllib.parse import urlsplit

import icalendar

from tests.support.browser import text
from tests.support.factories import make_event, make_user


def booked_event_page(browser, event):
    """Book from the dashboard; the answer is the event's page, saying booked."""
    return browser.follow(
        browser.submit("/dashboard", "/dashboard/book", {"event_id": event.event_id})
    )


def calendar_links(page):
    return re.findall(r'<a href="([^"]+/calendar\.ics)" download>Add to calendar', text(page))


def test_each_confirmed_booking_links_its_calendar_file(browser):
    ann = make_user()
    event = make_event(name="Morning Yoga")
    page = booked_event_page(browser.as_user(ann), event)

    [link] = calendar_links(page)
    answer = browser.get(html.unescape(link))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    (vevent,) = icalendar.Calendar.from_ical(answer.body).walk("VEVENT")
    assert vevent["SUMMARY"] == "Morning Yoga" and vevent["STATUS"] == "CONFIRMED"


def test_a_cancelled_booking_has_no_add_to_calendar_link(browser):
    ann = make_user()
    event = make_event()
    page = booked_event_page(browser.as_user(ann), event)
    assert calendar_links(page)
    confirmation = f"/dashboard/events/{event.event_id}/cancel"
    [booking_id] = re.findall(r'name="booking_id" value="([^"]+)"', text(browser.get(confirmation)))
    page = browser.follow(
        browser.submit(confirmation, "/dashboard/cancel", {"booking_id": booking_id})
    )

    assert "Add to calendar" not in text(page)
    assert "Add to calendar" not in text(browser.get("/dashboard/bookings"))


def test_subscribing_shows_both_addresses_and_stopping_turns_the_feed_off(browser):
    browser.as_user(make_user())
    page = browser.submit("/dashboard", "/dashboard/calendar-feed", {})

    assert page.status_code == 200
    webcal = html.unescape(re.search(r'class="feed-webcal" href="([^"]+)"', text(page)).group(1))
    https = html.unescape(
        re.search(r'class="feed-url" type="text" readonly value="([^"]+)"', text(page)).group(1)
    )
    assert webcal.startswith("webcal://") and https.startswith("http")
    assert webcal.split("://", 1)[1] == https.split("://", 1)[1]
    assert browser.get(urlsplit(https).path).status_code == 200

    stopped = browser.follow(browser.submit("/dashboard", "/dashboard/calendar-feed/stop", {}))

    assert "calendar feed is stopped" in text(stopped)
    assert browser.get(urlsplit(https).path).status_code == 404


def test_calendar_actions_send_a_stranger_to_login_and_refuse_a_forged_form(browser):
    assert (
        browser.get("/dashboard/bookings/01JZZZZZZZZZZZZZZZZZZZZZZZ/calendar.ics").headers[
            "Location"
        ]
        == "/login"
    )
    browser.as_user(make_user())
    forged = browser.post("/dashboard/calendar-feed", {"csrf_token": "forged"})
    assert forged.status_code == 403
