"""POST/GET/PATCH/DELETE series through the API, and the series in every event answer."""

from datetime import timedelta

import pytest

from chalicelib import clock, errors, models, series
from local.call_counter import count_dynamodb_calls
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    join_waitlist,
    make_event,
    make_facilitator,
    make_user,
)


def in_days(days):
    return (clock.now() + timedelta(days=days)).date().isoformat()


def has_started(event_id):
    """The date began an hour ago (the API's tokens follow the real clock, so the test moves
    the date rather than the clock)."""
    began = clock.now() - timedelta(hours=1)
    models.Event(event_id).update(
        actions=[
            models.Event.starts_at.set(clock.to_iso(began)),
            models.Event.ends_at.set(clock.to_iso(began + timedelta(hours=2))),
        ]
    )


@pytest.fixture
def weekly(call, series_body):
    """A 4-week Monday series starting next week, as created."""

    def make(**changes):
        response = call(
            "post",
            "/admin/series",
            series_body(start_date=in_days(7), rrule="FREQ=WEEKLY;COUNT=4", **changes),
        )
        assert response.status_code == 201, body(response)
        return body(response)

    return make


def test_creating_a_series_writes_its_dates_in_batches(call, series_body):
    payload = series_body(start_date=in_days(7), rrule="FREQ=DAILY;COUNT=30")

    with count_dynamodb_calls() as calls:
        response = call("post", "/admin/series", payload)

    assert response.status_code == 201, body(response)
    # Account + revocation, the facilitator, the series item, 30 events in 25 + 5.
    assert calls == {"BatchGetItem": 1, "GetItem": 1, "PutItem": 1, "BatchWriteItem": 2}
    made = body(response)
    assert len(made["occurrences"]) == 30
    assert len({o["event_id"] for o in made["occurrences"]}) == 30


def test_a_created_series_answers_its_fields_and_dates(weekly, series_body):
    made = weekly()

    assert {name: made[name] for name in ("name", "booking_mode", "capacity", "state")} == {
        "name": "Monday Evening Yoga",
        "booking_mode": "drop_in",
        "capacity": 10,
        "state": "active",
    }
    assert made["open_ended"] is False
    assert [o["seats_left"] for o in made["occurrences"]] == [10, 10, 10, 10]


def test_an_unknown_facilitator_is_400_and_nothing_is_written(call, series_body):
    response = call(
        "post",
        "/admin/series",
        series_body(start_date=in_days(7), facilitator_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    )

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["facilitator_id"]
    assert list(models.Series.scan()) == []
    assert list(models.Event.scan()) == []


def test_a_wrong_booking_mode_or_time_is_400(call, series_body):
    response = call(
        "post",
        "/admin/series",
        series_body(start_date=in_days(7), booking_mode="sometimes", start_time="25:00"),
    )

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"booking_mode", "start_time"}


def test_every_event_answer_names_its_series(call, client, weekly):
    made = weekly()
    event_id = made["occurrences"][0]["event_id"]
    one_off = make_event()
    user = make_user()

    shown = body(call("get", f"/events/{event_id}", user=user))
    listed = body(call("get", "/events", user=user))["events"]
    as_admin = body(call("patch", f"/admin/events/{event_id}", {"capacity": 12}))

    expected = {"id": made["series_id"], "name": "Monday Evening Yoga"}
    assert shown["series"] == expected
    assert as_admin["series"] == expected
    by_id = {event["id"]: event for event in listed}
    assert by_id[event_id]["series"] == expected
    assert "series" not in by_id[one_off.event_id]


def test_get_series_lists_upcoming_dates_with_seats_left(call, client, weekly):
    made = weekly()
    first = made["occurrences"][0]["event_id"]
    user = make_user()
    assert book(client, user, first).status_code == 201
    reader = make_user(name="Bo")

    with count_dynamodb_calls() as calls:
        response = call("get", f"/series/{made['series_id']}", user=reader)

    assert response.status_code == 200
    shown = body(response)
    assert [o["seats_left"] for o in shown["occurrences"]] == [9, 10, 10, 10]
    # Account + revocation, the series, one Query of its dates: no Scan.
    assert calls == {"BatchGetItem": 1, "GetItem": 1, "Query": 1}


