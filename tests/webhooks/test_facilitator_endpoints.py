"""Each facilitator's bookings reach their own CRM endpoint, signed with their own secret; a
rotation signs with both secrets for its overlap; a test delivery goes the same way; an
endpoint answering 410 is disabled until a new PUT, which sends again what waited."""

import base64
import copy
import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from chalicelib import clock, metrics, models, reminders
from chalicelib.webhooks import deliveries, endpoints, retry_due_deliveries, routing
from local.crm_sink import CrmSink
from tests.support.crm import CRM_TEST_SECRET
from tests.support.factories import (
    book,
    book_series,
    headers_for,
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_series_events,
    make_user,
)
from tests.support.stream_records import invoke_stream_handler


@pytest.fixture
def own_crm():
    """A second stand-in CRM: a facilitator's own endpoint (its secret is set once known)."""
    sink = CrmSink(echo=False).start()
    yield sink
    sink.stop()


def set_endpoint(client, facilitator, url):
    response = client.http.put(
        f"/admin/facilitators/{facilitator.facilitator_id}/webhook",
        body=json.dumps({"url": url}),
        headers={**headers_for(make_admin()), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.body
    return response.json_body


def stream_of(stream_event, *bookings):
    """A stream batch announcing each booking as new, in the shape Lambda sends."""
    event = stream_event("booking_confirmed")
    template = event["Records"][0]
    event["Records"] = []
    for number, booking in enumerate(bookings, start=1):
        record = copy.deepcopy(template)
        record["dynamodb"]["NewImage"] = booking.serialize()
        record["dynamodb"]["Keys"] = {
            "user_id": {"S": booking.user_id},
            "event_id": {"S": booking.event_id},
        }
        record["dynamodb"]["SequenceNumber"] = f"{number:021d}"
        event["Records"].append(record)
    return event


def verifies(secret, delivery, now):
    """The Standard Webhooks check, from the spec: any ``v1`` entry is the HMAC-SHA256 of
    ``id.timestamp.body`` under the secret, and the timestamp is within 5 minutes of ``now``."""
    headers = delivery["headers"]
    if abs(int(headers["webhook-timestamp"]) - now.timestamp()) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{delivery['body']}"
    expected = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha256).digest()).decode()
    entries = headers["webhook-signature"].split(" ")
    return any(hmac.compare_digest(f"v1,{expected}", entry) for entry in entries)


def test_each_facilitators_bookings_go_to_their_own_endpoint_signed_with_their_secret(
    client, crm, own_crm, stream_event
):
    own, other = make_facilitator("Alice"), make_facilitator("Bob", crm_id="crm_002")
    own_crm.secret = set_endpoint(client, own, own_crm.url)["secret"]
    ann = make_user()
    theirs = make_booking(ann, make_event(facilitator=own))
    others = make_booking(ann, make_event(facilitator=other))
    # A booking made before bookings carried their facilitator goes to the default CRM.
    older = make_booking(ann, make_event(facilitator=own))
    older.facilitator_id = None

    answer = invoke_stream_handler(client, stream_of(stream_event, theirs, others, older))

    assert answer == {"batchItemFailures": []}
    [mine] = own_crm.deliveries
    assert mine["payload"]["booking_id"] == theirs.booking_id
    assert mine["signature"] == "ok"
    assert own_crm.secret != CRM_TEST_SECRET
    assert {d["payload"]["booking_id"] for d in crm.deliveries} == {
        others.booking_id,
        older.booking_id,
    }
    assert {d["signature"] for d in crm.deliveries} == {"ok"}
    # The payload's keys are fixed: the facilitator's id routes, it is not sent.
    assert "facilitator_id" not in mine["payload"]
    row = models.WebhookDelivery.get(f"{theirs.booking_id}.{models.BOOKING_CONFIRMED}")
    assert row.facilitator_id == own.facilitator_id


def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one(
    client, own_crm, shifted_clock
):
    facilitator = make_facilitator()
    old = set_endpoint(client, facilitator, own_crm.url)["secret"]
    own_crm.secret = old
    shifted_clock.freeze()
    new = endpoints.rotate(facilitator.facilitator_id)["secret"]

    endpoints.send_test(facilitator.facilitator_id)
    retry_due_deliveries()
    shifted_clock.advance(timedelta(hours=24, seconds=1))
    endpoints.send_test(facilitator.facilitator_id)
    retry_due_deliveries()

    during, after = own_crm.deliveries
    during_at = shifted_clock() - timedelta(hours=24, seconds=1)
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    assert verifies(old, during, during_at) and verifies(new, during, during_at)
    assert not verifies(old, after, shifted_clock()) and verifies(new, after, shifted_clock())
    # A receiver still holding the old secret took the overlap's delivery (a real check).
    assert during["signature"] == "ok"


