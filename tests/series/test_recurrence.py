"""A series' dates: local wall-clock across DST, the gap and the fold, COUNT and UNTIL, and
which rules are refused (400 naming ``rrule``)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib import clock, errors, models, series
from tests.support.api import body
from tests.support.errors import error_of


@pytest.fixture
def autumn_2027(shifted_clock):
    """Dates around fixed DST changes, made through the service: a frozen clock would also
    make the API's tokens look stale."""
    shifted_clock.freeze(datetime(2027, 9, 1, 12, tzinfo=UTC))
    return shifted_clock


@pytest.fixture
def create(autumn_2027, series_body):
    def make(**changes):
        made = series_body(**changes)
        made["start_date"] = date.fromisoformat(made["start_date"])
        return series.create(**made)

    return make


def starts(made):
    return [occurrence["starts_at"] for occurrence in made["occurrences"]]


def next_week():
    return (clock.now() + timedelta(days=7)).date().isoformat()


def test_weekly_monday_1830_london_stays_1830_across_the_end_of_summer_time(create):
    # Summer time ends on Sunday 31 October 2027: 18:30 BST is 17:30Z, 18:30 GMT is 18:30Z.
    made = create(start_date="2027-10-18", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4")

    assert starts(made) == [
        "2027-10-18T17:30:00Z",
        "2027-10-25T17:30:00Z",
        "2027-11-01T18:30:00Z",
        "2027-11-08T18:30:00Z",
    ]


def test_weekly_monday_1830_london_stays_1830_across_the_start_of_summer_time(create):
    # Summer time starts on Sunday 26 March 2028.
    made = create(start_date="2028-03-13", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4")

    assert starts(made) == [
        "2028-03-13T18:30:00Z",
        "2028-03-20T18:30:00Z",
        "2028-03-27T17:30:00Z",
        "2028-04-03T17:30:00Z",
    ]
    assert made["occurrences"][2]["ends_at"] == "2028-03-27T18:30:00Z"


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap(create):
    # New York springs forward at 02:00 on 12 March 2028: 02:30 does not exist that day.
    made = create(
        timezone="America/New_York",
        start_date="2028-03-11",
        start_time="02:30",
        rrule="FREQ=DAILY;COUNT=3",
    )

    assert starts(made) == [
        "2028-03-11T07:30:00Z",  # 02:30 EST
        "2028-03-12T07:30:00Z",  # 03:30 EDT: forward by the hour that was skipped
        "2028-03-13T06:30:00Z",  # 02:30 EDT
    ]


def test_a_time_in_the_autumn_fold_takes_the_first(create):
    # New York falls back at 02:00 on 7 November 2027: 01:30 happens twice, EDT then EST.
    made = create(
        timezone="America/New_York",
        start_date="2027-11-06",
        start_time="01:30",
        rrule="FREQ=DAILY;COUNT=3",
    )

    assert starts(made) == [
        "2027-11-06T05:30:00Z",  # EDT
        "2027-11-07T05:30:00Z",  # the first 01:30, still EDT
        "2027-11-08T06:30:00Z",  # EST
    ]


def test_until_includes_its_whole_local_day(create):
    made = create(start_date="2027-10-04", rrule="FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271011")

    assert starts(made) == [
        "2027-10-04T17:30:00Z",
        "2027-10-06T17:30:00Z",
        "2027-10-11T17:30:00Z",
    ]
    assert made["open_ended"] is False


def test_until_in_utc_ends_at_that_moment(create):
    made = create(start_date="2027-10-04", rrule="FREQ=DAILY;UNTIL=20271006T173000Z")

    assert starts(made) == [
        "2027-10-04T17:30:00Z",
        "2027-10-05T17:30:00Z",
        "2027-10-06T17:30:00Z",
    ]


def test_count_with_an_interval_by_month_day(create):
    made = create(start_date="2027-10-15", rrule="FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=2;COUNT=3")

    assert starts(made) == [
        "2027-10-15T17:30:00Z",
        "2027-12-15T18:30:00Z",
        "2028-02-15T18:30:00Z",
    ]


def test_monthly_on_the_last_friday(create):
    made = create(start_date="2027-10-01", rrule="RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2")

    assert starts(made) == ["2027-10-29T17:30:00Z", "2027-11-26T18:30:00Z"]


def test_exactly_series_max_occurrences_are_made(create):
    assert len(starts(create(rrule="FREQ=DAILY;COUNT=52"))) == 52


def test_a_first_date_in_the_past_is_refused(create):
    with pytest.raises(errors.ValidationFailed) as refused:
        create(start_date="2027-08-02")

    assert list(refused.value.fields) == ["start_date"]


def test_more_dates_than_series_max_occurrences_is_400(call, series_body):
    response = call(
        "post", "/admin/series", series_body(start_date=next_week(), rrule="FREQ=DAILY;COUNT=53")
    )

    assert response.status_code == 400
    assert "SERIES_MAX_OCCURRENCES" in error_of(response)["fields"]["rrule"][0]


def test_a_course_must_end_and_fit_one_transaction(call, series_body, configure):
    # A course is booked whole: dates the daily top-up added later would be in nobody's course.
    open_ended = call(
        "post",
        "/admin/series",
        series_body(start_date=next_week(), rrule="FREQ=WEEKLY;BYDAY=MO", booking_mode="course"),
    )
    assert open_ended.status_code == 400
    assert "COUNT or UNTIL" in error_of(open_ended)["fields"]["rrule"][0]

    configure(COURSE_MAX_OCCURRENCES=4)
    too_long = call(
        "post",
        "/admin/series",
        series_body(start_date=next_week(), rrule="FREQ=DAILY;COUNT=5", booking_mode="course"),
    )
    assert too_long.status_code == 400
    assert "COURSE_MAX_OCCURRENCES" in error_of(too_long)["fields"]["rrule"][0]
    fits = call(
        "post",
        "/admin/series",
        series_body(start_date=next_week(), rrule="FREQ=DAILY;COUNT=4", booking_mode="course"),
    )
    assert fits.status_code == 201, fits.body
    assert models.Series.count() == 1


def test_an_until_past_series_max_occurrences_is_400(call, series_body):
    until = (clock.now() + timedelta(days=120)).strftime("%Y%m%d")
    response = call(
        "post",
        "/admin/series",
        series_body(start_date=next_week(), rrule=f"FREQ=DAILY;UNTIL={until}"),
    )

    assert response.status_code == 400
    assert "SERIES_MAX_OCCURRENCES" in error_of(response)["fields"]["rrule"][0]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY;COUNT=3",
        "FREQ=YEARLY;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;COUNT=3",
        "FREQ=WEEKLY;BYHOUR=9;COUNT=3",
        "garbage",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=3;UNTIL=20991231",
        "FREQ=WEEKLY;UNTIL=20271399",
        "FREQ=DAILY;INTERVAL=-1;COUNT=2",
        "FREQ=DAILY;FREQ=WEEKLY",
        "COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=2",
        "FREQ=WEEKLY;BYDAY=1MO;COUNT=2",
    ],
)
def test_unsupported_or_broken_rules_are_400_naming_rrule(call, series_body, rule):
    response = call("post", "/admin/series", series_body(start_date=next_week(), rrule=rule))

    assert response.status_code == 400, body(response)
    assert list(error_of(response)["fields"]) == ["rrule"]


def test_a_rule_whose_dates_pass_the_event_horizon_is_400(call, series_body, configure):
    configure(EVENT_HORIZON_DAYS=60)

    response = call(
        "post", "/admin/series", series_body(start_date=next_week(), rrule="FREQ=WEEKLY;COUNT=20")
    )

    assert response.status_code == 400
    assert "EVENT_HORIZON_DAYS" in error_of(response)["fields"]["rrule"][0]


def test_a_start_date_past_the_event_horizon_is_400_naming_start_date(call, series_body):
    response = call("post", "/admin/series", series_body(start_date="9999-12-31"))

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["start_date"]
