"""Calendar files (RFC 5545): one booking's ``.ics``, and the VEVENTs a feed is made of.

Built with the ``icalendar`` library, imported on first use only: it costs tens of
milliseconds to import, and the API Lambda's cold start serves every route, most of which
never write a calendar.

What a calendar client needs to keep one entry per seat and follow its changes:

- ``UID`` names the seat, ``<user_id>-<event_id>@ahoum-bookings``: the booking item's own key.
  A rebooking after a cancellation is a new booking id (its webhooks need their own delivery
  ids) on the same item, and must replace the cancelled entry rather than add a second one.
- ``SEQUENCE`` is a seconds base plus revisions: the whole seconds since ``SEQUENCE_EPOCH``
  of the later of the booking's ``updated_at`` and the event's ``schedule_changed_at`` (what it
  was before revisions were counted, so an entry a calendar already holds never sees a lower
  number), plus the booking's ``revision`` and the event's ``revision``. Each significant
  write ADDs 1 to one of them in the same write (book, rebook, cancel, promote, leave,
  reschedule; a move of the event), and the base never goes down, so two changes within one
  second still get two numbers. Seconds since 2026 fit the 32-bit INTEGER of RFC 5545 until
  2094 (the revisions are a handful per seat).
- Times are UTC (``Z``), so no client applies a time-zone rule of its own; the description
  gives the start in the event's own zone for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from chalice import Response

from chalicelib import auth, bookings, clock, dynamodb, errors, models

PRODUCT_ID = "-//Ahoum Bookings//Calendar 1.0//EN"
UID_DOMAIN = "ahoum-bookings"
SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Calendar-shown statuses; any other booking status (a waiting-list place, say) has no file.
CALENDAR_STATUSES = (models.CONFIRMED, models.CANCELLED)


class NotConfirmed(errors.Conflict):
    code = "not_confirmed"
    default_message = "Only a confirmed (or cancelled) booking has a calendar file."


@dataclass(frozen=True)
class Entry:
    """What one VEVENT says: a booking and the event as it is now (and, for a confirmed
    booking, the check-in link the facilitator scans)."""

    booking: models.Booking
    event: models.Event
    check_in_url: str | None = None


def booking_file(token: auth.VerifiedToken, booking_id: str, request: Any = None) -> Response:
    """The ``.ics`` of one booking, for its owner or an admin (anyone else: 404).

    Two DynamoDB calls: the booking by id, then one BatchGetItem reading the caller's
    account, the token's revocation and the event."""
    booking = _find(booking_id)
    event_key = (models.Event, booking.event_id) if booking is not None else None
    principal, found = auth.authenticate_with(token, [event_key] if event_key else [])
    return _file(principal, booking, found.get(event_key) if event_key else None, request)


def booking_file_for(principal: auth.Principal, booking_id: str, request: Any = None) -> Response:
    """``booking_file`` for a caller already known (the dashboard's session)."""
    booking = _find(booking_id)
    event = None
    if booking is not None:
        event = dynamodb.batch_get([(models.Event, booking.event_id)]).get(
            (models.Event, booking.event_id)
        )
    return _file(principal, booking, event, request)


def _find(booking_id: str) -> models.Booking | None:
    return next(iter(models.Booking.by_booking_id.query(booking_id, limit=1)), None)


def _file(
    principal: auth.Principal,
    booking: models.Booking | None,
    event: models.Event | None,
    request: Any = None,
) -> Response:
    # Someone else's booking is "not found": its existence is not theirs to learn.
    if booking is None or not (principal.is_admin or booking.user_id == principal.user_id):
        raise bookings.BookingNotFound()
    if booking.status not in CALENDAR_STATUSES:
        raise NotConfirmed()
    event = event or event_from_copy(booking)
    method = "CANCEL" if booking.status == models.CANCELLED else "PUBLISH"
    return Response(
        body=calendar_text([Entry(booking, event, _check_in_url(booking, request))], method=method),
        status_code=200,
        headers={
            "Content-Type": CONTENT_TYPE,
            "Content-Disposition": attachment(f"{event.name}.ics"),
            # A person's booking, name and email, as the JSON answers: no cache may keep it.
            "Cache-Control": "no-store",
        },
    )


def _check_in_url(booking: models.Booking, request: Any) -> str | None:
    if request is None or booking.status != models.CONFIRMED:
        return None
    from chalicelib.attendance import codes

    return codes.url(codes.public_base(request), booking.booking_id, booking.event_id)


def calendar_text(entries: list[Entry], method: str, name: str | None = None) -> str:
    """A VCALENDAR holding one VEVENT per entry."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name is not None:
        calendar.add("x-wr-calname", name)
    stamp = clock.now().replace(microsecond=0)
    for entry in entries:
        calendar.add_component(_vevent(icalendar, entry, stamp))
    return calendar.to_ical().decode()


def _vevent(icalendar: Any, entry: Entry, stamp: datetime) -> Any:
    booking, event = entry.booking, entry.event
    cancelled = booking.status == models.CANCELLED
    vevent = icalendar.Event()
    vevent.add("uid", uid(booking))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", clock.parse_iso(event.starts_at))
    vevent.add("dtend", clock.parse_iso(event.ends_at))
    vevent.add("summary", event.name)
    text = description(event)
    if entry.check_in_url and not cancelled:
        text += f"\n\nCheck-in: {entry.check_in_url}"
    vevent.add("description", text)
    organizer = icalendar.vCalAddress(f"mailto:{_organizer_address(event)}")
    organizer.params["cn"] = icalendar.vText(event.facilitator.name)
    vevent.add("organizer", organizer)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("sequence", sequence(booking, event))
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def uid(booking: models.Booking) -> str:
    return f"{booking.user_id}-{booking.event_id}@{UID_DOMAIN}"


def sequence(booking: models.Booking, event: models.Event) -> int:
    changed = max(booking.updated_at, event.schedule_changed_at or booking.updated_at)
    seconds = max(int((clock.parse_iso(changed) - SEQUENCE_EPOCH).total_seconds()), 0)
    return seconds + int(booking.revision or 0) + int(event.revision or 0)


def description(event: models.Event) -> str:
    """The event's own text, who leads it, and the start as people there read their clocks."""
    local = clock.on_clock_of(clock.parse_iso(event.starts_at), ZoneInfo(event.timezone))
    starts = f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {event.timezone}"
    parts = [event.description.strip(), f"With {event.facilitator.name}", f"Starts {starts}"]
    return "\n\n".join(part for part in parts if part)


def event_from_copy(booking: models.Booking) -> models.Event:
    """The booking's copy of its event, should the event item be gone."""
    return models.Event(
        booking.event_id,
        name=booking.event.name,
        description="",
        starts_at=booking.event.starts_at,
        ends_at=booking.event.ends_at,
        timezone=booking.event.timezone,
        facilitator=models.FacilitatorCopy(
            id=booking.event_id, name="the facilitator", crm_id=booking.facilitator_crm_id
        ),
    )


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII name, and the exact one (RFC 6266)."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _organizer_address(event: models.Event) -> str:
    # Facilitators have no email here; an address under .invalid (RFC 2606) can never be
    # mailed by a client that tries.
    return f"facilitator-{event.facilitator.id.lower()}@{UID_DOMAIN}.invalid"
