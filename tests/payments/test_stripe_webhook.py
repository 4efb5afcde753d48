"""Stripe's webhook: a signed payment_intent.succeeded confirms its hold once, whatever the
order; forgeries and strangers change nothing; a payment too late is seated or refunded."""

from __future__ import annotations

from datetime import timedelta

from chalice.app import DynamoDBRecord

from chalicelib import models
from chalicelib.bookings import seats
from chalicelib.payments import holds, stripe_api
from chalicelib.webhooks import payload
from local.stripe_local import pay_with_card
from tests.support.factories import make_users, principal_of, seats_taken
from tests.support.payments import make_paid_event, post_stripe_event, stripe_event
from tests.support.stream_records import recorded_event


def hold_for(user, event):
    answer = seats.book(principal_of(user), event.event_id)
    return answer, stripe_api.retrieve_payment_intent(answer["payment"]["payment_intent_id"])


def stored(user, event) -> models.Booking:
    return models.Booking.get(user.user_id, event.event_id, consistent_read=True)


def test_a_succeeded_payment_confirms_its_hold_once(client, localstripe):
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    succeeded = stripe_event(intent)

    first = post_stripe_event(client, succeeded)
    confirmed = stored(ann, event)
    replayed = post_stripe_event(client, succeeded)
    another_delivery = post_stripe_event(client, stripe_event(intent))

    assert [first.status_code, replayed.status_code, another_delivery.status_code] == [200] * 3
    assert (confirmed.status, confirmed.payment.status) == ("confirmed", "paid")
    assert (confirmed.hold_queue, confirmed.hold_expires_at) == (None, None)
    assert models.Event.get(event.event_id, consistent_read=True).hold_expiries is None
    after = stored(ann, event)
    assert (after.revision, after.updated_at) == (confirmed.revision, confirmed.updated_at)
    assert seats_taken(event.event_id) == 1


def test_the_confirmation_tells_the_crm_what_was_paid(localstripe):
    event = make_paid_event()
    (ann,) = make_users(1)
    seats.book(principal_of(ann), event.event_id)
    held = stored(ann, event)
    confirmed = stored(ann, event)
    confirmed.status = models.CONFIRMED
    confirmed.payment.status = models.PAYMENT_PAID
    # A recorded stream record (its real shape), carrying these two images.
    recorded = recorded_event("booking_confirmed")["Records"][0]
    images = {"OldImage": held.serialize(), "NewImage": confirmed.serialize()}
    record = DynamoDBRecord(
        {**recorded, "eventName": "MODIFY", "dynamodb": {**recorded["dynamodb"], **images}},
        context=None,
    )

    delivery_id, body = payload.message_from_record(record)

    assert delivery_id == f"{held.booking_id}.booking.confirmed"
    assert '"payment":{"amount":2500,"currency":"eur"}' in body


def test_wrong_secret_stale_or_missing_signature_is_400_and_changes_nothing(client, localstripe):
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    succeeded = stripe_event(intent)

    answers = [
        post_stripe_event(client, succeeded, secret="whsec_not_the_endpoints"),
        post_stripe_event(client, succeeded, age=timedelta(minutes=6)),
        post_stripe_event(client, succeeded, signed=False),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400]
    assert {a.json_body["error"]["code"] for a in answers} == {"bad_signature"}
    assert stored(ann, event).status == "pending_payment"


def test_an_old_event_replayed_later_is_refused_as_stale(client, localstripe, shifted_clock):
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    captured = stripe_event(intent)

    shifted_clock.advance(timedelta(minutes=10))
    replay = post_stripe_event(client, captured, age=timedelta(minutes=10))

    assert replay.status_code == 400
    assert stored(ann, event).status == "pending_payment"


def test_an_unknown_payment_intent_is_acknowledged_and_ignored(client, localstripe):
    stranger = stripe_api.create_payment_intent(
        amount=2500, currency="eur", idempotency_key="elsewhere", metadata={}
    )

    answer = post_stripe_event(client, stripe_event(stranger))

    assert answer.status_code == 200
    assert models.Booking.count() == 0


