"""CSRF tokens: a signed double submit, bound to the session.

A token is a random nonce and an HMAC (keyed with the JWT secret) over that nonce and the
session it belongs to: the session token's ``jti``, or nothing before logging in. The same
token is set as a cookie and put into every form; a POST is accepted only when the form's
token equals the cookie's and the signature holds for the caller's session. Another site can
make a browser send the cookie but can neither read it nor forge a token, so it cannot fill
in the form field; and a token planted from elsewhere fails the signature or the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from chalicelib import errors
from chalicelib.config import get_settings

FIELD = "csrf_token"


class CsrfRejected(errors.Forbidden):
    code = "csrf_rejected"
    default_message = (
        "This form has expired or did not come from this site. "
        "Go back, reload the page and try again."
    )


def issue(session_id: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_signature(nonce, session_id)}"


def is_valid(token: str, session_id: str) -> bool:
    nonce, _, signature = token.partition(".")
    return bool(nonce and signature) and hmac.compare_digest(
        signature, _signature(nonce, session_id)
    )


def check(form_token: str, cookie_token: str, session_id: str) -> None:
    """Raise CsrfRejected unless the form's token is the cookie's and valid for the session."""
    if not (
        form_token
        and hmac.compare_digest(form_token.encode(), cookie_token.encode())
        and is_valid(cookie_token, session_id)
    ):
        raise CsrfRejected()


def _signature(nonce: str, session_id: str) -> str:
    message = f"csrf|{session_id}|{nonce}".encode()
    key = get_settings().jwt_secret.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
