"""Facilitator accounts (admins link and unlink them), a facilitator's own events, rosters
and attendance report, and the admins' attendance report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib import auth, bookings, events, facilitation, facilitators
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import ADMIN, FACILITATOR, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()

CSV = "text/csv"
# The admin's and the facilitator's report answer alike, in JSON or CSV.
_REPORT_ANSWER = Answer(
    200,
    "One row per event.",
    answers.AttendanceReport,
    examples.ATTENDANCE_REPORT,
    alternatives=(CSV,),
)
_REPORT_DESCRIPTION = (
    "Events starting from `from` through `to` (whole UTC days, both included, at most "
    "`REPORT_MAX_DAYS`), soonest first. `booked` counts the confirmed bookings now; "
    "`promoted` those that came off the waiting list. `?format=csv` or `Accept: text/csv` "
    "answers the same rows as a CSV file (formula-safe, as the attendee export)."
)


@routes.route(
    "/admin/facilitators/{facilitator_id}/members",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Link an existing account to a facilitator",
    description=(
        "The account gets the `facilitator` role and sees that facilitator's events, from "
        "its next request on. One facilitator per account; an admin stays an admin."
    ),
    body=schemas.MemberBody,
    body_example=examples.MEMBER_BODY,
    answer=Answer(200, "The account, linked.", answers.Member, examples.MEMBER),
    domain_errors=(
        facilitators.FacilitatorNotFound(),
        auth.AccountNotFound(),
        facilitation.LinkedToAnotherFacilitator(),
        facilitation.AdminAccount(),
    ),
)
def link_member(facilitator_id, body):
    return facilitation.link(facilitator_id, **body)


@routes.route(
    "/admin/facilitators/{facilitator_id}/members",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="The accounts linked to a facilitator",
    query=schemas.PageQuery,
    answer=Answer(200, "A page of accounts.", answers.MemberPage, examples.MEMBER_PAGE),
    domain_errors=(facilitators.FacilitatorNotFound(),),
)
def list_members(facilitator_id, query):
    return facilitation.members(facilitator_id, **query)


@routes.route(
    "/admin/facilitators/{facilitator_id}/members/{user_id}",
    "DELETE",
    access=ADMIN,
    tag="Admin",
    summary="Unlink an account from a facilitator (it becomes an ordinary user's)",
    answer=Answer(200, "The account, unlinked.", answers.Member, examples.UNLINKED_MEMBER),
    domain_errors=(facilitation.MemberNotFound(),),
)
def unlink_member(facilitator_id, user_id):
    return facilitation.unlink(facilitator_id, user_id)


@routes.route(
    "/admin/reports/attendance",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="Attendance per event: booked, checked in, no-shows, cancelled, promoted",
    description=_REPORT_DESCRIPTION + " Without `facilitator_id`, every facilitator's events.",
    query=schemas.AttendanceQuery,
    answer=_REPORT_ANSWER,
    domain_errors=(facilitators.FacilitatorNotFound(),),
)
def attendance_report(query, request):
    wanted = query.pop("format")
    return _report(facilitation.attendance(**query), wanted, request)


@routes.route(
    "/facilitator/events",
    "GET",
    access=FACILITATOR,
    tag="Facilitator",
    summary="Your events: today's and later ones soonest first, or earlier ones",
    query=schemas.FacilitatorEventsQuery,
    answer=Answer(
        200, "A page of your events.", answers.FacilitatorEventPage, examples.FACILITATOR_EVENT_PAGE
    ),
)
def list_my_events(principal, query):
    return facilitation.my_events(principal, **query)


@routes.route(
    "/facilitator/events/{event_id}/attendees",
    "GET",
    access=FACILITATOR,
    tag="Facilitator",
    summary="The roster of one of your events: confirmed, held, waiting in order, cancelled",
    description="Another facilitator's event is 404, as an unknown one.",
    query=schemas.PageQuery,
    answer=Answer(200, "A page of the roster.", answers.Roster, examples.ROSTER),
    domain_errors=(events.EventNotFound(),),
)
def list_my_attendees(principal, event_id, query):
    return bookings.roster(principal, event_id, **query)


@routes.route(
    "/facilitator/reports/attendance",
    "GET",
    access=FACILITATOR,
    tag="Facilitator",
    summary="Attendance at your events",
    description=_REPORT_DESCRIPTION,
    query=schemas.MyAttendanceQuery,
    answer=_REPORT_ANSWER,
)
def my_attendance_report(principal, query, request):
    wanted = query.pop("format")
    return _report(facilitation.my_attendance(principal, **query), wanted, request)


def _report(report, wanted, request):
    accept = (request.headers or {}).get("accept", "")
    if wanted != "csv" and CSV not in accept.lower():
        return report
    return Response(
        body=facilitation.as_csv(report),
        status_code=200,
        headers={
            "Content-Type": f"{CSV}; charset=utf-8",
            "Content-Disposition": 'attachment; filename="attendance.csv"',
            "Cache-Control": "no-store",
        },
    )
