"""Series: recurring events whose every date is an ordinary event (an occurrence).

``recurrence`` reads the RRULE and places each date in the series' zone; ``occurrences``
derives each date's event item; ``creation`` (POST), ``reading`` (GET), ``changes`` (PATCH,
DELETE) and ``extension`` (the daily top-up of open-ended series) are the services.
"""

from chalicelib.series.changes import cancel, update
from chalicelib.series.creation import create, plan
from chalicelib.series.errors import SeriesNotFound
from chalicelib.series.extension import extend_open_series
from chalicelib.series.reading import drop_in_dates, get, list_all

__all__ = [
    "SeriesNotFound",
    "cancel",
    "create",
    "drop_in_dates",
    "extend_open_series",
    "get",
    "list_all",
    "plan",
    "update",
]
