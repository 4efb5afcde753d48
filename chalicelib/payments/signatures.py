"""Checking a Stripe webhook's ``Stripe-Signature`` header, as Stripe's own libraries do.

The header is ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` (several ``v1``
entries while a secret is being rolled). A request is genuine when one ``v1`` matches under
the endpoint's secret and ``t`` is within the tolerance of now (Stripe's default: 5 minutes),
which keeps a captured request from being replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from chalicelib import clock

TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """Missing, malformed, wrongly signed or stale: the request is not from Stripe."""


def verified_event(body: bytes, header: str | None, secret: str | None) -> dict[str, Any]:
    """The Stripe event in ``body`` once its signature is checked; BadSignature otherwise."""
    if not secret:
        raise BadSignature("no webhook secret is configured")
    if not header:
        raise BadSignature("the Stripe-Signature header is missing")
    timestamp, signatures = _parsed(header)
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise BadSignature("no signature matches")
    if abs(clock.now().timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise BadSignature("the signature's timestamp is outside the tolerance")
    try:
        event = json.loads(body)
    except ValueError:
        raise BadSignature("the body is not JSON") from None
    if not isinstance(event, dict):
        raise BadSignature("the body is not a Stripe event")
    return event


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    """The header Stripe would send for ``body`` at ``timestamp`` (tests, the local tools)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _parsed(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise BadSignature("the signature's timestamp is not a number") from None
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise BadSignature("the Stripe-Signature header has no timestamp or no v1 signature")
    return timestamp, signatures
