"""The bookings table (``bookings``): one item per (user, event), the copies it carries so
the stream image alone builds a webhook, and its indexes. ``chalicelib.models`` names it
beside the other tables, with the values its status attributes take."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex

from chalicelib.dynamodb import Table


class EventCopy(MapAttribute):
    name = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()


class UserCopy(MapAttribute):
    name = UnicodeAttribute()
    email = UnicodeAttribute()


class BookingPayment(MapAttribute):
    payment_intent_id = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    refunded_amount = NumberAttribute(default=0)
    # REFUND_PENDING only: the amount to refund, why (a REASON_*), and until when one run
    # has claimed the call to Stripe (so a cancellation and the job never both make it).
    refund_due = NumberAttribute(null=True)
    refund_reason = UnicodeAttribute(null=True)
    refund_claimed_until = UnicodeAttribute(null=True)
    # The Stripe refund that settled it.
    refund_id = UnicodeAttribute(null=True)


class BookingsByEvent(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_event"
        projection = AllProjection()

    event_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class BookingsByBookingId(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_booking_id"
        projection = AllProjection()

    booking_id = UnicodeAttribute(hash_key=True)


class BookingsNewestFirst(LocalSecondaryIndex):
    """A user's bookings by creation time: "my bookings, newest first" in one Query."""

    class Meta:
        index_name = "by_user_created"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class AwaitingReminder(GlobalSecondaryIndex):
    """Sparse: a booking carries ``reminder_event_id`` from becoming confirmed until its
    reminder is handled, so a reminder run reads only an event's bookings still owed one."""

    class Meta:
        index_name = "awaiting_reminder"
        projection = AllProjection()

    reminder_event_id = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class HeldSeats(GlobalSecondaryIndex):
    """Sparse: a booking carries ``hold_queue`` only while it holds a seat unpaid
    (``pending_payment``), so the expiry step reads the holds due and nothing else."""

    class Meta:
        index_name = "holds"
        projection = AllProjection()

    hold_queue = UnicodeAttribute(hash_key=True)
    hold_expires_at = UnicodeAttribute(range_key=True)


class RefundsDue(GlobalSecondaryIndex):
    """Sparse: a booking carries ``refund_queue`` (REFUND_DUE) from the write that makes its
    payment refund_pending until the one that makes it refunded, so the refund step reads
    only the refunds still owed, oldest first."""

    class Meta:
        index_name = "refunds_due"
        projection = AllProjection()

    refund_queue = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class Booking(Table):
    """Keyed by (user, event): the key itself makes a second booking impossible.

    Carries copies of the event, user and facilitator CRM id so the stream image alone
    builds the webhook.
    """

    class Meta(Table.Meta):
        table_name = "bookings"
        stream_view_type = "NEW_AND_OLD_IMAGES"

    user_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    booking_id = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    idempotency_key = UnicodeAttribute(null=True)
    event = EventCopy()
    user = UserCopy()
    facilitator_crm_id = UnicodeAttribute()
    reminder_event_id = UnicodeAttribute(null=True)
    by_event = BookingsByEvent()
    by_booking_id = BookingsByBookingId()
    newest_first = BookingsNewestFirst()
    awaiting_reminder = AwaitingReminder()
    refund_queue = UnicodeAttribute(null=True)
    refunds_due = RefundsDue()
    # Significant changes so far (booked, rebooked, cancelled, promoted, left, rescheduled),
    # each ADDed in the write that makes it: the calendar SEQUENCE counts them.
    revision = NumberAttribute(default=0)
    # REASON_*: why it was cancelled (absent while it is not).
    cancel_reason = UnicodeAttribute(null=True)
    # The series of a course booking, on each of its dates' bookings: they stand and fall
    # together (cancelling one date cancels them all).
    course_series_id = UnicodeAttribute(null=True)
    # PENDING_PAYMENT only: when the held seat (or waiting-list offer) lapses.
    hold_expires_at = UnicodeAttribute(null=True)
    # HOLD_QUEUE while pending_payment (the sparse ``holds`` index), removed with the hold.
    hold_queue = UnicodeAttribute(null=True)
    holds = HeldSeats()
    # Paid events only: the PaymentIntent and where its money stands (PAYMENT_*).
    payment = BookingPayment(null=True)
    # ATTENDANCE_* (absent: unknown), and when the attendee was checked in.
    attendance = UnicodeAttribute(null=True)
    checked_in_at = UnicodeAttribute(null=True)
