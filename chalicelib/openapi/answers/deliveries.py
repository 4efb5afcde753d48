"""What the API answers about webhook deliveries and facilitators' CRM endpoints (named in
``definitions`` with every other answer)."""

from __future__ import annotations

from marshmallow import fields

from chalicelib import models
from chalicelib.openapi.answers.definitions import Price
from chalicelib.openapi.answers.shapes import moment as _moment
from chalicelib.openapi.answers.shapes import next_cursor as _next_cursor
from chalicelib.openapi.answers.shapes import text as _text
from chalicelib.schemas.definitions import StrictSchema
from chalicelib.schemas.field_types import Id, OneOfNested


class WebhookEventCopy(StrictSchema):
    id = Id(required=True)
    name = _text()
    date = _moment()


class WebhookUserCopy(StrictSchema):
    id = Id(required=True)
    name = _text()
    email = fields.Email(required=True)


class WebhookPayload(StrictSchema):
    """The body POSTed to the CRM (the old app's keys, plus type and occurred_at)."""

    type = fields.String(required=True, metadata={"enum": list(models.WEBHOOK_TYPES)})
    occurred_at = _moment()
    booking_id = Id(required=True)
    event = fields.Nested(WebhookEventCopy, required=True)
    user = fields.Nested(WebhookUserCopy, required=True)
    facilitator_crm_id = _text()
    payment = fields.Nested(
        Price, metadata={"description": "booking.confirmed of a paid seat: what was paid."}
    )


class WebhookTestPayload(StrictSchema):
    """The body of a ``webhook.test`` delivery (not about a booking)."""

    type = fields.String(required=True, metadata={"enum": [models.WEBHOOK_TEST]})
    occurred_at = _moment()
    facilitator = Id(required=True)


class WebhookEndpointSecret(StrictSchema):
    url = fields.Url(required=True)
    secret = fields.String(
        required=True,
        metadata={"description": "The signing secret (`whsec_…`), shown this once."},
    )


class WebhookTestQueued(StrictSchema):
    id = fields.String(required=True, metadata={"description": "The delivery's id."})
    state = fields.String(required=True, metadata={"enum": [models.PENDING]})


class DeliveryAttempt(StrictSchema):
    at = _moment()
    status = fields.Integer(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)


class WebhookDelivery(StrictSchema):
    id = fields.String(required=True, metadata={"description": "`<booking_id>.<type>`"})
    state = fields.String(
        required=True,
        metadata={"enum": list(models.DELIVERY_STATES)},
    )
    payload = OneOfNested(WebhookPayload, WebhookTestPayload, required=True)
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(required=True, allow_none=True)
    last_error = fields.String(required=True, allow_none=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    retry_until = fields.DateTime(required=True, allow_none=True)
    history = fields.List(fields.Nested(DeliveryAttempt), required=True)
    created_at = _moment()
    updated_at = _moment()


class WebhookDeliveryPage(StrictSchema):
    deliveries = fields.List(fields.Nested(WebhookDelivery), required=True)
    next_cursor = _next_cursor()
