"""Failures never lose a message; redeliveries never post twice; retries back off for 3 days."""

import copy
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from chalicelib import clock, models, webhooks
from tests.support.stream_records import invoke_stream_handler, run_retrier


def deliveries(client, headers, state):
    response = client.http.get(f"/admin/webhooks?state={state}&limit=100", headers=headers)
    assert response.status_code == 200, response.body
    return response.json_body["deliveries"]


def test_unreachable_crm_leaves_a_pending_delivery_with_the_error(
    client, crm, stream_event, webhook_admin
):
    crm.stop()
    before = clock.now()
    assert invoke_stream_handler(client, stream_event("booking_confirmed")) == {
        "batchItemFailures": []
    }

    [pending] = deliveries(client, webhook_admin, "pending")
    assert pending["id"] == "01JBK0ANN0YOGA000000000001.booking.confirmed"
    assert pending["attempts"] == 1
    assert pending["last_status"] is None
    assert "ConnectionError" in pending["last_error"]
    assert pending["payload"]["booking_id"] == "01JBK0ANN0YOGA000000000001"
    due = clock.parse_iso(pending["next_attempt_at"])
    assert before + timedelta(seconds=30) <= due <= clock.now() + timedelta(seconds=60)
    [attempt] = pending["history"]
    assert attempt["status"] is None and "ConnectionError" in attempt["error"]


def test_crm_error_status_is_recorded_and_the_message_kept(
    client, crm, stream_event, webhook_admin
):
    crm.reply_status = 500
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    [pending] = deliveries(client, webhook_admin, "pending")
    assert pending["last_status"] == 500
    assert pending["last_error"].startswith("HTTP 500")
    assert len(crm.deliveries) == 1


def test_redelivered_record_posts_nothing_once_delivered(client, crm, stream_event, webhook_admin):
    event = stream_event("booking_confirmed")
    invoke_stream_handler(client, event)
    invoke_stream_handler(client, event)

    assert len(crm.deliveries) == 1
    [delivered] = deliveries(client, webhook_admin, "delivered")
    assert delivered["attempts"] == 1 and delivered["last_status"] == 204


def test_concurrent_redeliveries_of_one_record_post_once(crm, stream_event):
    from app import on_booking_change

    event = stream_event("booking_confirmed")
    start = threading.Barrier(8)

    def deliver():
        start.wait()
        on_booking_change(copy.deepcopy(event), None)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(crm.deliveries) == 1


def test_redelivery_while_pending_leaves_the_message_to_the_retrier(
    client, crm, stream_event, shifted_clock
):
    event = stream_event("booking_confirmed")
    crm.stop()
    invoke_stream_handler(client, event)
    crm.start()
    invoke_stream_handler(client, event)
    assert crm.deliveries == []

    shifted_clock.advance(timedelta(minutes=2))
    assert run_retrier(client)["delivered"] == 1
    assert run_retrier(client)["delivered"] == 0
    assert [d["webhook_id"] for d in crm.deliveries] == [
        "01JBK0ANN0YOGA000000000001.booking.confirmed"
    ]


