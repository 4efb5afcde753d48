"""The business metrics the alarms and dashboards read (EMF lines, chalicelib/metrics.py) are
written where the things they count happen: booking changes as the stream sees them (a
promotion included, a redelivered record not twice), every webhook attempt's outcome, the
retrier's backlog and how long its oldest due delivery waited, and refused logins."""

import json
from collections import Counter
from datetime import timedelta

import pytest

from chalicelib import clock, metrics, models
from tests.support.api import body, login, register
from tests.support.factories import book, headers_for, join_waitlist, make_event, make_users
from tests.support.relays import wait_for
from tests.support.stream_records import invoke_stream_handler, run_retrier


@pytest.fixture
def emitted(monkeypatch):
    """The metrics written during the test, by name, summed."""
    lines = []
    monkeypatch.setattr(metrics, "_stdout", lines.append)

    def totals() -> Counter:
        counted = Counter()
        for line in lines:
            entry = json.loads(line)
            (name,) = (m["Name"] for m in entry["_aws"]["CloudWatchMetrics"][0]["Metrics"])
            counted[name] += entry[name]
        return counted

    return totals


def test_bookings_waitlist_joins_promotions_and_cancellations_are_counted_once_each(
    relays, crm, client, emitted
):
    relays.start()
    event = make_event(capacity=1)
    seated, waiting = make_users(2)
    seat = body(book(client, seated, event.event_id))["booking_id"]
    join_waitlist(client, waiting, event.event_id)
    client.http.delete(f"/bookings/{seat}", headers=headers_for(seated))  # promotes `waiting`

    # The stream counts a change just after its webhook went out, so the CRM can hold the
    # fourth delivery a moment before the fourth change is counted: wait for the counts.
    changes = (metrics.BOOKINGS_CONFIRMED, metrics.BOOKINGS_WAITLISTED, metrics.BOOKINGS_CANCELLED)
    assert wait_for(
        lambda: (
            sum(emitted()[name] for name in changes) >= 4 and emitted()[metrics.WEBHOOKS_SENT] >= 4
        ),
        timeout=10,
    )
    assert len(crm.deliveries) == 4
    counted = emitted()
    assert counted[metrics.BOOKINGS_CONFIRMED] == 2  # the seat, then the promotion
    assert counted[metrics.BOOKINGS_WAITLISTED] == 1
    assert counted[metrics.BOOKINGS_CANCELLED] == 1
    assert counted[metrics.WEBHOOKS_SENT] == 4
    assert counted[metrics.WEBHOOKS_FAILED] == 0


def test_a_redelivered_stream_record_counts_nothing_again(client, crm, stream_event, emitted):
    event = stream_event("booking_confirmed")
    invoke_stream_handler(client, event)
    invoke_stream_handler(client, event)

    assert emitted()[metrics.BOOKINGS_CONFIRMED] == 1
    assert emitted()[metrics.WEBHOOKS_SENT] == 1


def test_failed_attempts_the_backlog_and_a_given_up_delivery_are_counted(
    client, crm, stream_event, shifted_clock, emitted
):
    crm.secret = None  # the clock runs days ahead; the sink's signature check is not the point
    crm.reply_status = 503
    invoke_stream_handler(client, stream_event("booking_confirmed"))
    assert emitted()[metrics.WEBHOOKS_FAILED] == 1

    shifted_clock.advance(timedelta(minutes=2))
    run_retrier(client)
    counted = emitted()
    assert counted[metrics.WEBHOOKS_FAILED] == 2
    assert counted[metrics.RETRIER_BACKLOG] == 1  # one delivery was due
    # Due 30-60 s after the failed attempt (the first back-off, jittered), found 2 min after it.
    assert 60 <= counted[metrics.RETRIER_OLDEST_DUE_AGE] <= 90

    (row,) = models.WebhookDelivery.scan()
    shifted_clock.advance(clock.parse_iso(row.retry_until) - clock.now() + timedelta(hours=3))
    run_retrier(client)
    counted = emitted()
    assert counted[metrics.WEBHOOKS_GIVEN_UP] == 1
    assert counted[metrics.WEBHOOKS_SENT] == 0


def test_a_refused_login_is_counted_and_a_wrong_password_is_not(client, emitted):
    register(client)
    for _ in range(5):
        assert login(client, password="not the password").status_code == 401
    assert emitted()[metrics.LOGINS_THROTTLED] == 0

    assert login(client, password="not the password").status_code == 429
    assert emitted()[metrics.LOGINS_THROTTLED] == 1
