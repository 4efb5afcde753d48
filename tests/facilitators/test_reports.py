"""The attendance report: counted from each event's bookings, for one facilitator or all,
bounded in range, as JSON or as a formula-safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from chalicelib import clock, facilitation, models
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


def days_from_now(days: int) -> str:
    return (clock.now() + timedelta(days=days)).date().isoformat()


def assign(event: models.Event, facilitator: models.Facilitator) -> None:
    event.update(
        actions=[
            models.Event.facilitator.set(
                models.FacilitatorCopy(
                    id=facilitator.facilitator_id, name=facilitator.name, crm_id="crm"
                )
            ),
            models.Event.facilitator_id.set(facilitator.facilitator_id),
        ]
    )


def mark(user: models.User, event: models.Event, attendance: str) -> None:
    models.Booking(user.user_id, event.event_id).update(
        actions=[models.Booking.attendance.set(attendance)]
    )


@pytest.fixture
def alice():
    return make_facilitator(name="Alice")


def test_each_event_counts_booked_checked_in_no_shows_cancelled_and_promoted(client, alice):
    event, people = make_full_event(seated=3, waiting=1, starts_in=timedelta(days=2))
    assign(event, alice)
    mark(people[0], event, models.ATTENDANCE_CHECKED_IN)
    mark(people[1], event, models.ATTENDANCE_NO_SHOW)
    seated = models.Booking.get(people[2].user_id, event.event_id)
    # The last seated person cancels: the one in line is promoted by the real write.
    cancelled = client.http.delete(f"/bookings/{seated.booking_id}", headers=headers_for(people[2]))
    assert cancelled.status_code == 200, cancelled.body
    make_booking(make_user(), make_event(facilitator=make_facilitator(name="Bob")))

    report = facilitation.attendance(
        clock.now().date(), (clock.now() + timedelta(days=3)).date(), alice.facilitator_id
    )

    assert report == {
        "events": [
            {
                "event_id": event.event_id,
                "name": event.name,
                "starts_at": event.starts_at,
                "capacity": 3,
                "booked": 3,
                "checked_in": 1,
                "no_shows": 1,
                "cancelled": 1,
                "promoted": 1,
            }
        ]
    }


def test_an_admins_report_covers_every_facilitator_in_range_at_one_query_per_event(alice):
    bob = make_facilitator(name="Bob")
    mine = make_event(timedelta(days=1), facilitator=alice, name="A")
    theirs = make_event(timedelta(days=2), facilitator=bob, name="B")
    make_event(timedelta(days=40), facilitator=bob, name="Out of range")
    make_booking(make_user(), theirs)

    with count_dynamodb_calls() as calls:
        report = facilitation.attendance(
            clock.now().date(), (clock.now() + timedelta(days=5)).date()
        )

    assert [row["event_id"] for row in report["events"]] == [mine.event_id, theirs.event_id]
    assert [row["booked"] for row in report["events"]] == [0, 1]
    # One Scan of the facilitators, one events Query each, one bookings Query per event.
    assert dict(calls) == {"Scan": 1, "Query": 4}


def test_a_facilitator_gets_only_their_own_events_report(client, alice):
    fay = make_facilitator_account(alice)
    mine = make_event(timedelta(days=1), facilitator=alice)
    make_event(timedelta(days=1), facilitator=make_facilitator(name="Bob"))
    path = f"/facilitator/reports/attendance?from={days_from_now(0)}&to={days_from_now(2)}"

    response = client.http.get(path, headers=headers_for(fay))

    assert [row["event_id"] for row in body(response)["events"]] == [mine.event_id]


@pytest.mark.parametrize("ask", ["query", "accept"])
def test_the_csv_is_formula_safe(client, alice, ask):
    make_event(timedelta(days=1), facilitator=alice, name='=HYPERLINK("http://x")')
    path = f"/admin/reports/attendance?from={days_from_now(0)}&to={days_from_now(2)}"
    headers = headers_for(make_admin())
    if ask == "query":
        path += f"&facilitator_id={alice.facilitator_id}&format=csv"
    else:
        headers["Accept"] = "text/csv"

    response = client.http.get(path, headers=headers)

    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == list(facilitation.reports.COLUMNS)
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][4:] == ["0"] * 5


def test_an_admins_report_of_an_unknown_facilitator_is_404(client):
    path = f"/admin/reports/attendance?from=2026-01-01&to=2026-01-02&facilitator_id={'0' * 26}"

    response = client.http.get(path, headers=headers_for(make_admin()))

    assert error_of(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=2026-01-01&to=2027-01-02", "to"),
        ("from=yesterday&to=2026-01-01", "from"),
        ("to=2026-01-01", "from"),
    ],
)
def test_a_bad_range_is_400_naming_the_field(client, query, field):
    response = client.http.get(
        f"/admin/reports/attendance?{query}", headers=headers_for(make_admin())
    )

    assert list(error_of(response, 400)["fields"]) == [field]


def test_weekly_rates_are_checked_in_over_booked_per_week():
    report = {
        "events": [
            {"starts_at": "2026-03-02T10:00:00Z", "checked_in": 3, "booked": 4},
            {"starts_at": "2026-03-08T10:00:00Z", "checked_in": 1, "booked": 4},
            {"starts_at": "2026-03-09T10:00:00Z", "checked_in": 0, "booked": 0},
        ]
    }

    assert facilitation.weekly_rates(report) == [
        {"week": "2026-03-02", "rate": 0.5, "checked_in": 4, "booked": 8}
    ]
