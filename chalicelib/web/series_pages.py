"""The dashboard's series page: a series' upcoming dates, each in the state its card would
show, and one button that books them all through ``bookings.book_series`` (the service the
API's ``POST /series/{series_id}/bookings`` calls)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import auth, bookings, clock, errors, events, models, schemas
from chalicelib.bookings.series_bookings import upcoming_occurrences
from chalicelib.web import event_state, notices
from chalicelib.web.views import logged_in
from chalicelib.web.visit import Visit

# Where a person stands with a date, counted for the page's summary line.
_HOLDING = (event_state.BOOKED, event_state.CANCELLATION_CLOSED)


@logged_in
def series_page(visit: Visit, principal: auth.Principal, series_id: str) -> Response:
    """One Query of the series' dates and one BatchGetItem of the caller's bookings of them."""
    occurrences = upcoming_occurrences(schemas.load_id(series_id, "series_id"))
    if not occurrences:
        raise bookings.SeriesNotFound()
    views = [events.event_view(event, principal.user_id) for event in occurrences]
    mine = bookings.mine_for_events(principal, [view["id"] for view in views])
    now = clock.now()
    dates = [
        {"event": view, "state": event_state.state_of(view, mine.get(view["id"]), now)}
        for view in views
    ]
    copy = occurrences[0].series
    return visit.page(
        "series.html",
        notice_subject=copy.name,
        section="events",
        series={"id": copy.id, "name": copy.name, "course": copy.booking_mode == models.COURSE},
        dates=dates,
        summary=_summary(dates),
    )


@logged_in
def book_series(visit: Visit, principal: auth.Principal, series_id: str) -> Response:
    form = visit.form()
    series_id = schemas.load_id(series_id, "series_id")
    try:
        bookings.book_series(
            principal, series_id, waitlist_where_full=form.get("waitlist") == "yes"
        )
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify("series_booked")
    return visit.redirect(f"/dashboard/series/{series_id}")


def _summary(dates: list[dict[str, Any]]) -> str:
    """How the caller stands with the series, in words: booked, waiting, and the rest."""
    keys = [date["state"].key for date in dates]
    held = sum(key in _HOLDING for key in keys)
    waiting = keys.count(models.WAITLISTED)
    free = len(keys) - held - waiting
    return (
        f"Of {len(keys)} upcoming {'date' if len(keys) == 1 else 'dates'}: you are booked for "
        f"{held}, on the waiting list for {waiting}, and {free} "
        f"{'is' if free == 1 else 'are'} not yours (full, closed or not booked)."
    )
