"""PynamoDB models: tables, keys, attributes and indexes, and the values the status
attributes take. Rules live in the services; binding and connections in ``dynamodb``.

These models are the single source of truth for the tables: local tables and the deploy
template are both generated from them (``dynamodb.table_definition``).
"""

from __future__ import annotations

from pynamodb.attributes import (
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
# Sent on request to a facilitator's own endpoint (POST …/webhook/test): not about a booking.
WEBHOOK_TEST = "webhook.test"
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

# Event.awaiting_no_shows: someone was checked in; the no-show pass has not run yet.
ATTENDANCE_TAKEN = "taken"

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


class FacilitatorMembers(GlobalSecondaryIndex):
    """Sparse: only accounts linked to a facilitator carry ``facilitator_id``; one Query
    lists a facilitator's members."""

    class Meta:
        index_name = "by_facilitator"
        projection = AllProjection()

    facilitator_id = UnicodeAttribute(hash_key=True)


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
    by_facilitator = FacilitatorMembers()
    # The no-shows that count as strikes, `<marked at>|<booking_id>`, ADDed in the transaction
    # that marks the booking (so each booking strikes once); those older than
    # STRIKE_WINDOW_DAYS are pruned. An admin lifting a suspension clears them.
    strikes = UnicodeSetAttribute(null=True)


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
    # The facilitator's own CRM endpoint (absent: their bookings go to CRM_WEBHOOK_URL) and
    # the secret its deliveries are signed with (chalicelib/webhooks/endpoints.py).
    webhook_url = UnicodeAttribute(null=True)
    webhook_secret = UnicodeAttribute(null=True)
    # After a rotation, until webhook_previous_until: the old secret signs too.
    webhook_previous_secret = UnicodeAttribute(null=True)
    webhook_previous_until = UnicodeAttribute(null=True)
    # The endpoint answered 410 Gone: nothing is sent to it until a new PUT of its URL.
    webhook_disabled_at = UnicodeAttribute(null=True)


# The events table (chalicelib/event_table.py), made here after the facilitators and before
# the bookings: tables register in the order they are made (hence the isort splits).
from chalicelib.event_table import (  # noqa: E402, F401
    Event,
    FacilitatorCopy,
    FacilitatorEvents,
    NoShowsDue,
    Price,
    SeriesCopy,
    SeriesOccurrences,
    UnfinishedChanges,
    UpcomingIndex,
)

# isort: split
# The bookings table (chalicelib/booking_table.py), made here between the events and the
# series.
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

# isort: split


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
DISABLED = delivery_log.DISABLED
DELIVERY_STATES = delivery_log.DELIVERY_STATES
QUEUED_STATES = delivery_log.QUEUED_STATES
FINISHED_STATES = delivery_log.FINISHED_STATES
DueDeliveries = delivery_log.DueDeliveries
FinishedDeliveries = delivery_log.FinishedDeliveries
DeliveryAttempt = delivery_log.DeliveryAttempt
WebhookDelivery = delivery_log.WebhookDelivery

# Short name (the table name without the stage prefix) → model.
TABLES: dict[str, type[Table]] = registered_tables()
