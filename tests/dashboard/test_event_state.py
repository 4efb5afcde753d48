"""Where the caller stands with an event: the one function every card and event page asks,
and the words for times and lengths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.web import event_state, when
from chalicelib.web.event_state import state_of

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EVENT = {
    "id": "E1",
    "starts_at": "2026-12-05T18:00:00Z",
    "ends_at": "2026-12-05T20:00:00Z",
    "seats_left": 3,
    "waitlist_count": 0,
    "waitlist_capacity": 3,
}


def booking(status: str, **more) -> dict:
    return {"booking_id": "B1", "status": status, **more}


def test_an_event_with_seats_offers_book_and_says_how_many():
    state = state_of(EVENT, None, NOW)
    assert (state.key, state.label, state.action) == ("open", "3 seats left", "book")
    assert state_of({**EVENT, "seats_left": 1}, None, NOW).label == "1 seat left"


def test_a_confirmed_booking_is_booked_with_cancel():
    state = state_of(EVENT, booking("confirmed"), NOW)
    assert (state.key, state.label, state.action, state.booking_id) == (
        "booked",
        "Booked ✓",
        "cancel",
        "B1",
    )


def test_a_cancelled_booking_is_as_none_so_the_seat_can_be_booked_again():
    assert state_of(EVENT, booking("cancelled"), NOW) == state_of(EVENT, None, NOW)


def test_no_seats_left_offers_the_waiting_list():
    state = state_of({**EVENT, "seats_left": 0}, None, NOW)
    assert (state.key, state.label, state.action) == (
        "full",
        "Full — join the waiting list",
        "join",
    )


def test_a_full_list_offers_nothing_to_join():
    full = {**EVENT, "seats_left": 0, "waitlist_count": 3}
    state = state_of(full, None, NOW)
    assert (state.key, state.label, state.action) == (
        "waitlist_full",
        "Full — the waiting list is full too",
        None,
    )
    assert state_of({**full, "waitlist_capacity": 4}, None, NOW).action == "join"


def test_a_waiting_booking_shows_its_position_and_offers_leave():
    event = {**EVENT, "seats_left": 0, "waitlist_count": 3, "waitlist_position": 3}
    state = state_of(event, booking("waitlisted"), NOW)
    assert (state.key, state.label, state.action, state.position) == (
        "waitlisted",
        "On the waiting list — position 3",
        "leave",
        3,
    )


def test_a_started_event_is_closed_for_booking_even_with_seats():
    started = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
    state = state_of(EVENT, None, started)
    assert (state.key, state.label, state.action) == ("booking_closed", "Booking closed", None)


@pytest.mark.parametrize(
    ("hours", "now", "key"),
    [
        (0, datetime(2026, 12, 5, 17, 59, tzinfo=UTC), "booked"),
        (0, datetime(2026, 12, 5, 18, 0, tzinfo=UTC), "cancellation_closed"),
        (24, datetime(2026, 12, 4, 17, 59, tzinfo=UTC), "booked"),
        (24, datetime(2026, 12, 4, 18, 0, tzinfo=UTC), "cancellation_closed"),
    ],
)
def test_cancellation_closes_the_window_before_the_start(hours, now, key):
    event = {**EVENT, "cancellable_until_hours": hours}
    state = state_of(event, booking("confirmed"), now)
    assert state.key == key
    if key == event_state.CANCELLATION_CLOSED:
        assert (state.label, state.action) == ("Booked ✓", None)
        assert state.note in ("Cancellation closed.", "This event has started.")


def test_an_event_without_a_window_may_be_cancelled_until_it_starts():
    assert event_state.cancellation_deadline(EVENT) == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "zone", "length"),
    [
        ("2026-12-05T18:00:00Z", "2026-12-05T18:45:00Z", "UTC", "45 minutes"),
        ("2026-12-05T18:00:00Z", "2026-12-05T19:00:00Z", "UTC", "1 hour"),
        ("2026-12-05T18:00:00Z", "2026-12-05T20:00:00Z", "UTC", "2 hours"),
        ("2026-12-05T18:00:00Z", "2026-12-05T19:30:00Z", "UTC", "1 hour 30 minutes"),
        # 08:00 on Friday to 17:00 on Sunday in Kolkata: three days of retreat.
        ("2026-12-04T02:30:00Z", "2026-12-06T11:30:00Z", "Asia/Kolkata", "3 days"),
    ],
)
def test_lengths_read_as_people_say_them(starts_at, ends_at, zone, length):
    assert when.duration(starts_at, ends_at, zone) == length


def test_a_span_names_the_end_date_only_when_it_is_another_day():
    assert when.span("2026-12-05T17:30:00Z", "2026-12-05T19:30:00Z", "Europe/Berlin") == (
        "Sat 5 Dec 2026, 18:30\u201320:30 CET"
    )
    assert when.span("2026-12-04T02:30:00Z", "2026-12-06T11:30:00Z", "Asia/Kolkata") == (
        "Fri 4 Dec 2026, 08:00 IST \u2013 Sun 6 Dec 2026, 17:00 IST"
    )


def test_an_event_taken_off_the_listing_offers_nothing_but_a_held_booking_can_still_go():
    hidden = {**EVENT, "published": False}
    assert (state_of(hidden, None, NOW).key, state_of(hidden, None, NOW).action) == (
        "unlisted",
        None,
    )
    assert state_of(hidden, booking("confirmed"), NOW).action == "cancel"
