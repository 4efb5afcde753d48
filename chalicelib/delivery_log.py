"""The webhook delivery log's table (``webhook_deliveries``): one row per message to the CRM,
its states and the two sparse indexes a row is in by its state. ``chalicelib.models`` names it
beside the other tables; the rules live in ``chalicelib.webhooks.deliveries``."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.dynamodb import Table

# WebhookDelivery.state
PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"
# Its facilitator's endpoint answered 410 Gone: kept for the replay a new PUT of the URL makes.
DISABLED = "disabled"
DELIVERY_STATES = (PENDING, SENDING, DELIVERED, FAILED, SKIPPED, DISABLED)
# In the ``due`` index, where the retrier finds them; the others are in ``finished``.
QUEUED_STATES = (PENDING, SENDING)
FINISHED_STATES = (DELIVERED, FAILED, SKIPPED, DISABLED)


class DueDeliveries(GlobalSecondaryIndex):
    """Only what the retrier may send: ``queue`` is a row's state while it is pending or
    sending and absent once it finished, so the index holds what is due and nothing else."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class FinishedDeliveries(GlobalSecondaryIndex):
    """Finished rows by state, newest first, for the admins' listing; each expires
    (``expires_at``) after its retention."""

    class Meta:
        index_name = "finished"
        projection = AllProjection()

    finished_state = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class DeliveryAttempt(MapAttribute):
    at = UnicodeAttribute()
    status = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)


class WebhookDelivery(Table):
    """One message to the CRM. ``next_attempt_at`` is when a pending row is due, when a
    ``sending`` row's claim lapses, and when a finished row finished. A row is in one of two
    sparse indexes, by its state: ``due`` (``queue``) or ``finished`` (``finished_state``);
    a finished row carries ``expires_at``, a queued one never does."""

    class Meta(Table.Meta):
        table_name = "webhook_deliveries"

    delivery_id = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute()
    payload = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    last_status = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    history = ListAttribute(of=DeliveryAttempt, default=list)
    retry_until = UnicodeAttribute()
    claim = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    queue = UnicodeAttribute(null=True)
    finished_state = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    # The facilitator whose endpoint it goes to (absent: CRM_WEBHOOK_URL's).
    facilitator_id = UnicodeAttribute(null=True)
    due = DueDeliveries()
    finished = FinishedDeliveries()
