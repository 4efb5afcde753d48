"""Paid events and paid bookings for the refund and offer tests, made as the payment flow
leaves them: a real PaymentIntent on localstripe, paid with a test card, recorded on a
confirmed booking; and what Stripe holds for a PaymentIntent (its refunds)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import requests

from chalicelib import bookings, clock, ids, metrics, models
from chalicelib.payments import stripe_api
from local.stripe_local import SECRET_KEY, pay_with_card
from tests.support.factories import CREATED_AT, new_event, save_all

PRICE = 2000
CURRENCY = "eur"


def paid_event(
    capacity: int = 10,
    *,
    refund_percent: int = 100,
    starts_in: timedelta = timedelta(days=7),
    cancellable_until_hours: int = 0,
) -> models.Event:
    event = new_event(starts_in, capacity=capacity)
    event.price = models.Price(amount=PRICE, currency=CURRENCY)
    event.refund_percent = refund_percent
    if cancellable_until_hours:
        event.cancellable_until_hours = cancellable_until_hours
        until = clock.parse_iso(event.starts_at) - timedelta(hours=cancellable_until_hours)
        event.cancellable_until = clock.to_iso(until)
    event.save()
    return event


def paid_payment(localstripe: Any) -> models.BookingPayment:
    """A PaymentIntent for the event's price, paid with the test card, as a booking records it."""
    intent = stripe_api.create_payment_intent(
        amount=PRICE, currency=CURRENCY, idempotency_key=ids.new_id(), metadata={}
    )
    assert pay_with_card(localstripe.url, intent["id"])["status"] == "succeeded"
    return models.BookingPayment(
        payment_intent_id=intent["id"],
        amount=PRICE,
        currency=CURRENCY,
        status=models.PAYMENT_PAID,
        refunded_amount=0,
    )


def paid_bookings(
    localstripe: Any, event: models.Event, users: list[models.User]
) -> list[models.Booking]:
    """Each user's confirmed, paid booking of ``event``, its seats taken."""
    made = []
    for user in users:
        booking = bookings.booking_item(
            user.user_id, user.name, user.email, event, models.CONFIRMED, CREATED_AT
        )
        booking.payment = paid_payment(localstripe)
        booking.revision = 1
        made.append(booking)
    save_all(made)
    event.update(actions=[models.Event.seats_taken.add(len(made))])
    return made


def waiting(event: models.Event, users: list[models.User]) -> None:
    """``users`` in line for ``event``, in this order, as joining leaves them."""
    save_all(
        [
            bookings.booking_item(
                user.user_id, user.name, user.email, event, models.WAITLISTED, CREATED_AT
            )
            for user in users
        ]
    )
    line = [user.user_id for user in users]
    event.update(
        actions=[
            models.Event.waitlist.set(line),
            models.Event.waitlist_count.set(len(line)),
            models.Event.waitlist_joins.set(len(line)),
            models.Event.waitlist_capacity.set(len(line)),
        ]
    )


def refunds_at_stripe(localstripe: Any, payment_intent_id: str) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{localstripe.url}/v1/refunds",
        params={"payment_intent": payment_intent_id},
        auth=(SECRET_KEY, ""),
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["data"]


def current(booking: models.Booking) -> models.Booking:
    return models.Booking.get(booking.user_id, booking.event_id, consistent_read=True)


def emitted_totals(lines: list[str]) -> Counter:
    """The EMF lines written, summed by metric name."""
    counted: Counter = Counter()
    for line in lines:
        entry = json.loads(line)
        (name,) = (m["Name"] for m in entry["_aws"]["CloudWatchMetrics"][0]["Metrics"])
        counted[name] += entry[name]
    return counted


def capture_metrics(monkeypatch: Any) -> list[str]:
    lines: list[str] = []
    monkeypatch.setattr(metrics, "_stdout", lines.append)
    return lines
