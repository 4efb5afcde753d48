"""One signed POST of a message to the CRM (Standard Webhooks headers)."""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime

from standardwebhooks import Webhook

from chalicelib.redaction import without_credentials

# The deployment zip leaves out requests' character detector (deploy/bundle.py,
# UNUSED_DISTRIBUTIONS): the CRM's answers are decoded here, so the warning requests gives
# while it is imported without one says nothing a reader of the Lambda's log needs.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Unable to find acceptable character detection dependency"
    )
    import requests

USER_AGENT = "Ahoum-Bookings-Webhooks/1.0"
# (connect, read): a slow CRM costs a sender at most ~5 s, then the retrier takes over.
HTTP_TIMEOUT_SECONDS = (2, 3)

_session: requests.Session | None = None


def webhook_headers(
    delivery_id: str,
    body: str,
    moment: datetime,
    secret: str | None,
    previous_secret: str | None = None,
) -> dict[str, str]:
    """Standard Webhooks headers; signed (``v1,<base64 HMAC-SHA256>``) when there is a secret.
    During a rotation's overlap the old secret signs too: the spec's space-separated list
    (``v1,<new> v1,<old>``), which a receiver holding either secret verifies."""
    moment = moment.astimezone(UTC)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(math.floor(moment.timestamp())),
    }
    signing = [key for key in (secret, previous_secret) if key]
    if signing:
        headers["webhook-signature"] = " ".join(
            Webhook(key).sign(delivery_id, moment, body) for key in signing
        )
    return headers


def post(
    url: str,
    secret: str | None,
    delivery_id: str,
    body: str,
    moment: datetime,
    previous_secret: str | None = None,
) -> tuple[int | None, str | None]:
    """``(status, error)``: error is None exactly when the CRM answered 2xx. The error is
    stored and logged, so a URL in it (requests quotes the CRM's) loses its credentials."""
    headers = webhook_headers(delivery_id, body, moment, secret, previous_secret)
    try:
        response = _http().post(
            url,
            data=body.encode(),
            headers=headers,
            timeout=HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, without_credentials(f"{type(exc).__name__}: {exc}")[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    # Decoded here, as UTF-8 whatever the CRM declares: what is kept is a short excerpt for a
    # person to read, and no character detector is shipped to guess an encoding.
    excerpt = response.content[:200].decode("utf-8", errors="replace")
    return response.status_code, without_credentials(f"HTTP {response.status_code}: {excerpt}")


def _http() -> requests.Session:
    # One session per container: a warm Lambda reuses the CRM connection.
    global _session
    if _session is None:
        _session = requests.Session()
    return _session
