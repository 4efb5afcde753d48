"""Real threads against DynamoDB Local: the waiting list keeps its order, and each freed seat
goes to exactly one person, the first in line, when joins, leaves and cancellations race."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from chalicelib import models
from tests.support.api import body
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_event,
    make_users,
    seats_taken,
)
from tests.support.storms import WAVE, answer, storm_while_sampling


def bookings_of(event_id):
    return list(models.Booking.scan(models.Booking.event_id == event_id, consistent_read=True))


def event_item(event_id):
    return models.Event.get(event_id, consistent_read=True)


def fill(client, event, count):
    """Book ``count`` seats of ``event``; returns the (user, booking id) of each."""
    seated = []
    for user in make_users(count):
        response = book(client, user, event.event_id)
        assert response.status_code == 201, response.body
        seated.append((user, body(response)["booking_id"]))
    return seated


def join_in_order(client, event, users):
    for user in users:
        assert join_waitlist(client, user, event.event_id).status_code == 201


def test_twenty_simultaneous_joins_get_positions_1_to_20_each_once(concurrent_client):
    event = make_event(capacity=3)
    event.update(actions=[models.Event.waitlist_capacity.set(20)])
    fill(concurrent_client, event, 3)
    users = make_users(20)
    start = threading.Barrier(20)

    def attempt(user):
        start.wait()
        response = join_waitlist(concurrent_client, user, event.event_id)
        assert response.status_code == 201, response.body
        return user.user_id, body(response)["position"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        positions = dict(pool.map(attempt, users))

    assert sorted(positions.values()) == list(range(1, 21))
    line = list(event_item(event.event_id).waitlist)
    assert [positions[user_id] for user_id in line] == list(range(1, 21))
    # The line's order is the order the bookings were made in.
    waiting = {b.user_id: b.created_at for b in bookings_of(event.event_id)}
    assert [waiting[u] for u in line] == sorted(waiting[u] for u in line)
    for user in users:
        mine = concurrent_client.http.get("/bookings/my", headers=headers_for(user))
        assert [b["position"] for b in body(mine)["bookings"]] == [positions[user.user_id]]


def test_ten_simultaneous_cancellations_promote_exactly_the_first_ten_in_line(
    concurrent_client,
):
    event = make_event(capacity=10)
    event.update(actions=[models.Event.waitlist_capacity.set(20)])
    seated = fill(concurrent_client, event, 10)
    waiting = make_users(20)
    join_in_order(concurrent_client, event, waiting)
    start = threading.Barrier(10)

    def attempt(seat):
        user, booking_id = seat
        start.wait()
        return answer(
            concurrent_client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = Counter(pool.map(attempt, seated))

    assert answers == {200: 10}
    item = event_item(event.event_id)
    assert (item.seats_taken, item.waitlist_count) == (10, 10)
    assert list(item.waitlist) == [u.user_id for u in waiting[10:]]
    status = {b.user_id: b.status for b in bookings_of(event.event_id)}
    assert [status[u.user_id] for u in waiting] == ["confirmed"] * 10 + ["waitlisted"] * 10


def test_cancellations_racing_joins_and_leaves_promote_once_per_freed_seat(concurrent_client):
    event = make_event(capacity=6)
    event.update(actions=[models.Event.waitlist_capacity.set(40)])
    seated = fill(concurrent_client, event, 6)
    # Twelve wait before the race and only three of them leave: more stay than seats free, so
    # the line never runs dry and every join meets a full event, whatever order the threads run
    # in (with six waiting, the cancellations could empty the line before the joins arrived).
    early = make_users(12)
    join_in_order(concurrent_client, event, early)
    early_ids = {}
    for user in early:
        mine = concurrent_client.http.get("/bookings/my", headers=headers_for(user))
        early_ids[user.user_id] = body(mine)["bookings"][0]["booking_id"]
    leavers, joiners = early[3:6], make_users(10)
    start = threading.Barrier(len(seated) + len(leavers) + len(joiners))

    def cancel_seat(seat):
        user, booking_id = seat
        start.wait()
        return answer(
            concurrent_client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))
        )

    def leave(user):
        start.wait()
        return answer(
            concurrent_client.http.delete(
                f"/bookings/{early_ids[user.user_id]}", headers=headers_for(user)
            )
        )

    def join(user):
        start.wait()
        return answer(join_waitlist(concurrent_client, user, event.event_id))

    with ThreadPoolExecutor(max_workers=len(seated) + len(leavers) + len(joiners)) as pool:
        futures = [pool.submit(cancel_seat, seat) for seat in seated]
        futures += [pool.submit(leave, user) for user in leavers]
        futures += [pool.submit(join, user) for user in joiners]
        answers = Counter(future.result() for future in futures)

    assert answers[200] == len(seated) + len(leavers) and answers[201] == len(joiners)
    item = event_item(event.event_id)
    status = Counter(b.status for b in bookings_of(event.event_id))
    assert item.seats_taken == status["confirmed"] == 6
    # Twenty-two joined, three left and six were promoted into the freed seats (a leaver
    # promoted before leaving gives up the seat instead, which promotes the next one).
    assert item.waitlist_count == status["waitlisted"] == len(item.waitlist) == 13
    assert not {u.user_id for u in leavers} & set(item.waitlist)
    # The three early ones who stayed were first in line: each got one of the freed seats.
    confirmed = {b.user_id for b in bookings_of(event.event_id) if b.status == "confirmed"}
    assert {u.user_id for u in early[:3]} <= confirmed


def test_a_storm_of_books_joins_leaves_and_cancels_keeps_seats_and_line_true(
    concurrent_client,
):
    capacity = 3
    event = make_event(capacity=capacity)
    event.update(actions=[models.Event.waitlist_capacity.set(WAVE)])
    users = make_users(WAVE)

    def storm(user):
        rng = random.Random(user.user_id)
        held = None  # (booking id, status) of what this user holds now
        answers = []
        for _ in range(6):
            if held is not None and rng.random() < 0.5:
                response = concurrent_client.http.delete(
                    f"/bookings/{held[0]}", headers=headers_for(user)
                )
                held = None
            elif rng.random() < 0.5:
                response = book(concurrent_client, user, event.event_id)
                if response.status_code == 201:
                    held = (body(response)["booking_id"], "confirmed")
            else:
                response = join_waitlist(concurrent_client, user, event.event_id)
                if response.status_code == 201:
                    held = (body(response)["booking_id"], "waitlisted")
            answers.append(answer(response))
        return answers

    answers, samples = storm_while_sampling(storm, users, lambda: event_item(event.event_id))

    assert set(answers) <= {
        201,
        200,
        (409, "event_full"),
        (409, "seats_available"),
        (409, "already_booked"),
        (409, "already_waitlisted"),
        (409, "already_cancelled"),
        # The documented answer when a change of the line lost its bounded retries to the
        # others hammering the same event item (seen once in a loaded full-suite run); the
        # invariants below hold whatever it answered, and it must stay rare.
        (409, "try_again"),
    }, answers
    assert answers[(409, "try_again")] <= sum(answers.values()) // 20, answers
    assert answers[201] > capacity and answers[200] > 0, answers
    final = event_item(event.event_id)
    items = bookings_of(event.event_id)
    confirmed = [b for b in items if b.status == models.CONFIRMED]
    waiting = [b for b in items if b.status == models.WAITLISTED]
    assert final.seats_taken == len(confirmed) <= capacity
    assert final.waitlist_count == len(waiting) == len(final.waitlist)
    assert set(final.waitlist) == {b.user_id for b in waiting}
    # Nobody confirmed while someone who joined earlier still waits: a promoted booking
    # (confirmed after it was made) joined before everyone still in line.
    promoted = [b for b in confirmed if b.updated_at != b.created_at]
    for booking in promoted:
        assert all(booking.created_at <= w.created_at for w in waiting), booking
    # And at every moment seen, nobody waited while a seat was free for a newcomer.
    assert samples
    for sample in samples:
        assert sample.seats_taken <= capacity
        assert (sample.waitlist_count or 0) == len(sample.waitlist or [])
        if sample.waitlist_count:
            assert sample.seats_taken == capacity, sample.attribute_values
    assert seats_taken(event.event_id) == final.seats_taken