def test_a_test_delivery_is_a_signed_row_like_any_other(client, own_crm, shifted_clock):
    facilitator = make_facilitator()
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    shifted_clock.freeze()

    queued = endpoints.send_test(facilitator.facilitator_id)
    assert queued["state"] == models.PENDING
    assert retry_due_deliveries()[models.DELIVERED] == 1

    [delivery] = own_crm.deliveries
    assert delivery["signature"] == "ok"
    assert delivery["webhook_id"] == queued["id"]
    assert delivery["payload"] == {
        "type": "webhook.test",
        "occurred_at": clock.to_iso_ms(shifted_clock()),
        "facilitator": facilitator.facilitator_id,
    }
    row = models.WebhookDelivery.get(queued["id"])
    assert (row.state, row.attempts, row.facilitator_id) == (
        models.DELIVERED,
        1,
        facilitator.facilitator_id,
    )


def test_an_endpoint_answering_410_is_disabled_and_a_new_put_sends_what_waited(
    client, crm, own_crm, stream_event, monkeypatch
):
    counted = []
    monkeypatch.setattr(metrics, "_stdout", counted.append)
    facilitator = make_facilitator()
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    own_crm.reply_status = 410
    ann, ben = make_user(), make_user(name="Ben")
    event = make_event(facilitator=facilitator)
    first, second = make_booking(ann, event), make_booking(ben, event)

    invoke_stream_handler(client, stream_of(stream_event, first))
    invoke_stream_handler(client, stream_of(stream_event, second))
    endpoints.send_test(facilitator.facilitator_id)
    retry_due_deliveries()

    # One POST met the 410; nothing more was sent to it, and the default CRM got nothing.
    assert [d["answered"] for d in own_crm.deliveries] == [410]
    assert crm.deliveries == []
    assert models.Facilitator.get(facilitator.facilitator_id).webhook_disabled_at is not None
    disabled = [row.delivery_id for row in models.WebhookDelivery.finished.query("disabled")]
    assert len(disabled) == 3
    assert endpoints.endpoint_view(facilitator.facilitator_id)["state"] == "disabled"
    assert sum(metrics.WEBHOOK_ENDPOINTS_DISABLED in line for line in counted) == 1

    own_crm.reply_status = 204
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    assert endpoints.endpoint_view(facilitator.facilitator_id)["state"] == "active"
    assert retry_due_deliveries()[models.DELIVERED] == 3
    assert sorted(d["webhook_id"] for d in own_crm.deliveries[1:]) == sorted(disabled)
    assert {d["signature"] for d in own_crm.deliveries[1:]} == {"ok"}


def test_the_default_crm_answering_410_is_retried_as_before(client, crm, stream_event):
    crm.reply_status = 410
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    [row] = models.WebhookDelivery.due.query(models.PENDING)
    assert row.last_status == 410


def test_bookings_made_by_every_path_carry_their_facilitator_and_reminders_follow_it(
    client, crm, own_crm
):
    facilitator = make_facilitator()
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    soon = make_event(timedelta(hours=6), facilitator=facilitator)
    series_id, dates = make_series_events(2, models.COURSE)
    ann = make_user()

    assert book(client, ann, soon.event_id).status_code == 201
    assert book_series(client, ann, series_id).status_code == 201
    reminders.send_due_reminders()

    booked = models.Booking.get(ann.user_id, soon.event_id)
    assert booked.facilitator_id == facilitator.facilitator_id
    for date in dates:
        copy_of = models.Booking.get(ann.user_id, date.event_id)
        assert copy_of.facilitator_id == date.facilitator.id
    [reminder] = own_crm.deliveries
    assert reminder["webhook_id"] == reminders.delivery_id(booked, soon)
    assert reminder["signature"] == "ok"
    assert crm.deliveries == []


def test_a_test_delivery_can_be_replayed_by_its_id(client, own_crm):
    facilitator = make_facilitator()
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    queued = endpoints.send_test(facilitator.facilitator_id)
    retry_due_deliveries()

    replayed = client.http.post(
        f"/admin/webhooks/{queued['id']}/replay", headers=headers_for(make_admin())
    )
    assert replayed.status_code == 202, replayed.body
    retry_due_deliveries()
    # Received twice, the second time dropped by the CRM as a repeat of the same webhook-id.
    assert [d["webhook_id"] for d in own_crm.deliveries] == [queued["id"]]
    assert models.WebhookDelivery.get(queued["id"]).attempts == 2


def test_a_410_from_an_endpoint_replaced_meanwhile_disables_nothing(client, own_crm):
    facilitator = make_facilitator()
    own_crm.secret = set_endpoint(client, facilitator, own_crm.url)["secret"]
    own_crm.reply_status = 410
    stale = routing.endpoint_for(facilitator.facilitator_id)
    endpoints.set_url(facilitator.facilitator_id, own_crm.url + "/v2")
    row = deliveries.new_row("01JD8XG2M4P6R8T0V2X4Z6B8D0.webhook.test", "{}", stale.facilitator_id)
    deliveries.hold(row)
    deliveries.create(row)

    assert deliveries.attempt(row, stale) == models.PENDING
    assert endpoints.endpoint_view(facilitator.facilitator_id)["state"] == "active"
