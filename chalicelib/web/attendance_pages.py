"""Check-in in the browser: the phone page a QR code opens (``/check-in/<code>``), the
roster's check-in and undo buttons, and the QR code itself on the attendee's booking page.

The phone page is for the event's facilitator or an admin, logged in as for the console;
anyone not logged in goes to the login page and comes back here. A code that is forged, of a
booking moved to another event, or of another facilitator's event is the same 404 page.

The QR code is drawn by ``segno`` (pure Python, SVG out), imported only here when a booking
page draws one: ~60 ms and ~66 KB zipped, which no other page or Lambda pays.
"""

from __future__ import annotations

import io
from typing import Any

from chalice import Response

from chalicelib import attendance, auth, errors, models, schemas
from chalicelib.attendance import codes
from chalicelib.web.views import html_view, logged_in
from chalicelib.web.visit import Visit

_BACK_PREFIXES = ("/admin/console/", "/facilitator/")


@html_view
def check_in_page(visit: Visit, code: str) -> Response:
    principal = visit.principal()
    if principal is None:
        return visit.to_login(back=f"{codes.PATH}/{code}")
    booking, event = attendance.booking_for_code(principal, code)
    return _phone_page(visit, booking, event, code, done=False)


@html_view
def check_in(visit: Visit, code: str) -> Response:
    principal = visit.principal()
    if principal is None:
        return visit.to_login(back=f"{codes.PATH}/{code}")
    visit.form()
    booking, event = attendance.booking_for_code(principal, code)
    try:
        attendance.check_in_by_code(principal, code)
    except errors.AppError as error:
        return _phone_page(visit, booking, event, code, done=False, error=error)
    booking.attendance = models.ATTENDANCE_CHECKED_IN
    return _phone_page(visit, booking, event, code, done=True)


@logged_in
def roster_check_in(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    """The roster's buttons (template macro ``check_in_button`` in ``_check_in.html``): the
    form posts ``action`` (``check_in`` or ``undo``) and ``back``, the roster's own path, to
    ``/check-in/bookings/<booking_id>``; the roster is shown again with a notice."""
    form = visit.form()
    booking_id = schemas.load_id(booking_id, "booking_id")
    back = form.get("back", "")
    if not back.startswith(_BACK_PREFIXES) or "//" in back or "\\" in back:
        back = "/dashboard"
    try:
        if form.get("action") == "undo":
            attendance.undo(principal, booking_id)
            visit.notify("check_in_undone")
        else:
            attendance.check_in(principal, booking_id)
            visit.notify("checked_in")
    except errors.NotFound:
        raise
    except errors.AppError as error:
        visit.notify(error.code)
    return visit.redirect(back)


def qr_svg(text: str) -> str:
    """``text`` as an inline SVG QR code."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="Check-in code"
    )
    return out.getvalue().decode()


def booking_qr(request: Any, booking_id: str, event_id: str) -> dict[str, str]:
    """The check-in URL of a booking and its QR code, for the attendee's booking page."""
    url = codes.url(codes.public_base(request), booking_id, event_id)
    return {"url": url, "svg": qr_svg(url)}


def _phone_page(
    visit: Visit,
    booking: models.Booking,
    event: models.Event,
    code: str,
    *,
    done: bool,
    error: errors.AppError | None = None,
) -> Response:
    return visit.page(
        "check_in.html",
        error=error,
        status=200 if error is None else error.status,
        section=None,
        attendee=booking.user.name,
        event_name=event.name,
        starts_at=event.starts_at,
        timezone=event.timezone,
        checked_in=done or booking.attendance == models.ATTENDANCE_CHECKED_IN,
        code=code,
    )
