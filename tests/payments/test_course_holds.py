"""A paid course is one hold over all its dates and one PaymentIntent for the course's price:
paid, every date is confirmed at once; lapsed, every date's seat goes back at once."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import models
from chalicelib.bookings import series_bookings
from chalicelib.payments import stripe_api
from local.relay import scheduled_event
from local.stripe_local import pay_with_card
from tests.payments.paid import refunds_at_stripe
from tests.support.factories import make_users, principal_of, seats_taken
from tests.support.payments import make_paid_course, post_stripe_event, stripe_event


def held_course(user, dates=3):
    series_id, occurrences = make_paid_course(dates)
    answer = series_bookings.book_series(principal_of(user), series_id)
    return occurrences, answer


def statuses(user, occurrences):
    return [
        models.Booking.get(user.user_id, event.event_id, consistent_read=True).status
        for event in occurrences
    ]


def test_a_paid_course_is_one_hold_with_one_payment_intent_for_the_course_price(localstripe):
    (ann,) = make_users(1)

    occurrences, answer = held_course(ann)

    first, *rest = answer["bookings"]
    assert [entry["status"] for entry in answer["bookings"]] == ["pending_payment"] * 3
    assert (first["payment"]["amount"], first["payment"]["currency"]) == (2500, "eur")
    assert all("payment" not in entry for entry in rest)
    assert {entry["hold_expires_at"] for entry in answer["bookings"]} == {first["hold_expires_at"]}
    assert [seats_taken(event.event_id) for event in occurrences] == [1, 1, 1]


def test_paying_the_course_confirms_every_date(client, localstripe):
    (ann,) = make_users(1)
    occurrences, answer = held_course(ann)
    intent_id = answer["bookings"][0]["payment"]["payment_intent_id"]

    response = post_stripe_event(
        client, stripe_event(stripe_api.retrieve_payment_intent(intent_id))
    )

    assert response.status_code == 200
    assert statuses(ann, occurrences) == ["confirmed"] * 3


def test_a_lapsed_course_hold_gives_every_seat_back(client, localstripe, shifted_clock):
    (ann,) = make_users(1)
    occurrences, _ = held_course(ann)
    shifted_clock.advance(timedelta(minutes=16))

    # Through the Lambda: its IAM policy is held against every call it makes.
    ran = client.lambda_.invoke("settle_payments", scheduled_event("settle_payments")).payload
    assert ran["expire_holds"] == {"expired": 1, "skipped": 0}
    assert ran["refunds"]["refunded"] == 0  # an unpaid hold owes nothing back
    assert statuses(ann, occurrences) == ["cancelled"] * 3
    assert [seats_taken(event.event_id) for event in occurrences] == [0, 0, 0]


def test_cancelling_a_paid_course_refunds_it_once_from_the_same_write(client, localstripe):
    (ann,) = make_users(1)
    occurrences, answer = held_course(ann)
    intent_id = answer["bookings"][0]["payment"]["payment_intent_id"]
    pay_with_card(localstripe.url, intent_id)
    post_stripe_event(client, stripe_event(stripe_api.retrieve_payment_intent(intent_id)))
    first = models.Booking.get(ann.user_id, occurrences[0].event_id, consistent_read=True)

    series_bookings.cancel_course(principal_of(ann), first)

    assert statuses(ann, occurrences) == ["cancelled"] * 3
    paid = models.Booking.get(ann.user_id, occurrences[0].event_id, consistent_read=True)
    assert (paid.payment.status, paid.payment.refunded_amount) == ("refunded", 2500)
    assert [r["amount"] for r in refunds_at_stripe(localstripe, intent_id)] == [2500]


def test_each_paid_date_of_a_drop_in_series_is_its_own_hold(localstripe):
    from tests.support.factories import make_series_events

    (ann,) = make_users(1)
    series_id, occurrences = make_series_events(2)
    for event in occurrences:
        event.update(actions=[models.Event.price.set(models.Price(amount=900, currency="eur"))])

    answer = series_bookings.book_series(principal_of(ann), series_id)

    entries = answer["bookings"]
    assert [entry["status"] for entry in entries] == ["pending_payment"] * 2
    intents = {entry["payment"]["payment_intent_id"] for entry in entries}
    assert len(intents) == 2 and None not in intents
    assert {entry["payment"]["amount"] for entry in entries} == {900}
