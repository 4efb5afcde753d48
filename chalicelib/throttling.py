"""Throttles for logging in and registering, counted in DynamoDB (``login_attempts``) so that
every Lambda instance sees the same counts, and counted *before* the bcrypt work they guard.

Each counter counts attempts in fixed windows, and its key names the window
(``<kind>:<subject>@<window number>``). So one conditional write both opens a window and adds
to it, and refuses once the window holds its limit: no read comes first, nothing can be
raced, and a burst of N parallel attempts gets at most the limit's worth of password checks
whatever N is. A refusal is a 429 whose ``Retry-After`` is the time left in the window.
Past its ``expires_at`` a counter is dead (TTL deletes it up to two days late); its window's
number is never used again anyway.

The counters (limits in ``config.Throttle``):

- **one email from one address** (5 per 15 minutes): every login attempt counts; a success
  clears it. This is what stops guessing.
- **one email from any address** (20 per 15 minutes): stops guessing spread over many
  addresses. It refuses only addresses that have never logged in to the account (none in
  the last 30 days): a stranger must not be able to lock the owner out, so an address the
  owner has used keeps just its own limit above.
- **one address, whatever the email**, for logins (100 per 10 minutes) and for
  registrations (20 per 10 minutes): each costs a bcrypt run, so one client cannot make the
  API spend its CPU on hashing. A load test from one address raises these.
"""

from __future__ import annotations

import ipaddress
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import clock, dynamodb, errors, models
from chalicelib.config import get_settings
from chalicelib.transactions import condition_failed

# On AWS parallel transactions on one counter cancel each other (TransactionConflict); a
# short jittered retry turns most into a real answer, the rest into "try again in a second".
_CONFLICT_ATTEMPTS = 3
_CONFLICT_BACKOFF_SECONDS = 0.02


class LoginThrottled(errors.TooManyRequests):
    code = "login_throttled"
    default_message = "Too many login attempts for this account; try again after Retry-After."


class RateLimited(errors.TooManyRequests):
    code = "rate_limited"
    default_message = "Too many requests from your address; try again after Retry-After."


@dataclass(frozen=True)
class Counter:
    """One window of one counter, as of ``now``."""

    key: str
    limit: int
    window_start: datetime
    window_end: datetime
    refusal: type[errors.TooManyRequests]

    @classmethod
    def at(
        cls,
        kind: str,
        subject: str,
        limit: int,
        window_seconds: int,
        now: datetime,
        refusal: type[errors.TooManyRequests],
    ) -> Counter:
        number = math.floor(now.timestamp() / window_seconds)
        start = datetime.fromtimestamp(number * window_seconds, UTC)
        return cls(
            key=f"{kind}:{subject}@{number}",
            limit=limit,
            window_start=start,
            window_end=start + timedelta(seconds=window_seconds),
            refusal=refusal,
        )

    def refused(self, now: datetime) -> errors.TooManyRequests:
        wait = math.ceil((self.window_end - now).total_seconds())
        return self.refusal(retry_after=max(wait, 1))

    def count(self, transaction: TransactWrite | None = None, *, enforced: bool = True) -> None:
        """Add this attempt; refused (on the server) once the window holds ``limit``."""
        attempts = models.LoginAttempts
        actions = [
            attempts.attempts.add(1),
            attempts.window_started_at.set(clock.to_iso_ms(self.window_start)),
            attempts.expires_at.set(self.window_end),
        ]
        condition = (
            attempts.attempts.does_not_exist() | (attempts.attempts < self.limit)
            if enforced
            else None
        )
        if transaction is not None:
            transaction.update(attempts(self.key), actions=actions, condition=condition)
        else:
            attempts(self.key).update(actions=actions, condition=condition)


