"""booking.cancelled says why: `user` for the owner's own cancellation (leaving a waiting list
included), `admin` for an admin cancelling someone's booking, through the real stream."""

import time

from chalicelib import models
from tests.support.api import body
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_admin,
    make_event,
    make_users,
)
from tests.support.relays import wait_for


def test_each_cancellation_carries_who_made_it(relays, crm, client):
    relays.start()
    event = make_event(capacity=2)
    event.update(actions=[models.Event.waitlist_capacity.set(2)])
    ann, bo, cy, di = make_users(4)
    own = body(book(client, ann, event.event_id))["booking_id"]
    by_admin = body(book(client, bo, event.event_id))["booking_id"]
    left = body(join_waitlist(client, cy, event.event_id))["booking_id"]
    body(join_waitlist(client, di, event.event_id))

    client.http.delete(f"/bookings/{left}", headers=headers_for(cy))
    client.http.delete(f"/bookings/{own}", headers=headers_for(ann))
    client.http.delete(f"/bookings/{by_admin}", headers=headers_for(make_admin()))

    # 2 confirmed, 2 waitlisted, 3 cancelled, 1 promotion.
    assert wait_for(lambda: len(crm.deliveries) >= 8, timeout=15)
    time.sleep(0.5)
    reasons = {
        d["payload"]["booking_id"]: d["payload"]["reason"]
        for d in crm.deliveries
        if d["payload"]["type"] == "booking.cancelled"
    }
    assert reasons == {own: "user", by_admin: "admin", left: "user"}
    others = [d for d in crm.deliveries if d["payload"]["type"] != "booking.cancelled"]
    assert not [d for d in others if "reason" in d["payload"]]
