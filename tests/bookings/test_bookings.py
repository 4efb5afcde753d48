"""POST /bookings/, DELETE /bookings/{id} and GET /bookings/my, as a user sees them."""

import json
from datetime import timedelta

import pytest
from pynamodb.exceptions import CancellationReason

from chalicelib import bookings, clock, models, transactions
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    make_admin,
    make_event,
    make_facilitator,
    make_user,
    principal_of,
    seats_taken,
)


@pytest.fixture
def user():
    return make_user(name="Ann")


def cancel(client, user, booking_id):
    return client.http.delete(f"/bookings/{booking_id}", headers=headers_for(user))


def mine(client, user, query=""):
    response = client.http.get(f"/bookings/my{query}", headers=headers_for(user))
    assert response.status_code == 200, response.body
    return body(response)


def test_booking_is_201_with_the_documented_body_and_takes_a_seat(client, user):
    event = make_event(name="Morning Yoga", capacity=3)

    response = book(client, user, event.event_id)

    assert response.status_code == 201, response.body
    created = body(response)
    assert set(created) == {"booking_id", "status", "event", "created_at"}
    assert created["status"] == "confirmed"
    assert created["event"] == {
        "id": event.event_id,
        "name": "Morning Yoga",
        "date": event.starts_at,
    }
    assert created["created_at"].endswith("Z")
    assert seats_taken(event.event_id) == 1
    listed = client.http.get(f"/events/{event.event_id}", headers=headers_for(user))
    assert body(listed)["seats_left"] == 2


def test_booking_item_carries_what_the_webhook_needs(client, user):
    facilitator = make_facilitator("Alice", "crm_042")
    event = make_event(facilitator=facilitator)

    booking_id = body(book(client, user, event.event_id))["booking_id"]

    item = models.Booking.get(user.user_id, event.event_id)
    assert item.booking_id == booking_id
    assert item.status == "confirmed"
    assert item.event.as_dict() == {
        "name": event.name,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
    }
    assert item.user.as_dict() == {"name": "Ann", "email": user.email}
    assert item.facilitator_crm_id == "crm_042"


def test_second_booking_of_same_event_is_409(client, user):
    event = make_event()
    assert book(client, user, event.event_id).status_code == 201

    response = book(client, user, event.event_id)

    assert response.status_code == 409
    assert error_of(response)["code"] == "already_booked"
    assert seats_taken(event.event_id) == 1


def test_booking_a_full_event_is_409_event_full(client, user):
    event = make_event(capacity=1)
    assert book(client, make_user(), event.event_id).status_code == 201

    response = book(client, user, event.event_id)

    assert response.status_code == 409
    assert error_of(response)["code"] == "event_full"
    assert seats_taken(event.event_id) == 1


def test_booking_a_started_event_is_409_event_started(client, user):
    event = make_event(timedelta(minutes=-5))

    response = book(client, user, event.event_id)

    assert response.status_code == 409
    assert error_of(response)["code"] == "event_started"
    assert seats_taken(event.event_id) == 0


def test_a_started_event_is_reported_as_started_even_when_full(client, user):
    event = make_event(timedelta(minutes=-5), capacity=0)

    assert error_of(book(client, user, event.event_id))["code"] == "event_started"


