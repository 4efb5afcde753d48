"""Moving a booking to another date of its drop-in series: one transaction cancels the old
booking (its seat to the first in that date's line, as any cancellation) and takes a seat on
the new date, so the move happens whole or not at all.

The transaction's items, in the order DynamoDB reports their cancellation reasons (puts
before updates): the new booking, the old booking, the old date, the promoted booking (when
someone waited), the new date. While the old date's line moves, the move is tried again on
the line handed back (``line_retry``), as a cancellation is.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, dynamodb, errors, events, models, waitlist
from chalicelib.bookings import items
from chalicelib.bookings.errors import (
    AlreadyBooked,
    AlreadyWaitlisted,
    BookingNotFound,
    EventFull,
    NotMovable,
)
from chalicelib.bookings.line_retry import LineTry, retry_while_line_moves
from chalicelib.bookings.seats import seat_changes
from chalicelib.bookings.views import created_view
from chalicelib.payments import offers
from chalicelib.payments.errors import PriceDiffers
from chalicelib.transactions import failed_condition, reasons


def move(principal: auth.Principal, booking_id: str, event_id: str) -> dict[str, Any]:
    """Move the caller's confirmed booking to ``event_id``, another date of the same drop-in
    series; the answer is the new booking. The old date's cancellation window applies."""
    booking = items.booking_by_id(booking_id)
    if booking is None or booking.user_id != principal.user_id:
        raise BookingNotFound()
    if booking.event_id == event_id:
        raise _bad_target("This is the booking's own date; choose another.")
    if booking.status != models.CONFIRMED or booking.course_series_id is not None:
        raise NotMovable()
    old, target = _dates(booking.event_id, event_id)
    if old is None or old.series is None or old.series.booking_mode != models.DROP_IN:
        raise NotMovable()
    if target is None or target.listing != models.PUBLISHED:
        raise events.EventNotFound()
    if target.series is None or target.series.id != old.series.id:
        raise _bad_target("Not a date of this booking's series.")
    if events.price_view(target.price) != events.price_view(old.price):
        raise PriceDiffers()
    now = clock.now()
    new = items.new_booking(principal, target, models.CONFIRMED, now, None)
    # What was paid for the old date pays for the new one (same price, checked above).
    new.payment = booking.payment
    return retry_while_line_moves(lambda seen: _move_try(principal, booking, new, seen), old)


def _move_try(
    principal: auth.Principal, booking: models.Booking, new: models.Booking, old: models.Event
) -> LineTry[dict[str, Any]]:
    """A try at the move, giving the old seat up on the old date's line as last read."""
    moved_at = clock.to_iso_ms(clock.now())
    now = clock.to_iso(clock.now())
    actions, condition, promoted = seat_changes(principal, old, now)

    def write(transaction: TransactWrite) -> None:
        items.take_in(transaction, new)
        _cancel_moved(transaction, booking, moved_at)
        transaction.update(
            models.Event(booking.event_id),
            actions=actions,
            condition=condition,
            return_values="ALL_OLD",
        )
        waitlist.promote(transaction, old, promoted, moved_at)
        items.take_seat(transaction, new.event_id, clock.parse_iso(now))

    def committed() -> dict[str, Any]:
        if promoted:
            offers.after_promotion(old, promoted)
        return created_view(new)

    return LineTry(
        write,
        committed=committed,
        booking_refused=lambda current: items.raise_not_cancellable(current, booking),
        line_moved=lambda current: _still_cancellable(principal, current, now),
        reasons_of=lambda error: _old_reasons(error, len(promoted), now),
    )


def _cancel_moved(transaction: TransactWrite, booking: models.Booking, at: str) -> None:
    items.cancel_in(transaction, booking, models.CONFIRMED, at, reason=models.REASON_MOVED)


def _old_reasons(error: TransactWriteError, promoted: int, now: str) -> tuple[Any, Any]:
    """Raise when the new booking or the target date refused the move; else hand back the
    old booking's and old date's reasons for ``line_retry`` to read."""
    found = reasons(error, 4 + promoted)
    new_booking, old_booking, old_date, target = found[0], found[1], found[2], found[-1]
    if failed_condition(new_booking):
        existing = items.booking_from(new_booking)
        if existing is not None and existing.status == models.WAITLISTED:
            raise AlreadyWaitlisted()
        raise AlreadyBooked()
    current = waitlist.event_from(target) if failed_condition(target) else None
    if current is not None:
        items.raise_if_not_bookable(current, now)
        raise EventFull(f"The date {current.starts_at} is full; your booking was not moved.")
    return old_booking, old_date


def _still_cancellable(principal: auth.Principal, event: models.Event, now: str) -> None:
    if not principal.is_admin:
        items.raise_if_not_cancellable(event, now)


def _dates(old_id: str, target_id: str) -> tuple[models.Event | None, models.Event | None]:
    """Both dates in one BatchGetItem (strongly consistent)."""
    old_key: dynamodb.ItemKey = (models.Event, old_id)
    target_key: dynamodb.ItemKey = (models.Event, target_id)
    found = dynamodb.batch_get([old_key, target_key])
    return found.get(old_key), found.get(target_key)  # type: ignore[return-value]


def _bad_target(message: str) -> errors.AppError:
    return errors.ValidationFailed(fields={"event_id": [message]})
