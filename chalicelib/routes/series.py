"""Series: recurring events, each date an ordinary event (admins put them on in ``/admin``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import events, series
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import ADMIN, USER, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/series/{series_id}",
    "GET",
    access=USER,
    tag="Series",
    summary="A series and its dates not yet started, with seats left",
    answer=Answer(
        200, "The series.", answers.SeriesWithOccurrences, examples.SERIES_WITH_OCCURRENCES
    ),
    domain_errors=(series.SeriesNotFound(),),
)
def get_series(series_id):
    return series.get(series_id)


@routes.route(
    "/admin/series",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Put on a recurring series",
    description=(
        "`rrule` is an RFC 5545 RRULE: FREQ DAILY, WEEKLY or MONTHLY with INTERVAL, BYDAY, "
        "BYMONTHDAY, COUNT, UNTIL (anything else is 400 naming `rrule`). `start_date` and "
        "`start_time` are the zone's wall clock, kept across DST: a time in the spring gap moves "
        "forward by the gap, one in the autumn fold is the first. With COUNT or UNTIL every date "
        "is made (at most SERIES_MAX_OCCURRENCES); without, dates SERIES_HORIZON_DAYS ahead, "
        "topped up daily. Each date is an event (`occurrences`)."
    ),
    body=schemas.SeriesBody,
    body_example=examples.SERIES_BODY,
    answer=Answer(201, "Created.", answers.SeriesWithOccurrences, examples.SERIES_WITH_OCCURRENCES),
    links={
        operation_id: {"series_id": "$response.body#/series_id"}
        for operation_id in ("getSeries", "updateSeries", "cancelSeries")
    },
)
def create_series(body):
    return series.create(**body)


@routes.route(
    "/admin/series",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="Series, in no particular order",
    query=schemas.PageQuery,
    answer=Answer(200, "A page of series.", answers.SeriesPage, examples.SERIES_PAGE),
)
def list_series(query):
    return series.list_all(**query)


@routes.route(
    "/admin/series/{series_id}",
    "PATCH",
    access=ADMIN,
    tag="Admin",
    summary="Change every date of a series not yet started",
    description=(
        "Each date changes as if patched alone: a capacity raise seats the first in line, a new "
        "`start_time` or `duration_minutes` moves the date (same local day). A `capacity` below "
        "the seats booked on any date is 409 and nothing changes."
    ),
    body=schemas.SeriesChanges,
    body_example=examples.SERIES_CHANGES,
    answer=Answer(
        200,
        "The series as changed.",
        answers.SeriesWithOccurrences,
        examples.SERIES_WITH_OCCURRENCES,
    ),
    domain_errors=(
        series.SeriesNotFound(),
        events.CapacityBelowBookings(),
        events.CapacityContended(),
    ),
)
def update_series(series_id, body):
    return series.update(series_id, **body)


@routes.route(
    "/admin/series/{series_id}",
    "DELETE",
    access=ADMIN,
    tag="Admin",
    summary="Cancel a series: no more dates, and every date not yet started is taken off",
    answer=Answer(
        200, "The series, cancelled.", answers.SeriesWithOccurrences, examples.CANCELLED_SERIES
    ),
    domain_errors=(series.SeriesNotFound(),),
)
def cancel_series(series_id):
    return series.cancel(series_id)
