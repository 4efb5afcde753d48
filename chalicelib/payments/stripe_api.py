"""The few Stripe API calls the app makes, over ``requests`` (already in the zip).

Why not the ``stripe`` package: it would add about 14 MB of source to the unzipped Lambda (twice
that once `make package` compiles it to bytecode) and about 0.1 s to a cold import, for four
form-encoded POSTs and a GET (``bench/stripe_import.py`` measures it; docs/payments.md). Every
call that creates something carries an ``Idempotency-Key`` derived from what it is for, so a
retried request or a replayed job is the same call to Stripe.

Two failures, told apart because the callers act differently on them:
``StripeUnavailable`` (no answer, a timeout, 429 or 5xx: nothing is known to have happened,
try again later) and ``StripeRefused`` (4xx: Stripe said no, trying again will not help).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.config import get_settings

# Pinned so a change of the account's default version cannot change the shapes read here.
STRIPE_VERSION = "2024-06-20"
# Made on the first call: the routes that may call Stripe load this module, and a cold start
# of the API should not pay for importing requests before a paid booking needs it.
_session: Any = None


class StripeError(Exception):
    """A call to Stripe did not do what was asked."""


class StripeUnavailable(StripeError):
    """Stripe could not be reached or failed on its side: try again later."""


class StripeRefused(StripeError):
    """Stripe answered the request with a 4xx: it will not do it."""

    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(f"Stripe refused ({status} {code or 'no code'}): {message}")
        self.status = status
        self.code = code
        self.message = message


class StripeNotConfigured(StripeError):
    """This stage has no STRIPE_SECRET_KEY: it cannot take payments."""


def create_payment_intent(
    *, amount: int, currency: str, idempotency_key: str, metadata: Mapping[str, str]
) -> dict[str, Any]:
    """A card PaymentIntent for ``amount`` (minor unit) of ``currency``, confirmed later by
    the browser with its client secret."""
    return _call(
        "POST",
        "/v1/payment_intents",
        {
            "amount": amount,
            "currency": currency,
            "payment_method_types[]": "card",
            **_metadata(metadata),
        },
        idempotency_key,
    )


def retrieve_payment_intent(payment_intent_id: str) -> dict[str, Any]:
    return _call("GET", f"/v1/payment_intents/{payment_intent_id}", None, None)


def cancel_payment_intent(payment_intent_id: str, idempotency_key: str) -> dict[str, Any]:
    """Cancel an unpaid PaymentIntent so that it can never be charged."""
    return _call("POST", f"/v1/payment_intents/{payment_intent_id}/cancel", {}, idempotency_key)


def create_refund(
    *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: Mapping[str, str]
) -> dict[str, Any]:
    """Refund ``amount`` (minor unit) of a succeeded PaymentIntent."""
    return _call(
        "POST",
        "/v1/refunds",
        {"payment_intent": payment_intent_id, "amount": amount, **_metadata(metadata)},
        idempotency_key,
    )


def _metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    return {f"metadata[{key}]": value for key, value in metadata.items()}


def _call(
    method: str, path: str, form: dict[str, Any] | None, idempotency_key: str | None
) -> dict[str, Any]:
    settings = get_settings()
    if not settings.stripe_secret_key:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set for this stage")
    headers = {
        "Authorization": f"Bearer {settings.stripe_secret_key}",
        "Stripe-Version": STRIPE_VERSION,
    }
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    import requests

    global _session
    if _session is None:
        _session = requests.Session()
    try:
        response = _session.request(
            method,
            settings.stripe_api_base.rstrip("/") + path,
            data=form,
            headers=headers,
            timeout=settings.stripe_timeout_seconds,
        )
    except requests.RequestException as error:
        raise StripeUnavailable(f"Stripe could not be reached: {type(error).__name__}") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise StripeUnavailable(f"Stripe answered {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise StripeUnavailable(f"Stripe answered {response.status_code} without JSON") from None
    if response.status_code >= 400:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise StripeRefused(response.status_code, error.get("code"), error.get("message", ""))
    return body
