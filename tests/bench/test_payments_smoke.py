"""The payments benchmark at a tiny size, on the test session's DynamoDB Local and
localstripe, so `make bench` cannot rot: it books, pays and confirms end to end with no
broken guarantee. Nothing here asserts a time."""

import pytest

from bench import payments
from bench.api import Api, in_process
from bench.runner import TimedSink
from chalicelib.config import get_settings
from tests.support.crm import CRM_TEST_SECRET, serving_as_the_crm


@pytest.fixture
def timed_crm(monkeypatch):
    yield from serving_as_the_crm(monkeypatch, TimedSink(secret=CRM_TEST_SECRET, echo=False))


def column(table, name):
    return [row[table.columns.index(name)] for row in table.rows]


def test_payments_benchmark_confirms_each_payment_once_and_counts_its_calls(
    client, dynamodb_local, localstripe, timed_crm
):
    app = payments.PaymentsApp(
        client,
        Api(in_process(client)),
        localstripe,
        timed_crm,
        dynamodb_local.endpoint,
        get_settings().stripe_webhook_secret,
    )
    calls, latency = payments.measure(app, payments=3)

    assert calls.failures == [] and latency.failures == []
    stripe = dict(zip(column(calls, "request"), column(calls, "Stripe calls"), strict=True))
    # One PaymentIntent per hold; confirming it (and a replay) asks Stripe nothing more.
    assert stripe == {
        "book a paid event": "1 (POST /v1/payment_intents 1)",
        "webhook payment_intent.succeeded": "0",
        "the same event again": "0",
    }
    assert column(latency, "confirmed") == ["3", "3"]
