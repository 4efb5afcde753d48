"""Admin routes: facilitators, events (create, change, unpublish) and attendees."""

from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.config import get_settings
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    json_caller,
    make_admin,
    make_event,
    make_facilitator,
    make_user,
)

SOME_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
ADMIN_ROUTES = [
    ("post", "/admin/facilitators"),
    ("get", "/admin/facilitators"),
    ("get", f"/admin/facilitators/{SOME_ID}"),
    ("patch", f"/admin/facilitators/{SOME_ID}"),
    ("post", "/admin/events"),
    ("patch", f"/admin/events/{SOME_ID}"),
    ("delete", f"/admin/events/{SOME_ID}"),
    ("get", f"/admin/events/{SOME_ID}/attendees"),
]


@pytest.fixture
def admin():
    return make_admin()


@pytest.fixture
def call(client, admin):
    """Send a request as the admin (or as ``user``); JSON bodies are encoded."""
    return json_caller(client, admin)


def in_days(days, hours=0):
    return clock.to_iso(clock.now() + timedelta(days=days, hours=hours))


def event_body(facilitator_id, /, **changes):
    return {
        "name": "Sound Bath",
        "description": "Gongs and bowls.",
        "kind": "session",
        "starts_at": in_days(3),
        "ends_at": in_days(3, hours=1),
        "timezone": "Asia/Kolkata",
        "capacity": 20,
        "facilitator_id": facilitator_id,
        **changes,
    }


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_are_403_for_users(call, method, path):
    payload = {} if method in ("post", "patch") else None

    response = call(method, path, payload, user=make_user())

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_are_401_without_a_token(client, method, path):
    assert getattr(client.http, method)(path).status_code == 401


def test_create_get_list_and_rename_a_facilitator(call):
    created = call("post", "/admin/facilitators", {"name": " Dana ", "crm_id": "crm_9"})
    assert created.status_code == 201, created.body
    facilitator = body(created)
    assert facilitator["name"] == "Dana"
    assert facilitator["crm_id"] == "crm_9"

    fetched = call("get", f"/admin/facilitators/{facilitator['id']}")
    assert body(fetched) == facilitator

    renamed = call("patch", f"/admin/facilitators/{facilitator['id']}", {"name": "Dana K."})
    assert renamed.status_code == 200
    assert body(renamed) == {**facilitator, "name": "Dana K."}

    listed = body(call("get", "/admin/facilitators"))
    assert listed == {"facilitators": [{**facilitator, "name": "Dana K."}], "next_cursor": None}


def test_facilitators_list_in_pages(call):
    made = {make_facilitator(f"F{n}", f"crm_{n}").facilitator_id for n in range(5)}

    seen, cursor = [], None
    while True:
        page = body(
            call("get", "/admin/facilitators?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        )
        seen += [facilitator["id"] for facilitator in page["facilitators"]]
        if not (cursor := page["next_cursor"]):
            break

    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": "Dana"},
        {"name": "", "crm_id": "c"},
        {"name": "D", "crm_id": "c", "x": 1},
        {"name": " " + "D" * 200, "crm_id": "c"},
        {"name": "Dana\u202e", "crm_id": "c"},
        {"name": "Dana", "crm_id": "crm\u200b1"},
    ],
)
def test_bad_facilitator_body_is_400(call, payload):
    response = call("post", "/admin/facilitators", payload)

    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_failed"


def test_unknown_facilitator_is_404(call):
    assert call("get", f"/admin/facilitators/{SOME_ID}").status_code == 404
    assert call("patch", f"/admin/facilitators/{SOME_ID}", {"name": "X"}).status_code == 404


def test_empty_facilitator_change_is_400(call, admin):
    facilitator = make_facilitator()

    response = call("patch", f"/admin/facilitators/{facilitator.facilitator_id}", {})

    assert response.status_code == 400


def test_created_event_is_listed_with_its_facilitator_copied_in(call, admin):
    facilitator = make_facilitator("Alice", "crm_001")
    payload = event_body(facilitator.facilitator_id, starts_at="2030-01-01T09:00:00+05:30")
    payload["ends_at"] = "2030-01-01T11:00:00+05:30"

    created = call("post", "/admin/events", payload)

    assert created.status_code == 201, created.body
    event = body(created)
    assert event["starts_at"] == "2030-01-01T03:30:00Z"
    assert event["ends_at"] == "2030-01-01T05:30:00Z"
    assert event["published"] is True
    assert event["seats_taken"] == 0
    assert event["facilitator"] == {
        "id": facilitator.facilitator_id,
        "name": "Alice",
        "crm_id": "crm_001",
    }
    listed = body(call("get", "/events/"))["events"]
    assert [e["id"] for e in listed] == [event["id"]]
    assert listed[0]["timezone"] == "Asia/Kolkata"
    assert listed[0]["seats_left"] == 20


