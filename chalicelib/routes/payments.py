"""Payments: Stripe's webhook (paying for a held seat is under Bookings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import PUBLIC, Answer
from chalicelib.payments import webhook

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
else:
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/payments/stripe/webhook",
    "POST",
    access=PUBLIC,
    tag="Payments",
    summary="Stripe's webhook: a held seat's payment succeeded or failed",
    description=(
        "Called by Stripe, signed with the endpoint's secret (`Stripe-Signature`, checked "
        "over the exact body bytes with a 5-minute tolerance: bad, stale or missing → 400 "
        "and nothing changes). Send `payment_intent.succeeded` and "
        "`payment_intent.payment_failed`; other types are acknowledged and ignored. Each "
        "event is handled once whatever the order: a replay changes nothing."
    ),
    answer=Answer(
        200, "Handled (or ignored).", answers.StripeWebhookReceived, examples.STRIPE_WEBHOOK_HANDLED
    ),
    domain_errors=(
        webhook.BadStripeSignature(),
        webhook.NotSettledYet(),
        webhook.RefundNotMadeYet(),
    ),
)
def stripe_webhook(request):
    # The raw bytes: the signature covers the body exactly as Stripe sent it.
    return webhook.handle(request.raw_body or b"", (request.headers or {}).get("stripe-signature"))
