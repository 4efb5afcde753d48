"""booking.reminder: once per booking whose event starts within REMINDER_HOURS_BEFORE hours,
through the webhook pipeline, whatever the schedule does (repeats, overlaps, runs late), and
again only when an admin moves the event."""

import json
import threading
from datetime import timedelta

from chalicelib import clock, models, reminders
from local.call_counter import count_dynamodb_calls
from tests.support.api import body
from tests.support.factories import book, headers_for, make_admin, make_event, make_user
from tests.support.stream_records import run_reminders


def reminders_at(crm):
    return [d for d in crm.deliveries if d["payload"]["type"] == "booking.reminder"]


def reminded_bookings(crm):
    return sorted(d["payload"]["booking_id"] for d in reminders_at(crm))


def booked(client, user, event):
    answer = book(client, user, event.event_id)
    assert answer.status_code == 201, answer.body
    return body(answer)["booking_id"]


def set_status(user, event, status):
    """Another feature's status on a booking (a waiting-list place, say), or a promotion."""
    item = models.Booking.get(user.user_id, event.event_id)
    item.update(
        actions=[
            models.Booking.status.set(status),
            models.Booking.updated_at.set(clock.to_iso_ms(clock.now())),
        ]
    )


def test_one_reminder_per_confirmed_booking_however_often_the_schedule_runs(client, crm):
    soon = make_event(timedelta(hours=10))
    later = make_event(timedelta(hours=30))
    ann, bo, cy = make_user(), make_user(name="Bo"), make_user(name="Cy")
    ann_booking = booked(client, ann, soon)
    bo_booking = booked(client, bo, soon)
    booked(client, cy, soon)
    booked(client, ann, later)
    client.http.delete(f"/bookings/{bo_booking}", headers=headers_for(bo))
    set_status(cy, soon, "waitlisted")

    answers = [run_reminders(client) for _ in range(3)]

    assert reminded_bookings(crm) == [ann_booking]
    (delivery,) = reminders_at(crm)
    assert delivery["signature"] == "ok"
    assert delivery["webhook_id"] == reminders.delivery_id(
        models.Booking.get(ann.user_id, soon.event_id), soon
    )
    assert answers[0]["sent"] == 1 and answers[1]["sent"] == answers[2]["sent"] == 0


def test_two_runs_at_the_same_moment_send_each_reminder_once(client, crm):
    event = make_event(timedelta(hours=5), capacity=30)
    booking_ids = [booked(client, make_user(name=f"Guest {n}"), event) for n in range(12)]
    start = threading.Barrier(2)

    def run():
        start.wait()
        reminders.send_due_reminders()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert reminded_bookings(crm) == sorted(booking_ids)
    assert len({d["webhook_id"] for d in reminders_at(crm)}) == 12


def test_a_run_late_by_hours_still_reminds_events_that_have_not_started(client, crm, shifted_clock):
    coming = make_event(timedelta(hours=30))
    passing = make_event(timedelta(hours=27))
    ann = make_user()
    ann_booking = booked(client, ann, coming)
    booked(client, ann, passing)

    # No run for the 28 hours in which both came into the window and one of them began.
    shifted_clock.advance(timedelta(hours=28))
    run_reminders(client)

    assert reminded_bookings(crm) == [ann_booking]


def test_moving_an_event_re_arms_its_reminders_for_the_new_start(client, crm, shifted_clock):
    admin_headers = headers_for(make_admin())
    event = make_event(timedelta(hours=10))
    ann = make_user()
    booking_id = booked(client, ann, event)
    run_reminders(client)

    def move(starts_in):
        starts_at = clock.now() + starts_in
        changes = {
            "starts_at": clock.to_iso(starts_at),
            "ends_at": clock.to_iso(starts_at + timedelta(hours=1)),
        }
        moved = client.http.patch(
            f"/admin/events/{event.event_id}",
            body=json.dumps(changes).encode(),
            headers={"Content-Type": "application/json", **admin_headers},
        )
        assert moved.status_code == 200, moved.body
        return changes["starts_at"]

    later_today = move(timedelta(hours=12))
    run_reminders(client)
    run_reminders(client)
    next_week = move(timedelta(days=7))
    run_reminders(client)
    sent_before_the_window = len(reminders_at(crm))
    shifted_clock.advance(timedelta(days=6, hours=2))
    run_reminders(client)

    dates = [d["payload"]["event"]["date"] for d in reminders_at(crm)]
    assert sent_before_the_window == 2
    assert dates[1:] == [later_today, next_week]
    assert reminded_bookings(crm) == [booking_id] * 3
    assert len({d["webhook_id"] for d in reminders_at(crm)}) == 3


def test_a_booking_made_inside_the_window_after_its_event_was_handled_is_reminded_next_run(
    client, crm, stream
):
    event = make_event(timedelta(hours=8))
    first = booked(client, make_user(), event)
    run_reminders(client)
    assert reminded_bookings(crm) == [first]

    bo = make_user(name="Bo")
    late = booked(client, bo, event)
    assert stream(lambda: models.Booking.get(bo.user_id, event.event_id).reminder_event_id)
    with count_dynamodb_calls() as calls:
        run_reminders(client)
    run_reminders(client)

    assert reminded_bookings(crm) == sorted([first, late])
    # The event was handled already: only its bookings still owed a reminder are read.
    assert calls["Query"] == 2 and calls.get("Scan", 0) == 0
    assert models.Booking.get(bo.user_id, event.event_id).reminder_event_id is None


def test_a_promotion_to_confirmed_inside_the_window_is_reminded_next_run(client, crm, stream):
    event = make_event(timedelta(hours=8))
    ann, cy = make_user(), make_user(name="Cy")
    booked(client, ann, event)
    cy_booking = booked(client, cy, event)
    set_status(cy, event, "waitlisted")
    run_reminders(client)
    assert cy_booking not in reminded_bookings(crm)

    set_status(cy, event, models.CONFIRMED)  # as a promotion from the waiting list does
    assert stream(lambda: models.Booking.get(cy.user_id, event.event_id).reminder_event_id)
    run_reminders(client)

    assert reminded_bookings(crm).count(cy_booking) == 1


def test_a_run_past_its_send_budget_queues_the_rest_for_the_retrier(client, crm, configure):
    configure(REMINDER_SEND_BUDGET_SECONDS=0)
    soon = make_event(timedelta(hours=10))
    booking_id = booked(client, make_user(), soon)

    assert run_reminders(client)["queued"] == 1
    assert reminders_at(crm) == []
    (row,) = models.WebhookDelivery.scan(models.WebhookDelivery.state == models.PENDING)
    assert row.delivery_id.startswith(f"{booking_id}.booking.reminder.")


def test_a_repeated_run_reads_no_booking(client, crm):
    events = [make_event(timedelta(hours=hours)) for hours in (3, 6, 9)]
    for event in events:
        booked(client, make_user(), event)
    run_reminders(client)

    with count_dynamodb_calls() as calls:
        answer = run_reminders(client)

    assert answer["events"] == 3 and answer["sent"] == 0
    # One Query of the upcoming index, then one (empty) Query of each event's owed reminders.
    assert calls == {"Query": 1 + len(events)}
