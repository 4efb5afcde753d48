"""The console's attendees of an event: the list by standing, its CSV export, and
cancelling one attendee's booking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalice import Response

from chalicelib import auth, bookings, errors, models, schemas
from chalicelib.payments import totals
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web import notices, rendering, spreadsheets
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

ATTENDEES_PER_PAGE = 100
# The CSV export reads the attendee list page by page; an event has at most 100,000 seats.
_CSV_PAGE = 100


@admin_only
def attendees_page(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    cursor = schemas.load_query(visit.request, schemas.CursorQuery())["cursor"]
    event_id = schemas.load_id(event_id, "event_id")
    page = bookings.roster(principal, event_id, limit=ATTENDEES_PER_PAGE, cursor=cursor)
    event = page["event"]
    price = event.get("price")
    return visit.page(
        "admin/attendees.html",
        section="admin",
        event=event,
        confirmed=page["confirmed"],
        held=page["held"],
        waiting=page["waiting"],
        cancelled=page["cancelled"],
        totals=totals.event_totals(event_id, price["currency"]) if price else None,
        first_page=cursor and f"{ROOT}/events/{event['id']}/attendees",
        next_page=page["next_cursor"]
        and f"{ROOT}/events/{event['id']}/attendees?cursor={page['next_cursor']}",
    )


@admin_only
def attendees_csv(visit: Visit, principal: auth.Principal, event_id: str) -> Response:
    event_id = schemas.load_id(event_id, "event_id")
    header = ["booking_id", "status", "booked_at", "name", "email", "attendance"]
    body = spreadsheets.csv_text(header, _attendee_rows(event_id))
    return rendering.csv_file(body, f"attendees-{event_id}.csv")


def _attendee_rows(event_id: str) -> Iterator[list[str]]:
    cursor = None
    while True:
        page = bookings.list_attendees(event_id, limit=_CSV_PAGE, cursor=cursor)
        for person in page["attendees"]:
            user = person["user"]
            yield [
                person["booking_id"],
                person["status"],
                person["created_at"],
                user["name"],
                user["email"],
                person["attendance"],
            ]
        cursor = page["next_cursor"]
        if cursor is None:
            return


@admin_only
def cancel_attendee_page(
    visit: Visit, principal: auth.Principal, event_id: str, booking_id: str
) -> Response:
    person = _attendee(event_id, booking_id)
    back = f"{visit.base}{ROOT}/events/{person['event']['id']}/attendees"
    if person["status"] == models.CANCELLED:
        visit.notify("already_cancelled")
        return visit.redirect(back[len(visit.base) :])
    return visit.page(
        "confirm_cancel.html",
        section="admin",
        heading="Cancel this booking?",
        question=(
            f"{person['user']['name']} ({person['user']['email']}) loses their seat at "
            f"{person['event']['name']}; the CRM is told."
        ),
        cancellation_policy=(
            "The seat goes at once to the first on the waiting list, or is free again for "
            "anyone to book when nobody waits."
        ),
        action=f"{back}/{person['booking_id']}/cancel",
        hidden={},
        confirm_label="Yes, cancel this booking",
        keep_label="No, keep it",
        back=back,
    )


@admin_only
def cancel_attendee(
    visit: Visit, principal: auth.Principal, event_id: str, booking_id: str
) -> Response:
    visit.form()
    person = _attendee(event_id, booking_id)
    try:
        bookings.cancel(principal, person["booking_id"])
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify("event_cancelled_for_attendee")
    return visit.redirect(f"{ROOT}/events/{person['event']['id']}/attendees")


def _attendee(event_id: str, booking_id: str) -> dict[str, Any]:
    return bookings.attendee(
        schemas.load_id(event_id, "event_id"), schemas.load_id(booking_id, "booking_id")
    )
