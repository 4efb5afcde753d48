"""A no-show is a strike; ``STRIKE_LIMIT`` strikes within ``STRIKE_WINDOW_DAYS`` suspend the
account from booking and joining waiting lists for ``SUSPENSION_DAYS`` (0: the policy is off).

Strikes live on the user item, a string set of ``<marked at>|<booking_id>``, ADDed in the
same TransactWrite that marks the booking ``no_show`` (conditioned on its attendance still
being unknown). So a booking strikes exactly once however many runs race to mark it: only one
transaction can win the booking's condition, and a set keeps no duplicate anyway. (A table of
strikes keyed by (user, booking) would do the same with a conditional put, but costs a table,
its permissions and a Query per count; the user item is read by every request already, and
pruning keeps the set to the window's few entries.)

After each strike the policy reads the user item (strongly consistent) and counts the strikes
inside the window. The suspension ends ``SUSPENSION_DAYS`` after the newest of them, a value
every run computes alike, so racing runs write the same ``suspended_until``. The refusal
itself costs nothing: ``auth`` reads the user item on every request and hands
``suspended_until`` on with the caller (``bookings.items.raise_if_suspended``).

An admin lifting a suspension removes it and the strikes behind it: they cannot suspend again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib import clock, dynamodb, errors, models
from chalicelib.config import get_settings
from chalicelib.transactions import commit, condition_failed, failed_condition, reasons


class SuspensionNotFound(errors.NotFound):
    """No such account."""

    default_message = "No such account."


def mark_no_show(booking: models.Booking, at: datetime) -> bool:
    """Mark ``booking`` a no-show and strike its owner, once; False when it was no longer a
    confirmed booking of unknown attendance (checked in, cancelled, or marked by another run)."""
    marked_at = clock.to_iso_ms(at)

    def write(transaction: TransactWrite) -> None:
        _mark(transaction, booking, marked_at)
        transaction.update(
            models.User(booking.user_id),
            actions=[models.User.strikes.add({f"{marked_at}|{booking.booking_id}"})],
            condition=models.User.user_id.exists(),
        )

    try:
        commit(write)
    except TransactWriteError as error:
        booking_reason, user_reason = reasons(error, 2)
        if failed_condition(booking_reason):
            return False
        if not failed_condition(user_reason):
            raise
        # No account any more: the booking is marked all the same, with nobody to strike.
        try:
            commit(lambda transaction: _mark(transaction, booking, marked_at))
        except TransactWriteError as again:
            if failed_condition(reasons(again, 1)[0]):
                return False
            raise
        return True
    apply_policy(booking.user_id, at)
    return True


def _mark(transaction: TransactWrite, booking: models.Booking, marked_at: str) -> None:
    model = models.Booking
    transaction.update(
        models.Booking(booking.user_id, booking.event_id),
        actions=[
            model.attendance.set(models.ATTENDANCE_NO_SHOW),
            # The webhook's occurred_at.
            model.updated_at.set(marked_at),
        ],
        condition=(model.booking_id == booking.booking_id)
        & (model.status == models.CONFIRMED)
        & model.attendance.does_not_exist(),
    )


def apply_policy(user_id: str, now: datetime) -> None:
    """Prune strikes older than the window, and suspend at the limit."""
    settings = get_settings()
    try:
        user = models.User.get(user_id, consistent_read=True)
    except models.User.DoesNotExist:
        return
    window_start = clock.to_iso_ms(now - timedelta(days=settings.strike_window_days))
    held = sorted(user.strikes or ())
    old = {strike for strike in held if strike < window_start}
    recent = [strike for strike in held if strike >= window_start]
    actions: list[Any] = [models.User.strikes.delete(old)] if old else []
    condition = None
    if settings.strike_limit and len(recent) >= settings.strike_limit:
        newest = clock.parse_iso(recent[-1].partition("|")[0])
        until = clock.to_iso(newest + timedelta(days=settings.suspension_days))
        if user.suspended_until is None or user.suspended_until < until:
            actions.append(models.User.suspended_until.set(until))
            # A lift since the read removed these strikes: they must not suspend again.
            condition = models.User.strikes.contains(recent[-1])
    if not actions:
        return
    try:
        user.update(actions=actions, condition=condition)
    except UpdateError as error:
        if not condition_failed(error):
            raise


def lift_suspension(user_id: str) -> dict[str, Any]:
    """An admin ends a suspension now, and forgets the strikes that caused it."""
    try:
        # Asking nothing back: the API's policy lets it touch these attributes of a user only.
        dynamodb.update_blind(
            models.User(user_id),
            [models.User.suspended_until.remove(), models.User.strikes.remove()],
            condition=models.User.user_id.exists(),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise SuspensionNotFound() from None
        raise
    return {"user_id": user_id, "suspended_until": None, "strikes": 0}
