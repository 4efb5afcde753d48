"""Paid seats at the CRM: a cancelled paid booking is `booking.cancelled` then, once Stripe has
made the refund, `booking.refunded` with the amounts; the seat offered to the first in line is
`booking.offered` with its deadline, and `booking.cancelled` when that offer lapses; each once
and signed, through the real stream and relay."""

import time
from datetime import timedelta

from chalicelib import models
from chalicelib.payments import settle
from tests.payments.paid import CURRENCY, PRICE, current, paid_bookings, paid_event, waiting
from tests.support.factories import headers_for, make_users
from tests.support.relays import wait_for


def test_a_refund_and_the_offer_of_the_freed_seat_reach_the_crm(relays, crm, client, localstripe):
    relays.start()
    event = paid_event(capacity=1, refund_percent=50)
    seated, first = make_users(2)
    (booking,) = paid_bookings(localstripe, event, [seated])
    waiting(event, [first])

    client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(seated))

    # Written directly: the seat's booking.confirmed and the line's booking.waitlisted too.
    assert wait_for(lambda: len(crm.deliveries) >= 5, timeout=15)
    time.sleep(0.5)
    offer = current(models.Booking(first.user_id, event.event_id))
    refunded = current(booking)
    by_id = {d["webhook_id"]: d["payload"] for d in crm.deliveries}
    assert sorted(by_id) == sorted(
        [
            f"{booking.booking_id}.booking.confirmed",
            f"{booking.booking_id}.booking.cancelled",
            f"{booking.booking_id}.booking.refunded.{refunded.revision}",
            f"{offer.booking_id}.booking.waitlisted",
            f"{offer.booking_id}.booking.offered",
        ]
    )
    assert all(d["signature"] == "ok" for d in crm.deliveries)
    refund = by_id[f"{booking.booking_id}.booking.refunded.{refunded.revision}"]
    assert refund["type"] == "booking.refunded"
    assert refund["payment"] == {
        "amount": PRICE,
        "currency": CURRENCY,
        "refunded_amount": PRICE // 2,
    }
    assert refund["occurred_at"] == refunded.updated_at
    assert refund["user"]["id"] == seated.user_id
    offered = by_id[f"{offer.booking_id}.booking.offered"]
    # The offer's deadline rides in `payment`, one of the documented additions: the payload
    # gains no key of its own.
    assert offered["payment"] == {
        "amount": PRICE,
        "currency": CURRENCY,
        "expires_at": offer.hold_expires_at,
    }
    assert set(offered) == {
        "type",
        "occurred_at",
        "booking_id",
        "event",
        "user",
        "facilitator_crm_id",
        "payment",
    }


def test_an_offer_that_lapses_is_cancelled_at_the_crm_which_heard_of_it(
    relays, crm, client, localstripe, shifted_clock
):
    relays.start()
    event = paid_event(capacity=1)
    seated, first = make_users(2)
    (booking,) = paid_bookings(localstripe, event, [seated])
    waiting(event, [first])
    client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(seated))
    offer = current(models.Booking(first.user_id, event.event_id))
    assert offer.status == models.PENDING_PAYMENT

    # Past the offer's deadline (WAITLIST_OFFER_MINUTES, never past the event's start).
    shifted_clock.advance(timedelta(days=2))
    settle.settle_payments()

    lapsed = current(offer)
    assert (lapsed.status, lapsed.cancel_reason) == (models.CANCELLED, models.REASON_HOLD_EXPIRED)
    cancelled_id = f"{offer.booking_id}.booking.cancelled"
    assert wait_for(lambda: cancelled_id in {d["webhook_id"] for d in crm.deliveries}, timeout=15)
    [message] = [d["payload"] for d in crm.deliveries if d["webhook_id"] == cancelled_id]
    assert message["reason"] == models.REASON_HOLD_EXPIRED
