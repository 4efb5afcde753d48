"""POST /admin/events/{event_id}/cancel: the event leaves the listing and closes at once, and
every confirmed and waiting booking is cancelled with one `booking.cancelled` webhook each
(reason `event_cancelled`), even when the request stops halfway."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib import event_changes, models
from local.relay import scheduled_event
from tests.support.api import body, post_json
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_admin,
    make_event,
    make_full_event,
    make_users,
)
from tests.support.relays import wait_for
from tests.support.stream_records import run_reminders


def cancel(client, admin, event_id, payload=None):
    return post_json(client, f"/admin/events/{event_id}/cancel", payload or {}, headers_for(admin))


def run_finisher(client):
    return client.lambda_.invoke(
        "finish_event_changes", scheduled_event("finish_event_changes")
    ).payload


def statuses(event_id):
    found = models.Booking.by_event.query(event_id)
    return Counter((b.status, b.cancel_reason) for b in found)


def skip_stream_so_far(relays):
    skipper = relays.make(handler=lambda event, context: None, batch_size=1000)
    while skipper.poll():
        pass


def test_an_interrupted_cancellation_is_finished_and_each_booking_heard_of_once(
    client, relays, crm, monkeypatch, shifted_clock
):
    event, _ = make_full_event(seated=150, waiting=20)
    skip_stream_so_far(relays)
    relays.start()
    done = Counter()
    bring_in_line = event_changes._bring_in_line

    def crash_after_60(booking, event, kind):
        if done["bookings"] == 60:
            raise RuntimeError("the Lambda died here")
        bring_in_line(booking, event, kind)
        done["bookings"] += 1

    monkeypatch.setattr(event_changes, "_bring_in_line", crash_after_60)
    with pytest.raises(RuntimeError):
        event_changes.cancel_event(event.event_id, "The facilitator is ill.")
    monkeypatch.setattr(event_changes, "_bring_in_line", bring_in_line)
    assert sum(statuses(event.event_id).values()) == 170
    assert statuses(event.event_id)[(models.CANCELLED, models.REASON_EVENT_CANCELLED)] == 60

    # The job every minute: takes it further, and removes the marker once it has settled.
    assert run_finisher(client) == {"finished": 0, "unfinished": 1, "left_for_next_run": 0}
    assert statuses(event.event_id) == {(models.CANCELLED, models.REASON_EVENT_CANCELLED): 170}
    shifted_clock.advance(timedelta(minutes=1))
    assert run_finisher(client) == {"finished": 1, "unfinished": 0, "left_for_next_run": 0}
    assert run_finisher(client) == {"finished": 0, "unfinished": 0, "left_for_next_run": 0}
    assert models.Event.get(event.event_id).unfinished is None

    assert wait_for(lambda: len(crm.deliveries) >= 170, timeout=60)
    time.sleep(1)
    ids = [d["webhook_id"] for d in crm.deliveries]
    assert len(ids) == len(set(ids)) == 170
    assert {d["payload"]["type"] for d in crm.deliveries} == {"booking.cancelled"}
    assert {d["payload"]["reason"] for d in crm.deliveries} == {"event_cancelled"}


def test_a_request_out_of_budget_leaves_the_rest_to_the_job(client, configure, shifted_clock):
    configure(EVENT_CHANGE_BUDGET_SECONDS=0)
    admin = make_admin()
    event, _ = make_full_event(seated=5, waiting=2)

    answer = cancel(client, admin, event.event_id)

    assert answer.status_code == 200, answer.body
    assert body(answer)["cancelled_at"] is not None
    assert body(answer)["published"] is False
    assert statuses(event.event_id)[(models.CANCELLED, models.REASON_EVENT_CANCELLED)] < 7
    run_finisher(client)
    assert statuses(event.event_id) == {(models.CANCELLED, models.REASON_EVENT_CANCELLED): 7}


def test_cancelling_twice_is_200_and_changes_nothing(client):
    admin = make_admin()
    event, _ = make_full_event(seated=3, waiting=1)
    first = cancel(client, admin, event.event_id, {"reason": "Storm warning"})
    after_first = models.Event.get(event.event_id, consistent_read=True)
    bookings_after_first = {b.booking_id: b.updated_at for b in models.Booking.scan()}

    again = cancel(client, admin, event.event_id, {"reason": "Something else"})

    assert first.status_code == again.status_code == 200
    assert body(again) == body(first)
    now = models.Event.get(event.event_id, consistent_read=True)
    assert now.cancelled_at == after_first.cancelled_at
    assert now.cancellation_note == "Storm warning"
    assert {b.booking_id: b.updated_at for b in models.Booking.scan()} == bookings_after_first


def test_a_cancelled_event_is_off_the_listing_and_closed_to_bookings_and_joins(client):
    admin = make_admin()
    event = make_event(capacity=1)
    seated, late, waiting = make_users(3)
    assert book(client, seated, event.event_id).status_code == 201
    assert cancel(client, admin, event.event_id).status_code == 200

    listed = body(client.http.get("/events/", headers=headers_for(late)))["events"]
    assert event.event_id not in [e["id"] for e in listed]
    assert error_of(book(client, late, event.event_id), 404)["code"] == "not_found"
    assert error_of(join_waitlist(client, waiting, event.event_id), 404)["code"] == "not_found"
    changed = client.http.patch(
        f"/admin/events/{event.event_id}",
        body=b'{"published": true}',
        headers={**headers_for(admin), "Content-Type": "application/json"},
    )
    assert error_of(changed, 409)["code"] == "event_cancelled"


def test_no_reminder_goes_out_for_a_cancelled_event(client, crm):
    admin = make_admin()
    event = make_event(timedelta(hours=2))
    [ann] = make_users(1)
    assert book(client, ann, event.event_id).status_code == 201
    assert cancel(client, admin, event.event_id).status_code == 200

    assert run_reminders(client)["events"] == 0
    booking = models.Booking.get(ann.user_id, event.event_id)
    assert booking.reminder_event_id is None
    assert not [d for d in crm.deliveries if d["payload"]["type"] == "booking.reminder"]


def test_the_reason_is_optional_and_so_is_the_body(client):
    answer = client.http.post(
        f"/admin/events/{make_event().event_id}/cancel", headers=headers_for(make_admin())
    )

    assert answer.status_code == 200, answer.body
    assert body(answer)["cancelled_at"] is not None


def test_only_admins_cancel_events(client):
    event = make_event()
    [ann] = make_users(1)
    assert error_of(cancel(client, ann, event.event_id), 403)
    assert models.Event.get(event.event_id).cancelled_at is None


def test_bookings_racing_the_cancellation_all_end_cancelled(concurrent_client, shifted_clock):
    """30 people book (or join the line) while the admin cancels: whoever got in before the
    event was closed is cancelled with the rest, and nobody gets in after it."""
    admin = make_admin()
    event = make_event(capacity=10)
    event.update(actions=[models.Event.waitlist_capacity.set(30)])
    people = make_users(30)
    start = threading.Barrier(31)

    def take_part(user):
        start.wait()
        answer = book(concurrent_client, user, event.event_id)
        if answer.status_code == 409:
            answer = join_waitlist(concurrent_client, user, event.event_id)
        return answer.status_code

    def call_it_off():
        start.wait()
        time.sleep(0.05)
        return cancel(concurrent_client, admin, event.event_id).status_code

    with ThreadPoolExecutor(max_workers=31) as pool:
        cancelled = pool.submit(call_it_off)
        outcomes = Counter(pool.map(take_part, people))
    assert cancelled.result() == 200
    assert set(outcomes) <= {201, 404, 409}
    shifted_clock.advance(timedelta(minutes=1))
    run_finisher(concurrent_client)
    run_finisher(concurrent_client)

    found = list(models.Booking.by_event.query(event.event_id))
    assert len(found) == outcomes[201]
    assert {(b.status, b.cancel_reason) for b in found} <= {
        (models.CANCELLED, models.REASON_EVENT_CANCELLED)
    }
    assert models.Event.get(event.event_id).unfinished is None
