"""GET /events/ and GET /events/{id}: what a signed-in user can browse."""

from datetime import timedelta

import pytest

from chalicelib import clock
from tests.support.api import body
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    make_event,
    make_facilitator,
    make_user,
    new_event,
    save_all,
)


@pytest.fixture
def headers():
    return headers_for(make_user())


def listed(client, headers, query=""):
    response = client.http.get(f"/events/{query}", headers=headers)
    assert response.status_code == 200, response.body
    return body(response)


def test_listing_shows_upcoming_events_soonest_first_in_the_documented_shape(client, headers):
    facilitator = make_facilitator("Alice", "crm_001")
    later = make_event(timedelta(days=9), name="Later", facilitator=facilitator, capacity=12)
    sooner = make_event(timedelta(days=2), name="Sooner", facilitator=facilitator)

    page = listed(client, headers)

    assert page["next_cursor"] is None
    assert [event["id"] for event in page["events"]] == [sooner.event_id, later.event_id]
    first = page["events"][1]
    assert first == {
        "id": later.event_id,
        "name": "Later",
        "description": "Bring a mat.",
        "kind": "session",
        "date": later.starts_at,
        "starts_at": later.starts_at,
        "ends_at": later.ends_at,
        "timezone": "Europe/Berlin",
        "capacity": 12,
        "seats_left": 12,
        "waitlist_capacity": 12,
        "waitlist_count": 0,
        "cancellable_until_hours": 0,
        "price": None,
        "refund_percent": 100,
        "facilitator": {"id": facilitator.facilitator_id, "name": "Alice", "crm_id": "crm_001"},
    }
    assert first["starts_at"].endswith("Z") and first["ends_at"].endswith("Z")


def test_past_started_and_unpublished_events_never_appear(client, headers):
    upcoming = make_event(timedelta(hours=1))
    make_event(timedelta(days=-3))
    make_event(timedelta(seconds=-1))
    make_event(timedelta(days=3), published=False)

    page = listed(client, headers)

    assert [event["id"] for event in page["events"]] == [upcoming.event_id]


def test_an_event_drops_out_of_the_listing_once_it_starts(client, headers, shifted_clock):
    event = make_event(timedelta(minutes=10))
    assert [e["id"] for e in listed(client, headers)["events"]] == [event.event_id]

    shifted_clock.advance(timedelta(minutes=10))

    assert listed(client, headers)["events"] == []


