"""The waiting list as a user and an admin see it: joining a full event, positions, leaving,
the promotion a cancellation or a larger capacity brings, and the cancellation window."""

import json
from datetime import datetime, timedelta

import pytest

from chalicelib import models
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_admin,
    make_event,
    make_user,
    make_users,
    seats_taken,
)


@pytest.fixture
def admin():
    return make_admin()


def cancel(client, user, booking_id):
    return client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))


def mine(client, user, query=""):
    response = client.http.get(f"/bookings/my{query}", headers=headers_for(user))
    assert response.status_code == 200, response.body
    return body(response)["bookings"]


def event_answer(client, user, event_id):
    response = client.http.get(f"/events/{event_id}", headers=headers_for(user))
    assert response.status_code == 200, response.body
    return body(response)


def patch_event(client, admin, event_id, changes):
    return client.http.patch(
        f"/admin/events/{event_id}",
        body=json.dumps(changes).encode(),
        headers={**headers_for(admin), "Content-Type": "application/json"},
    )


def full_event(client, capacity=2, waitlist_capacity=None, **kwargs):
    """An event whose seats are all booked; returns it and the booked (user, booking id)s."""
    event = make_event(capacity=capacity, **kwargs)
    if waitlist_capacity is not None:
        event.update(actions=[models.Event.waitlist_capacity.set(waitlist_capacity)])
    seated = []
    for user in make_users(capacity):
        response = book(client, user, event.event_id)
        assert response.status_code == 201, response.body
        seated.append((user, body(response)["booking_id"]))
    return event, seated


def joined(client, user, event_id, **headers):
    response = join_waitlist(client, user, event_id, **headers)
    assert response.status_code == 201, response.body
    return body(response)


def status_of(user, event_id):
    return models.Booking.get(user.user_id, event_id, consistent_read=True).status


def line_of(event_id):
    event = models.Event.get(event_id, consistent_read=True)
    return list(event.waitlist or []), event.waitlist_count


# --- Joining ---


def test_joining_a_full_event_is_201_with_the_position_in_line(client):
    event, _ = full_event(client, name="Healing Circle")
    ann, bo = make_user(name="Ann"), make_user(name="Bo")

    first = joined(client, ann, event.event_id)
    second = joined(client, bo, event.event_id)

    assert set(first) == {"booking_id", "status", "position", "event", "created_at"}
    assert first["status"] == "waitlisted"
    assert first["event"] == {
        "id": event.event_id,
        "name": "Healing Circle",
        "date": event.starts_at,
    }
    assert first["created_at"].endswith("Z")
    assert (first["position"], second["position"]) == (1, 2)
    assert line_of(event.event_id) == ([ann.user_id, bo.user_id], 2)
    assert seats_taken(event.event_id) == 2
    shown = event_answer(client, ann, event.event_id)
    assert (shown["seats_left"], shown["waitlist_count"], shown["waitlist_capacity"]) == (0, 2, 2)


def test_joining_while_seats_are_free_is_409_seats_available(client):
    event = make_event(capacity=3)

    error = error_of(join_waitlist(client, make_user(), event.event_id), 409)

    assert error["code"] == "seats_available"
    assert line_of(event.event_id) == ([], 0)


def test_a_confirmed_user_joining_is_409_already_booked(client):
    event, [(seated, _), _] = full_event(client)

    assert error_of(join_waitlist(client, seated, event.event_id), 409)["code"] == "already_booked"


def test_joining_twice_is_409_already_waitlisted_and_booking_while_waiting_too(client):
    event, _ = full_event(client)
    ann = make_user()
    joined(client, ann, event.event_id)

    again = error_of(join_waitlist(client, ann, event.event_id), 409)
    booking = error_of(book(client, ann, event.event_id), 409)

    assert again["code"] == booking["code"] == "already_waitlisted"
    assert line_of(event.event_id) == ([ann.user_id], 1)


def test_joining_a_started_unknown_or_unpublished_event_is_refused_as_booking_is(client):
    started = make_event(timedelta(minutes=-5), capacity=1)
    started.update(actions=[models.Event.seats_taken.set(1)])
    hidden = make_event(capacity=1, published=False)
    hidden.update(actions=[models.Event.seats_taken.set(1)])
    user = make_user()

    assert error_of(join_waitlist(client, user, started.event_id), 409)["code"] == "event_started"
    assert error_of(join_waitlist(client, user, hidden.event_id), 404)["code"] == "not_found"
    unknown = "01JD8X9K2B4C6D8E0F1G3H5J7K"
    assert error_of(join_waitlist(client, user, unknown), 404)["code"] == "not_found"


