"""Paid events, and Stripe's webhook as Stripe sends it: the event JSON built here and signed
with the endpoint's secret (fast, and any order or forgery a test needs)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib import clock, ids, models
from chalicelib.config import get_settings
from chalicelib.payments import signatures
from tests.support.factories import make_event

PRICE = {"amount": 2500, "currency": "eur"}


def make_paid_event(
    starts_in: timedelta = timedelta(days=7), *, amount: int = 2500, **kwargs: Any
) -> models.Event:
    event = make_event(starts_in, **kwargs)
    event.update(actions=[models.Event.price.set(models.Price(amount=amount, currency="eur"))])
    return event


def stripe_event(
    intent: dict[str, Any], kind: str = "payment_intent.succeeded", **changes: Any
) -> dict[str, Any]:
    """The Stripe event of ``kind`` for ``intent`` (a PaymentIntent as Stripe answers it),
    with ``changes`` made to the PaymentIntent (another amount, currency...)."""
    return {
        "id": f"evt_{ids.new_id()}",
        "object": "event",
        "type": kind,
        "created": int(clock.now().timestamp()),
        "data": {"object": {**intent, "status": "succeeded", **changes}},
    }


def post_stripe_event(
    client: Any,
    event: dict[str, Any],
    *,
    secret: str | None = None,
    age: timedelta = timedelta(0),
    signed: bool = True,
) -> Any:
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json"}
    if signed:
        timestamp = int((clock.now() - age).timestamp())
        secret = secret or get_settings().stripe_webhook_secret or ""
        headers["Stripe-Signature"] = signatures.signature_header(body, secret, timestamp)
    return client.http.post("/payments/stripe/webhook", body=body, headers=headers)


def make_paid_course(dates: int = 3, *, capacity: int = 5) -> tuple[str, list[models.Event]]:
    """A course series of ``dates`` dates whose whole-course price (on the series) is 2500."""
    from tests.support.factories import make_series_events

    series_id, occurrences = make_series_events(dates, models.COURSE, capacity=capacity)
    for event in occurrences:
        event.update(actions=[models.Event.series.course_price.set(models.Price(**PRICE))])
    models.Series(
        series_id,
        name="Evening Flow",
        kind="session",
        facilitator_id=ids.new_id(),
        timezone="Europe/Berlin",
        start_date="2026-12-07",
        start_time="18:30",
        duration_minutes=60,
        rrule=f"FREQ=WEEKLY;COUNT={dates}",
        capacity=capacity,
        booking_mode=models.COURSE,
        price=models.Price(**PRICE),
        created_at=clock.to_iso_ms(clock.now()),
    ).save()
    return series_id, occurrences