def test_an_event_created_unpublished_is_not_listed(call):
    facilitator = make_facilitator()

    created = call("post", "/admin/events", event_body(facilitator.facilitator_id, published=False))

    assert created.status_code == 201
    assert body(call("get", "/events/"))["events"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-01-01T01:00:00Z"}, "starts_at"),
        ({"ends_at": "2000-01-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2099-01-01T09:00:00"}, "starts_at"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": "America"}, "timezone"),
        ({"timezone": "Etc"}, "timezone"),
        ({"timezone": "__pycache__"}, "timezone"),
        ({"timezone": "a" * 300}, "timezone"),
        ({"timezone": "europe/berlin"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "Factory"}, "timezone"),
        ({"starts_at": "9999-12-31T23:00:00+00:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59:59-14:00"}, "ends_at"),
        ({"name": "\u202eAdmin\u200b"}, "name"),
        ({"name": "Yoga \ue000"}, "name"),
        ({"name": "Yoga \U000e0001"}, "name"),
        ({"name": "Yoga \u0378"}, "name"),
        ({"description": "Bring a mat.\u2066"}, "description"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "20"}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"published": 0}, "published"),
        ({"published": "true"}, "published"),
        ({"name": "   "}, "name"),
        ({"facilitator_id": SOME_ID}, "facilitator_id"),
        ({"facilitator_id": "alice"}, "facilitator_id"),
        ({"seats_taken": 3}, "seats_taken"),
    ],
)
def test_bad_event_body_is_400_naming_the_field(call, changes, field):
    facilitator = make_facilitator()

    response = call("post", "/admin/events", event_body(facilitator.facilitator_id, **changes))

    assert response.status_code == 400, response.body
    assert field in error_of(response)["fields"]


def test_missing_event_fields_are_all_reported(call):
    response = call("post", "/admin/events", {"name": "Only a name"})

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {
        "kind",
        "starts_at",
        "ends_at",
        "timezone",
        "capacity",
        "facilitator_id",
    }


def test_patch_changes_only_the_given_fields(call):
    event = make_event(timedelta(days=2), capacity=10)
    new_start, new_end = in_days(5), in_days(5, hours=2)

    response = call(
        "patch",
        f"/admin/events/{event.event_id}",
        {"name": "Evening Yoga", "starts_at": new_start, "ends_at": new_end},
    )

    assert response.status_code == 200, response.body
    changed = body(response)
    assert (changed["name"], changed["starts_at"], changed["ends_at"]) == (
        "Evening Yoga",
        new_start,
        new_end,
    )
    assert changed["capacity"] == 10
    assert changed["description"] == event.description


def test_patch_checks_times_against_the_stored_ones(call):
    event = make_event(timedelta(days=2))

    response = call("patch", f"/admin/events/{event.event_id}", {"starts_at": in_days(3)})

    assert response.status_code == 400
    assert "ends_at" in error_of(response)["fields"]


