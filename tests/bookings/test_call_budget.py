"""DynamoDB calls per request, counted on the wire: within the budget of docs/architecture.md
(and the waiting list's: join 2, cancel with a promotion at most 4, my bookings still one Query
and the auth read), and the same with 100 events in the table as with 5,000 (nothing scans)."""

from datetime import timedelta

from local.call_counter import count_dynamodb_calls
from tests.support.api import body
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_event,
    make_user,
    make_users,
    new_event,
    save_all,
)

BUDGET = {
    "list": {"BatchGetItem": 1, "Query": 1},
    "list_filtered": {"BatchGetItem": 1, "Query": 1},
    "get": {"BatchGetItem": 1, "GetItem": 1},
    "book": {"BatchGetItem": 1, "TransactWriteItems": 1},
    "my": {"Query": 1, "BatchGetItem": 1},
    "cancel": {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 1},
}
# With a waiting list: the try that finds someone waiting is cancelled and hands back the
# line, the second promotes; leaving reads the line to find its place in it.
WAITLIST_BUDGET = {
    "join": {"BatchGetItem": 1, "TransactWriteItems": 1},
    "my_waiting": {"Query": 1, "BatchGetItem": 1},
    "cancel_with_promotion": {"BatchGetItem": 1, "Query": 1, "TransactWriteItems": 2},
    "leave": {"BatchGetItem": 1, "Query": 1, "GetItem": 1, "TransactWriteItems": 1},
}


def bulk_events(count, offset):
    """Half upcoming, half already over: neither kind may cost a request anything."""
    save_all(
        [
            new_event(timedelta(hours=(offset + n) * (1 if n % 2 else -1)), capacity=20)
            for n in range(count)
        ]
    )


def calls_per_request(client, user):
    headers = headers_for(user)
    event = make_event(timedelta(minutes=30), capacity=3)
    counted = {}

    def count(name, send, expected_status):
        with count_dynamodb_calls() as calls:
            response = send()
        assert response.status_code == expected_status, response.body
        counted[name] = dict(calls)
        return response

    count("list", lambda: client.http.get("/events/?limit=50", headers=headers), 200)
    count("list_filtered", lambda: client.http.get("/events/?kind=retreat", headers=headers), 200)
    count("get", lambda: client.http.get(f"/events/{event.event_id}", headers=headers), 200)
    booked = count(
        "book",
        lambda: book(client, user, event.event_id),
        201,
    )
    count("my", lambda: client.http.get("/bookings/my", headers=headers), 200)
    booking_id = body(booked)["booking_id"]
    count("cancel", lambda: client.http.delete(f"/bookings/{booking_id}", headers=headers), 200)

    full = make_event(timedelta(minutes=30), capacity=2)
    seated, behind = make_users(2)
    seat = body(book(client, seated, full.event_id))["booking_id"]
    book(client, make_user(), full.event_id)
    join_waitlist(client, behind, full.event_id)
    joined = count("join", lambda: join_waitlist(client, user, full.event_id), 201)
    count("my_waiting", lambda: client.http.get("/bookings/my", headers=headers), 200)
    count(
        "cancel_with_promotion",
        lambda: client.http.delete(f"/bookings/{seat}", headers=headers_for(seated)),
        200,
    )
    left = body(joined)["booking_id"]
    count("leave", lambda: client.http.delete(f"/bookings/{left}", headers=headers), 200)
    return counted


def test_calls_per_request_are_within_budget_and_flat_from_100_to_5000_events(client):
    user = make_user()

    bulk_events(100, offset=1)
    with_100 = calls_per_request(client, user)
    bulk_events(4_900, offset=101)
    with_5000 = calls_per_request(client, user)

    assert with_100 == {**BUDGET, **WAITLIST_BUDGET}
    assert with_5000 == with_100
