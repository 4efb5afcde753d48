"""booking.reminder at the CRM: signed like every webhook, the keys of booking.confirmed, and
replayable by an admin like any delivery."""

import json
from datetime import timedelta

from chalicelib import models, reminders
from tests.support.api import body
from tests.support.factories import book, make_event, make_user
from tests.support.stream_records import invoke_stream_handler, run_reminders


def test_the_crm_receives_a_signed_reminder_with_the_confirmed_payloads_keys(
    client, crm, stream_event
):
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    (confirmed,) = crm.deliveries
    event = make_event(timedelta(hours=6), name="Sound Bath")
    ann = make_user(name="Ann Lee")
    booking_id = body(book(client, ann, event.event_id))["booking_id"]

    run_reminders(client)

    (reminder,) = [d for d in crm.deliveries if d["payload"]["type"] == "booking.reminder"]
    assert reminder["signature"] == "ok"
    assert set(reminder["payload"]) == set(confirmed["payload"])
    assert reminder["payload"]["booking_id"] == booking_id
    assert reminder["payload"]["event"] == {
        "id": event.event_id,
        "name": "Sound Bath",
        "date": event.starts_at,
    }
    assert reminder["payload"]["user"] == {"id": ann.user_id, "name": "Ann Lee", "email": ann.email}
    assert reminder["payload"]["facilitator_crm_id"] == "crm_001"
    assert reminder["webhook_id"].startswith(f"{booking_id}.booking.reminder.")


def test_an_admin_can_replay_a_reminder_delivery(client, crm, webhook_admin):
    event = make_event(timedelta(hours=6))
    ann = make_user()
    book(client, ann, event.event_id)
    run_reminders(client)
    delivery_id = reminders.delivery_id(models.Booking.get(ann.user_id, event.event_id), event)

    replayed = client.http.post(f"/admin/webhooks/{delivery_id}/replay", headers=webhook_admin)

    assert replayed.status_code == 202, replayed.body
    assert json.loads(replayed.body)["payload"]["type"] == "booking.reminder"
    listed = client.http.get("/admin/webhooks?state=pending", headers=webhook_admin)
    assert [d["id"] for d in listed.json_body["deliveries"]] == [delivery_id]
