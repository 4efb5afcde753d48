"""Strikes: each no-show counts once however the runs race; STRIKE_LIMIT of them within the
window suspend booking and joining lines (409 with ``until``) until an admin lifts it."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import attendance, clock, models
from tests.attendance.conftest import facilitator_account, run_in_parallel, staff_principal
from tests.support.browser import text
from tests.support.factories import (
    book,
    headers_for,
    join_waitlist,
    make_admin,
    make_booking,
    make_event,
    make_facilitator,
    make_full_event,
    make_user,
)


@pytest.fixture
def no_shows_of(shifted_clock):
    """``no_shows_of(user, count)``: ``count`` classes three hours ago, each with someone
    checked in and ``user`` absent, marked by four runs at once; back at the real now."""

    def make(user: models.User, count: int) -> None:
        shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
        facilitator = make_facilitator()
        staff = staff_principal(facilitator_account(facilitator))
        for n in range(count):
            event = make_event(timedelta(minutes=10 + n), facilitator=facilitator)
            make_booking(user, event)
            came = make_booking(make_user(name=f"Came {n}"), event)
            attendance.check_in(staff, came.booking_id)
        shifted_clock.frozen_at = None
        run_in_parallel(attendance.mark_no_shows, 4)

    return make


def test_three_no_shows_suspend_booking_and_joining_until_an_admin_lifts_it(
    client, browser, no_shows_of
):
    ann = make_user()
    no_shows_of(ann, 3)
    stored = models.User.get(ann.user_id)
    newest = max(clock.parse_iso(s.partition("|")[0]) for s in stored.strikes)
    open_event, (full_event, _) = make_event(), make_full_event(seated=1, waiting=1)

    booked = book(client, ann, open_event.event_id)
    joined = join_waitlist(client, ann, full_event.event_id)

    assert len(stored.strikes) == 3
    assert stored.suspended_until == clock.to_iso(newest + timedelta(days=7))
    for refused in (booked, joined):
        assert refused.status_code == 409
        error = refused.json_body["error"]
        assert error["code"] == "booking_suspended"
        assert error["until"] == stored.suspended_until
        assert error["message"]
    dashboard = text(browser.as_user(ann).get("/dashboard"))
    assert "After repeated no-shows your account cannot book or join waiting lists until" in (
        dashboard
    )
    lifted = client.http.delete(
        f"/admin/users/{ann.user_id}/suspension", headers=headers_for(make_admin())
    )
    assert lifted.status_code == 200
    assert lifted.json_body == {"user_id": ann.user_id, "suspended_until": None, "strikes": 0}
    assert book(client, ann, open_event.event_id).status_code == 201
    # The strikes behind the suspension went with it: the next run does not suspend again.
    attendance.mark_no_shows()
    assert models.User.get(ann.user_id).suspended_until is None
    assert "After repeated no-shows" not in text(browser.get("/dashboard"))


def test_two_no_shows_are_below_the_limit(client, no_shows_of):
    ann = make_user()
    no_shows_of(ann, 2)

    assert len(models.User.get(ann.user_id).strikes) == 2
    assert book(client, ann, make_event().event_id).status_code == 201


def test_a_strike_limit_of_zero_switches_the_policy_off(client, no_shows_of, configure):
    configure(STRIKE_LIMIT=0)
    ann = make_user()
    no_shows_of(ann, 3)

    assert models.User.get(ann.user_id).suspended_until is None
    assert book(client, ann, make_event().event_id).status_code == 201


def test_strikes_older_than_the_window_do_not_count(client, no_shows_of, configure):
    configure(STRIKE_WINDOW_DAYS=1)
    ann = make_user()
    old = f"{clock.to_iso_ms(datetime.now(UTC) - timedelta(days=2))}|01JD8X9K2B4C6D8E0F1G3H5J7K"
    ann.update(actions=[models.User.strikes.add({old})])
    no_shows_of(ann, 2)

    stored = models.User.get(ann.user_id)
    assert stored.suspended_until is None
    assert old not in stored.strikes and len(stored.strikes) == 2


def test_lifting_the_suspension_of_no_account_is_404(client):
    answer = client.http.delete(
        "/admin/users/01JD8X9K2B4C6D8E0F1G3H5J7K/suspension", headers=headers_for(make_admin())
    )
    assert answer.status_code == 404


def test_only_an_admin_lifts_a_suspension(client):
    ann = make_user()
    answer = client.http.delete(f"/admin/users/{ann.user_id}/suspension", headers=headers_for(ann))
    assert answer.status_code == 403