def test_a_full_waiting_list_and_a_closed_one_are_409_waitlist_full(client, admin):
    event, _ = full_event(client)
    assert patch_event(client, admin, event.event_id, {"waitlist_capacity": 1}).status_code == 200
    joined(client, make_user(), event.event_id)

    full = error_of(join_waitlist(client, make_user(), event.event_id), 409)
    assert patch_event(client, admin, event.event_id, {"waitlist_capacity": 0}).status_code == 200
    closed = error_of(join_waitlist(client, make_user(), event.event_id), 409)

    assert full["code"] == closed["code"] == "waitlist_full"
    assert line_of(event.event_id)[1] == 1  # lowering the limit keeps who is already in line


def test_no_line_grows_past_waitlist_max(client, configure):
    configure(WAITLIST_MAX=1)
    event, _ = full_event(client)
    joined(client, make_user(), event.event_id)
    refused = error_of(join_waitlist(client, make_user(), event.event_id), 409)
    shown = event_answer(client, make_user(), event.event_id)

    assert refused["code"] == "waitlist_full"
    assert shown["waitlist_capacity"] == 1


def test_a_join_retried_with_its_idempotency_key_gets_the_same_201(client):
    event, _ = full_event(client)
    ann = make_user()

    first = joined(client, ann, event.event_id, **{"Idempotency-Key": "join-1"})
    again = joined(client, ann, event.event_id, **{"Idempotency-Key": "join-1"})
    other_key = join_waitlist(client, ann, event.event_id, **{"Idempotency-Key": "join-2"})

    assert again == first
    assert error_of(other_key, 409)["code"] == "already_waitlisted"


def test_booking_a_full_event_says_its_waiting_list_is_open(client):
    event, _ = full_event(client)

    error = error_of(book(client, make_user(), event.event_id), 409)

    assert error["code"] == "event_full"
    assert (
        "waiting list" in error["message"]
        and f"/events/{event.event_id}/waitlist" in (error["message"])
    )
    assert "fields" not in error


# --- My bookings ---


def test_my_bookings_show_each_waiting_position_and_filter_by_status(client):
    first_event, _ = full_event(client)
    second_event, _ = full_event(client)
    ann, bo = make_user(), make_user()
    joined(client, bo, first_event.event_id)
    joined(client, ann, first_event.event_id)
    joined(client, ann, second_event.event_id)
    confirmed_event = make_event(capacity=5)
    book(client, ann, confirmed_event.event_id)

    listed = mine(client, ann)
    waiting = mine(client, ann, "?status=waitlisted")

    positions = {b["event"]["id"]: b.get("position") for b in listed}
    assert positions == {
        first_event.event_id: 2,
        second_event.event_id: 1,
        confirmed_event.event_id: None,
    }
    assert {b["event"]["id"] for b in waiting} == {first_event.event_id, second_event.event_id}
    assert all(b["status"] == "waitlisted" for b in waiting)


# --- Leaving ---


def test_leaving_the_line_cancels_and_moves_those_behind_up(client):
    event, _ = full_event(client, waitlist_capacity=3)
    ann, bo, cy = make_users(3)
    leaving = joined(client, ann, event.event_id)
    joined(client, bo, event.event_id)
    joined(client, cy, event.event_id)

    response = cancel(client, ann, leaving["booking_id"])

    assert response.status_code == 200, response.body
    assert body(response)["status"] == "cancelled"
    assert [b.get("position") for b in mine(client, bo)] == [1]
    assert [b.get("position") for b in mine(client, cy)] == [2]
    assert line_of(event.event_id) == ([bo.user_id, cy.user_id], 2)
    assert seats_taken(event.event_id) == 2
    assert error_of(cancel(client, ann, leaving["booking_id"]), 409)["code"] == "already_cancelled"


def test_one_who_left_can_join_again_at_the_end(client):
    event, _ = full_event(client)
    ann, bo = make_users(2)
    first = joined(client, ann, event.event_id)
    joined(client, bo, event.event_id)
    cancel(client, ann, first["booking_id"])

    again = joined(client, ann, event.event_id)

    assert again["position"] == 2 and again["booking_id"] != first["booking_id"]


# --- Promotion ---


