"""A facilitator's own events and rosters: today's and later ones, earlier ones, page by
page, from their own index; another facilitator's event is a stranger's 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib import clock, events, models
from chalicelib.series.creation import create as create_series
from local.call_counter import count_dynamodb_calls
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    headers_for,
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_facilitator_account,
    make_full_event,
    make_user,
)


@pytest.fixture
def alice():
    return make_facilitator(name="Alice")


@pytest.fixture
def fay(alice):
    return make_facilitator_account(alice)


def get(client, user, path):
    return client.http.get(path, headers=headers_for(user))


def test_upcoming_soonest_first_then_past_latest_first_page_by_page(client, alice, fay):
    later = make_event(timedelta(days=9), facilitator=alice, name="Later")
    sooner = make_event(timedelta(days=2), facilitator=alice, name="Sooner")
    under_way = make_event(timedelta(minutes=-30), facilitator=alice, name="Under way")
    last_week = make_event(timedelta(days=-7), facilitator=alice, name="Last week")
    last_month = make_event(timedelta(days=-30), facilitator=alice, name="Last month")
    make_event(timedelta(days=3), name="Someone else's")
    make_event(timedelta(days=-3), name="Someone else's, past")

    first = body(get(client, fay, "/facilitator/events?limit=2"))
    second = body(get(client, fay, f"/facilitator/events?limit=2&cursor={first['next_cursor']}"))
    past = body(get(client, fay, "/facilitator/events?when=past"))

    # The class under way started today: still on the schedule, to check people in.
    ids = [e["id"] for e in first["events"] + second["events"]]
    assert ids == [under_way.event_id, sooner.event_id, later.event_id]
    assert second["next_cursor"] is None
    assert [e["id"] for e in past["events"]] == [last_week.event_id, last_month.event_id]


def test_a_cursor_of_the_upcoming_list_is_400_on_the_past_one(client, alice, fay):
    make_event(timedelta(days=2), facilitator=alice)
    make_event(timedelta(days=3), facilitator=alice)
    cursor = body(get(client, fay, "/facilitator/events?limit=1"))["next_cursor"]

    response = get(client, fay, f"/facilitator/events?when=past&cursor={cursor}")

    assert list(error_of(response, 400)["fields"]) == ["cursor"]


def test_the_schedule_is_one_query_of_the_facilitators_index(client, alice, fay):
    for days in range(5):
        make_event(timedelta(days=days + 1), facilitator=alice)

    with count_dynamodb_calls() as calls:
        response = get(client, fay, "/facilitator/events")

    assert len(body(response)["events"]) == 5
    assert dict(calls) == {"BatchGetItem": 1, "Query": 1}


def test_the_roster_shows_each_standing_with_attendance(client, alice, fay):
    event, people = make_full_event(seated=2, waiting=2)
    event.update(
        actions=[
            models.Event.facilitator.set(
                models.FacilitatorCopy(id=alice.facilitator_id, name="Alice", crm_id="crm_001")
            ),
            models.Event.facilitator_id.set(alice.facilitator_id),
        ]
    )
    came = models.Booking.get(people[0].user_id, event.event_id)
    came.update(actions=[models.Booking.attendance.set(models.ATTENDANCE_CHECKED_IN)])
    held = make_booking(make_user(name="Hal"), event, models.PENDING_PAYMENT)
    gone = make_booking(make_user(name="Gus"), event, models.CANCELLED)

    roster = body(get(client, fay, f"/facilitator/events/{event.event_id}/attendees"))

    # Booked at the same instant: their order is the index's, by user id.
    assert sorted((p["user"]["name"], p["attendance"]) for p in roster["confirmed"]) == [
        (people[0].name, "checked_in"),
        (people[1].name, "unknown"),
    ]
    assert [p["booking_id"] for p in roster["held"]] == [held.booking_id]
    assert [(p["user"]["id"], p["position"]) for p in roster["waiting"]] == [
        (people[2].user_id, 1),
        (people[3].user_id, 2),
    ]
    assert [p["booking_id"] for p in roster["cancelled"]] == [gone.booking_id]
    assert {p["user"]["email"] for p in roster["confirmed"]} == {p.email for p in people[:2]}


def test_another_facilitators_roster_is_the_404_of_an_unknown_event(client, fay):
    theirs = make_event(facilitator=make_facilitator(name="Bob"))
    make_booking(make_user(name="Private Person"), theirs)

    response = get(client, fay, f"/facilitator/events/{theirs.event_id}/attendees")
    unknown = get(client, fay, "/facilitator/events/01ARZ3NDEKTSV4RRFFQ69G5FAV/attendees")

    assert error_of(response, 404) == error_of(unknown, 404)
    assert "Private Person" not in response.body.decode()


@pytest.mark.parametrize("role", ["user", "admin"])
def test_facilitator_routes_are_403_to_anyone_not_linked_to_a_facilitator(client, alice, role):
    event = make_event(facilitator=alice)
    caller = make_admin() if role == "admin" else make_user()
    for path in (
        "/facilitator/events",
        f"/facilitator/events/{event.event_id}/attendees",
        "/facilitator/reports/attendance?from=2026-01-01&to=2026-01-31",
    ):
        assert error_of(get(client, caller, path), 403)["code"] == "forbidden"


def test_series_dates_and_reassigned_events_land_on_the_right_schedule(client, alice, fay):
    bob = make_facilitator(name="Bob")
    series = create_series(
        name="Evening Flow",
        kind="session",
        facilitator_id=alice.facilitator_id,
        timezone="Europe/Berlin",
        start_date=date.today() + timedelta(days=2),
        start_time="18:00",
        duration_minutes=60,
        rrule="FREQ=WEEKLY;COUNT=2",
        capacity=5,
        booking_mode=models.DROP_IN,
    )
    moved_away = events.create(
        name="Handed over",
        kind="session",
        starts_at=clock.now() + timedelta(days=1),
        ends_at=clock.now() + timedelta(days=1, hours=1),
        timezone="UTC",
        capacity=3,
        facilitator_id=alice.facilitator_id,
    )
    events.update(moved_away["id"], facilitator_id=bob.facilitator_id)

    listed = body(get(client, fay, "/facilitator/events"))["events"]

    assert [e["id"] for e in listed] == [o["event_id"] for o in series["occurrences"]]
    assert models.Event.get(moved_away["id"]).facilitator_id == bob.facilitator_id
