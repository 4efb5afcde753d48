"""What the API answers about a paid booking's money: the hold's PaymentIntent and where the
payment stands (named in ``definitions`` with every other answer)."""

from __future__ import annotations

from marshmallow import fields

from chalicelib import models
from chalicelib.schemas.definitions import StrictSchema


class HeldPayment(StrictSchema):
    payment_intent_id = fields.String(
        required=True, allow_none=True, metadata={"description": "null: Stripe was unreachable."}
    )
    client_secret = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "For Stripe.js to confirm the card payment; null as above."},
    )
    amount = fields.Integer(required=True)
    currency = fields.String(required=True)
    publishable_key = fields.String(required=True, allow_none=True)


class PaymentStanding(StrictSchema):
    amount = fields.Integer(required=True)
    currency = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(models.PAYMENT_STATUSES)})
    refunded_amount = fields.Integer(required=True)
    refund_due = fields.Integer(
        metadata={"description": "While refund_pending: the amount being refunded."}
    )


class StripeWebhookReceived(StrictSchema):
    received = fields.Boolean(required=True)