def test_get_series_leaves_out_dates_that_started(call, weekly):
    made = weekly()
    has_started(made["occurrences"][0]["event_id"])

    shown = body(call("get", f"/series/{made['series_id']}", user=make_user()))

    assert [o["event_id"] for o in shown["occurrences"]] == [
        o["event_id"] for o in made["occurrences"][1:]
    ]


def test_an_unknown_series_is_404(call):
    response = call("get", "/series/01ARZ3NDEKTSV4RRFFQ69G5FAV", user=make_user())

    assert response.status_code == 404


def test_admins_list_series_in_pages(call, weekly):
    made = [weekly(name=f"Yoga {n}")["series_id"] for n in range(3)]

    first = body(call("get", "/admin/series?limit=2"))
    second = body(call("get", f"/admin/series?limit=2&cursor={first['next_cursor']}"))

    assert {s["series_id"] for s in first["series"] + second["series"]} == set(made)
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/admin/series"), ("get", "/admin/series")]
    + [(m, "/admin/series/01ARZ3NDEKTSV4RRFFQ69G5FAV") for m in ("patch", "delete")],
)
def test_series_admin_routes_are_403_for_users(call, method, path):
    payload = {} if method in ("post", "patch") else None

    assert call(method, path, payload, user=make_user()).status_code == 403


def test_patch_changes_every_date_not_started_as_if_patched_one_by_one(call, client, weekly):
    made = weekly(capacity=1)
    second = made["occurrences"][1]["event_id"]
    assert book(client, make_user(name="A"), second).status_code == 201
    waiting = make_user(name="W")
    assert join_waitlist(client, waiting, second).status_code == 201
    has_started(made["occurrences"][0]["event_id"])
    other = make_facilitator(name="Bea", crm_id="crm_009")

    response = call(
        "patch",
        f"/admin/series/{made['series_id']}",
        {
            "name": "Yoga",
            "capacity": 2,
            "start_time": "07:15",
            "facilitator_id": other.facilitator_id,
        },
    )

    assert response.status_code == 200, body(response)
    first = models.Event.get(made["occurrences"][0]["event_id"])
    assert (first.name, first.capacity, first.facilitator.crm_id) == (
        "Monday Evening Yoga",
        1,
        "crm_001",
    )
    for shown, before in zip(body(response)["occurrences"], made["occurrences"][1:], strict=True):
        event = models.Event.get(shown["event_id"])
        assert (event.name, event.series.name, event.capacity) == ("Yoga", "Yoga", 2)
        assert event.facilitator.crm_id == "crm_009"
        assert event.starts_at[:10] == before["starts_at"][:10]
        assert event.schedule_changed_at is not None  # a move: calendar SEQUENCE rises
        assert clock.parse_iso(event.ends_at) - clock.parse_iso(event.starts_at) == timedelta(
            hours=1
        )
    # The capacity raise seated the first in line.
    promoted = models.Booking.get(waiting.user_id, second)
    assert promoted.status == models.CONFIRMED
    assert body(response)["start_time"] == "07:15"


def test_patch_of_an_unknown_series_is_404(call):
    response = call("patch", "/admin/series/01ARZ3NDEKTSV4RRFFQ69G5FAV", {"capacity": 3})

    assert response.status_code == 404


def test_delete_takes_every_date_not_started_off_and_stops_the_series(call, client, weekly):
    made = weekly()
    has_started(made["occurrences"][0]["event_id"])
    later = made["occurrences"][2]["event_id"]
    booker = make_user(name="Bea")
    assert book(client, booker, later).status_code == 201

    response = call("delete", f"/admin/series/{made['series_id']}")

    assert response.status_code == 200
    assert body(response)["state"] == "cancelled"
    listings = [models.Event.get(o["event_id"]).listing for o in made["occurrences"]]
    assert listings == [models.PUBLISHED, None, None, None]
    cancelled = [models.Event.get(o["event_id"]).cancelled_at for o in made["occurrences"]]
    assert cancelled[0] is None and all(cancelled[1:])
    # Each date is cancelled as an admin cancels an event: its bookings follow.
    booking = models.Booking.get(booker.user_id, later)
    assert (booking.status, booking.cancel_reason) == (
        models.CANCELLED,
        models.REASON_EVENT_CANCELLED,
    )
    assert body(call("get", f"/series/{made['series_id']}", user=make_user()))["occurrences"] == []


