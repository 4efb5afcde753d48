"""Real threads against DynamoDB Local: the guarantees hold when requests arrive at once.

The threads call the booking services directly (Chalice's test client keeps one current
request per app, so it cannot serve threads); each outcome is what the API would answer.
"""

import functools
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from chalicelib import bookings, errors, models
from tests.booking_factories import make_event, make_user, make_users, principal_of, seats_taken

WAVE = 25


def answer(call):
    """The status (and error code) a request would get; anything else would be a 5xx."""
    try:
        call()
    except errors.AppError as error:
        assert error.status < 500, error
        return (error.status, error.code)
    return 200


def confirmed_bookings(event_id):
    return [
        booking
        for booking in models.Booking.scan(
            models.Booking.event_id == event_id, consistent_read=True
        )
        if booking.status == bookings.CONFIRMED
    ]


def test_thirty_simultaneous_bookings_by_one_user_give_one_seat():
    event = make_event(capacity=50)
    principal = principal_of(make_user())
    start = threading.Barrier(30)

    def attempt(_):
        start.wait()
        return answer(lambda: bookings.book(principal, event.event_id))

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = Counter(pool.map(attempt, range(30)))

    assert answers == {200: 1, (409, "already_booked"): 29}
    assert len(bookings.list_mine(principal)["bookings"]) == 1
    assert seats_taken(event.event_id) == 1


def test_two_hundred_users_racing_for_the_last_seat_leave_one_winner():
    event = make_event(capacity=5)
    event.update(actions=[models.Event.seats_taken.set(4)])
    with ThreadPoolExecutor(max_workers=WAVE) as pool:
        principals = list(pool.map(principal_of, make_users(200)))
    # Waves of 25 requests released at once: one DynamoDB Local on two shared cores answers
    # 200 truly simultaneous transactions slower than the API's 3 s read timeout.
    start = threading.Barrier(WAVE)

    def attempt(principal):
        start.wait()
        return answer(lambda: bookings.book(principal, event.event_id))

    with ThreadPoolExecutor(max_workers=WAVE) as pool:
        answers = Counter(pool.map(attempt, principals))

    assert answers == {200: 1, (409, "event_full"): 199}
    assert seats_taken(event.event_id) == 5
    assert len(confirmed_bookings(event.event_id)) == 1


def test_a_storm_of_bookings_and_cancellations_keeps_the_seat_count_true():
    capacity = 8
    event = make_event(capacity=capacity)
    users = make_users(30)
    storm_over = threading.Event()
    highest_seen = []

    def watch():
        while not storm_over.wait(0.01):
            highest_seen.append(seats_taken(event.event_id))

    def storm(user):
        rng = random.Random(user.user_id)
        principal = principal_of(user)
        booking_id = None
        answers = []
        for _ in range(6):
            if booking_id and rng.random() < 0.6:
                answers.append(answer(functools.partial(bookings.cancel, principal, booking_id)))
                booking_id = None
            else:
                try:
                    booking_id = bookings.book(principal, event.event_id)["booking_id"]
                    answers.append(201)
                except errors.AppError as error:
                    answers.append((error.status, error.code))
        return answers

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            answers = Counter(a for answers in pool.map(storm, users) for a in answers)
    finally:
        storm_over.set()
        watcher.join()

    assert set(answers) <= {201, 200, (409, "event_full"), (409, "already_booked")}
    assert answers[201] > capacity and answers[200] > 0, answers  # seats really changed hands
    final = seats_taken(event.event_id)
    assert final == len(confirmed_bookings(event.event_id))
    assert final <= capacity
    assert highest_seen and max(highest_seen) <= capacity
