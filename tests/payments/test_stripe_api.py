"""The Stripe client against localstripe (a real Stripe API server, never a mock), its two
kinds of failure, and the webhook signature check against Stripe's own library."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from chalicelib.config import get_settings
from chalicelib.payments import money, signatures, stripe_api
from local.stripe_local import pay_with_card


def webhook_secret() -> str:
    return get_settings().stripe_webhook_secret or ""


def test_a_payment_intent_is_made_paid_and_refunded(localstripe):
    intent = stripe_api.create_payment_intent(
        amount=2500, currency="eur", idempotency_key="hold-1", metadata={"booking_id": "B1"}
    )
    assert (intent["amount"], intent["currency"]) == (2500, "eur")
    assert intent["metadata"] == {"booking_id": "B1"}
    assert intent["client_secret"].startswith(intent["id"])

    paid = pay_with_card(localstripe.url, intent["id"])
    assert paid["status"] == "succeeded"
    assert stripe_api.retrieve_payment_intent(intent["id"])["status"] == "succeeded"

    refund = stripe_api.create_refund(
        payment_intent_id=intent["id"], amount=1000, idempotency_key="refund-1", metadata={}
    )
    assert (refund["amount"], refund["status"]) == (1000, "succeeded")


def test_a_refusal_and_an_outage_are_told_apart(localstripe, configure):
    intent = stripe_api.create_payment_intent(
        amount=900, currency="usd", idempotency_key="hold-2", metadata={}
    )
    with pytest.raises(stripe_api.StripeRefused) as refused:
        # Nothing was paid: Stripe refuses to refund it.
        stripe_api.create_refund(
            payment_intent_id=intent["id"], amount=900, idempotency_key="r", metadata={}
        )
    assert refused.value.status == 400

    configure(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_TIMEOUT_SECONDS=1)
    with pytest.raises(stripe_api.StripeUnavailable):
        stripe_api.retrieve_payment_intent(intent["id"])


def test_without_a_secret_key_no_call_is_made(configure):
    configure(STRIPE_SECRET_KEY="")
    with pytest.raises(stripe_api.StripeNotConfigured):
        stripe_api.retrieve_payment_intent("pi_x")


def _signed(body: bytes, at: datetime, secret: str | None = None) -> str:
    secret = secret or webhook_secret()
    return signatures.signature_header(body, secret, int(at.timestamp()))


def test_signatures_are_checked_as_stripe_checks_them(shifted_clock):
    body = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode()
    now = datetime.now(UTC)
    shifted_clock.freeze(now)
    header = _signed(body, now)

    assert signatures.verified_event(body, header, webhook_secret())["id"] == "evt_1"
    # Stripe's own library accepts exactly what this module accepts.
    assert stripe.Webhook.construct_event(body, header, webhook_secret()).id == "evt_1"

    refused = [
        (body, _signed(body, now, "whsec_other")),  # another secret
        (body + b" ", header),  # the body changed
        (body, _signed(body, now - timedelta(seconds=301))),  # stale
        (body, None),  # missing
        (body, "t=abc,v1=00"),  # malformed
        (body, f"t={int(now.timestamp())}"),  # no signature
    ]
    for payload, bad_header in refused:
        with pytest.raises(signatures.BadSignature):
            signatures.verified_event(payload, bad_header, webhook_secret())
    with pytest.raises(signatures.BadSignature):
        signatures.verified_event(body, header, None)


def test_amounts_follow_stripe_s_minor_units():
    assert money.shown(2000, "eur") == "20.00 EUR"
    assert money.shown(2000, "jpy") == "2000 JPY"
    assert money.shown(1230, "kwd") == "1.230 KWD"
    assert money.amount_problem(0, "eur") is not None
    assert money.amount_problem(1235, "kwd") is not None
    assert money.amount_problem(1230, "kwd") is None
    assert money.share(999, 50, "eur") == 499
    assert money.share(1230, 50, "kwd") == 610
    assert money.is_currency_code("eur") and not money.is_currency_code("EURO")
