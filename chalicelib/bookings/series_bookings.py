"""Booking a whole series: every upcoming date of a drop-in series, each an ordinary booking
of its own; or all the dates of a course at once, in one transaction; and cancelling a
course, every date of it in one transaction.

A drop-in series' dates are booked through ``seats.book`` (and ``join_waitlist`` where full,
when asked), a few side by side, so a 12-date series costs about three single bookings' time
rather than twelve. A course's dates stand and fall together: one TransactWrite puts a
booking per date (each carrying ``course_series_id``) and takes a seat of each date under the
usual conditions, so nobody ever holds part of a course. A course has no waiting list of a
date (its seats are given back together), so a course date's seat count is all there is.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import auth, clock, dynamodb, errors, models, waitlist
from chalicelib.bookings import items
from chalicelib.bookings.errors import (
    AlreadyBooked,
    AlreadyCancelled,
    AlreadyWaitlisted,
    Contended,
    CourseTooLong,
    EventFull,
    SeriesNotFound,
)
from chalicelib.bookings.seats import book
from chalicelib.bookings.views import cancelled_view
from chalicelib.bookings.waiting_line import join_waitlist
from chalicelib.config import get_settings
from chalicelib.payments import intents, refunds
from chalicelib.transactions import commit, failed_condition, only_conflicts, reasons


def upcoming_occurrences(series_id: str) -> list[models.Event]:
    """The series' published dates still to start, first first (one Query of ``by_series``)."""
    return list(
        models.Event.by_series.query(
            series_id,
            models.Event.starts_at > clock.to_iso(clock.now()),
            filter_condition=models.Event.listing == models.PUBLISHED,
        )
    )


