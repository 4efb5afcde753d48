"""The waiting list at the CRM: joining is `booking.waitlisted`, a promotion is the
`booking.confirmed` of that booking, leaving is `booking.cancelled`, each delivered once and
signed, through the real stream and relay."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from chalicelib import models
from tests.support.api import body
from tests.support.factories import book, headers_for, join_waitlist, make_event, make_users
from tests.support.relays import wait_for


def of_type(crm, kind):
    return [d for d in crm.deliveries if d["payload"]["type"] == kind]


def test_join_promotion_and_leaving_reach_the_crm_as_their_types(relays, crm, client):
    relays.start()
    event = make_event(capacity=1, name="Healing Circle")
    event.update(actions=[models.Event.waitlist_capacity.set(2)])
    seated, ann, bo = make_users(3)
    seat = body(book(client, seated, event.event_id))["booking_id"]
    ann_booking = body(join_waitlist(client, ann, event.event_id))["booking_id"]
    bo_booking = body(join_waitlist(client, bo, event.event_id))["booking_id"]

    client.http.delete(f"/bookings/{seat}", headers=headers_for(seated))
    client.http.delete(f"/bookings/{bo_booking}", headers=headers_for(bo))

    assert wait_for(lambda: len(crm.deliveries) == 6, timeout=10)
    time.sleep(0.5)
    seen = sorted(d["webhook_id"] for d in crm.deliveries)
    assert seen == sorted(
        [
            f"{seat}.booking.confirmed",
            f"{seat}.booking.cancelled",
            f"{ann_booking}.booking.waitlisted",
            f"{ann_booking}.booking.confirmed",
            f"{bo_booking}.booking.waitlisted",
            f"{bo_booking}.booking.cancelled",
        ]
    )
    assert all(d["signature"] == "ok" for d in crm.deliveries)
    [joined] = [
        d for d in of_type(crm, "booking.waitlisted") if d["webhook_id"].startswith(ann_booking)
    ]
    [promoted] = [
        d for d in of_type(crm, "booking.confirmed") if d["webhook_id"].startswith(ann_booking)
    ]
    assert (
        set(joined["payload"])
        == set(promoted["payload"])
        == {
            "type",
            "occurred_at",
            "booking_id",
            "event",
            "user",
            "facilitator_crm_id",
        }
    )
    assert promoted["payload"]["user"]["id"] == ann.user_id
    assert promoted["payload"]["event"]["name"] == "Healing Circle"
    assert promoted["payload"]["occurred_at"] > joined["payload"]["occurred_at"]


def test_ten_simultaneous_cancellations_send_ten_confirmations_for_the_first_ten(
    relays, crm, concurrent_client
):
    event = make_event(capacity=10)
    event.update(actions=[models.Event.waitlist_capacity.set(20)])
    seated = []
    for user in make_users(10):
        seated.append((user, body(book(concurrent_client, user, event.event_id))["booking_id"]))
    waiting = make_users(20)
    joined = {}
    for user in waiting:
        response = join_waitlist(concurrent_client, user, event.event_id)
        assert response.status_code == 201, response.body
        joined[user.user_id] = body(response)["booking_id"]
    relays.start()
    start = threading.Barrier(10)

    def cancel(seat):
        user, booking_id = seat
        start.wait()
        return concurrent_client.http.delete(
            f"/bookings/{booking_id}", headers=headers_for(user)
        ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert Counter(pool.map(cancel, seated)) == {200: 10}

    first_ten = {joined[u.user_id] for u in waiting[:10]}
    # 10 seats booked, 20 joins, 10 seats cancelled, 10 promoted.
    assert wait_for(lambda: len(crm.deliveries) >= 50, timeout=20)
    time.sleep(0.5)
    promotions = [
        d["payload"]["booking_id"]
        for d in of_type(crm, "booking.confirmed")
        if d["payload"]["booking_id"] in joined.values()
    ]
    assert sorted(promotions) == sorted(first_ten)
    assert len(of_type(crm, "booking.cancelled")) == 10
    assert len(of_type(crm, "booking.waitlisted")) == 20
    ids = [d["webhook_id"] for d in crm.deliveries]
    assert len(ids) == len(set(ids)) == 50
