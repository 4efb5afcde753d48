"""The daily top-up (``extend_series``): open-ended series get their occurrences made up to
SERIES_HORIZON_DAYS ahead.

Idempotent without a lock: each new date is a conditional PutItem (``attribute_not_exists``)
of the occurrence's derived id (``occurrences.occurrence_id``), so a second run, or two runs
at once, find the date made and skip it; a run that stops halfway leaves ``made_until`` where
it was and the next run makes what is missing. Only the few new dates of a day are written
one by one; a series' first dates are made in batches when it is created.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import events, models
from chalicelib.series import creation, occurrences
from chalicelib.transactions import condition_failed


def extend_open_series() -> dict[str, Any]:
    """Top up every open-ended series (one Query of the sparse ``extending`` index)."""
    made = skipped = 0
    for series in models.Series.by_extending.query(models.OPEN_ENDED):
        new, existing = extend(series)
        made += new
        skipped += existing
    return {"made": made, "already_made": skipped}


def extend(series: models.Series) -> tuple[int, int]:
    """Make the series' missing dates up to its horizon: (made, found already made)."""
    through = creation.horizon_date(series)
    after = date.fromisoformat(series.made_until) if series.made_until else None
    if after is not None and after >= through:
        return 0, 0
    starts = occurrences.starts_between(series, after, through)
    made = existing = 0
    if starts:
        facilitator = events.facilitator_copy(series.facilitator_id)
        for local in starts:
            item = occurrences.event_item(series, local, facilitator)
            if _put_new(item):
                made += 1
            else:
                existing += 1
    _advance(series, through)
    return made, existing


def _put_new(item: models.Event) -> bool:
    try:
        item.save(condition=models.Event.event_id.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise
        return False
    return True


def _advance(series: models.Series, through: date) -> None:
    """Move ``made_until`` forward only (a slower, overlapping run never moves it back), and
    only while the series is still extending (a cancellation in between stays)."""
    condition = models.Series.extending == models.OPEN_ENDED
    condition &= models.Series.made_until.does_not_exist() | (
        models.Series.made_until < through.isoformat()
    )
    try:
        series.update(
            actions=[models.Series.made_until.set(through.isoformat())], condition=condition
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
