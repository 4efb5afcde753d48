"""CRM webhooks: every booking that is confirmed, waitlisted or cancelled reaches the CRM once.

The stream handler (``stream``) builds each message from the stream image alone (``payload``,
no reads), claims its delivery row with a conditional put, then POSTs it (``sender``). The
claim is what makes a redelivered stream record (Lambda retries a batch) post nothing: the
row exists, so whoever holds it finishes the job. A failed POST leaves the row ``pending``
with ``next_attempt_at``; the retrier (``retrier``) sends due rows with exponential backoff
and jitter until ``retry_until`` (3 days), then marks them ``failed`` (``deliveries`` holds
that state machine). Messages follow the Standard Webhooks spec: ``webhook-id`` is the
delivery id (stable per booking and type, so a CRM can drop repeats), and the signature
covers ``id.timestamp.body``. Admins list and replay deliveries (``admin``).

A facilitator may have an endpoint of their own (``endpoints``: set, rotate, test): each
delivery is routed by the facilitator its booking carries (``routing``), to a destination
checked on deployed stages (``destinations``); a 410 from it disables it until it is set again.

Delivery is at least once: if the row cannot be updated after a successful POST, the claim
lapses and the message is sent again under the same ``webhook-id``.
"""

from chalicelib.webhooks.admin import DeliveryInFlight, DeliveryNotFound, list_deliveries, replay
from chalicelib.webhooks.deliveries import HISTORY_KEPT, retry_delay
from chalicelib.webhooks.retrier import retry_due_deliveries
from chalicelib.webhooks.stream import handle_stream_batch

__all__ = [
    "HISTORY_KEPT",
    "DeliveryInFlight",
    "DeliveryNotFound",
    "handle_stream_batch",
    "list_deliveries",
    "replay",
    "retry_delay",
    "retry_due_deliveries",
]