def test_one_bad_record_is_reported_and_the_rest_are_delivered(client, crm, stream_event):
    event = stream_event("bookings_batch")
    bad = event["Records"][1]
    del bad["dynamodb"]["NewImage"]["user"]

    answer = invoke_stream_handler(client, event)

    assert answer == {"batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]}
    names = sorted(d["payload"]["user"]["name"] for d in crm.deliveries)
    assert names == ["Bo Chen", "Di Ito"]
    # Lambda retries from the failed record on: the good one after it is not posted again.
    retried = {"Records": event["Records"][1:]}
    assert (
        invoke_stream_handler(client, retried)["batchItemFailures"] == answer["batchItemFailures"]
    )
    assert len(crm.deliveries) == 2


@pytest.mark.parametrize(
    ("failed_attempts", "low", "high"),
    [
        (1, timedelta(seconds=30), timedelta(minutes=1)),
        (2, timedelta(minutes=1), timedelta(minutes=2)),
        (3, timedelta(minutes=2), timedelta(minutes=4)),
        (7, timedelta(minutes=32), timedelta(minutes=64)),
        (8, timedelta(hours=1), timedelta(hours=2)),
        (500, timedelta(hours=1), timedelta(hours=2)),
    ],
)
def test_retry_delay_doubles_from_a_minute_to_a_two_hour_cap_with_jitter(
    failed_attempts, low, high
):
    assert webhooks.retry_delay(failed_attempts, jitter=0.0) == low
    assert webhooks.retry_delay(failed_attempts, jitter=1.0) == high
    samples = {webhooks.retry_delay(failed_attempts) for _ in range(50)}
    assert all(low <= sample <= high for sample in samples)
    assert len(samples) > 1


def test_retrier_keeps_trying_for_three_days_then_marks_failed(
    client, crm, stream_event, webhook_admin, shifted_clock
):
    crm.secret = None  # the clock runs days ahead; the sink's signature check is not the point
    crm.reply_status = 503
    first_attempt = clock.now()
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    while pending := deliveries(client, webhook_admin, "pending"):
        due = clock.parse_iso(pending[0]["next_attempt_at"])
        assert due - clock.now() <= timedelta(hours=2, seconds=1)
        shifted_clock.advance(due - clock.now() + timedelta(seconds=1))
        run_retrier(client)

    [failed] = deliveries(client, webhook_admin, "failed")
    gave_up_after = clock.now() - first_attempt
    assert timedelta(days=3) <= gave_up_after <= timedelta(days=3, minutes=5)
    assert failed["attempts"] == len(crm.deliveries)
    assert 40 <= failed["attempts"] <= 80
    assert failed["last_status"] == 503
    assert len(failed["history"]) == webhooks.HISTORY_KEPT
    assert all(entry["status"] == 503 for entry in failed["history"])
    assert len({d["webhook_id"] for d in crm.deliveries}) == 1


def test_without_a_crm_url_deliveries_are_skipped_with_a_warning(
    client, stream_event, webhook_admin, caplog
):
    assert invoke_stream_handler(client, stream_event("booking_confirmed")) == {
        "batchItemFailures": []
    }

    [skipped] = deliveries(client, webhook_admin, "skipped")
    assert skipped["id"] == "01JBK0ANN0YOGA000000000001.booking.confirmed"
    assert skipped["attempts"] == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["CRM_WEBHOOK_URL is not set; webhook recorded as skipped"]


def test_two_retriers_at_once_send_each_due_delivery_once(client, crm, stream_event, shifted_clock):
    crm.stop()
    invoke_stream_handler(client, stream_event("bookings_batch"))
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    crm.start()
    shifted_clock.advance(timedelta(minutes=2))
    start = threading.Barrier(4)

    def retry():
        start.wait()
        webhooks.retry_due_deliveries()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [d["webhook_id"] for d in crm.deliveries]
    assert len(ids) == 4 and len(set(ids)) == 4


def test_a_sender_that_died_mid_post_is_retried_once_its_claim_lapses(
    client, crm, stream_event, shifted_clock, monkeypatch, webhook_admin
):
    def die(*args, **kwargs):
        raise SystemExit("the Lambda ran out of time")

    event = stream_event("booking_confirmed")
    with monkeypatch.context() as patched:
        patched.setattr(requests.Session, "post", die)
        with pytest.raises(SystemExit):
            invoke_stream_handler(client, event)
    [sending] = deliveries(client, webhook_admin, "sending")
    invoke_stream_handler(client, event)
    assert run_retrier(client)["delivered"] == 0
    assert crm.deliveries == []

    shifted_clock.advance(timedelta(seconds=61))
    assert run_retrier(client)["delivered"] == 1
    assert [d["webhook_id"] for d in crm.deliveries] == [sending["id"]]


def test_delivered_payload_is_sent_byte_for_byte_on_every_attempt(
    client, crm, stream_event, shifted_clock
):
    crm.reply_status = 500
    invoke_stream_handler(client, stream_event("booking_cancelled"))
    crm.reply_status = 204
    shifted_clock.advance(timedelta(minutes=2))
    run_retrier(client)

    first, second = crm.deliveries
    assert first["body"] == second["body"]
    assert (
        first["webhook_id"]
        == second["webhook_id"]
        == ("01JBK0ANN0YOGA000000000001.booking.cancelled")
    )
    assert int(second["webhook_timestamp"]) > int(first["webhook_timestamp"])
    assert datetime.fromtimestamp(int(second["webhook_timestamp"]), UTC) <= clock.now()


def test_a_delivery_is_retried_for_as_many_days_as_webhook_retry_days_says(
    client, crm, stream_event, webhook_admin, configure
):
    configure(WEBHOOK_RETRY_DAYS=7)
    crm.reply_status = 503
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    (row,) = models.WebhookDelivery.scan()
    window = clock.parse_iso(row.retry_until) - clock.parse_iso(row.created_at)
    assert window == timedelta(days=7)

    configure(WEBHOOK_RETRY_DAYS=2)
    replayed = client.http.post(f"/admin/webhooks/{row.delivery_id}/replay", headers=webhook_admin)
    assert replayed.status_code == 202, replayed.body
    row.refresh()
    window = clock.parse_iso(row.retry_until) - clock.parse_iso(row.updated_at)
    assert window == timedelta(days=2)


def test_a_batch_out_of_time_leaves_the_rest_to_the_retrier_due_at_once(
    client, crm, stream_event, webhook_admin, configure
):
    configure(STREAM_SEND_BUDGET_SECONDS=0)
    assert invoke_stream_handler(client, stream_event("bookings_batch")) == {
        "batchItemFailures": []
    }

    assert crm.deliveries == []
    queued = deliveries(client, webhook_admin, "pending")
    assert len(queued) == 3
    assert all(clock.parse_iso(d["next_attempt_at"]) <= clock.now() for d in queued)
    assert run_retrier(client)["delivered"] == 3
    assert len(crm.deliveries) == 3
