"""POST /bookings/{booking_id}/move: a booking of a drop-in series moves to another date in
one transaction, or nothing changes."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import models
from local.call_counter import count_dynamodb_calls
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    book_series,
    headers_for,
    join_waitlist,
    make_event,
    make_series_events,
    make_user,
    make_users,
    move,
    seats_taken,
)
from tests.support.relays import wait_for
from tests.support.storms import answer


def booking_of(user, event):
    return models.Booking.get(user.user_id, event.event_id, consistent_read=True)


def booked(client, user, event):
    response = book(client, user, event.event_id)
    assert response.status_code == 201, response.body
    return body(response)["booking_id"]


def test_a_move_cancels_the_old_date_and_books_the_new_one(client):
    _, dates = make_series_events(3, capacity=2)
    user = make_user()
    booking_id = booked(client, user, dates[0])

    response = move(client, user, booking_id, dates[2].event_id)

    assert response.status_code == 200, response.body
    moved = body(response)
    assert moved["status"] == "confirmed"
    assert moved["event"]["id"] == dates[2].event_id
    assert moved["booking_id"] != booking_id
    old = booking_of(user, dates[0])
    assert (old.status, old.cancel_reason) == ("cancelled", models.REASON_MOVED)
    assert booking_of(user, dates[2]).booking_id == moved["booking_id"]
    assert [seats_taken(d.event_id) for d in dates] == [0, 0, 1]


def test_the_freed_seat_goes_to_the_first_in_that_dates_line(client):
    _, dates = make_series_events(2, capacity=1)
    dates[0].update(actions=[models.Event.waitlist_capacity.set(2)])
    mover, first, second = make_users(3)
    booking_id = booked(client, mover, dates[0])
    join_waitlist(client, first, dates[0].event_id)
    join_waitlist(client, second, dates[0].event_id)

    assert move(client, mover, booking_id, dates[1].event_id).status_code == 200

    assert booking_of(first, dates[0]).status == "confirmed"
    assert booking_of(second, dates[0]).status == "waitlisted"
    old_date = models.Event.get(dates[0].event_id, consistent_read=True)
    assert (old_date.seats_taken, old_date.waitlist) == (1, [second.user_id])


def test_a_move_to_a_full_date_is_409_and_changes_nothing(client):
    _, dates = make_series_events(2, capacity=1)
    user, other = make_users(2)
    booking_id = booked(client, user, dates[0])
    booked(client, other, dates[1])

    assert error_of(move(client, user, booking_id, dates[1].event_id), 409)["code"] == "event_full"

    assert booking_of(user, dates[0]).status == "confirmed"
    assert [seats_taken(d.event_id) for d in dates] == [1, 1]


def test_a_move_to_a_date_someone_waits_for_is_409_event_full(client):
    _, dates = make_series_events(2, capacity=2)
    user, waiting = make_users(2)
    booking_id = booked(client, user, dates[0])
    dates[1].update(actions=[models.Event.seats_taken.set(2)])
    join_waitlist(client, waiting, dates[1].event_id)
    dates[1].update(actions=[models.Event.seats_taken.set(1)])

    assert error_of(move(client, user, booking_id, dates[1].event_id), 409)["code"] == "event_full"
    assert booking_of(user, dates[0]).status == "confirmed"


def test_a_move_past_the_old_dates_window_is_409_cancellation_closed(client):
    _, dates = make_series_events(2)
    user = make_user()
    booking_id = booked(client, user, dates[0])
    dates[0].update(actions=[models.Event.cancellable_until.set("2000-01-01T00:00:00Z")])

    error = error_of(move(client, user, booking_id, dates[1].event_id), 409)

    assert error["code"] == "cancellation_closed"
    assert booking_of(user, dates[0]).status == "confirmed"
    assert [seats_taken(d.event_id) for d in dates] == [1, 0]


def test_a_move_to_a_started_date_is_409_event_started(client):
    _, dates = make_series_events(2, first_in=timedelta(days=-1))
    user = make_user()
    booking_id = booked(client, user, dates[1])

    error = error_of(move(client, user, booking_id, dates[0].event_id), 409)

    assert error["code"] == "event_started"
    assert booking_of(user, dates[1]).status == "confirmed"


def test_a_move_to_another_series_or_no_series_or_the_same_date_is_400_naming_event_id(client):
    _, dates = make_series_events(2)
    _, elsewhere = make_series_events(1)
    lone = make_event()
    user = make_user()
    booking_id = booked(client, user, dates[0])

    for target in (elsewhere[0], lone, dates[0]):
        error = error_of(move(client, user, booking_id, target.event_id), 400)
        assert set(error["fields"]) == {"event_id"}
    assert booking_of(user, dates[0]).status == "confirmed"


def test_a_move_to_a_date_already_held_is_409_already_booked(client):
    _, dates = make_series_events(2)
    user = make_user()
    booking_id = booked(client, user, dates[0])
    booked(client, user, dates[1])

    error = error_of(move(client, user, booking_id, dates[1].event_id), 409)

    assert error["code"] == "already_booked"
    assert [seats_taken(d.event_id) for d in dates] == [1, 1]


def test_only_the_owner_moves_and_only_a_drop_in_booking(client):
    _, dates = make_series_events(2)
    series_id, course = make_series_events(2, models.COURSE)
    user, stranger = make_users(2)
    booking_id = booked(client, user, dates[0])
    course_booking = body(book_series(client, user, series_id))["bookings"][0]["booking_id"]
    lone_booking = booked(client, user, make_event())

    error_of(move(client, stranger, booking_id, dates[1].event_id), 404)
    refused = move(client, user, course_booking, course[1].event_id)
    assert error_of(refused, 409)["code"] == "not_movable"
    refused = move(client, user, lone_booking, dates[1].event_id)
    assert error_of(refused, 409)["code"] == "not_movable"


def test_a_cancelled_booking_cannot_be_moved(client):
    _, dates = make_series_events(2)
    user = make_user()
    booking_id = booked(client, user, dates[0])
    client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))

    assert error_of(move(client, user, booking_id, dates[1].event_id), 409)["code"] == "not_movable"
    assert seats_taken(dates[1].event_id) == 0


def test_twenty_users_moving_into_the_last_seat_leave_one_winner(concurrent_client):
    _, dates = make_series_events(2, capacity=20)
    users = make_users(20)
    held = {user.user_id: booked(concurrent_client, user, dates[0]) for user in users}
    dates[1].update(actions=[models.Event.seats_taken.set(19)])
    start = threading.Barrier(20)

    def attempt(user):
        start.wait()
        return answer(move(concurrent_client, user, held[user.user_id], dates[1].event_id))

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = Counter(pool.map(attempt, users))

    assert answers[200] == 1, answers
    assert set(answers) <= {200, (409, "event_full"), (409, "try_again")}, answers
    assert seats_taken(dates[1].event_id) == 20
    assert seats_taken(dates[0].event_id) == 19
    statuses = Counter(booking_of(user, dates[0]).status for user in users)
    # The losers keep their old booking.
    assert statuses == {"confirmed": 19, "cancelled": 1}


def test_a_move_sends_the_old_bookings_cancellation_and_the_new_ones_confirmation(
    client, relays, crm
):
    relays.start()
    _, dates = make_series_events(2)
    user = make_user()
    booking_id = booked(client, user, dates[0])

    new_id = body(move(client, user, booking_id, dates[1].event_id))["booking_id"]

    expected = {f"{booking_id}.booking.cancelled", f"{new_id}.booking.confirmed"}
    assert wait_for(lambda: expected <= {d["webhook_id"] for d in crm.deliveries}, timeout=10)
    [cancelled] = [
        d for d in crm.deliveries if d["webhook_id"] == f"{booking_id}.booking.cancelled"
    ]
    assert cancelled["payload"]["event"]["id"] == dates[0].event_id
    assert cancelled["payload"]["reason"] == "moved"
    # Both writes counted a revision: the calendar SEQUENCE of each rises.
    assert models.Booking.get(user.user_id, dates[0].event_id).revision == 2
    assert models.Booking.get(user.user_id, dates[1].event_id).revision == 1


def test_a_move_costs_four_calls(client):
    _, dates = make_series_events(2)
    user = make_user()
    booking_id = booked(client, user, dates[0])

    with count_dynamodb_calls() as calls:
        assert move(client, user, booking_id, dates[1].event_id).status_code == 200

    assert dict(calls) == {"BatchGetItem": 2, "Query": 1, "TransactWriteItems": 1}