def test_a_new_time_of_day_moves_each_date_s_bookings_too(call, client, weekly):
    made = weekly()
    date = made["occurrences"][1]
    booker = make_user(name="Cy")
    assert book(client, booker, date["event_id"]).status_code == 201

    response = call("patch", f"/admin/series/{made['series_id']}", {"start_time": "19:30"})

    assert response.status_code == 200, response.body
    moved = models.Event.get(date["event_id"])
    assert moved.starts_at != date["starts_at"]
    # The booking's copy follows at once (it is what booking.rescheduled is made from).
    assert models.Booking.get(booker.user_id, date["event_id"]).event.starts_at == moved.starts_at


def test_a_capacity_below_any_date_s_bookings_is_409_and_nothing_changes(call, client, weekly):
    made = weekly(capacity=3)
    last = made["occurrences"][-1]["event_id"]
    for name in ("A", "B"):
        assert book(client, make_user(name=name), last).status_code == 201

    response = call(
        "patch", f"/admin/series/{made['series_id']}", {"capacity": 1, "name": "Renamed"}
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "capacity_below_bookings"
    assert {models.Event.get(o["event_id"]).capacity for o in made["occurrences"]} == {3}
    assert models.Series.get(made["series_id"]).name == "Monday Evening Yoga"


def test_a_new_time_that_would_move_a_date_into_the_past_is_refused_and_nothing_changes(
    weekly, shifted_clock
):
    made = weekly()
    first = made["occurrences"][0]
    # Half an hour before the first date (18:30 London): 07:00 that day has passed. Through
    # the service, as a frozen clock would make the API's tokens look stale.
    shifted_clock.freeze(clock.parse_iso(first["starts_at"]) - timedelta(minutes=30))

    with pytest.raises(errors.ValidationFailed) as refused:
        series.update(made["series_id"], start_time="07:00")

    assert list(refused.value.fields) == ["start_time"]
    assert models.Event.get(first["event_id"]).starts_at == first["starts_at"]
    assert models.Series.get(made["series_id"]).start_time == "18:30"


def test_a_drop_in_series_price_is_each_date_s_and_a_course_s_the_whole_course_s(call, weekly):
    price = {"amount": 1200, "currency": "EUR"}

    drop_in = weekly(price=price, refund_percent=50)
    course = weekly(price=price, booking_mode="course")

    assert drop_in["price"] == {"amount": 1200, "currency": "eur"}
    assert drop_in["refund_percent"] == 50
    date = body(call("get", f"/events/{drop_in['occurrences'][0]['event_id']}"))
    assert (date["price"], date["refund_percent"]) == ({"amount": 1200, "currency": "eur"}, 50)
    assert course["price"] == {"amount": 1200, "currency": "eur"}
    course_date = models.Event.get(course["occurrences"][0]["event_id"])
    assert course_date.price is None
    assert course_date.series.course_price.amount == 1200


def test_a_new_series_price_reaches_every_date_to_come(call, weekly):
    drop_in = weekly(price={"amount": 1200, "currency": "eur"})
    course = weekly(booking_mode="course")

    changed = call("patch", f"/admin/series/{drop_in['series_id']}", {"price": None})
    priced = call(
        "patch",
        f"/admin/series/{course['series_id']}",
        {"price": {"amount": 9900, "currency": "gbp"}, "refund_percent": 0},
    )

    assert (changed.status_code, body(changed)["price"]) == (200, None)
    assert all(models.Event.get(date["event_id"]).price is None for date in drop_in["occurrences"])
    assert body(priced)["price"] == {"amount": 9900, "currency": "gbp"}
    course_date = models.Event.get(course["occurrences"][0]["event_id"])
    assert (course_date.series.course_price.amount, course_date.refund_percent) == (9900, 0)
    assert course_date.series.name == course["name"]
