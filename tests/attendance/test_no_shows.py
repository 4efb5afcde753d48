"""The no-show job: after the grace, confirmed bookings not checked in become no-shows (once,
however the runs repeat or overlap), only at events where someone was checked in."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from chalicelib import attendance, models
from chalicelib.attendance import no_shows
from tests.attendance.conftest import (
    facilitator_account,
    run_in_parallel,
    staff_principal,
)
from tests.support.factories import make_booking, make_event, make_facilitator, make_user
from tests.support.relays import wait_for


def attendance_of(booking):
    return models.Booking.get(booking.user_id, booking.event_id).attendance


def test_runs_twice_and_in_parallel_mark_each_booking_once_with_one_webhook(
    relays, crm, shifted_clock
):
    shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    facilitator = make_facilitator()
    staff = staff_principal(facilitator_account(facilitator))
    taken = make_event(timedelta(minutes=10), facilitator=facilitator)
    not_taken = make_event(timedelta(minutes=10), facilitator=facilitator, name="Drop-in")
    came = make_booking(make_user(name="Came"), taken)
    absent = [make_booking(make_user(name=f"Away {n}"), taken) for n in range(3)]
    waiting = make_booking(make_user(name="Waiting"), taken, status=models.WAITLISTED)
    unknown = [make_booking(make_user(name=f"Unknown {n}"), not_taken) for n in range(2)]
    attendance.check_in(staff, came.booking_id)
    relays.start()

    # Within the grace nothing is due.
    shifted_clock.advance(timedelta(minutes=10 + 60 + 29))
    assert attendance.mark_no_shows()["marked"] == 0
    shifted_clock.advance(timedelta(minutes=2))
    answers = [*run_in_parallel(attendance.mark_no_shows, 4), attendance.mark_no_shows()]

    assert sum(a["marked"] for a in answers) == 3
    assert [attendance_of(b) for b in absent] == ["no_show"] * 3
    assert attendance_of(came) == "checked_in"
    assert attendance_of(waiting) is None
    assert [attendance_of(b) for b in unknown] == [None, None]
    event = models.Event.get(taken.event_id)
    assert event.awaiting_no_shows is None and event.no_shows_marked_at is not None
    assert list(models.Event.no_shows_due.query(models.ATTENDANCE_TAKEN)) == []

    def no_shows():
        return [d for d in crm.deliveries if d["payload"]["type"] == "booking.no_show"]

    assert wait_for(lambda: len(no_shows()) == 3, timeout=10)
    assert sorted(d["webhook_id"] for d in no_shows()) == sorted(
        f"{b.booking_id}.booking.no_show" for b in absent
    )
    checked_in = [d for d in crm.deliveries if d["payload"]["type"] == "booking.checked_in"]
    assert [d["payload"]["booking_id"] for d in checked_in] == [came.booking_id]


def test_an_event_whose_check_ins_were_all_undone_marks_nobody(shifted_clock):
    shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    facilitator = make_facilitator()
    staff = staff_principal(facilitator_account(facilitator))
    event = make_event(timedelta(minutes=10), facilitator=facilitator)
    bookings = [make_booking(make_user(name=f"Guest {n}"), event) for n in range(2)]
    attendance.check_in(staff, bookings[0].booking_id)
    attendance.undo(staff, bookings[0].booking_id)
    shifted_clock.advance(timedelta(hours=2))

    assert attendance.mark_no_shows() == {"events": 1, "marked": 0, "left_for_next_run": 0}
    assert [attendance_of(b) for b in bookings] == [None, None]


def test_check_in_and_undo_are_closed_once_no_shows_are_marked(shifted_clock, configure):
    shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    facilitator = make_facilitator()
    staff = staff_principal(facilitator_account(facilitator))
    event = make_event(timedelta(minutes=10), facilitator=facilitator)
    came, absent = (make_booking(make_user(name=n), event) for n in ("Came", "Away"))
    attendance.check_in(staff, came.booking_id)
    shifted_clock.advance(timedelta(hours=2))
    attendance.mark_no_shows()
    # Even with a window stretched past now, a marked event is done with.
    configure(NO_SHOW_GRACE_MINUTES=1440)

    for action, booking in ((attendance.undo, came), (attendance.check_in, absent)):
        try:
            action(staff, booking.booking_id)
        except attendance.CheckinClosed:
            continue
        raise AssertionError(f"{action.__name__} was not refused")
    assert (attendance_of(came), attendance_of(absent)) == ("checked_in", "no_show")


def test_make_runs_relay_marks_no_shows_on_its_reminder_timer(relays, shifted_clock):
    from app import mark_no_shows

    shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    facilitator = make_facilitator()
    event = make_event(timedelta(minutes=10), facilitator=facilitator)
    came, absent = (make_booking(make_user(name=n), event) for n in ("Came", "Away"))
    attendance.check_in(staff_principal(facilitator_account(facilitator)), came.booking_id)
    shifted_clock.frozen_at = None

    relays.start(no_shows=mark_no_shows, reminder_seconds=0.1)

    assert wait_for(lambda: attendance_of(absent) == "no_show", timeout=10)


def test_a_run_past_its_budget_leaves_the_rest_to_the_next(shifted_clock, monkeypatch, configure):
    configure(NO_SHOW_RUN_BUDGET_SECONDS=1)
    shifted_clock.freeze(datetime.now(UTC) - timedelta(hours=3))
    facilitator = make_facilitator()
    staff = staff_principal(facilitator_account(facilitator))
    absent = []
    for n in range(2):
        event = make_event(timedelta(minutes=10 + n), facilitator=facilitator)
        attendance.check_in(staff, make_booking(make_user(name=f"Came {n}"), event).booking_id)
        absent.append(make_booking(make_user(name=f"Away {n}"), event))
    shifted_clock.advance(timedelta(hours=2))

    def slow_clock():
        # Each look at the clock finds 0.6 s gone: the second event is past the budget.
        ticks = iter(range(100))
        return SimpleNamespace(monotonic=lambda: next(ticks) * 0.6)

    monkeypatch.setattr(no_shows, "time", slow_clock())
    first = attendance.mark_no_shows()
    monkeypatch.setattr(no_shows, "time", slow_clock())
    second = attendance.mark_no_shows()

    assert first == {"events": 1, "marked": 1, "left_for_next_run": 1}
    assert second == {"events": 1, "marked": 1, "left_for_next_run": 0}
    assert [attendance_of(b) for b in absent] == ["no_show", "no_show"]
