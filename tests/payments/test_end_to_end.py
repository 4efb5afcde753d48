"""One paid booking end to end: the API over HTTP, a card paid at localstripe as Stripe.js
would, and localstripe's own signed payment_intent.succeeded confirming the seat."""

from __future__ import annotations

import requests

from chalicelib import models
from chalicelib.config import get_settings
from local.stripe_local import pay_with_card
from tests.support.factories import headers_for, make_user
from tests.support.payments import make_paid_event
from tests.support.relays import wait_for


def test_a_card_paid_at_stripe_confirms_the_held_seat(live_server, localstripe):
    localstripe.send_webhooks_to(
        f"{live_server}/payments/stripe/webhook", get_settings().stripe_webhook_secret or ""
    )
    event = make_paid_event(capacity=2)
    ann = make_user()

    held = requests.post(
        f"{live_server}/bookings/",
        json={"event_id": event.event_id},
        headers=headers_for(ann),
        timeout=10,
    )
    paid = pay_with_card(localstripe.url, held.json()["payment"]["payment_intent_id"])

    def booking():
        return models.Booking.get(ann.user_id, event.event_id, consistent_read=True)

    assert held.status_code == 201 and paid["status"] == "succeeded"
    # localstripe posts the signed event about a second after the payment.
    assert wait_for(lambda: booking().status == models.CONFIRMED, timeout=10)
    assert booking().payment.status == models.PAYMENT_PAID
