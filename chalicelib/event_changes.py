"""An admin cancels or moves an event, and its bookings follow: each confirmed and waiting
booking is cancelled (``reason`` ``event_cancelled``) or gets the new times in its copy of the
event, and the bookings stream turns each into one ``booking.cancelled`` or
``booking.rescheduled`` webhook.

The event item changes first, in one conditional write that also sets ``unfinished`` (the
sparse ``unfinished_changes`` index): from then on nobody can book or join a cancelled event
(both condition on ``listing``, which the write removes), and a booking made after a move
copies the new times. Then each booking is updated on its own, conditioned on its status and
booking id as read, so a repeated or overlapping pass changes nothing twice and each webhook
goes out once. The API does as much as ``EVENT_CHANGE_BUDGET_SECONDS`` allows; whatever is
left (a budget spent, a crash) the ``finish_event_changes`` job finishes within a minute. The
marker goes only when a pass finds nothing left and the change is older than
``EVENT_CHANGE_SETTLE_SECONDS``: the ``by_event`` index may not yet hold a booking written
just before the change.

A cancelled event keeps its ``seats_taken`` and line as they were: nobody can book, join or be
promoted into it any more, and the numbers say how full it was when it was called off (the
attendee list shows who it was).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock, events, models
from chalicelib.config import get_settings
from chalicelib.payments import refunds
from chalicelib.transactions import condition_failed

# A payment hold follows too: cancelled with its event (a payment that still arrives finds
# the event unbookable and is refunded), moved with it.
ACTIVE = (models.CONFIRMED, models.PENDING_PAYMENT, models.WAITLISTED)
# A booking that changed between the read and the write is read again and tried again; it can
# change only a few ways (a promotion, its owner cancelling), so a few tries are plenty.
_BOOKING_ATTEMPTS = 3


def cancel_event(
    event_id: str, reason: str | None = None, deadline: float | None = None
) -> dict[str, Any]:
    """Cancel an event and every confirmed and waiting booking of it; the admin view of it.

    Cancelling a cancelled event changes nothing (and finishes what an earlier call left).
    ``deadline`` (a ``time.monotonic()`` moment; default: ``EVENT_CHANGE_BUDGET_SECONDS``
    from now) is when this call leaves the rest to the ``finish_event_changes`` job."""
    event = events.find(event_id)
    if event.cancelled_at is None:
        event = _mark_cancelled(event, reason)
    follow(event, deadline if deadline is not None else _api_deadline())
    return events.admin_event_view(event)


def update_event(event_id: str, deadline: float | None = None, **changes: Any) -> dict[str, Any]:
    """``events.update``, then a move's bookings get the new times (until ``deadline``, as
    ``cancel_event``'s). A cancelled event is not changed any more (409 ``event_cancelled``)."""
    view = events.update(event_id, **changes)
    if "starts_at" in changes or "ends_at" in changes:
        follow(events.find(event_id), deadline if deadline is not None else _api_deadline())
    return view


def request_deadline() -> float:
    """When a request's changes to events leave the rest of their bookings to the job: one
    deadline for every event a request changes (a series' dates), so together they stay
    inside the API's timeout."""
    return _api_deadline()


def _mark_cancelled(event: models.Event, reason: str | None) -> models.Event:
    actions = [
        models.Event.cancelled_at.set(clock.to_iso_ms(clock.now())),
        models.Event.listing.remove(),
        models.Event.unfinished.set(models.UNFINISHED_CANCEL),
    ]
    if reason:
        actions.append(models.Event.cancellation_note.set(reason))
    try:
        event.update(actions=actions, condition=models.Event.cancelled_at.does_not_exist())
    except UpdateError as error:
        if not condition_failed(error):
            raise
        # Cancelled by another call in between: that one's cancellation stands.
        return events.find(event.event_id)
    return event


def follow(event: models.Event, deadline: float) -> bool:
    """Bring ``event``'s bookings in line with its unfinished change until ``deadline``;
    True when the change is finished (its marker removed)."""
    kind = event.unfinished
    if kind is None:
        return True
    pending = [b for b in _active_bookings(event.event_id) if _behind(b, event, kind)]
    for booking in pending:
        if time.monotonic() > deadline:
            return False
        _bring_in_line(booking, event, kind)
    return _finish_if_settled(event, kind, had_work=bool(pending))


