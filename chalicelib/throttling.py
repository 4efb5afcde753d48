"""Login throttling, counted in DynamoDB so that every Lambda instance sees the same failures.

Each login attempt has two counters, read in the same BatchGetItem as the credentials:

- the client (one email from one IP): 5 failures within 15 minutes → 429;
- the account (one email from any IP): 20 failures → 429 for every client. This caps guessing
  spread over many addresses without letting a stranger lock a user out with 5 tries.

A window starts at a counter's first failure. Past its ``expires_at`` a counter is treated as
absent (TTL deletes it up to two days late). A successful login clears both counters.

Failures are only counted after they happen, so a burst of parallel guesses that all read the
counters before any is written is limited only by that burst's size; the next attempt after
it is throttled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from chalicelib import clock, dynamodb, errors, models

WINDOW = timedelta(minutes=15)
MAX_CLIENT_FAILURES = 5
MAX_ACCOUNT_FAILURES = 20
# A failure write can lose a race at most twice: the window expires after the read (start a
# new one), then another request starts it first (add to theirs).
_WRITE_ATTEMPTS = 3


class LoginThrottled(errors.TooManyRequests):
    code = "login_throttled"
    default_message = "Too many failed logins for this account; try again after Retry-After."


class LoginThrottle:
    """The failure counters that govern one login attempt."""

    def __init__(self, email: str, source_ip: str) -> None:
        self._limits: dict[dynamodb.ItemKey, int] = {
            (models.LoginAttempts, f"client:{email}|{source_ip}"): MAX_CLIENT_FAILURES,
            (models.LoginAttempts, f"account:{email}"): MAX_ACCOUNT_FAILURES,
        }
        self._live: dict[str, models.LoginAttempts] = {}

    @property
    def keys(self) -> list[dynamodb.ItemKey]:
        """The counters to read in the caller's BatchGetItem."""
        return list(self._limits)

    def check(self, found: Mapping[dynamodb.ItemKey, Model]) -> None:
        """Take the counters from the caller's read; raise LoginThrottled if one is at its limit."""
        now = clock.now()
        self._live = {
            key[1]: found[key]
            for key in self._limits
            if key in found and found[key].expires_at > now
        }
        for key, limit in self._limits.items():
            counter = self._live.get(key[1])
            if counter is not None and counter.failures >= limit:
                wait = math.ceil((counter.expires_at - now).total_seconds())
                raise LoginThrottled(retry_after=max(wait, 1))

    def record_failure(self) -> None:
        now = clock.now()
        for _, key in self._limits:
            _count_failure(key, live=key in self._live, now=now)

    def record_success(self) -> None:
        """Clear the counters; costs a write only when there were failures to forget."""
        if not self._live:
            return
        with models.LoginAttempts.batch_write() as batch:
            for key in self._live:
                batch.delete(models.LoginAttempts(key))


def _count_failure(key: str, *, live: bool, now: datetime) -> None:
    # Atomic on the server: concurrent failures all count (a read-modify-write would let a
    # burst of parallel guesses overwrite each other's counts), and only an expired window
    # is ever restarted.
    attempts = models.LoginAttempts
    counter = attempts(key)
    for attempt in range(1, _WRITE_ATTEMPTS + 1):
        try:
            if live:
                counter.update(
                    actions=[attempts.failures.add(1)],
                    condition=attempts.expires_at > now,
                )
            else:
                counter.update(
                    actions=[
                        attempts.failures.set(1),
                        attempts.window_started_at.set(clock.to_iso_ms(now)),
                        attempts.expires_at.set(now + WINDOW),
                    ],
                    condition=attempts.key.does_not_exist() | (attempts.expires_at <= now),
                )
            return
        except UpdateError as error:
            lost_race = error.cause_response_code == "ConditionalCheckFailedException"
            if not lost_race or attempt == _WRITE_ATTEMPTS:
                raise
            live = not live
