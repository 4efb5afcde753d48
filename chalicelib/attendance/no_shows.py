"""The ``mark_no_shows`` job (every 15 minutes; on ``make run`` the relay's reminder timer):
once ``ends_at + NO_SHOW_GRACE_MINUTES`` has passed, every confirmed booking not checked in
becomes ``no_show``, but only at events where someone was checked in. A facilitator who never
uses check-in leaves attendance ``unknown`` for the whole class.

It never scans: one Query of the sparse ``no_shows_due`` index (events carry
``awaiting_no_shows`` from their first check-in until their pass is done, by ``ends_at``) finds
the events whose grace has passed; each is read again (the index lags), its confirmed bookings
come from ``by_event``, and each still unknown is marked with its strike in one transaction
conditioned on its attendance (``strikes.mark_no_show``): runs that repeat or overlap mark
and strike each booking once, and the stream sends one ``booking.no_show``. The marker goes
last, so a run that stops anywhere leaves the rest to the next.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock, models
from chalicelib.attendance.strikes import mark_no_show
from chalicelib.bookings import items
from chalicelib.config import get_settings
from chalicelib.transactions import condition_failed


def mark_no_shows() -> dict[str, int]:
    """One run. Returns counts: events finished, bookings marked, events left for the next."""
    started = time.monotonic()
    settings = get_settings()
    now = clock.now()
    grace = timedelta(minutes=settings.no_show_grace_minutes)
    counts: Counter[str] = Counter()
    due = models.Event.ends_at <= clock.to_iso(now - grace)
    for listed in models.Event.no_shows_due.query(models.ATTENDANCE_TAKEN, due):
        # Past its budget a run stops (the Lambda's timeout is 120 s); the next run goes on.
        if time.monotonic() - started > settings.no_show_run_budget_seconds:
            counts["left_for_next_run"] += 1
            continue
        event = items.event_or_none(listed.event_id)
        if event is None or event.awaiting_no_shows is None:
            continue
        if clock.parse_iso(event.ends_at) + grace > now:
            continue  # moved later since the index was written
        counts["marked"] += _mark_event(event, now)
        _finish(event, now)
        counts["events"] += 1
    return {key: counts[key] for key in ("events", "marked", "left_for_next_run")}


def _mark_event(event: models.Event, now: datetime) -> int:
    confirmed = list(
        models.Booking.by_event.query(
            event.event_id, filter_condition=models.Booking.status == models.CONFIRMED
        )
    )
    # Every check-in undone: attendance was not taken after all.
    if not any(b.attendance == models.ATTENDANCE_CHECKED_IN for b in confirmed):
        return 0
    # The condition on each booking item, not this read, decides: a check-in the index has
    # not shown yet still fails the mark.
    return sum(mark_no_show(b, now) for b in confirmed if b.attendance is None)


def _finish(event: models.Event, now: datetime) -> None:
    model = models.Event
    try:
        event.update(
            actions=[
                model.awaiting_no_shows.remove(),
                model.no_shows_marked_at.set(clock.to_iso_ms(now)),
            ],
            condition=model.awaiting_no_shows.exists(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
