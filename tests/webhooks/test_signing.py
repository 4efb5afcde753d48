"""Signatures against the Standard Webhooks spec's published example, and the sink's check."""

from datetime import UTC, datetime, timedelta

import requests

from chalicelib.webhooks import sender
from local.crm_sink import CrmSink
from local.paths import REPO_ROOT

# The example vector published with the Standard Webhooks spec and its reference libraries.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_PAYLOAD = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_specs_example_vector():
    moment = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)
    headers = sender.webhook_headers(SPEC_MSG_ID, SPEC_PAYLOAD, moment, SPEC_SECRET)

    assert headers["webhook-id"] == SPEC_MSG_ID
    assert headers["webhook-timestamp"] == str(SPEC_TIMESTAMP)
    assert headers["webhook-signature"] == SPEC_SIGNATURE


def test_timestamp_header_is_whole_seconds_of_the_send_time():
    moment = datetime(2026, 12, 1, 9, 0, 0, 999000, tzinfo=UTC)
    headers = sender.webhook_headers("id", "{}", moment, None)
    assert headers["webhook-timestamp"] == str(
        int(datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp())
    )


def _post(sink, body, headers):
    return requests.post(sink.url, data=body.encode(), headers=headers, timeout=5)


def test_sink_accepts_a_valid_signature_and_rejects_a_tampered_body():
    sink = CrmSink(secret=SPEC_SECRET, echo=False).start()
    try:
        body = '{"type":"booking.confirmed"}'
        headers = sender.webhook_headers("d1", body, datetime.now(UTC), SPEC_SECRET)
        assert _post(sink, body, headers).status_code == 204
        assert _post(sink, body.replace("confirmed", "cancelled"), headers).status_code == 401
        unsigned = sender.webhook_headers("d1", body, datetime.now(UTC), None)
        assert _post(sink, body, unsigned).status_code == 401
    finally:
        sink.stop()
    assert [d["signature"] for d in sink.deliveries] == [
        "ok",
        "invalid: No matching signature found",
        "invalid: unsigned",
    ]


def test_sink_prints_one_readable_line_per_delivery(capsys, tmp_path):
    sink = CrmSink(secret=SPEC_SECRET, log_path=tmp_path / "deliveries.jsonl").start()
    try:
        body = (
            '{"type":"booking.confirmed","booking_id":"b1","event":{"id":"e1","name":"Yoga",'
            '"date":"2026-12-01T09:00:00Z"},"user":{"id":"u1","name":"Ann","email":"a@x.com"},'
            '"facilitator_crm_id":"crm_1"}'
        )
        headers = sender.webhook_headers(
            "b1.booking.confirmed", body, datetime.now(UTC), SPEC_SECRET
        )
        _post(sink, body, headers)
    finally:
        sink.stop()
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[crm]")]
    for part in (
        "booking.confirmed",
        "'Yoga' on 2026-12-01T09:00:00Z",
        "Ann <a@x.com>",
        "crm_1",
        "signature ok",
    ):
        assert part in line
    assert len((tmp_path / "deliveries.jsonl").read_text().splitlines()) == 1


def test_sink_prints_a_test_delivery_as_one_line_naming_the_facilitator(capsys):
    sink = CrmSink(secret=SPEC_SECRET).start()
    body = '{"type":"webhook.test","occurred_at":"2026-12-01T09:00:00.000Z","facilitator":"F1"}'
    try:
        _post(sink, body, sender.webhook_headers("t1", body, datetime.now(UTC), SPEC_SECRET))
    finally:
        sink.stop()
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[crm]")]
    assert line == "[crm] webhook.test  facilitator F1  signature ok  -> 204  (webhook-id t1)"


def _signed(delivery_id, body, moment=None):
    return sender.webhook_headers(delivery_id, body, moment or datetime.now(UTC), SPEC_SECRET)


def test_sink_rejects_a_delivery_signed_more_than_five_minutes_ago():
    sink = CrmSink(secret=SPEC_SECRET, echo=False).start()
    try:
        body = '{"type":"booking.confirmed"}'
        stale = _signed("d1", body, datetime.now(UTC) - timedelta(minutes=5, seconds=5))
        fresh = _signed("d2", body, datetime.now(UTC) - timedelta(minutes=4))
        assert _post(sink, body, stale).status_code == 401
        assert _post(sink, body, fresh).status_code == 204
    finally:
        sink.stop()
    assert [d["answered"] for d in sink.deliveries] == [401, 204]


def test_sink_answers_a_repeated_webhook_id_200_and_records_it_once(tmp_path):
    log = tmp_path / "deliveries.jsonl"
    sink = CrmSink(secret=SPEC_SECRET, log_path=log, echo=False).start()
    body = '{"type":"booking.confirmed"}'
    try:
        assert _post(sink, body, _signed("d1", body)).status_code == 204
        # The same message again, re-signed as a retry is: dropped, but acknowledged.
        assert _post(sink, body, _signed("d1", body)).status_code == 200
    finally:
        sink.stop()
    # A sink started again on the same file still knows what it accepted.
    again = CrmSink(secret=SPEC_SECRET, log_path=log, echo=False).start()
    try:
        assert _post(again, body, _signed("d1", body)).status_code == 200
    finally:
        again.stop()
    assert [d["webhook_id"] for d in sink.deliveries] == ["d1"]
    assert again.deliveries == []
    assert len(log.read_text().splitlines()) == 1


def test_sink_takes_a_retry_of_a_delivery_it_refused():
    sink = CrmSink(secret=SPEC_SECRET, echo=False).start()
    body = '{"type":"booking.confirmed"}'
    try:
        sink.reply_status = 500
        assert _post(sink, body, _signed("d1", body)).status_code == 500
        sink.reply_status = 204
        assert _post(sink, body, _signed("d1", body)).status_code == 204
        assert _post(sink, body, _signed("d1", body)).status_code == 200
    finally:
        sink.stop()
    assert [d["answered"] for d in sink.deliveries] == [500, 204]


def test_sink_answers_a_garbled_signature_header_401():
    sink = CrmSink(secret=SPEC_SECRET, echo=False).start()
    body = '{"type":"booking.confirmed"}'
    try:
        for garbled in ("garbage", "v1,not base64!", "v1"):
            headers = {**_signed("d1", body), "webhook-signature": garbled}
            assert _post(sink, body, headers).status_code == 401, garbled
    finally:
        sink.stop()


def test_the_documented_receiver_verifies_refuses_stale_and_drops_repeats():
    page = (REPO_ROOT / "docs" / "webhooks.md").read_text()
    section = page.split("**How to receive webhooks.**", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    recorded = []
    namespace = {"record_booking": recorded.append}
    exec(code.replace("whsec_...", SPEC_SECRET), namespace)
    receive = namespace["receive"]
    body = '{"type":"booking.confirmed"}'
    stale = _signed("d2", body, datetime.now(UTC) - timedelta(minutes=6))

    assert receive(body.encode(), _signed("d1", body)) == 204
    assert receive(body.encode(), _signed("d1", body)) == 200
    assert receive(body.replace("confirmed", "cancelled").encode(), _signed("d1", body)) == 401
    assert receive(body.encode(), stale) == 401
    assert recorded == [{"type": "booking.confirmed"}]