def test_cancelling_a_seat_promotes_the_first_in_line_and_keeps_the_count(client):
    event, [(seated, booking_id), _] = full_event(client)
    ann, bo = make_users(2)
    joined(client, ann, event.event_id)
    joined(client, bo, event.event_id)

    response = cancel(client, seated, booking_id)

    assert response.status_code == 200, response.body
    assert status_of(ann, event.event_id) == models.CONFIRMED
    assert status_of(bo, event.event_id) == models.WAITLISTED
    assert seats_taken(event.event_id) == 2
    assert line_of(event.event_id) == ([bo.user_id], 1)
    assert [(b["status"], b.get("position")) for b in mine(client, ann)] == [("confirmed", None)]
    assert [b.get("position") for b in mine(client, bo)] == [1]


def test_while_anyone_waits_a_newcomer_cannot_book_even_right_after_a_cancellation(client):
    event, [(seated, booking_id), _] = full_event(client)
    waiting = make_user()
    joined(client, waiting, event.event_id)
    newcomer = make_user()

    assert error_of(book(client, newcomer, event.event_id), 409)["code"] == "event_full"
    cancel(client, seated, booking_id)
    assert error_of(book(client, newcomer, event.event_id), 409)["code"] == "event_full"

    assert status_of(waiting, event.event_id) == models.CONFIRMED
    assert seats_taken(event.event_id) == 2


def test_with_the_line_empty_a_freed_seat_is_anyones_again(client):
    event, [(seated, booking_id), _] = full_event(client)
    ann = make_user()
    left = joined(client, ann, event.event_id)
    cancel(client, ann, left["booking_id"])
    cancel(client, seated, booking_id)

    assert book(client, make_user(), event.event_id).status_code == 201
    assert seats_taken(event.event_id) == 2


def test_an_admin_cancelling_a_seat_promotes_too(client, admin):
    event, [(_, booking_id), _] = full_event(client)
    ann = make_user()
    joined(client, ann, event.event_id)

    assert cancel(client, admin, booking_id).status_code == 200

    assert status_of(ann, event.event_id) == models.CONFIRMED


def test_raising_capacity_by_three_promotes_the_first_three_in_line(client, admin):
    event, _ = full_event(client, waitlist_capacity=5)
    waiting = make_users(5)
    for user in waiting:
        joined(client, user, event.event_id)

    response = patch_event(client, admin, event.event_id, {"capacity": 5})

    assert response.status_code == 200, response.body
    assert (body(response)["seats_taken"], body(response)["waitlist_count"]) == (5, 2)
    assert [status_of(u, event.event_id) for u in waiting] == [models.CONFIRMED] * 3 + [
        models.WAITLISTED
    ] * 2
    assert line_of(event.event_id) == ([u.user_id for u in waiting[3:]], 2)
    assert [b.get("position") for b in mine(client, waiting[4])] == [2]


def test_raising_capacity_past_the_line_seats_everyone_and_frees_the_rest(client, admin):
    event, _ = full_event(client)
    ann = make_user()
    joined(client, ann, event.event_id)

    response = patch_event(client, admin, event.event_id, {"capacity": 4})

    assert response.status_code == 200, response.body
    assert status_of(ann, event.event_id) == models.CONFIRMED
    assert (body(response)["seats_taken"], body(response)["seats_left"]) == (3, 1)
    assert book(client, make_user(), event.event_id).status_code == 201


def test_lowering_capacity_below_the_seats_taken_is_still_409(client, admin):
    event, _ = full_event(client, capacity=3)
    joined(client, make_user(), event.event_id)

    response = patch_event(client, admin, event.event_id, {"capacity": 2})

    assert error_of(response, 409)["code"] == "capacity_below_bookings"


# --- The cancellation window ---


def windowed_event(client, admin, starts_in, hours, capacity=1):
    event, seated = full_event(client, capacity=capacity, starts_in=starts_in)
    response = patch_event(client, admin, event.event_id, {"cancellable_until_hours": hours})
    assert response.status_code == 200, response.body
    assert body(response)["cancellable_until_hours"] == hours
    return event, seated


def test_a_user_cannot_cancel_once_the_window_closed_but_an_admin_can(client, admin):
    event, [(seated, booking_id)] = windowed_event(client, admin, timedelta(hours=10), 24)
    ann = make_user()
    joined(client, ann, event.event_id)

    refused = error_of(cancel(client, seated, booking_id), 409)
    by_admin = cancel(client, admin, booking_id)

    assert refused["code"] == "cancellation_closed"
    assert by_admin.status_code == 200, by_admin.body
    assert status_of(ann, event.event_id) == models.CONFIRMED


