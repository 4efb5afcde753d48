"""Measure: paid seats. The calls a paid booking makes (DynamoDB and Stripe), the calls
of the Stripe webhook handler that confirms it, and how long from ``payment_intent.succeeded``
reaching the app to the CRM's ``booking.confirmed`` (p50/p95 over 200 payments).

Everything is real and local: the app in this process (Chalice's test client), its own
DynamoDB Local, its own localstripe (a PaymentIntent per hold, paid with the test card
4242 4242 4242 4242 the way Stripe.js pays it), the local relay carrying the bookings stream
to the stream handler (polling every 0.05 s; `make run`'s polls every 0.2 s, Lambda's
stream polling about every second), and a CRM receiver noting when each webhook arrives.

localstripe waits 1 s before it sends each webhook, which would only add its own sleep: so
the measure signs the ``payment_intent.succeeded`` event itself (the PaymentIntent as
localstripe answers it once paid, in Stripe's event envelope, signed with the endpoint
secret as Stripe signs it) and POSTs it to ``/payments/stripe/webhook``; the time runs from
that POST to the CRM's receipt. DynamoDB calls are counted on the botocore client, Stripe's
by wrapping ``requests`` for the block (this measure only).

A payment whose booking is not confirmed, or whose ``booking.confirmed`` never reaches the
CRM or reaches it twice, is a failure.

    python -m bench.payments
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import api, cli
from bench.backend import LOAD_TEST_SETTINGS, crm_receiver, signing_settings
from bench.report import Table, latency_cells
from bench.runner import TimedSink
from bench.settings import app_pointed_at
from local.call_counter import count_dynamodb_calls
from local.dynamodb_local import DynamoDBLocal
from local.paths import REPO_ROOT
from local.stripe_local import PUBLISHABLE_KEY, SECRET_KEY, LocalStripe, pay_with_card

NEEDS = cli.NOTHING
PAYMENTS = 200
SEATS_PER_EVENT = 50
PACE_SECONDS = 0.1
ARRIVAL_TIMEOUT_SECONDS = 30
AMOUNT, CURRENCY = 2500, "eur"
CONFIRMED = "booking.confirmed"
# Stripe's object ids: a short prefix, an underscore, the rest (pi_…, pm_…, re_…).
_STRIPE_ID = re.compile(r"^[a-z]{2,5}_[A-Za-z0-9]+$")


@dataclass
class PaymentsApp:
    client: Any  # chalice.test.Client
    api: api.Api
    stripe: LocalStripe
    crm: TimedSink
    dynamodb_endpoint: str
    webhook_secret: str


def run(_: None = None) -> list[Table]:
    with started() as app:
        return measure(app, PAYMENTS)


def measure(app: PaymentsApp, payments: int) -> list[Table]:
    return [calls(app), latency(app, payments)]


@contextlib.contextmanager
def started() -> Iterator[PaymentsApp]:
    """The app in this process on its own DynamoDB Local, localstripe and CRM receiver."""
    webhook_secret = "whsec_" + secrets.token_urlsafe(32)
    stripe = LocalStripe()
    stripe.start()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-pay-") as data_dir,
            DynamoDBLocal() as dynamodb,
            crm_receiver(Path(data_dir), TimedSink) as crm,
            app_pointed_at(
                {
                    **LOAD_TEST_SETTINGS,
                    **signing_settings(crm),
                    "DATA_DIR": data_dir,
                    "DYNAMODB_ENDPOINT": dynamodb.endpoint,
                    "STRIPE_API_BASE": stripe.url,
                    "STRIPE_JS_URL": stripe.stripe_js_url,
                    "STRIPE_SECRET_KEY": SECRET_KEY,
                    "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
                    "STRIPE_WEBHOOK_SECRET": webhook_secret,
                }
            ),
        ):
            from chalice.test import Client

            from app import app
            from chalicelib.dynamodb import create_tables

            create_tables()
            with Client(app, stage_name="bench", project_dir=str(REPO_ROOT)) as client:
                yield PaymentsApp(
                    client,
                    api.Api(api.in_process(client)),
                    stripe,
                    crm,
                    dynamodb.endpoint,
                    webhook_secret,
                )
    finally:
        stripe.stop()


def calls(app: PaymentsApp) -> Table:
    table = Table(
        "Paid seats: calls per request (DynamoDB, Stripe)",
        ["request", "status", "DynamoDB calls", "Stripe calls"],
    )
    event_id = paid_event(capacity=1)
    token = _user_token()
    with counted_calls(app.stripe.url) as (dynamodb, stripe):
        booked = app.api.book(token, event_id)
    table.add("book a paid event", booked.status, _operations(dynamodb), _operations(stripe))
    if booked.status != 201 or booked.body.get("status") != "pending_payment":
        table.fail(f"a paid booking answered {booked.status}: {booked.body}")
        return table
    intent = pay_with_card(app.stripe.url, booked.body["payment"]["payment_intent_id"])
    with counted_calls(app.stripe.url) as (dynamodb, stripe):
        status = post_succeeded(app, intent)
    table.add(
        "webhook payment_intent.succeeded", status, _operations(dynamodb), _operations(stripe)
    )
    with counted_calls(app.stripe.url) as (dynamodb, stripe):
        again = post_succeeded(app, intent)
    table.add("the same event again", again, _operations(dynamodb), _operations(stripe))
    if status != 200 or again != 200:
        table.fail(f"the webhook answered {status}, then {again}")
    table.notes.append(
        "Stripe calls: the booking's PaymentIntent (created with an idempotency key derived "
        "from the hold); the payment itself is the browser's, not the app's."
    )
    return table


def latency(app: PaymentsApp, payments: int) -> Table:
    table = Table(
        f"Paid seats: payment_intent.succeeded at the app → booking.confirmed at the CRM "
        f"({payments} payments each)",
        ["webhooks posted", "confirmed", "p50", "p95", "slowest"],
    )
    watched: set[str] = set()
    # One relay for both rounds: a second one would first read the whole stream again.
    with relaying(app, watched):
        for label, pace in (
            (f"paced, one every {PACE_SECONDS:g} s", PACE_SECONDS),
            ("back to back", 0),
        ):
            _time_payments(app, table, label, payments, pace, watched)
    table.notes.append(
        "Timed from the signed POST of payment_intent.succeeded (made here: localstripe "
        "sleeps 1 s before each of its own) to the CRM's receipt of booking.confirmed, through "
        "the stream relay polling every 0.05 s. Back to back, later confirmations queue "
        "behind the stream handler's earlier batches, as on one shard."
    )
    return table


def _time_payments(
    app: PaymentsApp, table: Table, label: str, payments: int, pace: float, watched: set[str]
) -> None:
    intents: dict[str, dict[str, Any]] = {}
    events = [paid_event(SEATS_PER_EVENT) for _ in range(-(-payments // SEATS_PER_EVENT))]
    for n in range(payments):
        booked = app.api.book(_user_token(), events[n // SEATS_PER_EVENT])
        if booked.status != 201:
            table.fail(f"a paid booking answered {booked.status}: {booked.body}")
            continue
        intent = pay_with_card(app.stripe.url, booked.body["payment"]["payment_intent_id"])
        intents[f"{booked.body['booking_id']}.{CONFIRMED}"] = intent
    watched.update(events)
    posted: dict[str, float] = {}
    for webhook_id, intent in intents.items():
        posted[webhook_id] = time.monotonic()
        status = post_succeeded(app, intent)
        if status != 200:
            table.fail(f"the webhook answered {status}")
        time.sleep(pace)
    _wait_for(app.crm, set(posted), ARRIVAL_TIMEOUT_SECONDS)
    arrivals = app.crm.arrivals
    latencies = [arrivals[i][0] - at for i, at in posted.items() if i in arrivals]
    missing = len(posted) - len(latencies)
    if missing:
        table.fail(f"{label}: {missing} booking.confirmed webhooks never reached the CRM")
    twice = [i for i in posted if len(arrivals.get(i, [])) > 1]
    if twice:
        table.fail(f"{label}: {len(twice)} booking.confirmed webhooks reached the CRM twice")
    if latencies:
        table.add(label, *latency_cells(latencies))


def paid_event(capacity: int) -> str:
    from bench import data
    from chalicelib import models

    event_id = data.new_event(capacity=capacity)
    models.Event(event_id).update(
        actions=[models.Event.price.set(models.Price(amount=AMOUNT, currency=CURRENCY))]
    )
    return event_id


def post_succeeded(app: PaymentsApp, intent: dict[str, Any]) -> int:
    """POST ``payment_intent.succeeded`` for ``intent`` to the app, signed as Stripe signs."""
    from chalicelib.payments.signatures import signature_header

    event = {
        "id": f"evt_{intent['id']}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": intent},
    }
    body = json.dumps(event).encode()
    header = signature_header(body, app.webhook_secret, int(time.time()))
    response = app.client.http.post(
        "/payments/stripe/webhook",
        body=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    return response.status_code


@contextlib.contextmanager
def counted_calls(stripe_url: str) -> Iterator[tuple[Counter[str], Counter[str]]]:
    """DynamoDB operations, and the Stripe requests (``METHOD /path``) made in the block."""
    stripe: Counter[str] = Counter()
    original: Callable[..., Any] = requests.Session.request

    def counting(session: requests.Session, method: str, url: str, *args: Any, **kwargs: Any):
        if str(url).startswith(stripe_url):
            path = str(url)[len(stripe_url) :].split("?")[0]
            stripe.update([f"{method.upper()} {_shape(path)}"])
        return original(session, method, url, *args, **kwargs)

    requests.Session.request = counting  # type: ignore[method-assign]
    try:
        with count_dynamodb_calls() as dynamodb:
            yield dynamodb, stripe
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


@contextlib.contextmanager
def relaying(app: PaymentsApp, event_ids: set[str]) -> Iterator[None]:
    """The local relay carrying the bookings stream to the stream handler, in a thread; only
    the records of ``event_ids`` (as it is when they come) are handed on: the stream may
    hold older ones."""
    from app import on_booking_change, retry_webhooks
    from chalicelib import models
    from local.relay import StreamRelay

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        ours = [record for record in event["Records"] if _record_event(record) in event_ids]
        if not ours:
            return {"batchItemFailures": []}
        return on_booking_change({"Records": ours}, context)

    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="bench-pay-relay-") as position_dir:
        relay = StreamRelay(
            endpoint=app.dynamodb_endpoint,
            table_name=models.Booking.Meta.table_name,
            handler=handler,
            retrier=retry_webhooks,
            position_path=Path(position_dir) / "position.json",
            poll_seconds=0.05,
        )
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)


def _record_event(record: dict[str, Any]) -> str | None:
    return record["dynamodb"].get("Keys", {}).get("event_id", {}).get("S")


def _wait_for(crm: TimedSink, wanted: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= crm.arrivals.keys() and time.monotonic() < deadline:
        time.sleep(0.05)


def _user_token() -> str:
    from bench import data

    return data.new_user_token()


def _shape(path: str) -> str:
    """``/v1/payment_intents/pi_123/confirm`` → ``/v1/payment_intents/{id}/confirm``."""
    return "/".join("{id}" if _STRIPE_ID.match(part) else part for part in path.split("/"))


def _operations(calls: Counter[str]) -> str:
    if not calls:
        return "0"
    listed = ", ".join(f"{name} {count}" for name, count in sorted(calls.items()))
    return f"{sum(calls.values())} ({listed})"


if __name__ == "__main__":
    sys.exit(cli.main(["payments"]))
