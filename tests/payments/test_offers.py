"""Waiting-list offers on a paid event: a freed seat is held for the first in line in the
transaction that frees it, with a deadline, a PaymentIntent, and their place in My bookings."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import clock, events, models
from chalicelib.payments import offers, stripe_api
from local.relay import scheduled_event
from tests.payments.paid import CURRENCY, PRICE, current, paid_bookings, paid_event, waiting
from tests.support.api import body
from tests.support.factories import headers_for, make_users


def bookings_of(event_id):
    return {
        b.user_id: b
        for b in models.Booking.scan(models.Booking.event_id == event_id, consistent_read=True)
    }


def test_five_seats_freed_at_once_offer_them_to_the_first_five_of_twenty_in_line(
    concurrent_client, localstripe
):
    event = paid_event(capacity=5)
    seated = make_users(5)
    paid = paid_bookings(localstripe, event, seated)
    line = make_users(20)
    waiting(event, line)
    start = threading.Barrier(5)

    def cancel(pair):
        user, booking = pair
        start.wait()
        return concurrent_client.http.delete(
            f"/bookings/{booking.booking_id}", headers=headers_for(user)
        ).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(cancel, zip(seated, paid, strict=True))) == [200] * 5

    now = clock.now()
    found = bookings_of(event.event_id)
    offered = [u.user_id for u in line if found[u.user_id].status == models.PENDING_PAYMENT]
    assert offered == [u.user_id for u in line[:5]]
    assert all(found[u.user_id].status == models.WAITLISTED for u in line[5:])
    for user_id in offered:
        offer = found[user_id]
        assert (offer.payment.status, offer.payment.amount) == ("awaiting", PRICE)
        deadline = clock.parse_iso(offer.hold_expires_at)
        assert timedelta(minutes=719) < deadline - now <= timedelta(minutes=720)
        intent = stripe_api.retrieve_payment_intent(offer.payment.payment_intent_id)
        assert (intent["amount"], intent["currency"]) == (PRICE, CURRENCY)
        assert intent["metadata"]["booking_id"] == offer.booking_id
        assert intent["metadata"]["hold_expires_at"] == offer.hold_expires_at
    after = models.Event.get(event.event_id, consistent_read=True)
    assert (after.seats_taken, after.waitlist_count) == (5, 15)
    assert list(after.waitlist) == [u.user_id for u in line[5:]]


def test_an_offer_never_runs_past_the_event_s_start_and_shows_in_my_bookings(client, localstripe):
    event = paid_event(capacity=1, starts_in=timedelta(hours=2))
    (seated,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [seated])
    (first,) = make_users(1)
    waiting(event, [first])

    client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(seated))

    (mine,) = body(client.http.get("/bookings/my", headers=headers_for(first)))["bookings"]
    assert mine["status"] == "pending_payment"
    assert mine["hold_expires_at"] == event.starts_at
    assert mine["payment"] == {
        "amount": PRICE,
        "currency": CURRENCY,
        "status": "awaiting",
        "refunded_amount": 0,
    }


def test_raising_a_paid_event_s_capacity_offers_the_new_seats(localstripe):
    event = paid_event(capacity=1)
    paid_bookings(localstripe, event, make_users(1))
    line = make_users(3)
    waiting(event, line)

    events.update(event.event_id, capacity=3)

    found = bookings_of(event.event_id)
    assert [found[u.user_id].status for u in line] == ["pending_payment"] * 2 + ["waitlisted"]
    assert found[line[0].user_id].payment.payment_intent_id


def test_one_payment_intent_per_offer_however_often_it_is_asked_for(client, localstripe):
    event = paid_event(capacity=1)
    (seated,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [seated])
    (first,) = make_users(1)
    waiting(event, [first])
    client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(seated))
    offer = current(models.Booking(first.user_id, event.event_id))
    made = offer.payment.payment_intent_id

    assert offers.ensure_offer_payment_intent(offer) == made
    # A copy read before the id was recorded makes one, loses the race, and cancels it.
    stale = current(offer)
    stale.payment.payment_intent_id = None
    assert offers.ensure_offer_payment_intent(stale) == made
    assert current(offer).payment.payment_intent_id == made


def test_an_offer_not_paid_in_time_lapses_and_goes_to_the_next_in_line(
    client, localstripe, shifted_clock, configure
):
    configure(WAITLIST_OFFER_MINUTES=1)
    event = paid_event(capacity=1)
    (seated,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [seated])
    first, second = make_users(2)
    waiting(event, [first, second])
    client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(seated))
    assert bookings_of(event.event_id)[first.user_id].status == models.PENDING_PAYMENT

    shifted_clock.advance(timedelta(minutes=2))
    answer = client.lambda_.invoke("settle_payments", scheduled_event("settle_payments")).payload

    assert answer["expire_holds"]["expired"] == 1
    found = bookings_of(event.event_id)
    lapsed, offered = found[first.user_id], found[second.user_id]
    assert (lapsed.status, lapsed.cancel_reason) == ("cancelled", "hold_expired")
    assert offered.status == models.PENDING_PAYMENT and offered.payment.payment_intent_id
    assert offered.hold_expires_at > clock.to_iso(clock.now())
    assert models.Event.get(event.event_id, consistent_read=True).seats_taken == 1
