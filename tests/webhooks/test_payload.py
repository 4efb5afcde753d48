"""What the CRM receives for each recorded booking change: the documented payload, built from
the stream image alone, with Standard Webhooks headers."""

import base64
import hashlib
import hmac
import json

from local.call_counter import count_dynamodb_calls
from tests.support.crm import CRM_TEST_SECRET
from tests.support.stream_records import invoke_stream_handler

ANN_AT_YOGA = {
    "event": {
        "id": "01M8CWNEEABEJQVG0X2T8KRVWD",
        "name": "Yoga Retreat",
        "date": "2026-12-01T02:30:00Z",
    },
    "user": {"id": "01JANN00000000000000000000", "name": "Ann Lee", "email": "ann@example.com"},
    "facilitator_crm_id": "crm_001",
}


def test_confirmed_booking_posts_the_documented_payload(client, crm, stream_event):
    assert invoke_stream_handler(client, stream_event("booking_confirmed")) == {
        "batchItemFailures": []
    }

    assert len(crm.deliveries) == 1
    assert crm.deliveries[0]["payload"] == {
        "type": "booking.confirmed",
        "occurred_at": "2026-11-20T10:15:30.250Z",
        "booking_id": "01JBK0ANN0YOGA000000000001",
        **ANN_AT_YOGA,
    }


def test_payload_keys_are_exactly_the_ones_old_clients_parse(client, crm, stream_event):
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    payload = crm.deliveries[0]["payload"]
    assert set(payload) == {
        "booking_id",
        "event",
        "user",
        "facilitator_crm_id",
        "type",
        "occurred_at",
    }
    assert set(payload["event"]) == {"id", "name", "date"}
    assert set(payload["user"]) == {"id", "name", "email"}
    assert payload["event"]["date"].endswith("Z")


def test_cancellation_posts_the_same_shape_as_booking_cancelled(client, crm, stream_event):
    invoke_stream_handler(client, stream_event("booking_cancelled"))

    assert [d["payload"] for d in crm.deliveries] == [
        {
            "type": "booking.cancelled",
            "occurred_at": "2026-11-21T08:00:00.500Z",
            "booking_id": "01JBK0ANN0YOGA000000000001",
            **ANN_AT_YOGA,
        }
    ]


def test_rebooking_after_a_cancellation_posts_a_new_confirmation(client, crm, stream_event):
    invoke_stream_handler(client, stream_event("booking_rebooked"))

    [delivery] = crm.deliveries
    assert delivery["payload"]["type"] == "booking.confirmed"
    assert delivery["payload"]["booking_id"] == "01JBK0ANN0YOGA000000000002"
    assert delivery["webhook_id"] == "01JBK0ANN0YOGA000000000002.booking.confirmed"


def test_deleted_booking_posts_nothing(client, crm, stream_event):
    assert invoke_stream_handler(client, stream_event("booking_removed")) == {
        "batchItemFailures": []
    }
    assert crm.deliveries == []


def test_every_record_of_a_batch_is_posted(client, crm, stream_event):
    invoke_stream_handler(client, stream_event("bookings_batch"))

    assert sorted(
        (d["payload"]["user"]["name"], d["payload"]["event"]["name"]) for d in crm.deliveries
    ) == [
        ("Bo Chen", "Meditation Session"),
        ("Cy Diaz", "Meditation Session"),
        ("Di Ito", "Meditation Session"),
    ]


def test_headers_follow_standard_webhooks_and_the_signature_verifies(client, crm, stream_event):
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    [delivery] = crm.deliveries
    headers = delivery["headers"]
    assert headers["content-type"] == "application/json"
    assert "ahoum" in headers["user-agent"].lower()
    assert headers["webhook-id"] == "01JBK0ANN0YOGA000000000001.booking.confirmed"
    assert headers["webhook-timestamp"].isdigit()
    # Verified here with hmac alone, independently of the code that signed it.
    key = base64.b64decode(CRM_TEST_SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{delivery['body']}"
    expected = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert delivery["signature"] == "ok"
    assert json.loads(delivery["body"]) == delivery["payload"]


def test_without_a_secret_the_webhook_is_sent_unsigned(client, crm, stream_event, monkeypatch):
    from chalicelib.config import get_settings

    monkeypatch.delenv("CRM_WEBHOOK_SECRET")
    get_settings.cache_clear()
    crm.secret = None
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    [delivery] = crm.deliveries
    assert "webhook-signature" not in delivery["headers"]
    assert delivery["headers"]["webhook-id"] == "01JBK0ANN0YOGA000000000001.booking.confirmed"


def test_stream_handler_reads_nothing_from_dynamodb(client, crm, stream_event):
    with count_dynamodb_calls() as calls:
        invoke_stream_handler(client, stream_event("bookings_batch"))

    assert len(crm.deliveries) == 3
    assert set(calls) <= {"PutItem", "UpdateItem"}, calls
