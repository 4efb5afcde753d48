"""Paid seats at the CRM: a cancelled paid booking is `booking.cancelled` then, once Stripe has
made the refund, `booking.refunded` with the amounts; the seat offered to the first in line is
`booking.offered` with its deadline; each once and signed, through the real stream and relay."""

import time

from chalicelib import models
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
    assert offered["hold_expires_at"] == offer.hold_expires_at
    assert offered["payment"] == {"amount": PRICE, "currency": CURRENCY}
    assert set(offered) == {
        "type",
        "occurred_at",
        "booking_id",
        "event",
        "user",
        "facilitator_crm_id",
        "hold_expires_at",
        "payment",
    }
