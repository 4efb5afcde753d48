"""Where the caller stands with an event, and so what its card and page say and offer.

One function, ``state_of``, decides it from the event (as ``events.event_view`` shows it to
the caller: with their ``waitlist_position``), the caller's booking of it (as
``bookings.booking_view`` shows it, or None) and the time (an event taken off the listing
says so with ``"published": False``):
every card and the event page ask it, so a state reads the same wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock, models
from chalicelib.web import when

# States (``EventState.key``); a waiting booking's state is ``models.WAITLISTED``.
OPEN = "open"
BOOKED = "booked"
FULL = "full"
WAITLIST_FULL = "waitlist_full"
BOOKING_CLOSED = "booking_closed"
UNLISTED = "unlisted"
CANCELLATION_CLOSED = "cancellation_closed"
# A paid seat held (or offered from the waiting list) until the attendee pays.
AWAITING_PAYMENT = "awaiting_payment"

# The buttons a state offers.
BOOK = "book"
CANCEL = "cancel"
LEAVE = "leave"
JOIN = "join"
PAY = "pay"


@dataclass(frozen=True)
class EventState:
    key: str
    label: str
    action: str | None = None
    booking_id: str | None = None
    position: int | None = None
    note: str | None = None


def cancellation_deadline(event: dict[str, Any]) -> datetime:
    """Until when a booking of ``event`` may be cancelled: ``cancellable_until_hours`` before
    it starts (an event without one may be cancelled until it starts)."""
    hours = event.get("cancellable_until_hours") or 0
    return clock.parse_iso(event["starts_at"]) - timedelta(hours=hours)


def state_of(event: dict[str, Any], booking: dict[str, Any] | None, now: datetime) -> EventState:
    started = now >= clock.parse_iso(event["starts_at"])
    status = booking["status"] if booking else None
    if status == models.PENDING_PAYMENT:
        held_until = clock.parse_iso(booking["hold_expires_at"])
        if now < held_until and not started:
            label = "Seat held for you — pay to confirm it"
            note = f"Held until {when.moment(booking['hold_expires_at'], event['timezone'])}."
            return EventState(AWAITING_PAYMENT, label, PAY, booking["booking_id"], note=note)
        # A lapsed hold is a free seat to every reader (the expiry job cancels it soon).
        status = None
    if status == models.CONFIRMED:
        booking_id = booking["booking_id"]
        if started or now >= cancellation_deadline(event):
            note = "This event has started." if started else "Cancellation closed."
            return EventState(CANCELLATION_CLOSED, "Booked ✓", booking_id=booking_id, note=note)
        return EventState(BOOKED, "Booked ✓", CANCEL, booking_id)
    if status == models.WAITLISTED:
        position = event.get("waitlist_position")
        label = "On the waiting list" + (f" — position {position}" if position else "")
        action = None if started else LEAVE
        return EventState(models.WAITLISTED, label, action, booking["booking_id"], position)
    if started:
        return EventState(BOOKING_CLOSED, "Booking closed")
    if not event.get("published", True):
        return EventState(UNLISTED, "No longer listed")
    if event["seats_left"] <= 0:
        if event.get("waitlist_count", 0) >= event.get("waitlist_capacity", 0):
            return EventState(WAITLIST_FULL, "Full — the waiting list is full too")
        return EventState(FULL, "Full — join the waiting list", JOIN)
    seats = event["seats_left"]
    return EventState(OPEN, f"{seats} {'seat' if seats == 1 else 'seats'} left", BOOK)
