"""The admin console (/admin), as an admin's browser without JavaScript uses it: who gets in,
what each page lists, and what each form does and refuses."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest

from app import app as chalice_app
from chalicelib import models
from chalicelib.web import console, cookies
from chalicelib.web.console import events as console_events
from local.call_counter import count_dynamodb_calls
from tests.support.browser import Browser, csrf_token, text
from tests.support.factories import (
    make_admin,
    make_delivery,
    make_event,
    make_facilitator,
    make_user,
    new_event,
    seats_taken,
)

ROOT = console.ROOT
SAMPLE_IDS = {
    "event_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "booking_id": "01ARZ3NDEKTSV4RRFFQ69G5FAW",
    "facilitator_id": "01ARZ3NDEKTSV4RRFFQ69G5FAX",
    "delivery_id": "01ARZ3NDEKTSV4RRFFQ69G5FAW.booking.confirmed",
    "series_id": "01ARZ3NDEKTSV4RRFFQ69G5FAY",
}
CONSOLE_ROUTES = sorted(
    (path, method)
    for path, methods in chalice_app.routes.items()
    for method in methods
    if path == "/admin" or path.startswith(f"{ROOT}/")
)


def notice(page: Any) -> str | None:
    found = re.search(r'<p class="notice[^"]*"[^>]*>(.*?)</p>', text(page), re.S)
    return found.group(1) if found else None


def field_error(page: Any, name: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', text(page))
    return found.group(1) if found else None


@pytest.fixture
def admin(browser) -> Browser:
    return browser.as_user(make_admin())


def _filled(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: SAMPLE_IDS[match.group(1)], path)


def test_every_console_route_is_a_browser_page():
    assert len(CONSOLE_ROUTES) == 30
    assert all(key in chalice_app.browser_routes for key in CONSOLE_ROUTES)


@pytest.mark.parametrize(("path", "method"), CONSOLE_ROUTES)
def test_anyone_not_logged_in_is_sent_to_log_in(browser, path, method):
    if method == "GET":
        response = browser.get(_filled(path))
    else:
        response = browser.post(_filled(path), {"csrf_token": csrf_token(browser.get("/login"))})
    assert (response.status_code, response.headers["Location"]) == (303, "/login")


@pytest.mark.parametrize(("path", "method"), CONSOLE_ROUTES)
def test_a_user_who_is_not_an_admin_gets_a_403_page(browser, path, method):
    make_event()
    browser.as_user(make_user())
    if method == "GET":
        response = browser.get(_filled(path))
    else:
        token = csrf_token(browser.get("/dashboard"))
        response = browser.post(_filled(path), {"csrf_token": token, "name": "x"})
    assert response.status_code == 403, text(response)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "This needs an admin account." in text(response)
    assert models.Event.count() == 1 and models.Facilitator.count() == 0


@pytest.mark.parametrize(("path", "method"), [r for r in CONSOLE_ROUTES if r[1] == "POST"])
def test_every_console_form_needs_its_csrf_token(admin, path, method):
    facilitator = make_facilitator()
    event = make_event(facilitator=facilitator)
    ids = {**SAMPLE_IDS, "event_id": event.event_id, "facilitator_id": facilitator.facilitator_id}
    admin.get("/dashboard")
    admin.cookies.pop(cookies.CSRF)
    response = admin.post(re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path), {"name": "New"})
    assert response.status_code == 403
    assert "This form has expired or did not come from this site." in text(response)
    assert models.Event.get(event.event_id).name == "Morning Yoga"
    assert models.Event.get(event.event_id).listing == models.PUBLISHED


def test_the_console_door_opens_on_the_events(admin):
    response = admin.get("/admin")
    assert (response.status_code, response.headers["Location"]) == (303, f"{ROOT}/events")
    assert 'href="/admin" aria-current="page">Admin</a>' in text(admin.follow(response))


def test_events_lists_published_and_unpublished_upcoming_and_past(admin):
    make_event(name="Listed Soon")
    make_event(name="Hidden Soon", published=False)
    make_event(timedelta(days=-2), name="Done Already")
    page = text(admin.get(f"{ROOT}/events"))
    upcoming, past = page.split('id="past-heading"')
    assert "Listed Soon" in upcoming and "Hidden Soon" in upcoming
    assert "Done Already" in past and "Done Already" not in upcoming
    assert upcoming.count(">Published<") == 1 and upcoming.count(">Unpublished<") == 1
    assert 'aria-label="Unpublish Listed Soon"' in upcoming
    assert 'aria-label="Unpublish Hidden Soon"' not in upcoming


def test_the_events_list_is_paged_one_scan_page_at_a_time(admin, monkeypatch):
    monkeypatch.setattr(console_events, "EVENTS_PER_PAGE", 2)
    for n in range(5):
        make_event(name=f"Event {n}")
    seen: list[str] = []
    page = admin.get(f"{ROOT}/events")
    while True:
        seen += re.findall(r'class="event-name">(Event \d)', text(page))
        more = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', text(page))
        if more is None:
            break
        page = admin.get(more.group(1))
    assert sorted(seen) == [f"Event {n}" for n in range(5)]


def _event_form(facilitator_id: str, **changes: str) -> dict[str, str]:
    return {
        "name": "Sound Bath",
        "description": "Gongs and bowls.",
        "kind": "session",
        "timezone": "Europe/Berlin",
        "starts_at": "2031-07-15T18:00",
        "ends_at": "2031-07-15T19:30",
        "capacity": "12",
        "facilitator_id": facilitator_id,
        "published": "on",
        **changes,
    }


def test_creating_an_event_takes_clock_times_in_its_zone_and_lists_it(admin):
    facilitator = make_facilitator(name="Priya")
    form = _event_form(facilitator.facilitator_id)
    response = admin.submit(f"{ROOT}/events/new", f"{ROOT}/events/new", form)
    assert response.status_code == 303
    (event,) = models.Event.scan()
    assert response.headers["Location"] == f"{ROOT}/events/{event.event_id}/attendees"
    assert notice(admin.follow(response)) == "Event created. It is listed as shown below."
    assert (event.starts_at, event.ends_at) == ("2031-07-15T16:00:00Z", "2031-07-15T17:30:00Z")
    assert (event.timezone, event.capacity, event.facilitator.name) == (
        "Europe/Berlin",
        12,
        "Priya",
    )
    assert event.listing == models.PUBLISHED
    # Left empty: one place in line per seat, cancellable until the start.
    assert (event.waitlist_capacity, event.cancellable_until_hours) == (None, 0)
    assert "Sound Bath" in text(admin.get("/dashboard"))


def test_the_waiting_list_size_and_cancellation_window_are_set_and_changed_in_the_form(admin):
    facilitator = make_facilitator()
    form = _event_form(
        facilitator.facilitator_id, waitlist_capacity="4", cancellable_until_hours="24"
    )
    admin.submit(f"{ROOT}/events/new", f"{ROOT}/events/new", form)
    (event,) = models.Event.scan()
    assert (event.waitlist_capacity, event.cancellable_until_hours) == (4, 24)
    assert event.cancellable_until == "2031-07-14T16:00:00Z"
    edit = f"{ROOT}/events/{event.event_id}/edit"
    page = admin.get(edit)
    assert re.search(r'<input id="waitlist_capacity" [^>]*value="4"', text(page))
    assert re.search(r'<input id="cancellable_until_hours" [^>]*value="24"', text(page))

    changed = {**form, "waitlist_capacity": "0", "cancellable_until_hours": "2"}
    assert notice(admin.follow(admin.submit(edit, edit, changed))).startswith("Changes saved")
    event.refresh()
    assert (event.waitlist_capacity, event.cancellable_until) == (0, "2031-07-15T14:00:00Z")

    wrong = admin.submit(edit, edit, {**changed, "waitlist_capacity": "-1"})
    assert field_error(wrong, "waitlist_capacity") == "Enter a whole number."
    too_far = admin.submit(edit, edit, {**changed, "cancellable_until_hours": "99999"})
    assert field_error(too_far, "cancellable_until_hours").startswith("Must be greater than")


def test_a_new_event_form_shows_each_reason_next_to_its_field_and_keeps_what_was_typed(admin):
    facilitator = make_facilitator()
    form = _event_form(
        facilitator.facilitator_id,
        name="",
        starts_at="2020-01-01T10:00",
        ends_at="2019-01-01T10:00",
        capacity="0",
        timezone="Mars/Olympus",
        description="<script>alert(1)</script>",
    )
    page = admin.submit(f"{ROOT}/events/new", f"{ROOT}/events/new", form)
    assert page.status_code == 400
    assert notice(page) == "Please correct the fields marked below."
    assert field_error(page, "name") == "Fill this in."
    assert (
        field_error(page, "capacity")
        == "Must be greater than or equal to 1 and less than or equal to 100000."
    )
    assert field_error(page, "timezone") == "Not an IANA time zone, e.g. Europe/Berlin."
    assert 'aria-describedby="name-error"' in text(page) and 'aria-invalid="true"' in text(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in text(page)
    assert models.Event.count() == 0

    times = admin.submit(
        f"{ROOT}/events/new",
        f"{ROOT}/events/new",
        _event_form(
            facilitator.facilitator_id, starts_at="2020-01-01T10:00", ends_at="2019-01-01T10:00"
        ),
    )
    assert field_error(times, "starts_at") == "Must be in the future."
    assert field_error(times, "ends_at") == "Must be after the start."


def test_a_smuggled_field_is_refused_not_stored(admin):
    facilitator = make_facilitator()
    form = {**_event_form(facilitator.facilitator_id), "seats_taken": "5"}
    page = admin.submit(f"{ROOT}/events/new", f"{ROOT}/events/new", form)
    assert page.status_code == 400
    assert notice(page) == "The form was not as expected; reload the page."
    assert models.Event.count() == 0


def test_editing_changes_only_what_changed_and_says_so(admin):
    facilitator = make_facilitator()
    event = make_event(timedelta(days=-1), name="Started Already", facilitator=facilitator)
    edit = f"{ROOT}/events/{event.event_id}/edit"
    form = admin.get(edit)
    assert 'value="Started Already"' in text(form)
    typed = dict(
        re.findall(
            r'<input id="(\w+)" name="\w+" type="(?:text|number|datetime-local)" value="([^"]*)"',
            text(form),
        )
    )
    typed.update(
        description="Bring a mat.",
        kind="session",
        timezone="Europe/Berlin",
        facilitator_id=facilitator.facilitator_id,
        published="on",
    )
    # Its start is past: sending it unchanged must not trip "must be in the future".
    response = admin.submit(edit, edit, {**typed, "name": "Renamed"})
    assert notice(admin.follow(response)) == "Changes saved. Bookings already made keep their copy."
    stored = models.Event.get(event.event_id)
    assert (stored.name, stored.starts_at) == ("Renamed", event.starts_at)

    unchanged = admin.submit(edit, edit, {**typed, "name": "Renamed"})
    assert notice(admin.follow(unchanged)) == "Nothing was changed."


def test_capacity_below_the_seats_booked_is_said_next_to_the_field(admin):
    facilitator = make_facilitator()
    event = new_event(capacity=5, facilitator=facilitator)
    event.seats_taken = 3
    event.save()
    edit = f"{ROOT}/events/{event.event_id}/edit"
    form = _event_form(facilitator.facilitator_id, capacity="2", name=event.name)
    page = admin.submit(edit, edit, form)
    assert page.status_code == 409
    assert field_error(page, "capacity").startswith("3 seats are booked:")
    assert models.Event.get(event.event_id).capacity == 5


def test_unpublishing_takes_the_event_off_the_dashboard(admin):
    event = make_event(name="Going Away")
    response = admin.submit(f"{ROOT}/events", f"{ROOT}/events/{event.event_id}/unpublish", {})
    assert notice(admin.follow(response)).startswith("Event unpublished")
    assert models.Event.get(event.event_id).listing is None
    assert "Going Away" not in text(admin.get("/dashboard"))


@pytest.fixture
def booked(client):
    """Book ``event`` as a new user named ``name`` from the dashboard; the booking's id."""

    def book(event: models.Event, name: str) -> str:
        user = make_user(name=name)
        visitor = Browser(client).as_user(user)
        visitor.submit("/dashboard", "/dashboard/book", {"event_id": event.event_id})
        return models.Booking.get(user.user_id, event.event_id).booking_id

    return book