def test_inside_the_window_a_user_cancels_as_before(client, admin):
    event, [(seated, booking_id)] = windowed_event(client, admin, timedelta(hours=30), 24)

    assert cancel(client, seated, booking_id).status_code == 200
    assert seats_taken(event.event_id) == 0


def test_leaving_the_line_is_allowed_when_the_window_has_closed(client, admin):
    event, _ = windowed_event(client, admin, timedelta(hours=10), 24)
    ann = make_user()
    waiting = joined(client, ann, event.event_id)

    assert cancel(client, ann, waiting["booking_id"]).status_code == 200
    assert line_of(event.event_id) == ([], 0)


def test_after_the_start_users_get_event_started_and_admins_cancel_without_promotion(
    client, admin, shifted_clock
):
    event, [(seated, booking_id), _] = full_event(client, starts_in=timedelta(minutes=10))
    ann = make_user()
    waiting = joined(client, ann, event.event_id)
    # Tokens issued now: one issued on the shifted clock would not be valid yet.
    as_seated, as_ann, as_admin = (headers_for(u) for u in (seated, ann, admin))
    shifted_clock.advance(timedelta(minutes=20))

    seat = error_of(client.http.delete(f"/bookings/{booking_id}", headers=as_seated), 409)
    line = error_of(client.http.delete(f"/bookings/{waiting['booking_id']}", headers=as_ann), 409)
    by_admin = client.http.delete(f"/bookings/{booking_id}", headers=as_admin)

    assert seat["code"] == line["code"] == "event_started"
    assert by_admin.status_code == 200, by_admin.body
    assert status_of(ann, event.event_id) == models.WAITLISTED
    assert seats_taken(event.event_id) == 1


def test_moving_the_start_moves_the_window(client, admin):
    event, [(seated, booking_id)] = windowed_event(client, admin, timedelta(hours=30), 24)
    later = (
        datetime.fromisoformat(event.starts_at.replace("Z", "+00:00")) - timedelta(hours=20)
    ).isoformat()

    assert patch_event(client, admin, event.event_id, {"starts_at": later}).status_code == 200

    assert error_of(cancel(client, seated, booking_id), 409)["code"] == "cancellation_closed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"waitlist_capacity": -1}, "waitlist_capacity"),
        ({"waitlist_capacity": 5001}, "waitlist_capacity"),
        ({"waitlist_capacity": 2000}, "waitlist_capacity"),  # over WAITLIST_MAX (1000)
        ({"cancellable_until_hours": -1}, "cancellable_until_hours"),
        ({"cancellable_until_hours": "24"}, "cancellable_until_hours"),
    ],
)
def test_bad_waiting_list_and_window_settings_are_400(client, admin, changes, field):
    event = make_event()

    error = error_of(patch_event(client, admin, event.event_id, changes), 400)

    assert error["code"] == "validation_failed" and field in error["fields"]


def test_more_promotions_than_one_transaction_holds_move_up_in_several(client, admin, monkeypatch):
    from chalicelib import waitlist

    monkeypatch.setattr(waitlist, "MOST_PROMOTED_AT_ONCE", 2)
    event, _ = full_event(client, waitlist_capacity=6)
    waiting = make_users(6)
    for user in waiting:
        joined(client, user, event.event_id)

    response = patch_event(client, admin, event.event_id, {"capacity": 7})

    assert response.status_code == 200, response.body
    assert (body(response)["seats_taken"], body(response)["waitlist_count"]) == (7, 1)
    assert [status_of(u, event.event_id) for u in waiting] == [models.CONFIRMED] * 5 + [
        models.WAITLISTED
    ]


def test_seating_a_line_longer_than_the_capacity_tries_takes_as_many_rounds_as_it_needs(
    client, admin, monkeypatch
):
    # The capacity tries bound refusals only: a long line moving up one transaction after
    # another is progress, not contention (WAITLIST_MAX lets 5,000 wait, 51 transactions).
    from chalicelib import retries, waitlist

    monkeypatch.setattr(waitlist, "MOST_PROMOTED_AT_ONCE", 1)
    length = retries.CAPACITY_ATTEMPTS + 2
    event, _ = full_event(client, capacity=1, waitlist_capacity=length)
    waiting = make_users(length)
    for user in waiting:
        joined(client, user, event.event_id)

    response = patch_event(client, admin, event.event_id, {"capacity": 1 + length})

    assert response.status_code == 200, response.body
    assert (body(response)["seats_taken"], body(response)["waitlist_count"]) == (1 + length, 0)
    assert {status_of(u, event.event_id) for u in waiting} == {models.CONFIRMED}