def test_pagination_walks_every_upcoming_event_exactly_once_in_order(client, headers):
    created = [new_event(timedelta(hours=1 + n)) for n in range(23)]
    save_all([*created, *(new_event(timedelta(days=-1 - n)) for n in range(5))])

    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = listed(client, headers, query)
        pages += 1
        assert len(page["events"]) <= 5
        seen += [event["id"] for event in page["events"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [event.event_id for event in created]
    assert pages == 5  # 5+5+5+5+3: a full last page does not hand out a cursor to an empty one


def test_events_starting_at_the_same_second_are_each_listed_once_across_pages(client, headers):
    same_start = [new_event(timedelta(days=1)) for _ in range(7)]
    for event in same_start:
        event.starts_at = same_start[0].starts_at
    save_all(same_start)

    first = listed(client, headers, "?limit=4")
    second = listed(client, headers, f"?limit=4&cursor={first['next_cursor']}")

    ids = [e["id"] for e in first["events"] + second["events"]]
    assert sorted(ids) == sorted(event.event_id for event in same_start)
    assert second["next_cursor"] is None


def test_filter_by_kind(client, headers):
    retreat = make_event(timedelta(days=2), kind="retreat")
    make_event(timedelta(days=1), kind="session")

    page = listed(client, headers, "?kind=retreat")

    assert [event["id"] for event in page["events"]] == [retreat.event_id]


def test_filter_by_facilitator(client, headers):
    alice, bob = make_facilitator("Alice", "crm_1"), make_facilitator("Bob", "crm_2")
    by_bob = make_event(timedelta(days=2), facilitator=bob)
    make_event(timedelta(days=1), facilitator=alice)

    page = listed(client, headers, f"?facilitator_id={bob.facilitator_id}")

    assert [event["id"] for event in page["events"]] == [by_bob.event_id]


def test_filtered_pages_may_be_short_but_together_hold_every_match_once(client, headers):
    matching = []
    batch = []
    for n in range(12):
        event = new_event(timedelta(hours=1 + n), kind="retreat" if n % 3 == 0 else "session")
        batch.append(event)
        if event.kind == "retreat":
            matching.append(event.event_id)
    save_all(batch)

    seen, cursor = [], None
    while True:
        page = listed(
            client, headers, "?kind=retreat&limit=2" + (f"&cursor={cursor}" if cursor else "")
        )
        seen += [event["id"] for event in page["events"]]
        if not (cursor := page["next_cursor"]):
            break

    assert seen == matching


def test_from_and_to_are_whole_utc_days_both_included(client, headers):
    today = clock.now().date()
    day = today + timedelta(days=10)
    events_by_day = {
        offset: make_event(timedelta(days=10 + offset)) for offset in (-2, -1, 0, 1, 2)
    }
    start, end = day - timedelta(days=1), day + timedelta(days=1)

    page = listed(client, headers, f"?from={start.isoformat()}&to={end.isoformat()}")

    expected = [
        event.event_id
        for event in events_by_day.values()
        if start.isoformat() <= event.starts_at[:10] <= end.isoformat()
    ]
    assert [event["id"] for event in page["events"]] == expected
    assert len(expected) >= 2


def test_from_in_the_past_still_lists_only_upcoming_events(client, headers):
    upcoming = make_event(timedelta(days=1))
    make_event(timedelta(days=-1))
    yesterday = (clock.now().date() - timedelta(days=2)).isoformat()

    page = listed(client, headers, f"?from={yesterday}")

    assert [event["id"] for event in page["events"]] == [upcoming.event_id]


def test_a_cursor_kept_until_its_events_started_resumes_from_what_is_still_upcoming(
    client, headers, shifted_clock
):
    events = [new_event(timedelta(minutes=5 + n)) for n in range(4)]
    save_all(events)
    cursor = listed(client, headers, "?limit=2")["next_cursor"]

    shifted_clock.advance(timedelta(minutes=7))
    page = listed(client, headers, f"?limit=2&cursor={cursor}")

    assert [event["id"] for event in page["events"]] == [events[3].event_id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?kind=party", "kind"),
        ("?facilitator_id=nope", "facilitator_id"),
        ("?from=tomorrow", "from"),
        ("?to=2026-02-30", "to"),
        ("?from=2030-01-02&to=2030-01-01", "to"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?cursor=eyJldmVudF9pZCI6IngifQ", "cursor"),
        ("?colour=blue", "colour"),
    ],
)
def test_a_bad_parameter_is_400_naming_the_field(client, headers, query, field):
    response = client.http.get(f"/events/{query}", headers=headers)

    assert response.status_code == 400, response.body
    assert error_of(response)["code"] == "validation_failed"
    assert field in error_of(response)["fields"]


def test_a_cursor_from_my_bookings_is_refused_by_the_listing(client, headers):
    user = make_user()
    own_headers = headers_for(user)
    for _ in range(2):
        book(client, user, make_event().event_id)
    cursor = body(client.http.get("/bookings/my?limit=1", headers=own_headers))["next_cursor"]
    assert cursor

    response = client.http.get(f"/events/?cursor={cursor}", headers=own_headers)

    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


def test_listing_needs_a_token(client):
    assert client.http.get("/events/").status_code == 401


def test_one_event_by_id(client, headers):
    event = make_event(timedelta(days=3), capacity=5)

    response = client.http.get(f"/events/{event.event_id}", headers=headers)

    assert response.status_code == 200
    assert body(response)["id"] == event.event_id
    assert body(response)["seats_left"] == 5


def test_an_id_is_accepted_in_lower_case(client, headers):
    event = make_event()

    response = client.http.get(f"/events/{event.event_id.lower()}", headers=headers)

    assert body(response)["id"] == event.event_id


@pytest.mark.parametrize("which", ["unknown", "unpublished"])
def test_unknown_or_unpublished_event_is_404(client, headers, which):
    hidden = make_event(published=False)
    event_id = hidden.event_id if which == "unpublished" else "01ARZ3NDEKTSV4RRFFQ69G5FAV"

    response = client.http.get(f"/events/{event_id}", headers=headers)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_malformed_event_id_is_400(client, headers):
    response = client.http.get("/events/not-an-id", headers=headers)

    assert response.status_code == 400
    assert "event_id" in error_of(response)["fields"]
