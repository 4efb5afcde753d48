"""Moving an event (PATCH starts_at/ends_at): every confirmed and waiting booking gets the new
times and one `booking.rescheduled` webhook with `previous.date`; reminders re-arm for the new
start only; what a request leaves, the finishing job does."""

import json
import time
from datetime import timedelta

from chalicelib import clock, models
from local.relay import scheduled_event
from tests.support.api import body
from tests.support.factories import headers_for, make_admin, make_full_event
from tests.support.relays import wait_for
from tests.support.stream_records import run_reminders


def move(client, event_id, starts_at, hours=1):
    return client.http.patch(
        f"/admin/events/{event_id}",
        body=json.dumps(
            {
                "starts_at": clock.to_iso(starts_at),
                "ends_at": clock.to_iso(starts_at + timedelta(hours=hours)),
            }
        ).encode(),
        headers={"Content-Type": "application/json", **headers_for(make_admin())},
    )


def of_type(crm, kind):
    return [d for d in crm.deliveries if d["payload"]["type"] == kind]


def skip_stream_so_far(relays):
    skipper = relays.make(handler=lambda event, context: None, batch_size=1000)
    while skipper.poll():
        pass


def test_each_booking_hears_of_a_move_once_with_the_previous_date(client, relays, crm):
    event, people = make_full_event(seated=3, waiting=1)
    skip_stream_so_far(relays)
    relays.start()
    old_start = event.starts_at
    new_start = clock.parse_iso(event.starts_at) + timedelta(days=1, hours=2)

    answer = move(client, event.event_id, new_start)

    assert answer.status_code == 200, answer.body
    assert body(answer)["starts_at"] == clock.to_iso(new_start)
    assert wait_for(lambda: len(crm.deliveries) >= 4, timeout=15)
    time.sleep(0.5)
    rescheduled = of_type(crm, "booking.rescheduled")
    assert len(rescheduled) == len(crm.deliveries) == 4
    assert {d["payload"]["user"]["id"] for d in rescheduled} == {p.user_id for p in people}
    for delivery in rescheduled:
        payload = delivery["payload"]
        assert payload["event"]["date"] == clock.to_iso(new_start)
        assert payload["previous"] == {"date": old_start}
        assert set(payload) == {
            "type",
            "occurred_at",
            "booking_id",
            "event",
            "user",
            "facilitator_crm_id",
            "previous",
        }
        stamp = new_start.strftime("%Y%m%dT%H%M%SZ")
        assert delivery["webhook_id"].startswith(f"{payload['booking_id']}.booking.rescheduled.")
        assert f".{stamp}." in delivery["webhook_id"]
    for booking in models.Booking.by_event.query(event.event_id):
        assert booking.event.starts_at == clock.to_iso(new_start)
        assert booking.status in (models.CONFIRMED, models.WAITLISTED)


def test_moving_back_and_forth_is_a_new_message_each_time(client, relays, crm):
    admin = make_admin()
    event, _ = make_full_event(seated=1, waiting=0)
    skip_stream_so_far(relays)
    relays.start()
    first = clock.parse_iso(event.starts_at)
    later = first + timedelta(hours=3)

    for start in (later, first, later):
        assert move(client, event.event_id, start).status_code == 200

    assert wait_for(lambda: len(crm.deliveries) >= 3, timeout=15)
    time.sleep(0.5)
    ids = [d["webhook_id"] for d in of_type(crm, "booking.rescheduled")]
    assert len(ids) == len(set(ids)) == 3
    # Each is a delivery an admin can send again by its id.
    replayed = client.http.post(f"/admin/webhooks/{ids[0]}/replay", headers=headers_for(admin))
    assert replayed.status_code == 202, replayed.body
    assert [d["payload"]["previous"]["date"] for d in crm.deliveries] == [
        clock.to_iso(first),
        clock.to_iso(later),
        clock.to_iso(first),
    ]


def test_after_a_move_the_reminder_is_for_the_new_start_only(client, crm, shifted_clock):
    event, people = make_full_event(seated=2, waiting=0, starts_in=timedelta(hours=2))
    for person in people:
        models.Booking(person.user_id, event.event_id).update(
            actions=[models.Booking.reminder_event_id.set(event.event_id)]
        )
    new_start = clock.parse_iso(event.starts_at) + timedelta(hours=1)

    assert move(client, event.event_id, new_start).status_code == 200
    run_reminders(client)

    reminders = of_type(crm, "booking.reminder")
    assert len(reminders) == 2
    stamp = new_start.strftime("%Y%m%dT%H%M%SZ")
    assert all(d["webhook_id"].endswith(f".booking.reminder.{stamp}") for d in reminders)
    assert {d["payload"]["event"]["date"] for d in reminders} == {clock.to_iso(new_start)}


def test_a_move_the_request_did_not_finish_is_finished_by_the_job(client, configure, shifted_clock):
    configure(EVENT_CHANGE_BUDGET_SECONDS=0)
    event, _ = make_full_event(seated=4, waiting=2)
    new_start = clock.parse_iso(event.starts_at) + timedelta(days=2)

    assert move(client, event.event_id, new_start).status_code == 200
    assert models.Event.get(event.event_id).unfinished == models.UNFINISHED_MOVE
    client.lambda_.invoke("finish_event_changes", scheduled_event("finish_event_changes"))
    shifted_clock.advance(timedelta(minutes=1))
    client.lambda_.invoke("finish_event_changes", scheduled_event("finish_event_changes"))

    copies = {b.event.starts_at for b in models.Booking.by_event.query(event.event_id)}
    assert copies == {clock.to_iso(new_start)}
    assert models.Event.get(event.event_id).unfinished is None
    assert models.Event.get(event.event_id).revision == 1
