"""Checking in: who may, when, what it answers (again, undone, from two phones at once)."""

import threading
from datetime import timedelta

import pytest

from chalicelib import attendance, clock, models
from tests.attendance.conftest import facilitator_account
from tests.support.factories import (
    book,
    headers_for,
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_user,
    principal_of,
)
from tests.support.relays import wait_for


def check_in(client, user, booking_id, method="POST"):
    """As ``user`` (or with headers already issued: a token from a clock moved forward would
    not be valid yet)."""
    headers = user if isinstance(user, dict) else headers_for(user)
    return client.http.request(method, f"/bookings/{booking_id}/check-in", headers=headers)


def test_the_facilitator_checks_someone_in_and_again_gets_the_same_answer(
    client, studio, shifted_clock
):
    booking = make_booking(make_user(), studio.event)
    staff = headers_for(studio.account)

    first = check_in(client, staff, booking.booking_id)
    shifted_clock.advance(timedelta(minutes=1))
    again = check_in(client, staff, booking.booking_id)

    assert first.status_code == again.status_code == 200
    assert (
        first.json_body
        == again.json_body
        == {
            "booking_id": booking.booking_id,
            "attendance": "checked_in",
            "checked_in_at": first.json_body["checked_in_at"],
        }
    )
    stored = models.Booking.get(booking.user_id, booking.event_id)
    assert stored.attendance == "checked_in"
    assert stored.checked_in_at == first.json_body["checked_in_at"]
    event = models.Event.get(studio.event.event_id)
    assert event.awaiting_no_shows == models.ATTENDANCE_TAKEN
    assert event.attendance_taken_at == stored.checked_in_at


def test_anyone_but_the_events_staff_gets_what_a_stranger_gets(client, studio):
    booking = make_booking(make_user(), studio.event)
    other_facilitator = facilitator_account(make_facilitator(name="Bob"), name="Bo")
    unknown = check_in(client, make_user(), "01JD8X9K2B4C6D8E0F1G3H5J7K")

    for caller in (make_user(), booking_owner := models.User.get(booking.user_id)):
        assert check_in(client, caller, booking.booking_id).json_body == unknown.json_body
    for method in ("POST", "DELETE"):
        answer = check_in(client, other_facilitator, booking.booking_id, method)
        assert (answer.status_code, answer.json_body) == (404, unknown.json_body)
    assert booking_owner.user_id == booking.user_id
    assert models.Booking.get(booking.user_id, booking.event_id).attendance is None
    assert check_in(client, make_admin(), booking.booking_id).status_code == 200


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (lambda e: clock.parse_iso(e.starts_at) - timedelta(minutes=60), True),
        (lambda e: clock.parse_iso(e.starts_at) - timedelta(minutes=60, seconds=1), False),
        (lambda e: clock.parse_iso(e.ends_at) + timedelta(minutes=30), True),
        (lambda e: clock.parse_iso(e.ends_at) + timedelta(minutes=30, seconds=1), False),
    ],
    ids=["opens", "not-yet", "last-moment", "closed"],
)
def test_check_in_is_open_from_an_hour_before_until_half_an_hour_after(
    studio, shifted_clock, moment, open_
):
    booking = make_booking(make_user(), studio.event)
    staff = principal_of(studio.account)
    shifted_clock.freeze(moment(studio.event))

    if open_:
        assert attendance.check_in(staff, booking.booking_id)["attendance"] == "checked_in"
    else:
        with pytest.raises(attendance.CheckinClosed):
            attendance.check_in(staff, booking.booking_id)


def test_the_window_follows_its_settings(studio, shifted_clock, configure):
    configure(CHECKIN_OPENS_MINUTES=0)
    booking = make_booking(make_user(), studio.event)
    staff = principal_of(studio.account)
    with pytest.raises(attendance.CheckinClosed):
        attendance.check_in(staff, booking.booking_id)
    shifted_clock.freeze(clock.parse_iso(studio.event.starts_at))
    assert attendance.check_in(staff, booking.booking_id)


@pytest.mark.parametrize("status", [models.WAITLISTED, models.CANCELLED])
def test_only_a_confirmed_booking_is_checked_in(client, studio, status):
    booking = make_booking(make_user(), studio.event, status=status)

    answer = check_in(client, studio.account, booking.booking_id)

    assert answer.status_code == 409
    assert answer.json_body["error"]["code"] == "not_confirmed"


def test_undo_returns_to_unknown_and_a_new_check_in_gets_a_new_time(client, studio, shifted_clock):
    booking = make_booking(make_user(), studio.event)
    staff = headers_for(studio.account)
    first = check_in(client, staff, booking.booking_id).json_body

    undone = check_in(client, staff, booking.booking_id, "DELETE")
    undone_again = check_in(client, staff, booking.booking_id, "DELETE")
    shifted_clock.advance(timedelta(minutes=2))
    second = check_in(client, staff, booking.booking_id).json_body

    assert undone.status_code == undone_again.status_code == 200
    assert undone.json_body == {
        "booking_id": booking.booking_id,
        "attendance": "unknown",
        "checked_in_at": None,
    }
    assert undone_again.json_body == undone.json_body
    assert second["checked_in_at"] > first["checked_in_at"]


def test_undo_is_closed_once_the_window_is(studio, shifted_clock):
    booking = make_booking(make_user(), studio.event)
    staff = principal_of(studio.account)
    attendance.check_in(staff, booking.booking_id)
    shifted_clock.advance(timedelta(hours=2))

    with pytest.raises(attendance.CheckinClosed):
        attendance.undo(staff, booking.booking_id)


def test_two_phones_at_once_make_one_check_in_and_one_webhook(
    concurrent_client, relays, crm, shifted_clock
):
    facilitator = make_facilitator()
    event = make_event(timedelta(minutes=5), facilitator=facilitator)
    account = facilitator_account(facilitator)
    booking_id = book(concurrent_client, make_user(), event.event_id).json_body["booking_id"]
    relays.start()
    start = threading.Barrier(6)
    answers = []

    def phone():
        start.wait()
        answers.append(check_in(concurrent_client, account, booking_id))

    phones = [threading.Thread(target=phone) for _ in range(6)]
    for thread in phones:
        thread.start()
    for thread in phones:
        thread.join(timeout=30)

    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.json_body["checked_in_at"] for a in answers}) == 1
    # Undo and check in again: the CRM has heard of this check-in already.
    check_in(concurrent_client, account, booking_id, "DELETE")
    check_in(concurrent_client, account, booking_id)

    def checked_in():
        return [d for d in crm.deliveries if d["payload"]["type"] == "booking.checked_in"]

    # A booking written after them: once its webhook is out, the stream has passed theirs.
    later = book(concurrent_client, make_user(name="Later"), event.event_id).json_body
    assert wait_for(
        lambda: any(d["payload"]["booking_id"] == later["booking_id"] for d in crm.deliveries),
        timeout=10,
    )
    relays.stop_all()
    [delivery] = checked_in()
    assert delivery["webhook_id"] == f"{booking_id}.booking.checked_in"
    assert delivery["signature"] == "ok"
    assert delivery["payload"]["occurred_at"] == answers[0].json_body["checked_in_at"]
    assert delivery["payload"]["booking_id"] == booking_id