@pytest.mark.parametrize(
    "changes",
    [
        {"starts_at": "9999-12-31T23:00:00+00:00"},
        {"ends_at": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_patch_refuses_dates_past_the_horizon_and_the_dashboard_still_works(call, client, changes):
    event = make_event()
    reader = make_user()

    response = call("patch", f"/admin/events/{event.event_id}", changes)

    assert response.status_code == 400, response.body
    assert set(error_of(response)["fields"]) <= {"starts_at", "ends_at"}
    assert call("get", "/events/", user=reader).status_code == 200


def test_an_event_may_be_put_on_up_to_the_horizon_five_years_by_default(call, configure):
    assert get_settings().event_horizon_days == 1827
    configure(EVENT_HORIZON_DAYS=400)
    facilitator = make_facilitator()
    latest = clock.now() + timedelta(days=400 - 1)
    body_near = event_body(
        facilitator.facilitator_id,
        starts_at=clock.to_iso(latest - timedelta(hours=2)),
        ends_at=clock.to_iso(latest),
    )
    body_far = event_body(
        facilitator.facilitator_id,
        starts_at=clock.to_iso(latest + timedelta(days=2)),
        ends_at=clock.to_iso(latest + timedelta(days=2, hours=2)),
    )

    assert call("post", "/admin/events", body_near).status_code == 201
    refused = call("post", "/admin/events", body_far)
    assert refused.status_code == 400
    assert set(error_of(refused)["fields"]) == {"starts_at", "ends_at"}


def test_reassigning_the_facilitator_copies_the_current_one(call):
    event = make_event()
    bob = make_facilitator("Bob", "crm_bob")

    response = call(
        "patch", f"/admin/events/{event.event_id}", {"facilitator_id": bob.facilitator_id}
    )

    assert body(response)["facilitator"] == {
        "id": bob.facilitator_id,
        "name": "Bob",
        "crm_id": "crm_bob",
    }


def test_capacity_cannot_drop_below_the_seats_taken(call):
    event = make_event(capacity=5)
    for _ in range(3):
        call("post", "/bookings/", {"event_id": event.event_id}, user=make_user())

    refused = call("patch", f"/admin/events/{event.event_id}", {"capacity": 2})
    allowed = call("patch", f"/admin/events/{event.event_id}", {"capacity": 3})

    assert refused.status_code == 409
    assert error_of(refused)["code"] == "capacity_below_bookings"
    assert allowed.status_code == 200
    assert body(allowed)["seats_left"] == 0


def test_patching_an_unknown_event_is_404(call):
    response = call("patch", f"/admin/events/{SOME_ID}", {"name": "X"})

    assert response.status_code == 404


def test_delete_unpublishes_and_keeps_the_bookings(call):
    event = make_event()
    user = make_user()
    booked = call("post", "/bookings/", {"event_id": event.event_id}, user=user)

    deleted = call("delete", f"/admin/events/{event.event_id}")

    assert deleted.status_code == 200
    assert body(deleted)["published"] is False
    assert body(call("get", "/events/"))["events"] == []
    assert call("get", f"/events/{event.event_id}").status_code == 404
    mine = body(call("get", "/bookings/my", user=user))["bookings"]
    assert [b["booking_id"] for b in mine] == [body(booked)["booking_id"]]
    refused = call("post", "/bookings/", {"event_id": event.event_id}, user=make_user())
    assert refused.status_code == 404
    attendees = body(call("get", f"/admin/events/{event.event_id}/attendees"))["attendees"]
    assert [a["booking_id"] for a in attendees] == [body(booked)["booking_id"]]


def test_an_unpublished_event_can_be_published_again(call):
    event = make_event(published=False)

    response = call("patch", f"/admin/events/{event.event_id}", {"published": True})

    assert body(response)["published"] is True
    assert [e["id"] for e in body(call("get", "/events/"))["events"]] == [event.event_id]


def test_attendees_first_booked_first_with_names_and_status_filter(call):
    event = make_event()
    ann, bo, cy = make_user(name="Ann"), make_user(name="Bo"), make_user(name="Cy")
    for user in (ann, bo, cy):
        call("post", "/bookings/", {"event_id": event.event_id}, user=user)
    bo_booking = body(call("get", "/bookings/my", user=bo))["bookings"][0]["booking_id"]
    call("delete", f"/bookings/{bo_booking}", user=bo)

    everyone = body(call("get", f"/admin/events/{event.event_id}/attendees"))
    confirmed = body(call("get", f"/admin/events/{event.event_id}/attendees?status=confirmed"))

    assert everyone["event"]["id"] == event.event_id
    assert everyone["event"]["seats_taken"] == 2
    assert [(a["user"]["name"], a["status"]) for a in everyone["attendees"]] == [
        ("Ann", "confirmed"),
        ("Bo", "cancelled"),
        ("Cy", "confirmed"),
    ]
    assert everyone["attendees"][0]["user"] == {
        "id": ann.user_id,
        "name": "Ann",
        "email": ann.email,
    }
    assert [a["user"]["name"] for a in confirmed["attendees"]] == ["Ann", "Cy"]


def test_attendees_paginate_and_refuse_another_events_cursor(call):
    event, other = make_event(), make_event()
    for _ in range(5):
        user = make_user()
        for target in (event, other):
            call("post", "/bookings/", {"event_id": target.event_id}, user=user)

    seen, cursor = [], None
    while True:
        path = f"/admin/events/{event.event_id}/attendees?limit=2"
        page = body(call("get", path + (f"&cursor={cursor}" if cursor else "")))
        seen += [a["booking_id"] for a in page["attendees"]]
        if not (cursor := page["next_cursor"]):
            break
    other_cursor = body(call("get", f"/admin/events/{other.event_id}/attendees?limit=1"))[
        "next_cursor"
    ]
    foreign = call("get", f"/admin/events/{event.event_id}/attendees?cursor={other_cursor}")

    assert len(seen) == len(set(seen)) == 5
    assert foreign.status_code == 400


def test_attendees_of_an_unknown_event_is_404(call):
    assert call("get", f"/admin/events/{SOME_ID}/attendees").status_code == 404
