"""Signatures against the Standard Webhooks spec's published example, and the sink's check."""

from datetime import UTC, datetime

import requests

from chalicelib.webhooks import sender
from local.crm_sink import CrmSink

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