def book_series(
    principal: auth.Principal,
    series_id: str,
    waitlist_where_full: bool = False,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Book every upcoming date of a series for the caller: a drop-in series date by date
    (the waiting list where full, when asked), a course all at once or not at all."""
    items.raise_if_suspended(principal, clock.now())
    occurrences = upcoming_occurrences(series_id)
    if not occurrences:
        raise SeriesNotFound()
    if occurrences[0].series.booking_mode == models.COURSE:
        return book_course(principal, series_id, occurrences, idempotency_key)
    return _book_drop_in(principal, occurrences, waitlist_where_full, idempotency_key)


def _book_drop_in(
    principal: auth.Principal,
    occurrences: list[models.Event],
    waitlist_where_full: bool,
    idempotency_key: str | None,
) -> dict[str, Any]:
    def one(event: models.Event) -> dict[str, Any]:
        try:
            return book(principal, event.event_id, idempotency_key)
        except EventFull:
            if not waitlist_where_full:
                raise
            return join_waitlist(principal, event.event_id, idempotency_key)

    booked: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    with ThreadPoolExecutor(
        max_workers=min(get_settings().series_booking_concurrency, len(occurrences))
    ) as pool:
        futures = [(event, pool.submit(one, event)) for event in occurrences]
        for event, future in futures:
            try:
                made = future.result()
            except errors.AppError as refused:
                # The code a single booking of that date would have been answered with.
                skipped.append({"event_id": event.event_id, "code": refused.code})
                continue
            entry = {
                "event_id": event.event_id,
                "booking_id": made["booking_id"],
                "status": made["status"],
            }
            # A paid date's hold and its own PaymentIntent, as a single booking answers them.
            entry.update({key: made[key] for key in ("hold_expires_at", "payment") if key in made})
            booked.append(entry)
    return {"bookings": booked, "skipped": skipped}


# --- A course: every date in one transaction ---


def book_course(
    principal: auth.Principal,
    series_id: str,
    occurrences: list[models.Event],
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """One TransactWrite: a booking per date (puts, first) and a seat of each date (updates,
    in date order), each under the single booking's conditions. Any refusal leaves nothing
    booked; a full date is named in the 409."""
    most = get_settings().course_max_occurrences
    if len(occurrences) > most:
        raise CourseTooLong(
            f"This course has {len(occurrences)} dates to come; at most {most} can be booked "
            "at once (COURSE_MAX_OCCURRENCES)."
        )
    price = occurrences[0].series.course_price
    if price is not None:
        intents.check_payments_configured()
    now = clock.now()
    made = [
        items.new_booking(principal, event, models.CONFIRMED, now, idempotency_key)
        for event in occurrences
    ]
    for booking in made:
        booking.course_series_id = series_id
    if price is not None:
        hold_course(made, price, now)

    def write(transaction: TransactWrite) -> None:
        for booking in made:
            items.take_in(transaction, booking)
        for event in occurrences:
            # A paid course's hold is noted on each date under the first date's booking.
            items.take_seat(transaction, event.event_id, now, hold=made[0])

    try:
        commit(write)
    except TransactWriteError as error:
        return _course_refused(error, principal, series_id, occurrences, idempotency_key, now)
    return {"bookings": _entries(made), "skipped": []}


def hold_course(made: list[models.Booking], price: models.Price, now: datetime) -> None:
    """A paid course is one hold over all its dates, for one PaymentIntent: the first date's
    booking carries the payment (and is the one in the ``holds`` index); the others are held
    until the same moment and stand and fall with it (same ``created_at`` and series)."""
    first, *rest = made
    intents.hold(first, price, now)
    for booking in rest:
        booking.status = models.PENDING_PAYMENT
        booking.hold_expires_at = first.hold_expires_at


def _entries(made: list[models.Booking]) -> list[dict[str, Any]]:
    entries = [_entry(booking) for booking in made]
    for entry, booking in zip(entries, made, strict=True):
        if booking.status == models.PENDING_PAYMENT:
            entry["hold_expires_at"] = booking.hold_expires_at
        if booking.status == models.PENDING_PAYMENT and booking.payment is not None:
            entry["payment"] = intents.hold_answer(booking)["payment"]
    return entries


def _course_refused(
    error: TransactWriteError,
    principal: auth.Principal,
    series_id: str,
    occurrences: list[models.Event],
    idempotency_key: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Why a course's transaction was cancelled, or the original answer to replay when it
    is a retry (same Idempotency-Key) of a course booking that went through."""
    found = reasons(error, 2 * len(occurrences))
    booking_reasons, event_reasons = found[: len(occurrences)], found[len(occurrences) :]
    for reason in booking_reasons:
        if failed_condition(reason):
            existing = items.booking_from(reason)
            if (
                existing is not None
                and idempotency_key
                and existing.idempotency_key == idempotency_key
                and existing.course_series_id == series_id
            ):
                return _course_replay(principal, series_id, occurrences)
            if existing is not None and existing.status == models.WAITLISTED:
                raise AlreadyWaitlisted()
            raise AlreadyBooked("You already hold a date of this course; see GET /bookings/my.")
    for event, reason in zip(occurrences, event_reasons, strict=True):
        current = waitlist.event_from(reason) if failed_condition(reason) else None
        if current is not None:
            items.raise_if_not_bookable(current, clock.to_iso(now))
            raise EventFull(
                f"The course's date {current.starts_at} (event {event.event_id}) is full; "
                "nothing was booked."
            )
    if only_conflicts(error.cancellation_reasons):
        raise Contended() from None
    raise error


def _course_replay(
    principal: auth.Principal, series_id: str, occurrences: list[models.Event]
) -> dict[str, Any]:
    keys: list[dynamodb.ItemKey] = [
        (models.Booking, principal.user_id, event.event_id) for event in occurrences
    ]
    found = dynamodb.batch_get(keys)
    held = [found[key] for key in keys if key in found]
    return {
        "bookings": _entries([b for b in held if b.course_series_id == series_id]),
        "skipped": [],
    }


def _entry(booking: models.Booking) -> dict[str, Any]:
    return {
        "event_id": booking.event_id,
        "booking_id": booking.booking_id,
        "status": booking.status,
    }


# --- Cancelling a course: every date at once ---


def cancel_course(principal: auth.Principal, booking: models.Booking) -> dict[str, Any]:
    """Cancel every date of the course ``booking`` belongs to, in one transaction, each seat
    back to its date. A user may do so within the FIRST date's cancellation window; an
    admin at any time. One ``booking.cancelled`` webhook per date follows from the stream."""
    held = course_bookings(booking)
    if not any(items.same(current, booking) for current in held):
        raise AlreadyCancelled()
    cancelled_at = clock.to_iso_ms(clock.now())
    now = clock.to_iso(clock.now())
    # A paid course's money rides on one of its bookings (the first date's): it owes the
    # refund from this write on, by the refund percent of that date (the series' own).
    owed = {
        current.booking_id: refunds.amount_owed(
            current,
            items.cancel_reason(principal, current),
            items.event_or_none(current.event_id),
        )
        for current in held
        if refunds.is_paid(current)
    }

    def write(transaction: TransactWrite) -> None:
        for current in held:
            reason = items.cancel_reason(principal, current)
            refund = owed.get(current.booking_id, 0)
            items.cancel_in(
                transaction, current, models.CONFIRMED, cancelled_at, reason=reason, refund=refund
            )
        for index, current in enumerate(held):
            # Held in date order: the first date's window is the whole course's.
            first_date_open = (models.Event.starts_at > now) & items.cancel_window_open(now)
            transaction.update(
                models.Event(current.event_id),
                actions=[models.Event.seats_taken.add(-1)],
                condition=first_date_open if index == 0 and not principal.is_admin else None,
                return_values="ALL_OLD",
            )

    try:
        commit(write)
    except TransactWriteError as error:
        _raise_course_refusal(error, len(held), now)
        raise
    for current in held:
        if owed.get(current.booking_id):
            refunds.settle_now(current.user_id, current.event_id)
    return cancelled_view(booking, cancelled_at)


def _raise_course_refusal(error: TransactWriteError, dates: int, now: str) -> None:
    """Why a course's cancelling transaction (``dates`` bookings, then their events) was
    refused, as the error its caller gets; returns when it is none of those."""
    found = reasons(error, 2 * dates)
    if any(failed_condition(reason) for reason in found[:dates]):
        raise AlreadyCancelled() from None
    first = waitlist.event_from(found[dates]) if failed_condition(found[dates]) else None
    if first is not None:
        items.raise_if_not_cancellable(first, now)
    if only_conflicts(error.cancellation_reasons):
        raise Contended() from None


def course_bookings(
    booking: models.Booking, status: str = models.CONFIRMED
) -> list[models.Booking]:
    """The owner's bookings in ``status`` of the course ``booking`` is part of, in date order.

    A course's bookings are written in one transaction with one ``created_at``, so they are
    one strongly consistent Query of the owner's ``by_user_created`` index, however long the
    series or the owner's history."""
    same_course = models.Booking.newest_first.query(
        booking.user_id,
        models.Booking.created_at == booking.created_at,
        filter_condition=(models.Booking.course_series_id == booking.course_series_id)
        & (models.Booking.status == status),
        consistent_read=True,
    )
    return sorted(same_course, key=lambda held: held.event.starts_at)
