"""``booking.reminder``: a webhook for every confirmed booking whose event starts within
``REMINDER_HOURS_BEFORE`` hours, sent once, through the same delivery pipeline as the others.

A run (the ``send_reminders`` schedule, every 15 minutes) never scans:

1. one Query of the ``upcoming`` index finds the published events starting within the window;
2. an event not yet handled for its current start (``reminded_for`` differs, which is also
   how moving an event re-arms it) has its confirmed bookings read from ``by_event``, each
   reminded, and is then marked ``reminded_for = starts_at``;
3. an event already handled reads only the bookings still owed a reminder: the sparse
   ``awaiting_reminder`` index, which holds a booking from the moment it becomes confirmed
   (the stream handler marks it: a new booking, a rebooking, a promotion from a waiting list,
   whenever it happens) until its reminder is handed over. So a booking made inside the
   window after its event was handled is reminded by the next run, and a repeated run reads
   nothing but empty index queries.

The delivery id is ``<booking_id>.booking.reminder.<start, 20261206T150000Z>``: the booking
and type, plus the start it reminds of. The conditional put of that delivery row is what
makes a reminder go out exactly once however many runs overlap or repeat, while a moved
event's reminder is a new message (a CRM dropping repeats by ``webhook-id`` would otherwise
drop it). A run that is late by hours still reminds every event that has not started.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta

from chalice.app import DynamoDBRecord
from pynamodb.exceptions import UpdateError

from chalicelib import clock, models
from chalicelib.config import get_settings
from chalicelib.transactions import condition_failed
from chalicelib.webhooks import deliveries
from chalicelib.webhooks.payload import status_of


def became_confirmed(record: DynamoDBRecord) -> bool:
    """Is this stream record a booking becoming confirmed (and so owed a reminder)?"""
    return (
        status_of(record.new_image) == models.CONFIRMED
        and status_of(record.old_image) != models.CONFIRMED
    )


def mark_owed(record: DynamoDBRecord) -> None:
    """From the stream handler: the booking that ``record`` confirmed is owed a reminder."""
    booking = models.Booking.from_raw_data(record.new_image)
    model = models.Booking
    try:
        booking.update(
            actions=[model.reminder_event_id.set(booking.event_id)],
            # Still this booking and still confirmed: a late or repeated record marks nothing.
            condition=(model.booking_id == booking.booking_id) & (model.status == models.CONFIRMED),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def send_due_reminders() -> dict[str, int]:
    """One run: every reminder now owed handed to the webhook pipeline. Returns counts."""
    started = time.monotonic()
    now = clock.now()
    horizon = now + timedelta(hours=get_settings().reminder_hours_before)
    counts: Counter[str] = Counter()
    window = models.Event.starts_at.between(
        clock.to_iso(now + timedelta(seconds=1)), clock.to_iso(horizon)
    )
    for event in models.Event.upcoming.query(models.PUBLISHED, window):
        # Past its run budget (REMINDER_RUN_BUDGET_SECONDS, well inside the Lambda's timeout) a
        # run stops; whatever is left is found again by the next run.
        if time.monotonic() - started > get_settings().reminder_run_budget_seconds:
            counts["left_for_next_run"] += 1
            continue
        counts["events"] += 1
        if event.reminded_for != event.starts_at:
            _remind_all(event, started, counts)
        else:
            _remind_awaiting(event, started, counts)
    return {key: counts[key] for key in ("events", "sent", "queued", "left_for_next_run")}


def delivery_id(booking: models.Booking, event: models.Event) -> str:
    start = clock.parse_iso(event.starts_at).strftime("%Y%m%dT%H%M%SZ")
    return f"{booking.booking_id}.{models.BOOKING_REMINDER}.{start}"


def message(booking: models.Booking, event: models.Event) -> str:
    """The ``booking.confirmed`` payload's keys, as ``booking.reminder``, with the event's
    current name and start (the booking's copy is from when it was made)."""
    payload = {
        "type": models.BOOKING_REMINDER,
        "occurred_at": clock.to_iso_ms(clock.now()),
        "booking_id": booking.booking_id,
        "event": {"id": event.event_id, "name": event.name, "date": event.starts_at},
        "user": {"id": booking.user_id, "name": booking.user.name, "email": booking.user.email},
        "facilitator_crm_id": booking.facilitator_crm_id,
    }
    return json.dumps(payload, separators=(",", ":"))


def _remind_all(event: models.Event, started: float, counts: Counter[str]) -> None:
    confirmed = models.Booking.by_event.query(
        event.event_id, filter_condition=models.Booking.status == models.CONFIRMED
    )
    for booking in confirmed:
        _remind(booking, event, started, counts)
    try:
        event.update(
            actions=[models.Event.reminded_for.set(event.starts_at)],
            # Moved meanwhile: left unmarked, so the next run reminds for the new start.
            condition=models.Event.starts_at == event.starts_at,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def _remind_awaiting(event: models.Event, started: float, counts: Counter[str]) -> None:
    for booking in models.Booking.awaiting_reminder.query(event.event_id):
        if booking.status == models.CONFIRMED:
            _remind(booking, event, started, counts)
        else:
            _unmark(booking)


def _remind(booking: models.Booking, event: models.Event, started: float, counts: Counter) -> None:
    # Past its send budget a run queues the rest as due rows for the retrier (every minute).
    send_now = time.monotonic() - started < get_settings().reminder_send_budget_seconds
    sent = deliveries.deliver_new(
        delivery_id(booking, event),
        message(booking, event),
        send_now,
        facilitator_id=booking.facilitator_id,
    )
    if sent:
        counts["sent" if send_now else "queued"] += 1
    if booking.reminder_event_id is not None:
        _unmark(booking)


def _unmark(booking: models.Booking) -> None:
    model = models.Booking
    try:
        booking.update(
            actions=[model.reminder_event_id.remove()],
            condition=model.booking_id == booking.booking_id,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
