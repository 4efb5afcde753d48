"""Tokens and who is calling.

A request is authenticated in the route's own call path (not an API Gateway authorizer,
whose cached answer would let a revoked token through for minutes), in two steps: ``verify``
checks the token's signature and claims without a DynamoDB call, then ``authenticate_with``
reads the caller's user item and the token's revocation marker in one BatchGetItem, to which
a service may add the items it needs anyway (a booking reads its event there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite
from ulid import ULID

from chalicelib import clock, dynamodb, errors, metrics, models, passwords, throttling
from chalicelib.config import get_settings

TOKEN_ISSUER = "ahoum-bookings"
TOKEN_AUDIENCE = "ahoum-bookings-api"
_REQUIRED_CLAIMS = ["sub", "jti", "iat", "exp", "iss", "aud"]
# What this API puts in ``sub`` and ``jti`` (ULIDs), loosely: both become DynamoDB keys, so a
# well-signed token holding anything else (empty, a number, 3000 characters) is refused as
# invalid rather than sent to DynamoDB.
_ID_CLAIM = re.compile(r"[0-9A-Za-z]{1,64}")


class AccountNotFound(errors.NotFound):
    default_message = "No account has this email."


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    name: str
    email: str
    role: str
    token_id: str
    token_expires_at: int
    # Only for role ``facilitator``: the facilitator whose events this account runs.
    facilitator_id: str | None = None
    # Until when the no-show strike policy keeps this account from booking (absent: never).
    suspended_until: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def issue_token(user_id: str) -> str:
    issued_at = clock.now()
    claims = {
        "sub": user_id,
        "jti": str(ULID()),
        "iat": int(issued_at.timestamp()),
        "exp": int(issued_at.timestamp()) + get_settings().token_lifetime_seconds,
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
    }
    return jwt.encode(claims, get_settings().jwt_secret, algorithm="HS256")


def decode_token(token: str) -> dict[str, Any]:
    """Verify signature, issuer, audience, expiry and the claims' types; raise Unauthorized
    on any failure."""
    try:
        claims = jwt.decode(
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
    ids_ok = all(
        isinstance(claims[name], str) and _ID_CLAIM.fullmatch(claims[name])
        for name in ("sub", "jti")
    )
    # PyJWT takes a numeric string as a time; the expiry becomes a DynamoDB TTL number.
    times_ok = all(type(claims[name]) is int for name in ("iat", "exp"))
    if not (ids_ok and times_ok):
        raise errors.Unauthorized("The token is not valid.")
    return claims


def bearer_token(headers: dict[str, str]) -> str:
    header = (headers or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("Send `Authorization: Bearer <token>`.")
    return token.strip()


@dataclass(frozen=True)
class VerifiedToken:
    """A Bearer token whose signature, issuer, audience and expiry hold, checked without a
    DynamoDB call. Not yet known: whether it was revoked and whether its account still
    exists; ``authenticate_with`` reads both."""

    user_id: str
    token_id: str
    expires_at: int


def verify(headers: dict[str, str]) -> VerifiedToken:
    """The request's Bearer token, its signature and claims checked (401 otherwise).

    Only the ``Authorization`` header counts. The dashboard's session cookie never
    authorizes the JSON API, so a cross-site form (which carries cookies, not headers)
    cannot reach it.
    """
    return _verified(bearer_token(headers))


def authenticate(headers: dict[str, str]) -> Principal:
    """The caller behind a Bearer token: valid, not revoked, and still an existing user."""
    principal, _ = authenticate_with(verify(headers), [])
    return principal


def authenticate_token(token: str) -> Principal:
    """The caller behind a raw token (the dashboard's session cookie), checked as above."""
    principal, _ = authenticate_with(_verified(token), [])
    return principal


# What a service may be handed as its caller: a token still to be looked up (the API's routes
# that read their own items) or a principal already authenticated (the dashboard, the CLI).
Caller = VerifiedToken | Principal
# BatchGetItem takes 100 keys in one call.
_BATCH_GET_MOST_KEYS = 100


def authenticate_with(
    caller: Caller, extra_keys: list[dynamodb.ItemKey]
) -> tuple[Principal, dict[dynamodb.ItemKey, Model]]:
    """Finish checking ``caller``, reading ``extra_keys`` in the same BatchGetItem (one round
    trip): for a token, the caller's account and the token's revocation marker are read with
    them; a principal is already checked, so only the extra keys are read (none: no call).

    Returns the principal and those extra items that exist, keyed as asked. A token that
    fails raises Unauthorized, so no item is ever handed to an unknown caller. Keys beyond
    what one BatchGetItem takes are read in further ones, after the check.
    """
    if isinstance(caller, Principal):
        return caller, _read_all(extra_keys)
    riding, rest = extra_keys[: _BATCH_GET_MOST_KEYS - 2], extra_keys[_BATCH_GET_MOST_KEYS - 2 :]
    user_key = (models.User, caller.user_id)
    revoked_key = (models.RevokedToken, caller.token_id)
    found = dynamodb.batch_get([user_key, revoked_key, *riding])
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
        token_id=caller.token_id,
        token_expires_at=caller.expires_at,
        facilitator_id=user.facilitator_id if user.role == models.ROLE_FACILITATOR else None,
        suspended_until=user.suspended_until,
    )
    extra = {key: found[key] for key in riding if key in found}
    return principal, {**extra, **_read_all(rest)}


def _read_all(keys: list[dynamodb.ItemKey]) -> dict[dynamodb.ItemKey, Model]:
    found: dict[dynamodb.ItemKey, Model] = {}
    for start in range(0, len(keys), _BATCH_GET_MOST_KEYS):
        found.update(dynamodb.batch_get(keys[start : start + _BATCH_GET_MOST_KEYS]))
    return found


