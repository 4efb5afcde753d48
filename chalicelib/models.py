"""PynamoDB models: tables, keys, attributes and indexes, and the values the status
attributes take. Rules live in the services; binding and connections in ``dynamodb``.

These models are the single source of truth for the tables: local tables and the deploy
template are both generated from them (``dynamodb.table_definition``).
"""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.dynamodb import Table, registered_tables

# Event.listing: only published events carry it (the sparse ``upcoming`` index).
PUBLISHED = "published"

# Booking.status
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
# In line for a seat of a full event: same (user, event) item, so one item per user and event.
WAITLISTED = "waitlisted"
# A paid seat taken and held until ``hold_expires_at`` while its attendee pays (a booking of
# a paid event, or a waiting-list offer); it counts in ``seats_taken`` like a confirmed one.
PENDING_PAYMENT = "pending_payment"
BOOKING_STATUSES = (CONFIRMED, PENDING_PAYMENT, WAITLISTED, CANCELLED)
# Booking.hold_queue while a seat is held unpaid: the one hash key of the sparse `holds` index.
HOLD_QUEUE = "held"

# The ``type`` of a webhook message, and the second half of its delivery id.
BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_WAITLISTED = "booking.waitlisted"
BOOKING_REMINDER = "booking.reminder"
BOOKING_RESCHEDULED = "booking.rescheduled"
BOOKING_OFFERED = "booking.offered"
BOOKING_REFUNDED = "booking.refunded"
BOOKING_CHECKED_IN = "booking.checked_in"
BOOKING_NO_SHOW = "booking.no_show"
WEBHOOK_TYPES = (
    BOOKING_CONFIRMED,
    BOOKING_WAITLISTED,
    BOOKING_CANCELLED,
    BOOKING_REMINDER,
    BOOKING_RESCHEDULED,
    BOOKING_OFFERED,
    BOOKING_REFUNDED,
    BOOKING_CHECKED_IN,
    BOOKING_NO_SHOW,
)

# Booking.cancel_reason: who or what cancelled it, the booking.cancelled webhook's ``reason``.
REASON_USER = "user"
REASON_ADMIN = "admin"
REASON_EVENT_CANCELLED = "event_cancelled"
REASON_MOVED = "moved"
# A payment hold (or a waiting-list offer) lapsed unpaid, or its payment came too late.
REASON_HOLD_EXPIRED = "hold_expired"

# Booking.payment.status: where the money of a paid booking stands.
PAYMENT_AWAITING = "awaiting"
PAYMENT_PAID = "paid"
PAYMENT_REFUND_PENDING = "refund_pending"
PAYMENT_REFUNDED = "refunded"
PAYMENT_STATUSES = (PAYMENT_AWAITING, PAYMENT_PAID, PAYMENT_REFUND_PENDING, PAYMENT_REFUNDED)
# Booking.refund_queue: a refund still owed (the sparse ``refunds_due`` index).
REFUND_DUE = "due"

# Booking.attendance (absent = unknown): set by a check-in or by the no-show run.
ATTENDANCE_UNKNOWN = "unknown"
ATTENDANCE_CHECKED_IN = "checked_in"
ATTENDANCE_NO_SHOW = "no_show"

# User.role. A facilitator account also carries the facilitator_id it acts for.
ROLE_USER = "user"
ROLE_ADMIN = "admin"
ROLE_FACILITATOR = "facilitator"

# Event.unfinished: a change of the event that its bookings have not all followed yet.
UNFINISHED_CANCEL = "cancel"
UNFINISHED_MOVE = "move"

# Series.booking_mode: book date by date, or the whole course at once.
DROP_IN = "drop_in"
COURSE = "course"
BOOKING_MODES = (DROP_IN, COURSE)

# Series.state: a cancelled series makes no more occurrences.
SERIES_ACTIVE = "active"
SERIES_CANCELLED = "cancelled"
# Series.extending: only open-ended, active series carry it (the sparse ``extending`` index).
OPEN_ENDED = "open_ended"


