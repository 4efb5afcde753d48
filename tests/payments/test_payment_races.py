"""Races on real threads against DynamoDB Local and localstripe: the last paid seat, a hold
lapsing while its payment arrives, and the same Stripe event delivered at once many times."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import clock, errors, models
from chalicelib.bookings import items, seats
from chalicelib.config import get_settings
from chalicelib.payments import holds, signatures, stripe_api, webhook
from local.stripe_local import pay_with_card
from tests.support.factories import make_users, principal_of, seats_taken
from tests.support.payments import make_paid_event, stripe_event


def deliver(event: dict) -> dict:
    """Stripe's POST as the route hands it over: the exact bytes and their signature."""
    body = json.dumps(event).encode()
    secret = get_settings().stripe_webhook_secret or ""
    header = signatures.signature_header(body, secret, int(clock.now().timestamp()))
    return webhook.handle(body, header)


def stored(user, event) -> models.Booking:
    return models.Booking.get(user.user_id, event.event_id, consistent_read=True)


def all_at_once(calls):
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        try:
            return call()
        except errors.AppError as refused:
            return refused

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_thirty_people_for_the_last_paid_seat_leave_one_hold(localstripe):
    event = make_paid_event(capacity=1)
    principals = [principal_of(user) for user in make_users(30)]

    answers = all_at_once([lambda p=p: seats.book(p, event.event_id) for p in principals])

    held = [answer for answer in answers if isinstance(answer, dict)]
    assert len(held) == 1
    assert held[0]["status"] == "pending_payment" and held[0]["payment"]["payment_intent_id"]
    assert {type(answer).__name__ for answer in answers if answer not in held} == {"EventFull"}
    assert seats_taken(event.event_id) == 1


def test_a_payment_before_the_hold_lapses_is_kept_and_the_job_then_changes_nothing(
    localstripe, shifted_clock
):
    event = make_paid_event(capacity=1)
    (ann,) = make_users(1)
    answer = seats.book(principal_of(ann), event.event_id)
    intent = stripe_api.retrieve_payment_intent(answer["payment"]["payment_intent_id"])

    deliver(stripe_event(intent))
    shifted_clock.advance(timedelta(minutes=16))

    assert holds.expire_due_holds()["expired"] == 0
    booking = stored(ann, event)
    assert (booking.status, booking.payment.status) == ("confirmed", "paid")
    assert seats_taken(event.event_id) == 1


def test_a_hold_lapsing_as_its_payment_arrives_ends_charged_or_refunded_never_both(
    localstripe, shifted_clock
):
    rounds = 4
    people = make_users(2 * rounds)
    # Signed in before the clock moves: a token's iat may not be in the real future.
    principals = [principal_of(user) for user in people]
    for round_ in range(rounds):
        event = make_paid_event(capacity=1)
        ann, bob = people[2 * round_], people[2 * round_ + 1]
        answer = seats.book(principals[2 * round_], event.event_id)
        paid = pay_with_card(localstripe.url, answer["payment"]["payment_intent_id"])
        shifted_clock.advance(timedelta(minutes=16))

        def newcomer(principal=principals[2 * round_ + 1], event_id=event.event_id):
            return seats.book(principal, event_id)

        all_at_once(
            [lambda paid=paid: deliver(stripe_event(paid)), holds.expire_due_holds, newcomer]
        )

        mine = stored(ann, event)
        theirs = items.booking_or_none(bob.user_id, event.event_id)
        charged = mine.status == "confirmed" and mine.payment.status == "paid"
        refunded = (
            mine.status == "cancelled"
            and mine.cancel_reason == "hold_expired"
            and mine.payment.status == "refunded"
        )
        assert charged != refunded, (mine.status, mine.payment.status)
        assert (theirs is not None and theirs.status == "pending_payment") == refunded
        assert seats_taken(event.event_id) == 1


def test_one_stripe_event_delivered_ten_times_at_once_confirms_once(localstripe):
    event = make_paid_event()
    (ann,) = make_users(1)
    answer = seats.book(principal_of(ann), event.event_id)
    succeeded = stripe_event(
        stripe_api.retrieve_payment_intent(answer["payment"]["payment_intent_id"])
    )
    before = stored(ann, event).revision

    answers = all_at_once([lambda: deliver(succeeded)] * 10)

    assert answers == [{"received": True}] * 10
    booking = stored(ann, event)
    assert booking.status == "confirmed"
    assert booking.revision == before + 1