def client_address(source_ip: str) -> str:
    """Who an address's counters count: an IPv4 address, or an IPv6 address's /64.

    One IPv6 subscriber is routinely given a whole /64 (2^64 addresses), so counting each
    address apart would let one client take a fresh counter for every attempt."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def count_registration(source_ip: str) -> None:
    """Count a registration from ``source_ip`` (one UpdateItem); RateLimited when over."""
    limits = get_settings().throttle
    now = clock.now()
    counter = Counter.at(
        "register-ip",
        client_address(source_ip),
        limits.ip_registrations,
        limits.ip_window_seconds,
        now,
        RateLimited,
    )
    try:
        counter.count()
    except UpdateError as error:
        if condition_failed(error):
            raise counter.refused(now) from None
        raise


class LoginThrottle:
    """The counters of one login attempt.

    ``count_attempt`` (one TransactWriteItems) counts it against the email+address and the
    address counters, which refuse on the server, and adds it to the account's; the caller
    then reads ``keys`` with the credentials, and ``check`` refuses an unknown address once
    the account's window is over its limit. Both happen before the password is checked.
    """

    def __init__(self, email: str, source_ip: str) -> None:
        limits = get_settings().throttle
        source_ip = client_address(source_ip)
        self._now = now = clock.now()
        email_window, ip_window = limits.login_window_seconds, limits.ip_window_seconds
        self._client = Counter.at(
            "login",
            f"{email}|{source_ip}",
            limits.logins_per_email_and_ip,
            email_window,
            now,
            LoginThrottled,
        )
        self._address = Counter.at(
            "login-ip", source_ip, limits.ip_logins, ip_window, now, RateLimited
        )
        self._account = Counter.at(
            "account", email, limits.logins_per_email, email_window, now, LoginThrottled
        )
        self._known_key = f"known:{email}|{source_ip}"
        self._known_for = timedelta(days=limits.known_address_days)

    @property
    def keys(self) -> list[dynamodb.ItemKey]:
        """What ``check`` needs, to read in the caller's BatchGetItem."""
        return [
            (models.LoginAttempts, self._account.key),
            (models.LoginAttempts, self._known_key),
        ]

    def count_attempt(self) -> None:
        enforced = (self._client, self._address)
        for attempt in range(1, _CONFLICT_ATTEMPTS + 1):
            try:
                with TransactWrite(connection=dynamodb.connection()) as transaction:
                    for counter in enforced:
                        counter.count(transaction)
                    self._account.count(transaction, enforced=False)
                return
            except TransactWriteError as error:
                reasons = error.cancellation_reasons or []
                for counter, reason in zip(enforced, reasons, strict=False):
                    if reason is not None and reason.code == "ConditionalCheckFailed":
                        raise counter.refused(self._now) from None
                conflict = any(r is not None and r.code == "TransactionConflict" for r in reasons)
                if not conflict:
                    raise
                if attempt == _CONFLICT_ATTEMPTS:
                    raise LoginThrottled(retry_after=1) from None
                time.sleep(random.uniform(0, _CONFLICT_BACKOFF_SECONDS * 2**attempt))

    def check(self, found: Mapping[dynamodb.ItemKey, Model]) -> None:
        """Refuse an address that never logged in here once the account is over its limit."""
        account = self._live(found, self._account.key)
        if account is None or account.attempts <= self._account.limit:
            return
        if self._live(found, self._known_key) is None:
            raise self._account.refused(self._now)

    def record_success(self) -> None:
        """One BatchWriteItem: clear this address's count, and remember it as the owner's."""
        with models.LoginAttempts.batch_write() as batch:
            batch.delete(models.LoginAttempts(self._client.key))
            batch.save(
                models.LoginAttempts(
                    self._known_key,
                    attempts=0,
                    window_started_at=clock.to_iso_ms(self._now),
                    expires_at=self._now + self._known_for,
                )
            )

    def _live(self, found: Mapping[dynamodb.ItemKey, Model], key: str) -> Model | None:
        item = found.get((models.LoginAttempts, key))
        return item if item is not None and item.expires_at > self._now else None