def test_attendees_are_listed_by_status_and_one_can_be_cancelled_after_a_confirmation(
    admin, booked
):
    event = make_event(name="Healing Circle", capacity=5)
    ann = booked(event, "Ann")
    booked(event, "<img src=x onerror=alert(1)>")
    page = admin.get(f"{ROOT}/events/{event.event_id}/attendees")
    assert "Confirmed (2)" in text(page) and "Cancelled (0)" in text(page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in text(page) and "<img" not in text(page)

    confirm = f"{ROOT}/events/{event.event_id}/attendees/{ann}/cancel"
    question = admin.get(confirm)
    assert "Cancel this booking?" in text(question)
    assert "Ann (" in text(question) and "Healing Circle" in text(question)
    assert seats_taken(event.event_id) == 2, "the question cancels nothing"

    response = admin.submit(confirm, confirm, {})
    after = admin.follow(response)
    assert notice(after) == "The booking is cancelled and its seat is free; the CRM is told."
    assert "Confirmed (1)" in text(after) and "Cancelled (1)" in text(after)
    assert seats_taken(event.event_id) == 1

    again = admin.get(confirm)
    assert notice(admin.follow(again)) == "This booking was already cancelled."


def test_the_waiting_are_listed_in_line_order_apart_from_confirmed_and_cancelled(admin, booked):
    event = make_event(name="Healing Circle", capacity=1)
    event.waitlist_capacity = 5
    event.save()
    booked(event, "Ann")
    for name in ("Cy", "Bo", "Di"):
        user = make_user(name=name)
        Browser(admin.client).as_user(user).submit(
            "/dashboard", "/dashboard/waitlist", {"event_id": event.event_id}
        )
    # Bo leaves and joins again: now last in line, though booked before Di.
    bo = models.Booking.get(models.Event.get(event.event_id).waitlist[1], event.event_id)
    leaver = Browser(admin.client).as_user(models.User.get(bo.user_id))
    confirmation = f"/dashboard/events/{event.event_id}/cancel"
    leaver.submit(
        confirmation, "/dashboard/cancel", {"booking_id": bo.booking_id, "leaving": "yes"}
    )
    leaver.submit("/dashboard", "/dashboard/waitlist", {"event_id": event.event_id})
    page = admin.get(f"{ROOT}/events/{event.event_id}/attendees")
    waiting = re.search(
        r'<section aria-labelledby="waiting-heading">(.*?)</section>', text(page), re.S
    )
    assert waiting and "Waiting, in order (3)" in waiting.group(1)
    rows = re.findall(r'<tr>\s*<td>(\d+)</td>\s*<th scope="row">(\w+)</th>', waiting.group(1))
    assert rows == [("1", "Cy"), ("2", "Di"), ("3", "Bo")]
    assert "Confirmed (1)" in text(page) and "Cancelled (0)" in text(page)


def test_a_booking_of_another_event_is_not_found_under_this_one(admin, booked):
    event, other = make_event(), make_event()
    booking_id = booked(other, "Ann")
    page = admin.get(f"{ROOT}/events/{event.event_id}/attendees/{booking_id}/cancel")
    assert page.status_code == 404


def test_attendees_export_as_csv_with_formulas_defused(admin, booked):
    event = make_event(name="Healing Circle")
    booked(event, "Ann")
    booked(event, '=HYPERLINK("http://evil")')
    response = admin.get(f"{ROOT}/events/{event.event_id}/attendees.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="attendees-{event.event_id}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert [row["name"] for row in rows] == ["Ann", '\'=HYPERLINK("http://evil")']
    assert {row["status"] for row in rows} == {"confirmed"}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "name",
    [
        "Ann;-2+3;@SUM(1)",
        "Bo,=1+1",
        "Cy\t+CMD",
        "Di|=DDE()",
        "Ed; @SUM(A1)",
        "Fay;Brown",
    ],
)
def test_no_cell_of_the_csv_runs_as_a_formula_whatever_separator_the_spreadsheet_uses(
    admin, booked, name
):
    # Excel in a locale whose list separator is ";" splits an unquoted line on ";" and runs
    # every part that starts with a formula character.
    event = make_event()
    booked(event, name)
    raw = text(admin.get(f"{ROOT}/events/{event.event_id}/attendees.csv"))
    data_line = raw.splitlines()[1]
    assert data_line.startswith('"') and data_line.endswith('"'), "every field is quoted"
    for separator in (",", ";", "\t", "|"):
        for row in csv.reader(io.StringIO(raw), delimiter=separator):
            for part in row:
                assert not part.lstrip(" ").startswith(FORMULA_START), (separator, part)
    (row,) = csv.DictReader(io.StringIO(raw))
    assert row["name"].replace("'", "") == name


def test_facilitators_are_created_and_edited_with_field_messages(admin):
    page = admin.submit(
        f"{ROOT}/facilitators/new", f"{ROOT}/facilitators/new", {"name": "", "crm_id": "crm_9"}
    )
    assert page.status_code == 400
    assert field_error(page, "name") == "Fill this in."
    assert 'value="crm_9"' in text(page)

    response = admin.submit(
        f"{ROOT}/facilitators/new", f"{ROOT}/facilitators/new", {"name": "Priya", "crm_id": "crm_9"}
    )
    listing = admin.follow(response)
    assert notice(listing) == "Facilitator added."
    (facilitator,) = models.Facilitator.scan()
    assert "Priya" in text(listing) and "crm_9" in text(listing)

    edit = f"{ROOT}/facilitators/{facilitator.facilitator_id}/edit"
    saved = admin.follow(admin.submit(edit, edit, {"name": "Priya", "crm_id": "crm_10"}))
    assert notice(saved).startswith("Facilitator saved.")
    assert models.Facilitator.get(facilitator.facilitator_id).crm_id == "crm_10"


def test_deliveries_are_listed_by_state_with_the_error_redacted_and_failed_ones_replayed(admin):
    failed = make_delivery(
        models.FAILED,
        last_error="ConnectionError: http://crm.example.com/hooks/s3cr3t-token?key=abc refused",
        event_name="<script>alert(1)</script>",
    )
    make_delivery(models.DELIVERED, last_error=None)
    page = admin.get(f"{ROOT}/webhooks")
    assert "Failed deliveries" in text(page)
    assert failed.delivery_id in text(page)
    assert "http://crm.example.com/… refused" in text(page)
    assert "s3cr3t" not in text(page) and "key=abc" not in text(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(page)
    assert "<dt>Attempts</dt><dd>7</dd>" in text(page)
    assert "<dt>Last status</dt><dd>503</dd>" in text(page)
    assert f'aria-label="Replay delivery {failed.delivery_id}"' in text(page)
    delivered = admin.get(f"{ROOT}/webhooks?state=delivered")
    assert "Replay" not in text(delivered).split("</nav>", 2)[-1]

    response = admin.submit(f"{ROOT}/webhooks", f"{ROOT}/webhooks/{failed.delivery_id}/replay", {})
    assert notice(admin.follow(response)).startswith("Delivery queued")
    assert models.WebhookDelivery.get(failed.delivery_id).state == models.PENDING
    pending = admin.get(f"{ROOT}/webhooks?state=pending")
    assert failed.delivery_id in text(pending)


def test_replaying_an_unknown_delivery_says_so(admin):
    unknown = SAMPLE_IDS["delivery_id"]
    response = admin.submit(f"{ROOT}/webhooks", f"{ROOT}/webhooks/{unknown}/replay", {})
    assert notice(admin.follow(response)) == "That webhook delivery no longer exists."


@pytest.mark.parametrize("malformed", ["x" * 3000, "not-a-delivery", "01.booking.nothing"])
def test_replaying_a_malformed_delivery_id_says_it_no_longer_exists_without_a_lookup(
    admin, malformed
):
    # A key over DynamoDB's 2 KB limit was a 500; no id of another shape names a delivery.
    admin.get(f"{ROOT}/webhooks")
    with count_dynamodb_calls() as calls:
        response = admin.submit(f"{ROOT}/webhooks", f"{ROOT}/webhooks/{malformed}/replay", {})
    assert response.status_code == 303
    # (submit reads the form's page first: its Query and BatchGetItem)
    assert "UpdateItem" not in calls and "GetItem" not in calls
    assert notice(admin.follow(response)) == "That webhook delivery no longer exists."


def test_the_events_list_is_one_scan_and_my_bookings_one_query(admin):
    make_event()
    admin.get("/dashboard")
    with count_dynamodb_calls() as calls:
        assert admin.get(f"{ROOT}/events").status_code == 200
    assert calls == {"BatchGetItem": 1, "Scan": 1}
    with count_dynamodb_calls() as calls:
        assert admin.get("/dashboard/bookings").status_code == 200
    assert calls == {"BatchGetItem": 1, "Query": 1}
