"""POST /admin/series: check the series like POST /admin/events checks an event, then write
the series item (one PutItem) and its occurrences in BatchWriteItems of 25, never one PutItem
per date in sequence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import clock, errors, events, ids, models
from chalicelib.config import get_settings
from chalicelib.series import occurrences, recurrence, views


def create(**body: Any) -> dict[str, Any]:
    """Check the series (``plan``), then write it and its first dates."""
    series, starts = plan(**body)
    facilitator = events.facilitator_copy(series.facilitator_id)
    items = [occurrences.event_item(series, local, facilitator) for local in starts]
    series.save(condition=models.Series.series_id.does_not_exist())
    occurrences.write_all(items)
    return {**views.series_view(series), "occurrences": [views.occurrence(e) for e in items]}


def plan(
    name: str,
    kind: str,
    facilitator_id: str,
    timezone: str,
    start_date: date,
    start_time: str,
    duration_minutes: int,
    rrule: str,
    capacity: int,
    booking_mode: str,
    description: str = "",
    waitlist_capacity: int | None = None,
    cancellable_until_hours: int = 0,
    price: dict[str, Any] | None = None,
    refund_percent: int = 100,
) -> tuple[models.Series, list[datetime]]:
    """The series item (unsaved) and the naive local starts of the dates creating it would
    make, after every check creation makes: nothing is written (the console's preview)."""
    events.check_waitlist_capacity(waitlist_capacity)
    _check_start_date(start_date)
    series = models.Series(
        ids.new_id(),
        name=name,
        description=description,
        kind=kind,
        facilitator_id=facilitator_id,
        timezone=timezone,
        start_date=start_date.isoformat(),
        start_time=start_time,
        duration_minutes=duration_minutes,
        rrule=rrule,
        capacity=capacity,
        waitlist_capacity=waitlist_capacity,
        cancellable_until_hours=cancellable_until_hours,
        booking_mode=booking_mode,
        price=events.price_item(price),
        refund_percent=refund_percent,
        state=models.SERIES_ACTIVE,
        created_at=clock.to_iso_ms(clock.now()),
    )
    rule = occurrences.rule_of(series)
    starts = _first_dates(series, rule)
    _check_starts(series, rule, starts)
    _check_course(series, rule, starts)
    return series, starts


def horizon_date(series: models.Series) -> date:
    """The last local date an open-ended series has occurrences made for, as of now:
    SERIES_HORIZON_DAYS ahead, and never past EVENT_HORIZON_DAYS (which every event obeys)."""
    settings = get_settings()
    days = min(settings.series_horizon_days, settings.event_horizon_days - 1)
    return clock.on_clock_of(clock.now(), ZoneInfo(series.timezone)).date() + timedelta(days=days)


def _check_start_date(start_date: date) -> None:
    # Before any date arithmetic: a start in the year 9999 would overflow, not be refused.
    horizon = get_settings().event_horizon_days
    if start_date > clock.now().date() + timedelta(days=horizon):
        raise errors.ValidationFailed(
            fields={"start_date": [f"At most {horizon} days ahead (EVENT_HORIZON_DAYS)."]}
        )


def _first_dates(series: models.Series, rule: recurrence.Rule) -> list[datetime]:
    if not rule.bounded:
        through = horizon_date(series)
        series.extending = models.OPEN_ENDED
        series.made_until = through.isoformat()
        return occurrences.starts_between(series, None, through)
    most = get_settings().series_max_occurrences
    starts = list(islice(recurrence.local_starts(rule), most + 1))
    if len(starts) > most:
        raise recurrence.RuleRefused(
            f"The rule gives more than {most} dates (SERIES_MAX_OCCURRENCES); "
            "shorten COUNT or UNTIL, or leave both out for an open-ended series."
        )
    if starts:
        series.made_until = starts[-1].date().isoformat()
    return starts


def _check_course(series: models.Series, rule: recurrence.Rule, starts: list[datetime]) -> None:
    """A course is booked whole in one transaction, so it must have all its dates from the
    start (an open-ended one would gain dates nobody's course holds) and no more than that
    transaction can take (COURSE_MAX_OCCURRENCES)."""
    if series.booking_mode != models.COURSE:
        return
    if not rule.bounded:
        raise recurrence.RuleRefused("A course needs COUNT or UNTIL: it is booked whole.")
    most = get_settings().course_max_occurrences
    if len(starts) > most:
        raise recurrence.RuleRefused(
            f"A course has at most {most} dates (COURSE_MAX_OCCURRENCES): one transaction "
            "books them all."
        )


def _check_starts(series: models.Series, rule: recurrence.Rule, starts: list[datetime]) -> None:
    # An open-ended series may begin past its horizon: none made yet, the top-up makes them.
    first_local = starts[0] if starts else next(iter(rule.recurrence), None)
    if first_local is None:
        raise recurrence.RuleRefused("The rule gives no dates from start_date on.")
    zone = ZoneInfo(series.timezone)
    duration = timedelta(minutes=int(series.duration_minutes))
    first, _ = recurrence.times_of(first_local, duration, zone)
    if first <= clock.now():
        raise errors.ValidationFailed(
            fields={"start_date": ["The first date must be in the future."]}
        )
    horizon = get_settings().event_horizon_days
    _, last_end = recurrence.times_of(starts[-1] if starts else first_local, duration, zone)
    if last_end > clock.now() + timedelta(days=horizon):
        raise recurrence.RuleRefused(
            f"Dates end at most {horizon} days ahead (EVENT_HORIZON_DAYS)."
        )