def test_a_payment_of_another_amount_or_currency_confirms_nothing_and_alarms(
    client, localstripe, capsys
):
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)

    cheaper = post_stripe_event(client, stripe_event(intent, amount=100))
    dollars = post_stripe_event(client, stripe_event(intent, currency="usd"))

    assert (cheaper.status_code, dollars.status_code) == (200, 200)
    assert stored(ann, event).status == "pending_payment"
    assert capsys.readouterr().out.count('"PaymentsMismatched":1') == 2


def test_a_failed_payment_leaves_the_hold(client, localstripe):
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)

    answer = post_stripe_event(client, stripe_event(intent, "payment_intent.payment_failed"))

    assert answer.status_code == 200
    assert stored(ann, event).status == "pending_payment"


def test_a_payment_after_the_hold_lapsed_takes_a_free_seat(client, localstripe, shifted_clock):
    event = make_paid_event(capacity=1)
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    shifted_clock.advance(timedelta(minutes=16))
    holds.expire_due_holds()
    assert seats_taken(event.event_id) == 0

    answer = post_stripe_event(client, stripe_event(intent))

    booking = stored(ann, event)
    assert answer.status_code == 200
    assert (booking.status, booking.payment.status, booking.cancel_reason) == (
        "confirmed",
        "paid",
        None,
    )
    assert seats_taken(event.event_id) == 1


def test_a_payment_after_its_seat_went_to_someone_else_is_refunded_in_full(
    client, localstripe, shifted_clock
):
    event = make_paid_event(capacity=1)
    ann, bob = make_users(2)
    _, intent = hold_for(ann, event)
    paid = pay_with_card(localstripe.url, intent["id"])
    bob_principal = principal_of(bob)
    shifted_clock.advance(timedelta(minutes=16))
    seats.book(bob_principal, event.event_id)  # frees Ann's lapsed hold, takes the seat

    answer = post_stripe_event(client, stripe_event(paid))
    again = post_stripe_event(client, stripe_event(paid))

    booking = stored(ann, event)
    assert (answer.status_code, again.status_code) == (200, 200)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "hold_expired")
    assert (booking.payment.status, booking.payment.refunded_amount) == ("refunded", 2500)
    assert stored(bob, event).status == "pending_payment"
    assert seats_taken(event.event_id) == 1
    refunded = stripe_api.retrieve_payment_intent(intent["id"])
    assert refunded["amount_refunded" if "amount_refunded" in refunded else "amount"] == 2500


def test_a_hold_on_a_cancelled_event_is_cancelled_and_a_late_payment_refunded(client, localstripe):
    from chalicelib import event_changes

    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    paid = pay_with_card(localstripe.url, intent["id"])

    event_changes.cancel_event(event.event_id)
    cancelled = stored(ann, event)
    post_stripe_event(client, stripe_event(paid))

    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "event_cancelled")
    assert cancelled.hold_queue is None
    booking = stored(ann, event)
    assert (booking.status, booking.payment.status) == ("cancelled", "refunded")


def test_confirming_a_payment_costs_a_read_and_a_transaction(client, localstripe):
    from local.call_counter import count_dynamodb_calls

    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)

    with count_dynamodb_calls() as calls:
        post_stripe_event(client, stripe_event(intent))

    assert calls == {"GetItem": 1, "TransactWriteItems": 1}


def test_another_stage_s_payment_intent_is_ignored(client, localstripe):
    # Stages may share a Stripe account, and Stripe sends every endpoint every event.
    event = make_paid_event()
    (ann,) = make_users(1)
    _, intent = hold_for(ann, event)
    elsewhere = {**intent["metadata"], "stage": "prod"}

    answer = post_stripe_event(client, stripe_event(intent, metadata=elsewhere))

    assert answer.status_code == 200
    assert stored(ann, event).status == "pending_payment"