def _verified(token: str) -> VerifiedToken:
    claims = decode_token(token)
    return VerifiedToken(user_id=claims["sub"], token_id=claims["jti"], expires_at=claims["exp"])


def require_admin(principal: Principal) -> Principal:
    if not principal.is_admin:
        raise errors.Forbidden("This needs an admin account.")
    return principal


def require_facilitator(principal: Principal) -> Principal:
    if principal.facilitator_id is None:
        raise errors.Forbidden("This needs a facilitator's account.")
    return principal


# Accounts: register, log in, log out, roles.

ROLES = ("user", "admin")
# Why a registration's transaction can be cancelled on the credentials item: the email is
# taken, or (on AWS) another registration of it is committing at this very moment, which
# DynamoDB lets finish while cancelling this one. Either way the email is someone else's.
_EMAIL_CLAIMED = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


class EmailTaken(errors.Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists; log in instead."


class InvalidCredentials(errors.Unauthorized):
    code = "invalid_credentials"
    default_message = "The email or password is wrong."


def normalize_email(email: str) -> str:
    """The form emails are stored and compared in: ``Ann@X.com`` and `` ann@x.com`` are one."""
    return email.strip().lower()


def register(name: str, email: str, password: str, source_ip: str) -> dict[str, Any]:
    """Create an account and log it in: the registration is counted against the address's
    limit before the password is hashed (one UpdateItem), then one TransactWrite claims the
    email and writes the user."""
    throttling.count_registration(source_ip)
    email = normalize_email(email)
    user = models.User(
        str(ULID()),
        name=name,
        email=email,
        role="user",
        created_at=clock.to_iso_ms(clock.now()),
    )
    credential = models.Credential(
        email, user_id=user.user_id, password_hash=passwords.hash_password(password)
    )
    _create_account(user, credential)
    return {
        "msg": "User registered",
        "access_token": issue_token(user.user_id),
        "user": {"id": user.user_id, "name": user.name, "email": user.email},
    }


def _create_account(user: models.User, credential: models.Credential) -> None:
    try:
        with TransactWrite(connection=dynamodb.connection()) as transaction:
            transaction.save(credential, condition=models.Credential.email.does_not_exist())
            transaction.save(user, condition=models.User.user_id.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            credential_reason = error.cancellation_reasons[0]
            if credential_reason is not None and credential_reason.code in _EMAIL_CLAIMED:
                raise EmailTaken() from None
        raise


def login(email: str, password: str, source_ip: str) -> dict[str, Any]:
    """A token for the right password, in at most three DynamoDB calls: the attempt is
    counted first (one TransactWriteItems, refused at a limit), then one BatchGetItem reads
    the credentials with what the account's limit needs, and only then is the password
    checked; a success clears the address's count (one BatchWriteItem)."""
    email = normalize_email(email)
    throttle = throttling.LoginThrottle(email, source_ip)
    credential_key = (models.Credential, email)
    try:
        throttle.count_attempt()
        found = dynamodb.batch_get([credential_key, *throttle.keys])
        throttle.check(found)
    except errors.TooManyRequests:
        metrics.emit(metrics.LOGINS_THROTTLED)
        raise
    credential = found.get(credential_key)
    stored_hash = credential.password_hash if credential is not None else None
    if not passwords.verify_password(password, stored_hash):
        raise InvalidCredentials()
    throttle.record_success()
    return {
        "access_token": issue_token(credential.user_id),
        "token_type": "Bearer",
        "expires_in": get_settings().token_lifetime_seconds,
    }


LOGGED_OUT = {"msg": "Logged out"}


def logout(tokens: Iterable[str]) -> dict[str, str]:
    """Revoke each token (a Bearer token, a session cookie) until it would expire anyway.

    Never raises for a token: one that is not valid has nothing left to revoke, and logging
    out twice is as good as once.
    """
    for token in tokens:
        revoke(token)
    return dict(LOGGED_OUT)


def bearer_token_or_none(headers: dict[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None without one."""
    try:
        return bearer_token(headers)
    except errors.Unauthorized:
        return None


def revoke(token: str) -> None:
    """Revoke a token (a Bearer token or the dashboard's session cookie); never raises."""
    try:
        claims = decode_token(token)
    except errors.Unauthorized:
        return
    models.RevokedToken(claims["jti"], expires_at=datetime.fromtimestamp(claims["exp"], UTC)).save()


def me(principal: Principal) -> dict[str, Any]:
    return {
        "id": principal.user_id,
        "name": principal.name,
        "email": principal.email,
        "role": principal.role,
    }


def set_role(email: str, role: str) -> dict[str, Any]:
    """Give an existing account a role. Only the admin CLI calls this; no route does."""
    if role not in ROLES:
        raise errors.BadRequest(f"A role is one of {', '.join(ROLES)}.")
    try:
        credential = models.Credential.get(normalize_email(email), consistent_read=True)
    except models.Credential.DoesNotExist:
        raise AccountNotFound(f"No account has the email {email.strip()!r}.") from None
    user = models.User(credential.user_id)
    # A user or an admin runs no facilitator's events: a facilitator account the CLI promotes
    # or demotes is unlinked in the same write (linking is the admin's members route).
    user.update(
        actions=[models.User.role.set(role), models.User.facilitator_id.remove()],
        condition=models.User.user_id.exists(),
    )
    return {"id": user.user_id, "name": user.name, "email": user.email, "role": user.role}
