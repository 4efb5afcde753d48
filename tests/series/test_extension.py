"""The daily top-up of open-ended series (``extend_series``): dates SERIES_HORIZON_DAYS
ahead, never a date twice, however often or however many runs at once."""

import threading
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import clock, models
from chalicelib.series import extension
from local.relay import scheduled_event
from tests.support.api import body
from tests.support.relays import wait_for


def run_job(client):
    return client.lambda_.invoke("extend_series", scheduled_event("extend_series")).payload


def local_dates(series_id):
    zone = ZoneInfo("Europe/London")
    return [
        clock.parse_iso(event.starts_at).astimezone(zone).date()
        for event in models.Event.by_series.query(series_id)
    ]


def today():
    return clock.now().astimezone(ZoneInfo("Europe/London")).date()


@pytest.fixture
def daily(call, series_body):
    """An open-ended daily series from tomorrow."""
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = call("post", "/admin/series", series_body(start_date=tomorrow, rrule="FREQ=DAILY"))
    assert response.status_code == 201, body(response)
    return body(response)


def test_an_open_ended_series_is_made_series_horizon_days_ahead(daily):
    dates = local_dates(daily["series_id"])

    assert daily["open_ended"] is True
    assert len(daily["occurrences"]) == 90
    assert max(dates) == today() + timedelta(days=90)


def test_running_the_job_twice_makes_each_new_date_once(client, daily, shifted_clock):
    shifted_clock.advance(timedelta(days=3))

    first = run_job(client)
    second = run_job(client)

    assert first == {"made": 3, "already_made": 0}
    assert second == {"made": 0, "already_made": 0}
    dates = local_dates(daily["series_id"])
    assert len(dates) == len(set(dates)) == 93
    assert max(dates) == today() + timedelta(days=90)


def test_runs_at_once_never_make_a_date_twice(concurrent_client, daily, shifted_clock):
    shifted_clock.advance(timedelta(days=10))
    outcomes = []
    start = threading.Barrier(4)

    def run():
        start.wait()
        outcomes.append(run_job(concurrent_client))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcome["made"] for outcome in outcomes) == 10
    dates = local_dates(daily["series_id"])
    assert len(dates) == len(set(dates)) == 100


def test_a_stale_read_of_the_series_still_makes_no_date_twice(daily, shifted_clock):
    shifted_clock.advance(timedelta(days=5))
    stale = [models.Series.get(daily["series_id"]) for _ in range(3)]
    made = Counter()

    def run(series):
        new, existing = extension.extend(series)
        made.update(new=new, existing=existing)

    threads = [threading.Thread(target=run, args=(series,)) for series in stale]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Three runs each saw the same 5 dates missing: each date was made by exactly one of them.
    assert made == {"new": 5, "existing": 10}
    assert len(local_dates(daily["series_id"])) == 95
    assert (
        models.Series.get(daily["series_id"]).made_until
        == (today() + timedelta(days=90)).isoformat()
    )


def test_a_booked_date_is_left_as_it_is(client, daily, shifted_clock):
    booked = models.Event.get(daily["occurrences"][-1]["event_id"])
    booked.update(actions=[models.Event.seats_taken.set(4)])
    series = models.Series.get(daily["series_id"])
    series.update(actions=[models.Series.made_until.set(today().isoformat())])

    outcome = run_job(client)

    assert outcome == {"made": 0, "already_made": 90}
    assert models.Event.get(booked.event_id).seats_taken == 4


def test_series_with_an_end_and_cancelled_series_are_not_extended(
    call, client, series_body, daily, shifted_clock
):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    counted = body(
        call("post", "/admin/series", series_body(start_date=tomorrow, rrule="FREQ=DAILY;COUNT=3"))
    )
    assert call("delete", f"/admin/series/{daily['series_id']}").status_code == 200
    shifted_clock.advance(timedelta(days=3))

    assert run_job(client) == {"made": 0, "already_made": 0}
    assert len(local_dates(counted["series_id"])) == 3
    assert len(local_dates(daily["series_id"])) == 90


def test_make_run_s_relay_tops_up_series_on_its_timer(relays, daily, shifted_clock):
    from app import extend_series

    shifted_clock.advance(timedelta(days=2))
    stop = relays.start(series=extend_series, series_seconds=0.1)
    try:
        assert wait_for(lambda: len(local_dates(daily["series_id"])) == 92)
    finally:
        stop()


def test_an_open_ended_series_starting_past_its_horizon_is_made_by_the_top_up(
    call, client, series_body, shifted_clock
):
    later = (today() + timedelta(days=120)).isoformat()
    response = call("post", "/admin/series", series_body(start_date=later, rrule="FREQ=WEEKLY"))
    assert response.status_code == 201, body(response)
    assert body(response)["occurrences"] == []
    shifted_clock.advance(timedelta(days=31))

    assert run_job(client) == {"made": 1, "already_made": 0}
