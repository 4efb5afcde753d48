"""Tokens and who is calling.

A request is authenticated in the route's own call path (not an API Gateway authorizer,
whose cached answer would let a revoked token through for minutes): one BatchGetItem reads
the caller's user item and the token's revocation marker together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from ulid import ULID

from chalicelib import clock, errors, models
from chalicelib.config import get_settings

TOKEN_ISSUER = "ahoum-bookings"
TOKEN_AUDIENCE = "ahoum-bookings-api"
TOKEN_LIFETIME = timedelta(hours=1)
_REQUIRED_CLAIMS = ["sub", "jti", "iat", "exp", "iss", "aud"]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    name: str
    email: str
    role: str
    token_id: str
    token_expires_at: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def issue_token(user_id: str) -> str:
    issued_at = clock.now()
    claims = {
        "sub": user_id,
        "jti": str(ULID()),
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + TOKEN_LIFETIME).timestamp()),
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
    }
    return jwt.encode(claims, get_settings().jwt_secret, algorithm="HS256")


def decode_token(token: str) -> dict[str, Any]:
    """Verify signature, issuer, audience and expiry; raise Unauthorized on any failure."""
    try:
        return jwt.decode(
            token,
            get_settings().jwt_secret,
            algorithms=["HS256"],
            issuer=TOKEN_ISSUER,
            audience=TOKEN_AUDIENCE,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise errors.Unauthorized("The token has expired; log in again.") from None
    except jwt.InvalidTokenError:
        raise errors.Unauthorized("The token is not valid.") from None


def bearer_token(headers: dict[str, str]) -> str:
    header = (headers or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("Send `Authorization: Bearer <token>`.")
    return token.strip()


def authenticate(headers: dict[str, str]) -> Principal:
    """The caller behind a Bearer token: valid, not revoked, and still an existing user."""
    principal, _ = authenticate_with(headers, [])
    return principal


def require_admin(principal: Principal) -> Principal:
    if not principal.is_admin:
        raise errors.Forbidden("This needs an admin account.")
    return principal


def authenticate_with(
    headers: dict[str, str], extra_keys: list[models.ItemKey]
) -> tuple[Principal, dict[models.ItemKey, models.Model]]:
    """``authenticate``, reading ``extra_keys`` in the same BatchGetItem (one round trip).

    Returns the principal and those extra items that exist, keyed as asked. A token that
    fails raises as in ``authenticate``, so no item is ever handed to an unknown caller.
    """
    claims = decode_token(bearer_token(headers))
    user_key = (models.User, claims["sub"])
    revoked_key = (models.RevokedToken, claims["jti"])
    found = models.batch_get([user_key, revoked_key, *extra_keys])
    # TTL deletion lags by up to two days, but a revocation only matters before the
    # token's own expiry, which decode_token has already checked.
    if revoked_key in found:
        raise errors.Unauthorized("The token has been revoked; log in again.")
    user = found.get(user_key)
    if user is None:
        raise errors.Unauthorized("The account behind this token no longer exists.")
    principal = Principal(
        user_id=user.user_id,
        name=user.name,
        email=user.email,
        role=user.role,
        token_id=claims["jti"],
        token_expires_at=claims["exp"],
    )
    return principal, {key: found[key] for key in extra_keys if key in found}
