"""Finished deliveries expire after their retention and leave the index the retrier reads;
what is still due is in that index, and never expires."""

from __future__ import annotations

from datetime import timedelta

import botocore.session

from chalicelib import clock, models
from chalicelib.config import get_settings
from tests.support.stream_records import invoke_stream_handler, run_retrier

DELIVERY_ID = "01JBK0ANN0YOGA000000000001.booking.confirmed"


def due_ids() -> set[str]:
    return {
        row.delivery_id
        for state in models.QUEUED_STATES
        for row in models.WebhookDelivery.due.query(state)
    }


def finished_ids(state: str) -> set[str]:
    return {row.delivery_id for row in models.WebhookDelivery.finished.query(state)}


def expiry(row: models.WebhookDelivery):
    return row.expires_at.replace(microsecond=0)


def test_a_delivered_row_leaves_the_due_index_at_once_and_carries_its_expiry(
    client, crm, stream_event
):
    crm.reply_status = 503
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    pending = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    assert due_ids() == {DELIVERY_ID}
    assert finished_ids(models.DELIVERED) == set()
    assert pending.expires_at is None and pending.queue == models.PENDING

    crm.reply_status = 204
    pending.update(actions=[models.WebhookDelivery.next_attempt_at.set("2000-01-01T00:00:00.000Z")])
    run_retrier(client)

    delivered = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    assert delivered.state == models.DELIVERED
    assert due_ids() == set()
    assert finished_ids(models.DELIVERED) == {DELIVERY_ID}
    assert delivered.queue is None and delivered.finished_state == models.DELIVERED
    finished_at = clock.parse_iso(delivered.next_attempt_at)
    assert expiry(delivered) == (finished_at + timedelta(days=30)).replace(microsecond=0)


def test_skipped_rows_keep_delivery_retention_days_and_failed_ones_their_own(
    client, crm, stream_event, configure, shifted_clock
):
    configure(DELIVERY_RETENTION_DAYS=7, FAILED_DELIVERY_RETENTION_DAYS=45)
    crm.secret = None  # the clock runs days ahead; the signature check is not the point
    crm.reply_status = 503
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    shifted_clock.advance(timedelta(days=get_settings().webhook_retry_days, minutes=1))
    row = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    row.update(actions=[models.WebhookDelivery.next_attempt_at.set(clock.to_iso_ms(clock.now()))])
    run_retrier(client)

    failed = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    assert failed.state == models.FAILED
    assert due_ids() == set() and finished_ids(models.FAILED) == {DELIVERY_ID}
    failed_at = clock.parse_iso(failed.next_attempt_at)
    assert expiry(failed) == (failed_at + timedelta(days=45)).replace(microsecond=0)


def test_a_replayed_failed_row_is_due_again_and_no_longer_expires(
    client, crm, stream_event, webhook_admin
):
    crm.stop()
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    row = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    row.update(
        actions=[
            models.WebhookDelivery.state.set(models.FAILED),
            models.WebhookDelivery.queue.remove(),
            models.WebhookDelivery.finished_state.set(models.FAILED),
            models.WebhookDelivery.expires_at.set(clock.now() + timedelta(days=90)),
        ]
    )
    assert due_ids() == set()

    response = client.http.post(f"/admin/webhooks/{DELIVERY_ID}/replay", headers=webhook_admin)

    assert response.status_code == 202, response.body
    replayed = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    assert (replayed.state, replayed.queue, replayed.expires_at) == (
        models.PENDING,
        "pending",
        None,
    )
    assert due_ids() == {DELIVERY_ID} and finished_ids(models.FAILED) == set()


def test_without_a_crm_a_skipped_row_is_finished_at_once_and_expires(client, stream_event):
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    skipped = models.WebhookDelivery.get(DELIVERY_ID, consistent_read=True)
    assert skipped.state == models.SKIPPED and due_ids() == set()
    created = clock.parse_iso(skipped.created_at)
    assert expiry(skipped) == (created + timedelta(days=30)).replace(microsecond=0)


def test_dynamodb_expires_deliveries_by_their_expires_at(dynamodb_local):
    client = botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=dynamodb_local.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    table = models.WebhookDelivery.Meta.table_name
    described = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert described == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
