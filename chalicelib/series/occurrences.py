"""A series' occurrences: which local dates it has, and each one as an ordinary Event item.

An occurrence's event id is derived from (series id, local date), so the same date of the same
series is always the same item: the top-up's conditional put can never make a date twice,
however many runs overlap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib import clock, models
from chalicelib.series import recurrence

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def occurrence_id(series_id: str, on: date) -> str:
    """A ULID-shaped id: the series' timestamp part, then 80 bits of a hash of the date, so
    occurrences sort with their series and an id names one (series, local date)."""
    digest = hashlib.sha256(f"{series_id}:{on.isoformat()}".encode()).digest()
    number = int.from_bytes(digest[:10], "big")
    tail = "".join(_CROCKFORD[(number >> (5 * shift)) & 31] for shift in reversed(range(16)))
    return series_id[:10] + tail


def rule_of(series: models.Series) -> recurrence.Rule:
    return recurrence.parse(series.rrule, first_local_start(series), ZoneInfo(series.timezone))


def first_local_start(series: models.Series) -> datetime:
    return datetime.combine(date.fromisoformat(series.start_date), _time_of(series.start_time))


def starts_between(series: models.Series, after: date | None, through: date) -> list[datetime]:
    """Naive local starts whose local date is after ``after`` (None: from the first) and at
    most ``through``."""
    rule = rule_of(series)
    lowest = first_local_start(series)
    if after is not None:
        lowest = max(lowest, datetime.combine(after + timedelta(days=1), time.min))
    highest = datetime.combine(through, time(23, 59, 59))
    return list(rule.recurrence.between(lowest, highest, inc=True))


def local_date(event: models.Event) -> date:
    zone = ZoneInfo(event.timezone)
    return clock.on_clock_of(clock.parse_iso(event.starts_at), zone).date()


def event_item(
    series: models.Series, local: datetime, facilitator: models.FacilitatorCopy
) -> models.Event:
    """The occurrence starting at ``local`` (naive, the series' wall clock), ready to write."""
    zone = ZoneInfo(series.timezone)
    starts_at, ends_at = recurrence.times_of(
        local, timedelta(minutes=int(series.duration_minutes)), zone
    )
    hours = int(series.cancellable_until_hours or 0)
    return models.Event(
        occurrence_id(series.series_id, local.date()),
        listing=models.PUBLISHED,
        name=series.name,
        description=series.description,
        kind=series.kind,
        starts_at=clock.to_iso(starts_at),
        ends_at=clock.to_iso(ends_at),
        timezone=series.timezone,
        capacity=int(series.capacity),
        seats_taken=0,
        waitlist=[],
        waitlist_count=0,
        waitlist_joins=0,
        waitlist_capacity=series.waitlist_capacity,
        cancellable_until_hours=hours,
        cancellable_until=clock.to_iso(starts_at - timedelta(hours=hours)),
        facilitator=facilitator,
        created_at=clock.to_iso_ms(clock.now()),
        series=series_copy(series),
        series_id=series.series_id,
        # A drop-in date costs the series' price; a course's price is the whole course's,
        # on the series (each date knows its course by ``series``).
        price=series.price if series.booking_mode == models.DROP_IN else None,
        refund_percent=series.refund_percent,
    )


def series_copy(series: models.Series) -> models.SeriesCopy:
    return models.SeriesCopy(
        id=series.series_id,
        name=series.name,
        booking_mode=series.booking_mode,
        course_price=series.price if series.booking_mode == models.COURSE else None,
    )


def write_all(items: Iterable[models.Event]) -> None:
    """BatchWriteItem, 25 items a call (PynamoDB resends what DynamoDB left unprocessed)."""
    with models.Event.batch_write() as batch:
        for item in items:
            batch.save(item)


def upcoming(series_id: str, published_only: bool = True) -> list[models.Event]:
    """The series' occurrences not yet started, soonest first: one Query of ``by_series``
    (a page of up to 1 MB; a series holds at most a few hundred)."""
    lowest = clock.to_iso(clock.now() + timedelta(seconds=1))
    condition = models.Event.listing == models.PUBLISHED if published_only else None
    return list(
        models.Event.by_series.query(
            series_id,
            models.Event.starts_at >= lowest,
            filter_condition=condition,
        )
    )


def _time_of(text: str) -> time:
    return time.fromisoformat(text)
