"""GET /bookings/{booking_id}/calendar.ics: one VEVENT per booking, every field checked by
parsing the file back with icalendar."""

import json
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib import calendar_files, clock, models
from local.call_counter import count_dynamodb_calls
from local.paths import REPO_ROOT
from tests.calendar.conftest import parse, vevents
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    make_admin,
    make_event,
    make_facilitator,
    make_user,
)

NEW_YORK = ZoneInfo("America/New_York")


def calendar_of(client, user, booking_id):
    return client.http.get(f"/bookings/{booking_id}/calendar.ics", headers=headers_for(user))


def booked(client, user, event):
    answer = book(client, user, event.event_id)
    assert answer.status_code == 201, answer.body
    return body(answer)["booking_id"]


def only_vevent(calendar):
    (vevent,) = vevents(calendar)
    return vevent


def next_sunday_10am_in_new_york():
    """Sunday 10:00 in New York, at least two days ahead, and the same moment in UTC."""
    day = clock.now().astimezone(NEW_YORK).date() + timedelta(days=2)
    day += timedelta(days=(6 - day.weekday()) % 7)
    local = datetime.combine(day, time(10, 0), tzinfo=NEW_YORK)
    return local, local.astimezone(UTC)


def new_york_event(shifted_clock):
    """A session on a Sunday at 10:00 in New York, seen from a clock standing still half an
    hour back (moved forward by minutes, it stays behind the real clock, which checks the
    tokens' issue times)."""
    shifted_clock.freeze(clock.now().replace(microsecond=0) - timedelta(minutes=30))
    local, starts_at = next_sunday_10am_in_new_york()
    facilitator = make_facilitator(name="Charlie")
    event = make_event(timedelta(days=3), facilitator=facilitator, name="Writing Circle")
    event.timezone = "America/New_York"
    event.description = "Journaling prompts and gentle sharing."
    event.starts_at = clock.to_iso(starts_at)
    event.ends_at = clock.to_iso(starts_at + timedelta(hours=1))
    event.save()
    return event, local


def test_confirmed_booking_is_one_published_vevent_in_utc(client, shifted_clock):
    event, local = new_york_event(shifted_clock)
    starts_at = local.astimezone(UTC)
    ann = make_user()
    booking_id = booked(client, ann, event)

    answer = calendar_of(client, ann, booking_id)
    calendar = parse(answer)
    vevent = only_vevent(calendar)

    assert answer.headers["Content-Disposition"].startswith(
        'attachment; filename="Writing Circle.ics"'
    )
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == calendar_files.PRODUCT_ID
    assert vevent["UID"] == f"{ann.user_id}-{event.event_id}@ahoum-bookings"
    assert vevent.decoded("DTSTAMP") == clock.now()
    assert vevent.decoded("DTSTART") == starts_at
    assert vevent.decoded("DTEND") == starts_at + timedelta(hours=1)
    text = answer.body.decode()
    assert f"DTSTART:{starts_at:%Y%m%dT%H%M%SZ}" in text
    assert f"DTEND:{starts_at + timedelta(hours=1):%Y%m%dT%H%M%SZ}" in text
    assert "TZID" not in text  # UTC times only: no client applies a zone rule of its own
    assert vevent["SUMMARY"] == "Writing Circle"
    description = str(vevent["DESCRIPTION"])
    assert "Journaling prompts and gentle sharing." in description
    assert "With Charlie" in description
    assert f"Sun {local.day} {local:%b}, 10:00 America/New_York" in description
    assert vevent["ORGANIZER"].params["CN"] == "Charlie"
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert vevent["STATUS"] == "CONFIRMED"
    assert isinstance(vevent.decoded("SEQUENCE"), int)


def test_times_follow_the_event_not_the_clock_of_the_reader(client, shifted_clock):
    event, _ = new_york_event(shifted_clock)
    ann = make_user()
    vevent = only_vevent(parse(calendar_of(client, ann, booked(client, ann, event))))

    stored = models.Event.get(event.event_id)
    assert vevent.decoded("DTSTART") == clock.parse_iso(stored.starts_at)
    assert vevent.decoded("DTEND") == clock.parse_iso(stored.ends_at)


def test_cancelled_booking_is_a_cancel_with_a_higher_sequence(client, shifted_clock):
    event, _local = new_york_event(shifted_clock)
    ann = make_user()
    booking_id = booked(client, ann, event)
    confirmed = only_vevent(parse(calendar_of(client, ann, booking_id)))

    shifted_clock.advance(timedelta(minutes=5))
    cancelled_answer = client.http.delete(f"/bookings/{booking_id}", headers=headers_for(ann))
    assert cancelled_answer.status_code == 200
    calendar = parse(calendar_of(client, ann, booking_id))
    cancelled = only_vevent(calendar)

    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == confirmed["UID"]
    assert cancelled.decoded("SEQUENCE") > confirmed.decoded("SEQUENCE")


