"""The dashboard's series page: its dates, each in the state its card shows, and the one
button that books them all (drop-in) or the course."""

from __future__ import annotations

import re
from datetime import timedelta

from chalicelib import clock, models
from tests.dashboard.test_pages import notice
from tests.support.browser import Browser, text
from tests.support.factories import make_event, make_series_events, make_user, seats_taken


def series_path(series_id: str) -> str:
    return f"/dashboard/series/{series_id}"


def test_an_occurrence_card_and_its_event_page_link_to_the_series(browser):
    series_id, occurrences = make_series_events(2, name="Evening Flow")
    browser.as_user(make_user())
    link = f'href="{series_path(series_id)}">Evening Flow</a>'
    assert link in text(browser.get("/dashboard"))
    assert link in text(browser.get(f"/dashboard/events/{occurrences[0].event_id}"))


def test_book_all_dates_books_every_date_with_a_seat_and_says_where_each_stands(browser):
    series_id, occurrences = make_series_events(3, capacity=1)
    other = Browser(browser.client).as_user(make_user(name="Bo"))
    other.submit(
        f"/dashboard/events/{occurrences[1].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[1].event_id},
    )
    browser.as_user(make_user(name="Ann"))
    page = browser.get(series_path(series_id))
    assert "Book all dates" in text(page)
    assert "Join the waiting list where full" in text(page)

    page = browser.follow(
        browser.submit(series_path(series_id), series_path(series_id) + "/book", {})
    )

    assert "the dates of Evening Flow that had room are yours" in notice(page)
    assert "you are booked for 2, on the waiting list for 0, and 1 is not yours" in text(page)
    assert [seats_taken(event.event_id) for event in occurrences] == [1, 1, 1]


def test_book_all_dates_with_the_waiting_list_box_joins_the_line_where_full(browser):
    series_id, _ = make_series_events(2, capacity=1)
    other = Browser(browser.client).as_user(make_user(name="Bo"))
    other.submit(series_path(series_id), series_path(series_id) + "/book", {})
    browser.as_user(make_user(name="Ann"))

    page = browser.follow(
        browser.submit(
            series_path(series_id), series_path(series_id) + "/book", {"waitlist": "yes"}
        )
    )

    assert "you are booked for 0, on the waiting list for 2" in text(page)
    assert text(page).count("On the waiting list — position 1") == 2


def test_a_course_is_booked_whole_or_its_full_date_is_said_in_words(browser):
    series_id, _ = make_series_events(2, models.COURSE, capacity=1)
    browser.as_user(make_user(name="Ann"))
    assert "Book the course" in text(browser.get(series_path(series_id)))
    page = browser.follow(
        browser.submit(series_path(series_id), series_path(series_id) + "/book", {})
    )
    assert "you are booked for 2" in text(page)

    other = Browser(browser.client).as_user(make_user(name="Bo"))
    page = other.follow(other.submit(series_path(series_id), series_path(series_id) + "/book", {}))
    assert "just filled up" in notice(page)
    assert "you are booked for 0" in text(page)


def test_a_series_with_no_dates_to_come_is_a_404_page(browser):
    series_id, _ = make_series_events(1, first_in=timedelta(days=-1))
    browser.as_user(make_user())
    assert browser.get(series_path(series_id)).status_code == 404


def book_all(browser: Browser, series_id: str) -> None:
    browser.follow(browser.submit(series_path(series_id), series_path(series_id) + "/book", {}))


def booking_id_of(user: models.User, event_id: str) -> str:
    return models.Booking.get(user.user_id, event_id).booking_id