class User(Table):
    class Meta(Table.Meta):
        table_name = "users"

    user_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute(default="user")
    created_at = UnicodeAttribute()
    # HMAC-SHA256 of the secret in the user's calendar feed URL; absent while the feed is off.
    calendar_feed_hash = UnicodeAttribute(null=True)
    # Only on role ROLE_FACILITATOR: the facilitator whose events this account runs.
    facilitator_id = UnicodeAttribute(null=True)
    # No booking or waiting-list join before this time (the no-show strike policy).
    suspended_until = UnicodeAttribute(null=True)


class Credential(Table):
    """Login lookup and the uniqueness guard for emails (key = normalized email)."""

    class Meta(Table.Meta):
        table_name = "credentials"

    email = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    password_hash = UnicodeAttribute()


class Facilitator(Table):
    class Meta(Table.Meta):
        table_name = "facilitators"

    facilitator_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    crm_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class FacilitatorCopy(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    crm_id = UnicodeAttribute()


class Price(MapAttribute):
    """Amount in the currency's minor unit (Stripe's rules), currency ISO 4217 lower-case."""

    amount = NumberAttribute()
    currency = UnicodeAttribute()


class SeriesCopy(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    booking_mode = UnicodeAttribute()
    # A paid course's price for the whole course (the series'), so that booking the course
    # reads it from the dates it reads anyway; a date has no price of its own.
    course_price = Price(null=True)


class SeriesOccurrences(GlobalSecondaryIndex):
    """Sparse: only a series' occurrences carry ``series_id``; one Query lists a series' dates
    in order."""

    class Meta:
        index_name = "by_series"
        projection = AllProjection()

    series_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class UnfinishedChanges(GlobalSecondaryIndex):
    """Sparse: only an event whose cancellation or move its bookings have not all followed
    carries ``unfinished``, so the job that finishes them reads nothing else."""

    class Meta:
        index_name = "unfinished_changes"
        projection = AllProjection()

    unfinished = UnicodeAttribute(hash_key=True)


class UpcomingIndex(GlobalSecondaryIndex):
    """Sparse: only published events carry ``listing``, so unpublished ones drop out."""

    class Meta:
        index_name = "upcoming"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class Event(Table):
    class Meta(Table.Meta):
        table_name = "events"

    event_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    kind = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    # The waiting list, first in line first: the user ids of the event's waitlisted bookings.
    # It lives on the event item so every change to it is a condition on that one item,
    # read back strongly consistent, and a position is an index into it.
    waitlist = ListAttribute(of=UnicodeAttribute, default=list)
    waitlist_count = NumberAttribute(default=0)
    # Joins ever made: only grows, so a join conditioned on it knows nobody joined since its
    # read (the count alone can return to the same number, a join and a leave later).
    waitlist_joins = NumberAttribute(default=0)
    # How many may wait; absent means as many as there are seats (up to settings.waitlist_max).
    waitlist_capacity = NumberAttribute(null=True)
    cancellable_until_hours = NumberAttribute(default=0)
    # ``starts_at`` less ``cancellable_until_hours``, kept beside them so a cancellation's
    # transaction can condition on it (a condition cannot do date arithmetic).
    cancellable_until = UnicodeAttribute(null=True)
    facilitator = FacilitatorCopy()
    created_at = UnicodeAttribute()
    # When starts_at or ends_at last changed (absent: never): calendar files' SEQUENCE.
    schedule_changed_at = UnicodeAttribute(null=True)
    # The starts_at whose reminders were all handed to the webhook pipeline; a moved event
    # no longer matches it, which re-arms its reminders.
    reminded_for = UnicodeAttribute(null=True)
    upcoming = UpcomingIndex()
    # The series this event is an occurrence of (absent: a one-off event).
    series = SeriesCopy(null=True)
    series_id = UnicodeAttribute(null=True)
    by_series = SeriesOccurrences()
    # When an admin cancelled the event (absent: not cancelled); ``listing`` goes with it.
    cancelled_at = UnicodeAttribute(null=True)
    # Moves of starts_at/ends_at so far: part of every calendar SEQUENCE of its bookings.
    revision = NumberAttribute(default=0)
    # The admin's words when cancelling, kept for the admin views.
    cancellation_note = UnicodeAttribute(null=True)
    # UNFINISHED_CANCEL / UNFINISHED_MOVE while bookings still have to follow the change.
    unfinished = UnicodeAttribute(null=True)
    # Absent: free. A paid event's seats are held while the attendee pays.
    price = Price(null=True)
    # Share of the price refunded when the attendee cancels in time (admins refund all).
    refund_percent = NumberAttribute(default=100)
    # Each unpaid hold's "<hold_expires_at> <booking_id>", ADDed in the write that takes its
    # seat and DELETEd in the one that confirms or frees it: a listing counts the lapsed ones
    # as free seats without reading a booking (absent: no hold).
    hold_expiries = UnicodeSetAttribute(null=True)
    unfinished_changes = UnfinishedChanges()


# The bookings table (chalicelib/booking_table.py), made here between the events and the
# series: tables register in the order they are made.
from chalicelib.booking_table import (  # noqa: E402, F401
    AwaitingReminder,
    Booking,
    BookingPayment,
    BookingsByBookingId,
    BookingsByEvent,
    BookingsNewestFirst,
    EventCopy,
    HeldSeats,
    RefundsDue,
    UserCopy,
)


class ExtendingSeries(GlobalSecondaryIndex):
    """Sparse: the series the daily top-up extends, so the job reads only those (no Scan)."""

    class Meta:
        index_name = "extending"
        projection = AllProjection()

    extending = UnicodeAttribute(hash_key=True)
    series_id = UnicodeAttribute(range_key=True)


class Series(Table):
    """A recurring event: its rule and the template every occurrence (an Event) is made from.

    ``start_time`` and ``duration_minutes`` are local wall-clock in ``timezone``; each
    occurrence's UTC times are worked out from them date by date. ``made_until`` is the last
    local date occurrences were made for (open-ended series are topped up past it).
    """

    class Meta(Table.Meta):
        table_name = "series"

    series_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    kind = UnicodeAttribute()
    facilitator_id = UnicodeAttribute()
    timezone = UnicodeAttribute()
    start_date = UnicodeAttribute()
    start_time = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    rrule = UnicodeAttribute()
    capacity = NumberAttribute()
    waitlist_capacity = NumberAttribute(null=True)
    cancellable_until_hours = NumberAttribute(default=0)
    booking_mode = UnicodeAttribute()
    # Absent: free. A drop-in series' price is each date's; a course's is the whole course's.
    price = Price(null=True)
    refund_percent = NumberAttribute(default=100)
    # OPEN_ENDED while the daily top-up makes occurrences SERIES_HORIZON_DAYS ahead (no COUNT
    # or UNTIL, not cancelled); absent otherwise.
    extending = UnicodeAttribute(null=True)
    made_until = UnicodeAttribute(null=True)
    state = UnicodeAttribute(default=SERIES_ACTIVE)
    created_at = UnicodeAttribute()
    by_extending = ExtendingSeries()


class RevokedToken(Table):
    class Meta(Table.Meta):
        table_name = "revoked_tokens"

    jti = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()


class LoginAttempts(Table):
    class Meta(Table.Meta):
        table_name = "login_attempts"

    key = UnicodeAttribute(hash_key=True)
    attempts = NumberAttribute(default=0)
    window_started_at = UnicodeAttribute()
    expires_at = TTLAttribute()


# The webhook delivery log's table and its states (chalicelib/delivery_log.py), named here
# beside the other tables, and made after them: tables register in the order they are made.
from chalicelib import delivery_log  # noqa: E402

PENDING = delivery_log.PENDING
SENDING = delivery_log.SENDING
DELIVERED = delivery_log.DELIVERED
FAILED = delivery_log.FAILED
SKIPPED = delivery_log.SKIPPED
DELIVERY_STATES = delivery_log.DELIVERY_STATES
QUEUED_STATES = delivery_log.QUEUED_STATES
FINISHED_STATES = delivery_log.FINISHED_STATES
DueDeliveries = delivery_log.DueDeliveries
FinishedDeliveries = delivery_log.FinishedDeliveries
DeliveryAttempt = delivery_log.DeliveryAttempt
WebhookDelivery = delivery_log.WebhookDelivery

# Short name (the table name without the stage prefix) → model.
TABLES: dict[str, type[Table]] = registered_tables()