def test_rebooking_keeps_the_uid_with_a_higher_sequence(client, shifted_clock):
    event, _local = new_york_event(shifted_clock)
    ann = make_user()
    first = booked(client, ann, event)
    shifted_clock.advance(timedelta(minutes=1))
    client.http.delete(f"/bookings/{first}", headers=headers_for(ann))
    cancelled = only_vevent(parse(calendar_of(client, ann, first)))
    shifted_clock.advance(timedelta(minutes=1))
    second = booked(client, ann, event)

    rebooked_calendar = parse(calendar_of(client, ann, second))
    rebooked = only_vevent(rebooked_calendar)

    assert second != first
    assert rebooked_calendar["METHOD"] == "PUBLISH" and rebooked["STATUS"] == "CONFIRMED"
    assert rebooked["UID"] == cancelled["UID"]
    assert rebooked.decoded("SEQUENCE") > cancelled.decoded("SEQUENCE")


def test_moving_the_event_raises_the_sequence_and_moves_the_times(client, shifted_clock):
    event, local = new_york_event(shifted_clock)
    ann = make_user()
    booking_id = booked(client, ann, event)
    before = only_vevent(parse(calendar_of(client, ann, booking_id)))

    shifted_clock.advance(timedelta(minutes=1))
    monday = local.astimezone(UTC) + timedelta(days=1)
    moved = client.http.patch(
        f"/admin/events/{event.event_id}",
        body=json.dumps(
            {
                "starts_at": clock.to_iso(monday),
                "ends_at": clock.to_iso(monday + timedelta(hours=2)),
            }
        ).encode(),
        headers={"Content-Type": "application/json", **headers_for(make_admin())},
    )
    assert moved.status_code == 200, moved.body
    after = only_vevent(parse(calendar_of(client, ann, booking_id)))

    assert after.decoded("DTSTART") == monday
    assert after.decoded("DTEND") == monday + timedelta(hours=2)
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    monday_local = local + timedelta(days=1)
    assert f"Mon {monday_local.day} {monday_local:%b}, 10:00 America/New_York" in str(
        after["DESCRIPTION"]
    )


def test_a_calendar_file_is_never_cached(client):
    # It names the person and where they will be: kept by no cache, as the JSON answers.
    ann = make_user()
    booking_id = booked(client, ann, make_event())
    answer = calendar_of(client, ann, booking_id)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_retreat_is_one_vevent_from_first_start_to_last_end(client):
    retreat = make_event(timedelta(days=30), kind="retreat", name="Yoga Retreat")
    retreat.ends_at = clock.to_iso(clock.parse_iso(retreat.starts_at) + timedelta(days=2, hours=9))
    retreat.save()
    ann = make_user()

    vevent = only_vevent(parse(calendar_of(client, ann, booked(client, ann, retreat))))

    assert vevent.decoded("DTSTART") == clock.parse_iso(retreat.starts_at)
    assert vevent.decoded("DTEND") - vevent.decoded("DTSTART") == timedelta(days=2, hours=9)


def test_someone_elses_booking_is_404_and_an_admins_view_is_the_file(client):
    event = make_event()
    ann, bo = make_user(), make_user(name="Bo")
    booking_id = booked(client, ann, event)

    assert error_of(calendar_of(client, bo, booking_id), 404)["code"] == "not_found"
    assert only_vevent(parse(calendar_of(client, make_admin(), booking_id)))["UID"].startswith(
        ann.user_id
    )
    unknown = "01JZZZZZZZZZZZZZZZZZZZZZZZ"
    assert error_of(calendar_of(client, ann, unknown), 404)["code"] == "not_found"
    assert error_of(client.http.get(f"/bookings/{booking_id}/calendar.ics"), 401)


def test_a_booking_neither_confirmed_nor_cancelled_has_no_file(client):
    event = make_event()
    ann = make_user()
    booking_id = booked(client, ann, event)
    item = models.Booking.get(ann.user_id, event.event_id)
    # A status of another feature (a waiting-list place, say) is simply "not confirmed".
    item.update(actions=[models.Booking.status.set("waitlisted")])

    assert error_of(calendar_of(client, ann, booking_id), 409)["code"] == "not_confirmed"


def test_a_calendar_file_costs_two_dynamodb_calls(client):
    event = make_event()
    ann = make_user()
    booking_id = booked(client, ann, event)

    with count_dynamodb_calls() as calls:
        assert calendar_of(client, ann, booking_id).status_code == 200

    assert calls == {"Query": 1, "BatchGetItem": 1}


def test_importing_the_app_does_not_import_icalendar():
    # Every route shares the API Lambda's cold start; only the calendar routes pay for it.
    script = "import sys, app; print('icalendar' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"STAGE": "test", "JWT_SECRET": "x" * 40, "PATH": ""},
    )
    assert result.stdout.strip() == "False", result.stderr