def test_a_drop_in_booking_moves_to_another_date_with_a_seat_from_its_event_page(browser):
    _, occurrences = make_series_events(3, capacity=1)
    Browser(browser.client).as_user(make_user(name="Bo")).submit(
        f"/dashboard/events/{occurrences[2].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[2].event_id},
    )
    ann = make_user(name="Ann")
    browser.as_user(ann)
    browser.submit(
        f"/dashboard/events/{occurrences[0].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[0].event_id},
    )
    booking_id = booking_id_of(ann, occurrences[0].event_id)
    event_page = text(browser.get(f"/dashboard/events/{occurrences[0].event_id}"))
    move_path = f"/dashboard/bookings/{booking_id}/move"
    assert f'href="{move_path}">Move to another date</a>' in event_page

    page = text(browser.get(move_path))
    # The full third date is not offered; only the second, which has a seat.
    assert f'value="{occurrences[1].event_id}"' in page
    assert f'value="{occurrences[2].event_id}"' not in page

    page = browser.follow(
        browser.submit(move_path, move_path, {"event_id": occurrences[1].event_id})
    )

    assert "booked for Evening Flow on this date instead" in notice(page)
    assert [seats_taken(event.event_id) for event in occurrences] == [0, 1, 1]


def test_a_move_to_a_date_that_filled_meanwhile_says_so_and_changes_nothing(browser):
    _, occurrences = make_series_events(2, capacity=1)
    ann = make_user(name="Ann")
    browser.as_user(ann)
    browser.submit(
        f"/dashboard/events/{occurrences[0].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[0].event_id},
    )
    move_path = f"/dashboard/bookings/{booking_id_of(ann, occurrences[0].event_id)}/move"
    Browser(browser.client).as_user(make_user(name="Bo")).submit(
        f"/dashboard/events/{occurrences[1].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[1].event_id},
    )

    page = browser.follow(
        browser.submit(move_path, move_path, {"event_id": occurrences[1].event_id})
    )

    assert "just filled up" in notice(page)
    assert "No other date of this series has a seat free right now." in text(page)
    assert [seats_taken(event.event_id) for event in occurrences] == [1, 1]


def test_a_booking_past_its_cancellation_window_cannot_be_moved_and_the_page_says_why(browser):
    _, occurrences = make_series_events(2, first_in=timedelta(hours=2))
    for event in occurrences:
        closed_since = clock.to_iso(clock.parse_iso(event.starts_at) - timedelta(hours=24))
        event.update(
            actions=[
                models.Event.cancellable_until_hours.set(24),
                models.Event.cancellable_until.set(closed_since),
            ]
        )
    ann = make_user(name="Ann")
    browser.as_user(ann)
    browser.submit(
        f"/dashboard/events/{occurrences[0].event_id}",
        "/dashboard/book",
        {"event_id": occurrences[0].event_id},
    )
    move_path = f"/dashboard/bookings/{booking_id_of(ann, occurrences[0].event_id)}/move"
    assert "can no longer be moved" in text(browser.get(move_path))


def test_a_course_booking_has_no_move_and_its_move_page_sends_back_with_a_notice(browser):
    series_id, occurrences = make_series_events(2, models.COURSE)
    ann = make_user(name="Ann")
    browser.as_user(ann)
    book_all(browser, series_id)
    event_page = text(browser.get(f"/dashboard/events/{occurrences[0].event_id}"))
    assert "Move to another date" not in event_page
    move_path = f"/dashboard/bookings/{booking_id_of(ann, occurrences[0].event_id)}/move"
    page = browser.follow(browser.get(move_path))
    assert "can be moved" in notice(page)


def test_my_bookings_offers_a_move_on_drop_in_dates_only(browser):
    _, drop_in = make_series_events(2, name="Evening Flow")
    _, course = make_series_events(2, models.COURSE, name="Eight Weeks")
    one_off = make_event(name="Morning Yoga")
    ann = make_user(name="Ann")
    browser.as_user(ann)
    for event in (drop_in[0], one_off):
        browser.submit("/dashboard", "/dashboard/book", {"event_id": event.event_id})
    book_all(browser, course[0].series.id)

    page = text(browser.get("/dashboard/bookings"))

    moves = re.findall(r'href="/dashboard/bookings/(\w+)/move"', page)
    assert moves == [booking_id_of(ann, drop_in[0].event_id)]
