"""POST /series/{series_id}/bookings (a drop-in series date by date, a course all at once),
course_only on a single date, and cancelling a course, as a user sees them."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import models
from local.call_counter import count_dynamodb_calls
from tests.support.api import body, post_json
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    book_series,
    headers_for,
    join_waitlist,
    make_admin,
    make_series_events,
    make_user,
    make_users,
    seats_taken,
)
from tests.support.relays import wait_for
from tests.support.storms import answer


def fill(event, seats=None):
    event.update(actions=[models.Event.seats_taken.set(event.capacity if seats is None else seats)])


def booking_of(user, event):
    try:
        return models.Booking.get(user.user_id, event.event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        return None


def cancel(client, user, booking_id):
    return client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))


# --- Drop-in ---


def test_drop_in_books_every_upcoming_date_and_skips_the_full_ones(client):
    series_id, dates = make_series_events(4, capacity=2)
    fill(dates[1])
    user = make_user()

    response = book_series(client, user, series_id)

    assert response.status_code == 201, response.body
    answer_ = body(response)
    assert [b["event_id"] for b in answer_["bookings"]] == [
        dates[0].event_id,
        dates[2].event_id,
        dates[3].event_id,
    ]
    assert {b["status"] for b in answer_["bookings"]} == {"confirmed"}
    assert answer_["skipped"] == [{"event_id": dates[1].event_id, "code": "event_full"}]
    assert [seats_taken(d.event_id) for d in dates] == [1, 2, 1, 1]
    assert booking_of(user, dates[1]) is None


def test_drop_in_with_waitlist_joins_the_line_where_full(client):
    series_id, dates = make_series_events(3, capacity=1)
    fill(dates[0])
    fill(dates[2])
    dates[2].update(actions=[models.Event.waitlist_capacity.set(0)])
    user = make_user()

    response = book_series(client, user, series_id, waitlist=True)

    assert response.status_code == 201, response.body
    answer_ = body(response)
    assert [(b["event_id"], b["status"]) for b in answer_["bookings"]] == [
        (dates[0].event_id, "waitlisted"),
        (dates[1].event_id, "confirmed"),
    ]
    assert answer_["skipped"] == [{"event_id": dates[2].event_id, "code": "waitlist_full"}]
    line = models.Event.get(dates[0].event_id, consistent_read=True).waitlist
    assert line == [user.user_id]


def test_drop_in_skips_started_and_unpublished_dates_and_already_held_ones(client):
    series_id, dates = make_series_events(3, first_in=timedelta(days=-1))
    dates[2].update(actions=[models.Event.listing.remove()])
    user = make_user()
    book(client, user, dates[1].event_id)

    answer_ = body(book_series(client, user, series_id))

    # The started date and the unpublished one are not upcoming dates of the series at all.
    assert answer_ == {
        "bookings": [],
        "skipped": [{"event_id": dates[1].event_id, "code": "already_booked"}],
    }


def test_drop_in_repeated_with_its_idempotency_key_answers_the_same_bookings(client):
    series_id, _ = make_series_events(3)
    user = make_user()
    headers = {**headers_for(user), "Idempotency-Key": "series-1"}

    first = post_json(client, f"/series/{series_id}/bookings", {}, headers)
    again = post_json(client, f"/series/{series_id}/bookings", {}, headers)

    assert first.status_code == again.status_code == 201
    assert body(first) == body(again)
    assert len(body(first)["bookings"]) == 3


def test_unknown_series_is_404(client):
    series_id, _ = make_series_events(1, first_in=timedelta(days=-1))

    error_of(book_series(client, make_user(), series_id), 404)


# --- Course ---


def test_course_books_every_date_in_one_go(client):
    series_id, dates = make_series_events(6, models.COURSE, capacity=3)
    user = make_user()

    response = book_series(client, user, series_id)

    assert response.status_code == 201, response.body
    answer_ = body(response)
    assert [b["event_id"] for b in answer_["bookings"]] == [d.event_id for d in dates]
    assert answer_["skipped"] == []
    assert all(seats_taken(d.event_id) == 1 for d in dates)
    assert {booking_of(user, d).course_series_id for d in dates} == {series_id}


def test_course_with_a_full_date_books_nothing_and_names_that_date(client):
    series_id, dates = make_series_events(4, models.COURSE, capacity=2)
    fill(dates[2])
    user = make_user()

    error = error_of(book_series(client, user, series_id), 409)

    assert error["code"] == "event_full"
    assert dates[2].starts_at in error["message"]
    assert [seats_taken(d.event_id) for d in dates] == [0, 0, 2, 0]
    assert all(booking_of(user, d) is None for d in dates)


def test_course_booked_twice_is_409_already_booked(client):
    series_id, dates = make_series_events(3, models.COURSE)
    user = make_user()
    assert book_series(client, user, series_id).status_code == 201

    assert error_of(book_series(client, user, series_id), 409)["code"] == "already_booked"
    assert all(seats_taken(d.event_id) == 1 for d in dates)


def test_course_repeated_with_its_idempotency_key_answers_201_again(client):
    series_id, dates = make_series_events(3, models.COURSE)
    user = make_user()
    headers = {**headers_for(user), "Idempotency-Key": "course-1"}

    first = post_json(client, f"/series/{series_id}/bookings", {}, headers)
    again = post_json(client, f"/series/{series_id}/bookings", {}, headers)

    assert first.status_code == again.status_code == 201
    assert body(first) == body(again)
    assert all(seats_taken(d.event_id) == 1 for d in dates)


def test_course_longer_than_the_setting_is_409_course_too_long(client, configure):
    configure(COURSE_MAX_OCCURRENCES=3)
    series_id, dates = make_series_events(4, models.COURSE)

    error = error_of(book_series(client, make_user(), series_id), 409)

    assert error["code"] == "course_too_long"
    assert all(seats_taken(d.event_id) == 0 for d in dates)


def test_fifty_dates_are_one_transaction_of_a_hundred_items(client):
    series_id, dates = make_series_events(50, models.COURSE, every=timedelta(days=1))

    response = book_series(client, make_user(), series_id)

    assert response.status_code == 201, response.body
    assert len(body(response)["bookings"]) == 50
    assert all(seats_taken(d.event_id) == 1 for d in dates)


def test_a_single_booking_or_join_of_a_course_date_is_409_course_only(client):
    series_id, dates = make_series_events(2, models.COURSE, capacity=1)
    user = make_user()

    refused = error_of(book(client, user, dates[0].event_id), 409)
    assert refused["code"] == "course_only"
    assert f"/series/{series_id}/bookings" in refused["message"]
    fill(dates[1])
    assert error_of(join_waitlist(client, user, dates[1].event_id), 409)["code"] == "course_only"
    assert seats_taken(dates[0].event_id) == 0


def test_cancelling_one_date_of_a_course_cancels_every_date(client, relays, crm):
    relays.start()
    series_id, dates = make_series_events(3, models.COURSE)
    user = make_user()
    made = body(book_series(client, user, series_id))["bookings"]

    response = cancel(client, user, made[1]["booking_id"])

    assert response.status_code == 200, response.body
    assert body(response)["status"] == "cancelled"
    assert [booking_of(user, d).status for d in dates] == ["cancelled"] * 3
    assert all(seats_taken(d.event_id) == 0 for d in dates)
    cancelled = {f"{b['booking_id']}.booking.cancelled" for b in made}
    assert wait_for(lambda: cancelled <= {d["webhook_id"] for d in crm.deliveries}, timeout=10)


def test_a_course_is_cancelled_only_within_its_first_dates_window(client):
    series_id, dates = make_series_events(3, models.COURSE)
    user = make_user()
    made = body(book_series(client, user, series_id))["bookings"]
    # The first date's window closed an hour ago; the later dates' are still open.
    dates[0].update(actions=[models.Event.cancellable_until.set("2000-01-01T00:00:00Z")])

    error = error_of(cancel(client, user, made[2]["booking_id"]), 409)

    assert error["code"] == "cancellation_closed"
    assert [booking_of(user, d).status for d in dates] == ["confirmed"] * 3
    assert all(seats_taken(d.event_id) == 1 for d in dates)


def test_an_admin_cancels_a_course_past_its_window(client):
    series_id, dates = make_series_events(2, models.COURSE)
    user = make_user()
    made = body(book_series(client, user, series_id))["bookings"]
    dates[0].update(actions=[models.Event.cancellable_until.set("2000-01-01T00:00:00Z")])

    response = cancel(client, make_admin(), made[0]["booking_id"])

    assert response.status_code == 200, response.body
    assert [booking_of(user, d).status for d in dates] == ["cancelled"] * 2


def test_a_course_booked_again_after_cancelling_is_one_course(client):
    series_id, dates = make_series_events(2, models.COURSE)
    user = make_user()
    first = body(book_series(client, user, series_id))["bookings"]
    assert cancel(client, user, first[0]["booking_id"]).status_code == 200

    again = body(book_series(client, user, series_id))["bookings"]
    assert cancel(client, user, again[1]["booking_id"]).status_code == 200

    assert [booking_of(user, d).status for d in dates] == ["cancelled"] * 2
    assert all(seats_taken(d.event_id) == 0 for d in dates)


def test_ten_users_racing_for_the_last_seat_of_a_six_date_course_leave_one_course(
    concurrent_client,
):
    series_id, dates = make_series_events(6, models.COURSE, capacity=3)
    fill(dates[4], seats=2)
    for date in dates[:4] + dates[5:]:
        fill(date, seats=1)
    users = make_users(10)
    start = threading.Barrier(10)

    def attempt(user):
        start.wait()
        return answer(book_series(concurrent_client, user, series_id))

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = Counter(pool.map(attempt, users))

    assert answers[201] == 1, answers
    assert sum(answers.values()) == 10
    assert set(answers) <= {201, (409, "event_full"), (409, "try_again")}, answers
    assert seats_taken(dates[4].event_id) == 3
    assert all(seats_taken(d.event_id) == 2 for d in dates[:4] + dates[5:])
    holders = Counter(
        b.user_id
        for d in dates
        for b in models.Booking.by_event.query(d.event_id)
        if b.status == models.CONFIRMED
    )
    # Nobody holds part of a course: the winner holds all six dates, nobody else any.
    assert list(holders.values()) == [6]


def test_a_course_costs_three_calls_to_book_and_four_to_cancel(client):
    series_id, _ = make_series_events(12, models.COURSE)
    user = make_user()

    with count_dynamodb_calls() as booking_calls:
        made = body(book_series(client, user, series_id))["bookings"]
    with count_dynamodb_calls() as cancelling_calls:
        assert cancel(client, user, made[5]["booking_id"]).status_code == 200

    assert dict(booking_calls) == {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1}
    assert dict(cancelling_calls) == {"BatchGetItem": 1, "Query": 2, "TransactWriteItems": 1}


def test_a_drop_in_series_books_at_most_series_booking_concurrency_dates_at_once(
    client, configure, monkeypatch
):
    from chalicelib.bookings import series_bookings

    threads_used: set[str] = set()
    real_book = series_bookings.book

    def recorded(*args, **kwargs):
        threads_used.add(threading.current_thread().name)
        return real_book(*args, **kwargs)

    monkeypatch.setattr(series_bookings, "book", recorded)
    for concurrency, user in ((1, "Una"), (3, "Tri")):
        configure(SERIES_BOOKING_CONCURRENCY=concurrency)
        threads_used.clear()
        series_id, _ = make_series_events(8)
        response = book_series(client, make_user(name=user), series_id)
        assert len(body(response)["bookings"]) == 8
        # At 1, a single worker thread books every date, one after the other.
        assert 1 <= len(threads_used) <= concurrency
