"""What the API answers about accounts: who the caller is, and their tokens (named in
``definitions`` with every other answer)."""

from __future__ import annotations

from marshmallow import fields

from chalicelib import models
from chalicelib.openapi.answers.shapes import text as _text
from chalicelib.schemas.definitions import StrictSchema
from chalicelib.schemas.field_types import Id


class UserSummary(StrictSchema):
    id = Id(required=True)
    name = _text()
    email = fields.Email(required=True)


class Registered(StrictSchema):
    msg = _text()
    access_token = _text()
    user = fields.Nested(UserSummary, required=True)


class Token(StrictSchema):
    access_token = fields.String(required=True, metadata={"description": "A JWT (HS256)."})
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


class Me(UserSummary):
    role = fields.String(
        required=True,
        metadata={"enum": [models.ROLE_USER, models.ROLE_ADMIN, models.ROLE_FACILITATOR]},
    )