@pytest.mark.parametrize("which", ["unknown", "unpublished"])
def test_booking_an_unknown_or_unpublished_event_is_404(client, user, which):
    hidden = make_event(published=False)
    event_id = hidden.event_id if which == "unpublished" else "01ARZ3NDEKTSV4RRFFQ69G5FAV"

    response = book(client, user, event_id)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    "raw_body",
    [
        '{"event_id": "not-an-id"}',
        '{"event_id": 42}',
        '{"event_id": null}',
        "{}",
        '{"event_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "seats": 2}',
        "[]",
    ],
)
def test_a_bad_booking_body_is_400(client, user, raw_body):
    response = client.http.post(
        "/bookings/",
        body=raw_body,
        headers={**headers_for(user), "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.body
    assert error_of(response)["code"] == "validation_failed"


@pytest.mark.parametrize("raw_body", ["", "{not json", '"text"'])
def test_an_unreadable_booking_body_is_400(client, user, raw_body):
    response = client.http.post(
        "/bookings/",
        body=raw_body,
        headers={**headers_for(user), "Content-Type": "application/json"},
    )

    assert response.status_code == 400


def test_booking_without_a_token_is_401(client):
    event = make_event()

    response = client.http.post(
        "/bookings/",
        body=json.dumps({"event_id": event.event_id}),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert seats_taken(event.event_id) == 0


def test_a_retry_with_the_same_idempotency_key_gets_the_original_201(client, user):
    event = make_event(capacity=1)
    first = book(client, user, event.event_id, **{"Idempotency-Key": "tap-1"})

    retry = book(client, user, event.event_id, **{"Idempotency-Key": "tap-1"})

    assert first.status_code == retry.status_code == 201
    assert body(retry) == body(first)
    assert seats_taken(event.event_id) == 1


def test_a_different_idempotency_key_or_none_is_still_409(client, user):
    event = make_event()
    book(client, user, event.event_id, **{"Idempotency-Key": "tap-1"})

    assert error_of(book(client, user, event.event_id, **{"Idempotency-Key": "tap-2"}))["code"] == (
        "already_booked"
    )
    assert error_of(book(client, user, event.event_id))["code"] == "already_booked"


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9"])
def test_a_bad_idempotency_key_is_400(client, user, key):
    event = make_event()

    response = book(client, user, event.event_id, **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert "Idempotency-Key" in error_of(response)["fields"]


def test_cancel_frees_the_seat_and_the_same_event_can_be_booked_again(client, user):
    event = make_event(capacity=1)
    first = body(book(client, user, event.event_id))

    cancelled = cancel(client, user, first["booking_id"])

    assert cancelled.status_code == 200, cancelled.body
    assert body(cancelled)["booking_id"] == first["booking_id"]
    assert body(cancelled)["status"] == "cancelled"
    assert seats_taken(event.event_id) == 0

    rebooked = book(client, user, event.event_id)
    assert rebooked.status_code == 201
    assert body(rebooked)["booking_id"] != first["booking_id"]
    assert seats_taken(event.event_id) == 1
    assert [b["status"] for b in mine(client, user)["bookings"]] == ["confirmed"]


def test_a_freed_seat_goes_to_someone_else(client, user):
    event = make_event(capacity=1)
    booking_id = body(book(client, user, event.event_id))["booking_id"]
    other = make_user(name="Bo")
    assert error_of(book(client, other, event.event_id))["code"] == "event_full"

    cancel(client, user, booking_id)

    assert book(client, other, event.event_id).status_code == 201


def test_cancelling_twice_is_409_and_frees_only_one_seat(client, user):
    event = make_event()
    booking_id = body(book(client, user, event.event_id))["booking_id"]
    assert cancel(client, user, booking_id).status_code == 200

    again = cancel(client, user, booking_id)

    assert again.status_code == 409
    assert error_of(again)["code"] == "already_cancelled"
    assert seats_taken(event.event_id) == 0


def test_an_old_booking_id_cannot_cancel_the_rebooking(client, user):
    event = make_event()
    old_id = body(book(client, user, event.event_id))["booking_id"]
    cancel(client, user, old_id)
    book(client, user, event.event_id)

    response = cancel(client, user, old_id)

    assert response.status_code == 404
    assert seats_taken(event.event_id) == 1


def test_someone_elses_booking_is_404_and_stays_booked(client, user):
    event = make_event()
    booking_id = body(book(client, user, event.event_id))["booking_id"]

    response = cancel(client, make_user(name="Mallory"), booking_id)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert body(response) == body(cancel(client, user, "01ARZ3NDEKTSV4RRFFQ69G5FAV"))
    assert seats_taken(event.event_id) == 1


def test_an_admin_can_cancel_anyones_booking(client, user):
    event = make_event()
    booking_id = body(book(client, user, event.event_id))["booking_id"]

    response = cancel(client, make_admin(), booking_id)

    assert response.status_code == 200
    assert body(response)["status"] == "cancelled"
    assert seats_taken(event.event_id) == 0


def test_malformed_booking_id_is_400(client, user):
    response = cancel(client, user, "12345")

    assert response.status_code == 400
    assert "booking_id" in error_of(response)["fields"]


def test_my_bookings_newest_first_with_event_details(client, user):
    early, late = make_event(timedelta(days=1)), make_event(timedelta(days=9), name="Late")
    book(client, user, late.event_id)
    book(client, user, early.event_id)
    book(client, make_user(), early.event_id)

    page = mine(client, user)

    assert page["next_cursor"] is None
    assert [b["event"]["id"] for b in page["bookings"]] == [early.event_id, late.event_id]
    newest = page["bookings"][1]
    assert set(newest) == {"booking_id", "status", "created_at", "event", "attendance"}
    assert newest["attendance"] == "unknown"
    assert newest["event"] == {
        "id": late.event_id,
        "name": "Late",
        "date": late.starts_at,
        "starts_at": late.starts_at,
        "ends_at": late.ends_at,
        "timezone": "Europe/Berlin",
    }


def test_my_bookings_filter_by_status(client, user):
    kept, dropped = make_event(), make_event()
    book(client, user, kept.event_id)
    cancel(client, user, body(book(client, user, dropped.event_id))["booking_id"])

    confirmed = mine(client, user, "?status=confirmed")["bookings"]
    cancelled = mine(client, user, "?status=cancelled")["bookings"]

    assert [b["event"]["id"] for b in confirmed] == [kept.event_id]
    assert [b["event"]["id"] for b in cancelled] == [dropped.event_id]
    assert len(mine(client, user)["bookings"]) == 2


def test_my_bookings_paginate_through_every_booking_once(client, user):
    events = [make_event(timedelta(days=1 + n)) for n in range(7)]
    for event in events:
        book(client, user, event.event_id)

    seen, cursor = [], None
    while True:
        page = mine(client, user, "?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        seen += [b["event"]["id"] for b in page["bookings"]]
        if not (cursor := page["next_cursor"]):
            break

    assert seen == [event.event_id for event in reversed(events)]


def test_someone_elses_cursor_is_400_not_their_bookings(client, user):
    other = make_user(name="Bo")
    for event in (make_event(), make_event()):
        book(client, other, event.event_id)
    their_cursor = mine(client, other, "?limit=1")["next_cursor"]

    response = client.http.get(f"/bookings/my?cursor={their_cursor}", headers=headers_for(user))

    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


@pytest.mark.parametrize("query", ["?status=pending", "?limit=0", "?cursor=%%%", "?page=2"])
def test_bad_my_bookings_parameters_are_400(client, user, query):
    response = client.http.get(f"/bookings/my{query}", headers=headers_for(user))

    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_failed"


def test_my_bookings_needs_a_token(client):
    assert client.http.get("/bookings/my").status_code == 401


def test_service_book_and_cancel_work_without_http(user):
    event = make_event()
    principal = principal_of(user)

    created = bookings.book(principal, event.event_id, idempotency_key="k")
    replayed = bookings.book(principal, event.event_id, idempotency_key="k")
    cancelled = bookings.cancel(principal, created["booking_id"])

    assert replayed == created
    assert cancelled["status"] == "cancelled"
    assert bookings.list_mine(principal, status="confirmed")["bookings"] == []


def test_a_transaction_that_only_collided_with_another_is_retried_not_refused():
    # DynamoDB Local queues competing transactions instead of cancelling them, so this
    # AWS-only answer is checked on the reasons themselves.
    conflict = CancellationReason(code="TransactionConflict")
    failed = CancellationReason(code="ConditionalCheckFailed")

    assert transactions.only_conflicts([None, conflict])
    assert not transactions.only_conflicts([failed, conflict])
    assert not transactions.only_conflicts([None, None])


def test_booking_at_the_start_second_is_refused(user, shifted_clock):
    event = make_event(timedelta(minutes=30))
    principal = principal_of(user)
    shifted_clock.freeze(clock.parse_iso(event.starts_at))

    with pytest.raises(bookings.EventStarted):
        bookings.book(principal, event.event_id)
