"""The dashboard's series page: a series' upcoming dates, each in the state its card would
show, and one button that books them all through ``bookings.book_series`` (the service the
API's ``POST /series/{series_id}/bookings`` calls)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import auth, bookings, clock, errors, events, ids, models, schemas
from chalicelib.bookings.items import booking_by_id
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


@logged_in
def move_page(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    """The other dates of a drop-in booking's series that have a seat and that the caller does
    not hold, to pick one and confirm."""
    booking = _own_booking(principal, booking_id)
    event = events.find(booking.event_id) if booking else None
    if booking is None or event is None or not movable(event, booking):
        visit.notify("not_movable")
        return visit.redirect("/dashboard/bookings")
    now = clock.now()
    dates = [e for e in upcoming_occurrences(event.series.id) if e.event_id != event.event_id]
    # A date the caller already holds (booked or waiting) is no place to move to.
    mine = bookings.mine_for_events(principal, [date.event_id for date in dates])
    others = [
        events.event_view(date, principal.user_id)
        for date in dates
        if mine.get(date.event_id, {}).get("status") in (None, models.CANCELLED)
    ]
    shown = events.event_view(event, principal.user_id)
    return visit.page(
        "move.html",
        section="bookings",
        booking_id=booking.booking_id,
        event=shown,
        window_closed=now >= event_state.cancellation_deadline(shown),
        targets=[view for view in others if view["seats_left"] > 0],
    )


@logged_in
def move(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    form = visit.form()
    booking_id = schemas.load_id(booking_id, "booking_id")
    event_id = ids.normalize(form.get("event_id", ""))
    try:
        if event_id is None:
            raise events.EventNotFound()
        moved = bookings.move(principal, booking_id, event_id)
    except (errors.ValidationFailed, events.EventNotFound, bookings.BookingNotFound):
        visit.notify("not_found")
        return visit.redirect(f"/dashboard/bookings/{booking_id}/move")
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
        return visit.redirect(f"/dashboard/bookings/{booking_id}/move")
    visit.notify("moved")
    return visit.redirect(f"/dashboard/events/{moved['event']['id']}")


def movable(event: models.Event, booking: dict[str, Any] | models.Booking | None) -> bool:
    """Whether the move button belongs next to this booking: a confirmed seat on a date of a
    drop-in series (the move service checks again, in its transaction)."""
    status = booking["status"] if isinstance(booking, dict) else getattr(booking, "status", None)
    in_course = getattr(booking, "course_series_id", None) is not None
    drop_in = event.series is not None and event.series.booking_mode == models.DROP_IN
    return status == models.CONFIRMED and drop_in and not in_course


def _own_booking(principal: auth.Principal, booking_id: str) -> models.Booking | None:
    found = booking_by_id(schemas.load_id(booking_id, "booking_id"))
    return found if found is not None and found.user_id == principal.user_id else None
