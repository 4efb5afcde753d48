"""SEQUENCE counts revisions: two changes of a seat within one second still give a calendar
two numbers, the later one higher, in the single file and in the feed alike; and it never goes
below the number a calendar got before revisions were counted."""

from datetime import timedelta
from urllib.parse import urlsplit

from chalicelib import calendar_files, models
from tests.calendar.conftest import parse, vevents
from tests.support.api import body
from tests.support.factories import book, headers_for, make_event, make_user


def calendar_of(client, user, booking_id):
    return client.http.get(f"/bookings/{booking_id}/calendar.ics", headers=headers_for(user))


def sequence_in_file(client, user, booking_id):
    [vevent] = vevents(parse(calendar_of(client, user, booking_id)))
    return vevent.decoded("SEQUENCE")


def sequence_in_feed(client, url):
    [vevent] = vevents(parse(client.http.get(urlsplit(url).path)))
    return vevent.decoded("SEQUENCE")


def test_book_cancel_and_rebook_within_one_second_raise_the_sequence_each_time(
    client, shifted_clock
):
    shifted_clock.freeze()
    ann = make_user()
    event = make_event(timedelta(days=3))
    feed = body(client.http.post("/auth/calendar-feed", headers=headers_for(ann)))["url"]

    first = body(book(client, ann, event.event_id))["booking_id"]
    booked = sequence_in_file(client, ann, first)
    assert sequence_in_feed(client, feed) == booked

    assert client.http.delete(f"/bookings/{first}", headers=headers_for(ann)).status_code == 200
    cancelled = sequence_in_file(client, ann, first)
    assert cancelled > booked
    assert sequence_in_feed(client, feed) == cancelled

    second = body(book(client, ann, event.event_id))["booking_id"]
    rebooked = sequence_in_file(client, ann, second)
    assert rebooked > cancelled
    assert sequence_in_feed(client, feed) == rebooked


def test_a_booking_written_before_revisions_keeps_its_sequence(client):
    """No revision stored yet: the same number as the seconds-only formula gave it."""
    ann = make_user()
    event = make_event(timedelta(days=3))
    booking_id = body(book(client, ann, event.event_id))["booking_id"]
    booking = models.Booking.get(ann.user_id, event.event_id)
    booking.update(actions=[models.Booking.revision.remove()])
    stored = models.Booking.get(ann.user_id, event.event_id)
    seconds = int(
        (
            calendar_files.clock.parse_iso(stored.updated_at) - calendar_files.SEQUENCE_EPOCH
        ).total_seconds()
    )

    assert sequence_in_file(client, ann, booking_id) == seconds
