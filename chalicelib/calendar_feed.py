"""A person's subscribable calendar: a secret URL that calendar apps poll.

Calendar apps cannot send an Authorization header, so the URL is the credential:
``/calendar/<user_id>-<secret>.ics``. Only an HMAC-SHA256 of the secret is stored, on the user
item (a fast keyed hash is right for 256 random bits: there is nothing to guess, and a leaked
table alone does not give a working URL). Looking a feed up is one GetItem; creating a feed
again overwrites the hash, so the old URL stops working at once, and deleting it removes it.

The feed lists the person's confirmed bookings of events that have not ended more than
``CALENDAR_FEED_PAST_DAYS`` ago, and their bookings cancelled within those days (as
``STATUS:CANCELLED``, with the same UID and SEQUENCE as the single files), so a subscribed
calendar drops a cancelled session instead of keeping it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from chalice import Response

from chalicelib import auth, calendar_files, clock, dynamodb, errors, ids, models, operations
from chalicelib.config import get_settings

# Calendar apps poll; five minutes of caching spares the table without showing a change late.
CACHE_CONTROL = "private, max-age=300"
SUFFIX = ".ics"
_TOKEN = re.compile(r"^(?P<user_id>[0-9A-Za-z]{26})-(?P<secret>[A-Za-z0-9_-]{43})\.ics$")
_KEY_LABEL = b"ahoum-bookings calendar feed"
_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


class FeedNotFound(errors.NotFound):
    code = "not_found"
    # The same words as for a malformed address, which the route refuses before any read.
    default_message = operations.PATH_PARAMETERS["feed_token"].message


def create(principal: auth.Principal, request: Any) -> dict[str, str]:
    """A new feed URL for the caller; an older one stops working at once."""
    secret = secrets.token_urlsafe(32)
    dynamodb.update_blind(
        models.User(principal.user_id),
        [models.User.calendar_feed_hash.set(_digest(secret))],
        condition=models.User.user_id.exists(),
    )
    return {"url": feed_url(request, f"{principal.user_id}-{secret}{SUFFIX}")}


def delete(principal: auth.Principal) -> dict[str, str]:
    """Turn the caller's feed off (also when there was none)."""
    dynamodb.update_blind(
        models.User(principal.user_id),
        [models.User.calendar_feed_hash.remove()],
        condition=models.User.user_id.exists(),
    )
    return {"msg": "Calendar feed stopped"}


def feed(feed_token: str) -> Response:
    """The calendar behind a feed URL's last segment; anything unknown is 404."""
    user = _owner(feed_token)
    settings = get_settings()
    since = clock.now() - timedelta(days=settings.calendar_feed_past_days)
    shown = [booking for booking in _bookings_of(user.user_id) if _shown(booking, since)]
    found = _events([booking.event_id for booking in shown])
    entries = [
        calendar_files.Entry(
            booking, found.get(booking.event_id) or calendar_files.event_from_copy(booking)
        )
        for booking in shown
    ]
    entries.sort(key=lambda entry: entry.event.starts_at)
    text = calendar_files.calendar_text(entries, method="PUBLISH", name="Ahoum bookings")
    return Response(
        body=text,
        status_code=200,
        headers={"Content-Type": calendar_files.CONTENT_TYPE, "Cache-Control": CACHE_CONTROL},
    )


# Where `make run` serves the API when no PUBLIC_BASE_URL says otherwise.
LOCAL_BASE_URL = "http://127.0.0.1:8000"


def feed_url(request: Any, segment: str) -> str:
    """The absolute URL of a feed. Its host and scheme come from the stage's configuration
    (``PUBLIC_BASE_URL``) or, on AWS without one, from API Gateway's own record of the domain
    the request came to: never from the ``Host`` or ``X-Forwarded-Proto`` a client sends,
    which would let anyone have a link to their own site (or a ``javascript:`` one) made."""
    return f"{public_base(request)}/calendar/{segment}"


def public_base(request: Any) -> str:
    settings = get_settings()
    if settings.public_base_url:
        return settings.public_base_url
    if settings.is_local:
        return LOCAL_BASE_URL
    domain = (request.context or {}).get("domainName") or ""
    if not _HOST_NAME.fullmatch(domain):
        # API Gateway always names it; anything else is a stage to configure.
        raise RuntimeError("No domain to build a public URL with: set PUBLIC_BASE_URL")
    # Imported here: this module loads with app.py in every Lambda, the dashboard only in the API.
    from chalicelib.web.rendering import base_path

    return f"https://{domain.lower()}{base_path(request)}"


def webcal_url(url: str) -> str:
    """The same feed for a ``webcal://`` link, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[1]


def _owner(feed_token: str) -> models.User:
    match = _TOKEN.match(feed_token)
    user_id = ids.normalize(match["user_id"]) if match else None
    if match is None or user_id is None:
        raise FeedNotFound()
    try:
        user = models.User.get(user_id, consistent_read=True)
    except models.User.DoesNotExist:
        raise FeedNotFound() from None
    stored = user.calendar_feed_hash
    if stored is None or not hmac.compare_digest(stored, _digest(match["secret"])):
        raise FeedNotFound()
    return user


def _bookings_of(user_id: str) -> list[models.Booking]:
    return list(models.Booking.newest_first.query(user_id, consistent_read=True))


def _shown(booking: models.Booking, since: Any) -> bool:
    if booking.status == models.CONFIRMED:
        return booking.event.ends_at >= clock.to_iso(since)
    if booking.status == models.CANCELLED:
        return booking.updated_at >= clock.to_iso_ms(since)
    return False


def _events(event_ids: list[str]) -> dict[str, models.Event]:
    found: dict[str, models.Event] = {}
    unique = sorted(set(event_ids))
    # BatchGetItem takes at most 100 keys.
    for start in range(0, len(unique), 100):
        keys: list[dynamodb.ItemKey] = [
            (models.Event, event_id) for event_id in unique[start : start + 100]
        ]
        for key, item in dynamodb.batch_get(keys).items():
            found[key[1]] = item
    return found


def _digest(secret: str) -> str:
    return hmac.new(_key(), secret.encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    # Derived from the JWT secret rather than a secret of its own: one fewer parameter to
    # provision and rotate. Rotating JWT_SECRET also invalidates every feed URL.
    return hmac.new(get_settings().jwt_secret.encode(), _KEY_LABEL, hashlib.sha256).digest()
