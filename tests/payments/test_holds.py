"""Booking a paid event holds its seat while the attendee pays; the hold's PaymentIntent is
made once; a hold past its expiry is free (the job cancels it, a newcomer may take its seat)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import clock, models
from chalicelib.bookings import seats
from chalicelib.payments import holds, intents, stripe_api
from local.relay import scheduled_event
from tests.support.api import post_json
from tests.support.factories import (
    book,
    headers_for,
    make_admin,
    make_series_events,
    make_user,
    make_users,
    move,
    principal_of,
    seats_taken,
)
from tests.support.payments import make_paid_event


def stored(user, event) -> models.Booking:
    return models.Booking.get(user.user_id, event.event_id, consistent_read=True)


def test_booking_a_paid_event_holds_the_seat_and_answers_its_payment_intent(
    client, localstripe, shifted_clock
):
    shifted_clock.freeze()
    event = make_paid_event(capacity=3)
    ann = make_user()

    response = book(client, ann, event.event_id)

    assert response.status_code == 201
    body = response.json_body
    assert body["status"] == "pending_payment"
    assert body["hold_expires_at"] == clock.to_iso(clock.now() + timedelta(minutes=15))
    payment = body["payment"]
    assert (payment["amount"], payment["currency"]) == (2500, "eur")
    assert payment["publishable_key"].startswith("pk_")
    assert payment["client_secret"].startswith(payment["payment_intent_id"])
    intent = stripe_api.retrieve_payment_intent(payment["payment_intent_id"])
    assert (intent["amount"], intent["currency"]) == (2500, "eur")
    assert intent["metadata"]["booking_id"] == body["booking_id"]
    booking = stored(ann, event)
    assert booking.payment.payment_intent_id == payment["payment_intent_id"]
    assert (booking.payment.status, booking.hold_queue) == ("awaiting", "held")
    assert seats_taken(event.event_id) == 1


def test_a_free_event_is_booked_as_ever(client):
    event = make_paid_event()
    event.update(actions=[models.Event.price.remove()])

    body = book(client, make_user(), event.event_id).json_body

    assert body["status"] == "confirmed"
    assert "payment" not in body and "hold_expires_at" not in body


def test_stripe_unreachable_still_holds_the_seat_and_the_payment_route_makes_the_intent(
    client, localstripe, configure
):
    event = make_paid_event()
    ann = make_user()
    configure(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_TIMEOUT_SECONDS=1)

    held = book(client, ann, event.event_id)

    assert held.status_code == 201
    assert held.json_body["status"] == "pending_payment"
    assert held.json_body["payment"]["payment_intent_id"] is None
    assert seats_taken(event.event_id) == 1

    configure(STRIPE_API_BASE=localstripe.url)
    path = f"/bookings/{held.json_body['booking_id']}/payment"
    paid = client.http.post(path, headers=headers_for(ann))
    again = client.http.post(path, headers=headers_for(ann))
    stranger = client.http.post(path, headers=headers_for(make_user()))

    assert paid.status_code == 200
    intent_id = paid.json_body["payment"]["payment_intent_id"]
    assert paid.json_body["payment"]["client_secret"].startswith(intent_id)
    assert again.json_body["payment"]["payment_intent_id"] == intent_id
    assert stored(ann, event).payment.payment_intent_id == intent_id
    assert stranger.status_code == 404


def test_a_payment_intent_that_loses_the_race_to_the_booking_is_cancelled(localstripe):
    event = make_paid_event()
    ann = make_user()
    seats.book(principal_of(ann), event.event_id)
    booking = stored(ann, event)
    winner = booking.payment.payment_intent_id
    stale = stored(ann, event)
    stale.payment.payment_intent_id = None

    answer = intents.payment_intent_of(stale)

    assert answer["id"] == winner
    cancelled = [intent for intent in _intents_of(booking.booking_id) if intent["id"] != winner]
    assert [intent["status"] for intent in cancelled] == ["canceled"]


def _intents_of(booking_id):
    import requests

    from chalicelib.config import get_settings
    from local.stripe_local import SECRET_KEY

    listed = requests.get(
        f"{get_settings().stripe_api_base}/v1/payment_intents",
        params={"limit": 100},
        auth=(SECRET_KEY, ""),
        timeout=5,
    ).json()["data"]
    return [intent for intent in listed if intent["metadata"].get("booking_id") == booking_id]


def test_the_job_cancels_a_lapsed_hold_and_gives_its_seat_back(client, localstripe, shifted_clock):
    event = make_paid_event(capacity=1)
    ann = make_user()
    held = book(client, ann, event.event_id).json_body

    def run():
        return client.lambda_.invoke("settle_payments", scheduled_event("settle_payments")).payload

    assert run()["expire_holds"]["expired"] == 0
    shifted_clock.advance(timedelta(minutes=16))
    assert run()["expire_holds"]["expired"] == 1

    booking = stored(ann, event)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "hold_expired")
    assert booking.hold_queue is None
    assert seats_taken(event.event_id) == 0
    intent = stripe_api.retrieve_payment_intent(held["payment"]["payment_intent_id"])
    assert intent["status"] == "canceled"
    assert run()["expire_holds"]["expired"] == 0


def test_a_newcomer_takes_the_seat_of_a_lapsed_hold_before_the_job_runs(
    client, localstripe, shifted_clock
):
    event = make_paid_event(capacity=1)
    ann, bob = make_users(2)
    book(client, ann, event.event_id)

    # Tokens are issued before the clock moves: their iat must not be in the real future.
    bob_headers = headers_for(bob)
    refused = post_json(client, "/bookings/", {"event_id": event.event_id}, bob_headers)
    shifted_clock.advance(timedelta(minutes=16))
    taken = post_json(client, "/bookings/", {"event_id": event.event_id}, bob_headers)

    assert refused.status_code == 409
    assert taken.status_code == 201
    assert taken.json_body["status"] == "pending_payment"
    assert stored(ann, event).cancel_reason == "hold_expired"
    assert seats_taken(event.event_id) == 1


def test_a_hold_confirmed_meanwhile_is_not_expired(localstripe, shifted_clock):
    event = make_paid_event()
    ann = make_user()
    seats.book(principal_of(ann), event.event_id)
    listed = stored(ann, event)
    listed.update(actions=[models.Booking.status.set(models.CONFIRMED)])
    shifted_clock.advance(timedelta(minutes=16))

    assert holds.expire(listed) is False
    assert stored(ann, event).status == "confirmed"
    assert seats_taken(event.event_id) == 1


def test_a_move_to_a_date_with_another_price_is_409_price_differs(client):
    _, (first, second) = make_series_events(2)
    second.update(actions=[models.Event.price.set(models.Price(amount=900, currency="eur"))])
    ann = make_user()
    booked = book(client, ann, first.event_id).json_body

    response = move(client, ann, booked["booking_id"], second.event_id)

    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "price_differs"
    assert stored(ann, first).status == "confirmed"


@pytest.mark.parametrize(
    ("price", "field"),
    [
        ({"amount": 0, "currency": "eur"}, "amount"),
        ({"amount": 1005, "currency": "kwd"}, "amount"),
        ({"amount": 100, "currency": "euro"}, "currency"),
    ],
)
def test_an_admin_price_stripe_would_refuse_is_400(client, price, field):
    event = make_paid_event()
    response = client.http.patch(
        f"/admin/events/{event.event_id}",
        body=json.dumps({"price": price}),
        headers={**headers_for(make_admin()), "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    [message] = response.json_body["error"]["fields"]["price"]
    assert message.startswith(f"{field}: ")


def test_an_admin_sets_a_price_in_any_case_and_removes_it_with_null(client):
    event = make_paid_event()
    admin = make_admin()
    path = f"/admin/events/{event.event_id}"
    headers = {**headers_for(admin), "Content-Type": "application/json"}

    set_price = client.http.patch(
        path,
        body=json.dumps({"price": {"amount": 1500, "currency": "USD"}, "refund_percent": 50}),
        headers=headers,
    )
    public = client.http.get(f"/events/{event.event_id}", headers=headers_for(admin))
    freed = client.http.patch(path, body=json.dumps({"price": None}), headers=headers)

    assert set_price.json_body["price"] == {"amount": 1500, "currency": "usd"}
    assert public.json_body["price"] == {"amount": 1500, "currency": "usd"}
    assert public.json_body["refund_percent"] == 50
    assert freed.json_body["price"] is None


def test_the_listing_counts_a_lapsed_hold_as_a_free_seat_before_the_job_runs(
    client, localstripe, shifted_clock
):
    event = make_paid_event(capacity=1)
    ann, bob = make_users(2)
    book(client, ann, event.event_id)
    headers = headers_for(bob)

    def seats_left():
        return client.http.get(f"/events/{event.event_id}", headers=headers).json_body["seats_left"]

    held = seats_left()
    shifted_clock.advance(timedelta(minutes=16))
    lapsed = seats_left()

    assert (held, lapsed) == (0, 1)
    assert seats_taken(event.event_id) == 1


def test_my_bookings_show_a_hold_its_deadline_and_its_money(client, localstripe):
    event = make_paid_event()
    ann = make_user()
    held = book(client, ann, event.event_id).json_body

    [listed] = client.http.get("/bookings/my", headers=headers_for(ann)).json_body["bookings"]

    assert listed["status"] == "pending_payment"
    assert listed["hold_expires_at"] == held["hold_expires_at"]
    assert listed["payment"] == {
        "amount": 2500,
        "currency": "eur",
        "status": "awaiting",
        "refunded_amount": 0,
    }


def test_a_paid_booking_costs_one_write_more_than_a_free_one(client, localstripe):
    from local.call_counter import count_dynamodb_calls

    event = make_paid_event()
    ann = make_user()
    headers = headers_for(ann)

    with count_dynamodb_calls() as calls:
        response = post_json(client, "/bookings/", {"event_id": event.event_id}, headers)

    assert response.status_code == 201
    # Account + revocation + event, the booking transaction, the PaymentIntent's id.
    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1, "UpdateItem": 1}
