"""Real threads against DynamoDB Local: the guarantees hold when requests arrive at once."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from chalicelib import models
from tests.support.api import body
from tests.support.factories import (
    book,
    headers_for,
    make_event,
    make_user,
    make_users,
    seats_taken,
)
from tests.support.storms import WAVE, answer, storm_while_sampling


def confirmed_bookings(event_id):
    return [
        booking
        for booking in models.Booking.scan(
            models.Booking.event_id == event_id, consistent_read=True
        )
        if booking.status == models.CONFIRMED
    ]


def test_thirty_simultaneous_bookings_by_one_user_give_one_seat(concurrent_client):
    event = make_event(capacity=50)
    user = make_user()
    start = threading.Barrier(30)

    def attempt(_):
        start.wait()
        return answer(book(concurrent_client, user, event.event_id))

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = Counter(pool.map(attempt, range(30)))

    assert answers == {201: 1, (409, "already_booked"): 29}
    mine = concurrent_client.http.get("/bookings/my", headers=headers_for(user))
    assert len(body(mine)["bookings"]) == 1
    assert seats_taken(event.event_id) == 1


def test_two_hundred_users_racing_for_the_last_seat_leave_one_winner(concurrent_client):
    event = make_event(capacity=5)
    event.update(actions=[models.Event.seats_taken.set(4)])
    users = make_users(200)
    start = threading.Barrier(WAVE)

    def attempt(user):
        start.wait()
        return answer(book(concurrent_client, user, event.event_id))

    with ThreadPoolExecutor(max_workers=WAVE) as pool:
        answers = Counter(pool.map(attempt, users))

    assert answers == {201: 1, (409, "event_full"): 199}
    assert seats_taken(event.event_id) == 5
    assert len(confirmed_bookings(event.event_id)) == 1


def test_a_storm_of_bookings_and_cancellations_keeps_the_seat_count_true(concurrent_client):
    capacity = 8
    event = make_event(capacity=capacity)
    users = make_users(WAVE)

    def storm(user):
        rng = random.Random(user.user_id)
        booking_id = None
        answers = []
        for _ in range(6):
            if booking_id and rng.random() < 0.6:
                response = concurrent_client.http.delete(
                    f"/bookings/{booking_id}", headers=headers_for(user)
                )
                booking_id = None
            else:
                response = book(concurrent_client, user, event.event_id)
                if response.status_code == 201:
                    booking_id = body(response)["booking_id"]
            answers.append(answer(response))
        return answers

    answers, highest_seen = storm_while_sampling(storm, users, lambda: seats_taken(event.event_id))

    assert set(answers) <= {201, 200, (409, "event_full"), (409, "already_booked")}
    assert answers[201] > capacity and answers[200] > 0, answers  # seats really changed hands
    final = seats_taken(event.event_id)
    assert final == len(confirmed_bookings(event.event_id))
    assert final <= capacity
    assert highest_seen and max(highest_seen) <= capacity


def test_simultaneous_cancels_of_one_booking_give_the_seat_back_once(concurrent_client):
    event = make_event(capacity=3)
    user = make_user()
    booking_id = body(book(concurrent_client, user, event.event_id))["booking_id"]
    start = threading.Barrier(10)

    def attempt(_):
        start.wait()
        return answer(
            concurrent_client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = Counter(pool.map(attempt, range(10)))

    assert answers == {200: 1, (409, "already_cancelled"): 9}
    assert seats_taken(event.event_id) == 0