def finish_event_changes() -> dict[str, int]:
    """The ``finish_event_changes`` job (every minute): every unfinished cancel or move taken
    further, within ``EVENT_CHANGE_RUN_BUDGET_SECONDS``. Returns counts."""
    deadline = time.monotonic() + get_settings().event_change_run_budget_seconds
    counts: Counter[str] = Counter()
    for kind in (models.UNFINISHED_CANCEL, models.UNFINISHED_MOVE):
        for listed in models.Event.unfinished_changes.query(kind):
            if time.monotonic() > deadline:
                counts["left_for_next_run"] += 1
                continue
            # The index lags the table: the times to copy are the event item's own.
            event = events.find(listed.event_id)
            counts["finished" if follow(event, deadline) else "unfinished"] += 1
    return {key: counts[key] for key in ("finished", "unfinished", "left_for_next_run")}


def _api_deadline() -> float:
    return time.monotonic() + get_settings().event_change_budget_seconds


def _active_bookings(event_id: str) -> list[models.Booking]:
    status = models.Booking.status
    return list(models.Booking.by_event.query(event_id, filter_condition=status.is_in(*ACTIVE)))


def _behind(booking: models.Booking, event: models.Event, kind: str) -> bool:
    """Does ``booking`` still have to follow the change?"""
    if booking.status not in ACTIVE:
        return False
    if kind == models.UNFINISHED_CANCEL:
        return True
    copy = booking.event
    return (copy.starts_at, copy.ends_at) != (event.starts_at, event.ends_at)


def _bring_in_line(booking: models.Booking, event: models.Event, kind: str) -> None:
    """One conditional update of ``booking`` (status and booking id as read); one that
    changed meanwhile is read again and tried again while it still has to follow."""
    for _ in range(_BOOKING_ATTEMPTS):
        actions = _follow_actions(event, kind)
        condition = (models.Booking.status == booking.status) & (
            models.Booking.booking_id == booking.booking_id
        )
        if kind == models.UNFINISHED_CANCEL and refunds.is_paid(booking):
            # The organizer called it off: the whole price comes back, owed from this write
            # on (the settle_payments job asks Stripe, within a minute).
            reason = models.REASON_EVENT_CANCELLED
            actions += refunds.start_actions(refunds.amount_owed(booking, reason, event), reason)
            condition &= refunds.still_paid()
        try:
            booking.update(actions=actions, condition=condition)
            return
        except UpdateError as error:
            if not condition_failed(error):
                raise
        current = _booking_or_none(booking)
        if current is None or not _behind(current, event, kind):
            return
        booking = current


def _follow_actions(event: models.Event, kind: str) -> list[Any]:
    booking = models.Booking
    actions = [booking.updated_at.set(clock.to_iso_ms(clock.now())), booking.revision.add(1)]
    if kind == models.UNFINISHED_CANCEL:
        return [
            *actions,
            booking.status.set(models.CANCELLED),
            booking.cancel_reason.set(models.REASON_EVENT_CANCELLED),
            # No reminder for a cancelled booking, no expiry for a cancelled hold.
            booking.reminder_event_id.remove(),
            booking.hold_queue.remove(),
        ]
    return [
        *actions,
        booking.event.starts_at.set(event.starts_at),
        booking.event.ends_at.set(event.ends_at),
    ]


def _booking_or_none(booking: models.Booking) -> models.Booking | None:
    try:
        return models.Booking.get(booking.user_id, booking.event_id, consistent_read=True)
    except models.Booking.DoesNotExist:
        return None


def _finish_if_settled(event: models.Event, kind: str, had_work: bool) -> bool:
    """Remove the marker once a pass found nothing left and the change is old enough for the
    index to hold every booking written before it."""
    changed_at = event.cancelled_at if kind == models.UNFINISHED_CANCEL else None
    changed_at = changed_at or event.schedule_changed_at or event.created_at
    settle = timedelta(seconds=get_settings().event_change_settle_seconds)
    if had_work or clock.parse_iso(changed_at) + settle > clock.now():
        return False
    revision = int(event.revision or 0)
    # Moved again meanwhile (a new revision): that move is not finished yet.
    same_revision = models.Event.revision == revision
    if revision == 0:
        same_revision |= models.Event.revision.does_not_exist()
    try:
        event.update(
            actions=[models.Event.unfinished.remove()],
            condition=(models.Event.unfinished == kind) & same_revision,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return False
    return True
