"""Every setting, declared once: its variable, default, bounds or allowed values, and meaning.

``chalicelib.config`` reads and checks the rows that have a ``field`` (the attribute of
``Settings``, or ``throttle.<name>`` of its ``Throttle``); ``docs/configuration.md`` is made
from all of them (``chalicelib.configuration_page``; ``make docs``), and a test regenerates it
and compares. A new setting is one row here, plus its field on
``Settings`` when code reads it from there.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.setting_rows import Choice, ConfigError, Group, Number, Row
from chalicelib.settings_attendance import ATTENDANCE, REPORTS
from chalicelib.settings_environment import LOCAL_RUNNER, STAGE_AND_SECRETS
from chalicelib.settings_payments import PAYMENTS

__all__ = ["GROUPS", "ROWS", "ConfigError", "number", "read_rows"]


GROUPS: tuple[Group, ...] = (
    STAGE_AND_SECRETS,
    Group(
        "Accounts, tokens and requests",
        (
            Number(
                "BCRYPT_ROUNDS",
                12,
                4,
                31,
                "password hashing cost (tests use 4)",
                field="bcrypt_rounds",
            ),
            Number(
                "TOKEN_LIFETIME_MINUTES",
                60,
                5,
                24 * 60,
                "how long an access token and the dashboard's session cookie are valid",
                field="token_lifetime_seconds",
                scale=60,
            ),
            # API Gateway allows 10 MB and Lambda 6 MB; no route here needs more than a few KB.
            Number(
                "MAX_BODY_KB",
                64,
                1,
                1024,
                "the largest request body the API reads; larger → 413 `payload_too_large`",
                field="max_body_bytes",
                scale=1024,
            ),
        ),
    ),
    Group(
        "DynamoDB",
        (
            # Five calls wait at most 50+100+200+400 ms, far inside a request's budget, and
            # DynamoDB leaves keys unprocessed only while it throttles.
            Number(
                "DYNAMODB_BATCH_GET_ATTEMPTS",
                5,
                1,
                20,
                "BatchGetItem calls per read while DynamoDB leaves keys unprocessed (it is "
                "throttling); then 503",
                field="batch_get_attempts",
            ),
            Number(
                "DYNAMODB_BATCH_GET_BASE_DELAY_MS",
                50,
                0,
                1000,
                "first pause before asking again for unprocessed keys; doubles each time, "
                "with full jitter",
                field="batch_get_base_delay_ms",
            ),
        ),
    ),
    Group(
        "Throttles (attempts allowed per fixed window; chalicelib/throttling.py)",
        (
            Number(
                "THROTTLE_LOGIN_WINDOW_SECONDS",
                15 * 60,
                1,
                86_400,
                "the fixed window of the two per-email login counts below",
                field="throttle.login_window_seconds",
            ),
            Number(
                "THROTTLE_LOGINS_PER_EMAIL_AND_IP",
                5,
                1,
                10**6,
                "login attempts for one email from one address per window; a success clears "
                "the count",
                field="throttle.logins_per_email_and_ip",
            ),
            Number(
                "THROTTLE_LOGINS_PER_EMAIL",
                20,
                1,
                10**6,
                "login attempts for one email from any address per window; past it, only "
                "addresses that logged in to the account before may still try",
                field="throttle.logins_per_email",
            ),
            Number(
                "THROTTLE_KNOWN_ADDRESS_DAYS",
                30,
                1,
                365,
                'how long an address that logged in to an account stays "known" to it (exempt '
                "from the limit above)",
                field="throttle.known_address_days",
            ),
            Number(
                "THROTTLE_IP_WINDOW_SECONDS",
                10 * 60,
                1,
                86_400,
                "the fixed window of the two per-address counts below",
                field="throttle.ip_window_seconds",
            ),
            Number(
                "THROTTLE_IP_LOGINS",
                100,
                1,
                10**9,
                "login attempts from one address per window, whatever the email (raise it for "
                "a load test from one machine)",
                field="throttle.ip_logins",
            ),
            Number(
                "THROTTLE_IP_REGISTRATIONS",
                20,
                1,
                10**9,
                "registrations from one address per window (raise it for a load test from one "
                "machine)",
                field="throttle.ip_registrations",
            ),
        ),
    ),
    Group(
        "Waiting lists",
        (
            # The list lives on the event item, whose size DynamoDB caps at 400 KB and bills per
            # KB written: 5,000 user ids are ~150 KB.
            Number(
                "WAITLIST_MAX",
                1000,
                0,
                5000,
                "the longest waiting list any event may have (the list lives on the event item, "
                "which DynamoDB caps at 400 KB); an admin's `waitlist_capacity` above it is 400",
                field="waitlist_max",
            ),
            # A course is booked in one TransactWrite: a booking and its date's seat per
            # occurrence, two items each, and DynamoDB takes 100 items in one transaction.
            Number(
                "COURSE_MAX_OCCURRENCES",
                50,
                1,
                50,
                "the most dates a course may have: booking one is a single transaction of two "
                "items per date (DynamoDB's limit is 100 items); a longer course is 409 "
                "`course_too_long`",
                field="course_max_occurrences",
            ),
            # Each date of a drop-in series is two round trips of its own; a few at once keep a
            # 12-date series near three bookings' time without crowding botocore's connection
            # pool (10 connections).
            Number(
                "SERIES_BOOKING_CONCURRENCY",
                4,
                1,
                10,
                "dates of a drop-in series booked side by side when someone books them all "
                "(1 = one after the other)",
                field="series_booking_concurrency",
            ),
            # Far enough for any retreat's planning, and far from the year 9999, past which
            # a page showing the event on its own zone's clock could not convert it.
            Number(
                "EVENT_HORIZON_DAYS",
                1827,
                1,
                3653,
                "how far ahead (days) an event may start or end; a later date is 400",
                field="event_horizon_days",
            ),
            Number(
                "SERIES_MAX_OCCURRENCES",
                52,
                1,
                100,
                "most occurrences a series with COUNT or UNTIL may have (more is 400); at most "
                "100 so creating one stays a few batch writes inside the API's 15 s",
                field="series_max_occurrences",
            ),
            Number(
                "SERIES_HORIZON_DAYS",
                90,
                1,
                366,
                "how far ahead (days) an open-ended series has its occurrences made; the daily "
                "`extend_series` job tops it up",
                field="series_horizon_days",
            ),
        ),
    ),
    Group(
        "Webhooks, reminders and calendar feeds",
        (
            Number(
                "REMINDER_HOURS_BEFORE",
                24,
                1,
                24 * 14,
                "a `booking.reminder` goes out once the event starts within this many hours",
                field="reminder_hours_before",
            ),
            Number(
                "CALENDAR_FEED_PAST_DAYS",
                30,
                1,
                366,
                "how far back a calendar feed lists past sessions and cancellations (so a "
                "subscribed calendar removes them)",
                field="calendar_feed_past_days",
            ),
            # Each record waits mostly on DynamoDB and the CRM, so overlapping them shortens a
            # batch (and a cold start's first one); a batch holds at most 25 records.
            Number(
                "STREAM_SEND_CONCURRENCY",
                8,
                1,
                25,
                "booking items whose stream records one batch handles side by side (a "
                "booking's own records always go in order; 1 = one after the other)",
                field="stream_send_concurrency",
            ),
            # The budgets stay well inside their Lambda's timeout (.chalice/config.json: stream
            # 120 s, retrier 50 s, reminders 120 s) even at their highest (a POST takes ~5 s at
            # most); tests/deploy/test_package.py holds that.
            Number(
                "STREAM_SEND_BUDGET_SECONDS",
                30,
                0,
                100,
                "after this long a stream batch stops POSTing and leaves the rest `pending`, due "
                "at once, for the retrier (the stream Lambda's timeout is 120 s)",
                field="stream_send_budget_seconds",
            ),
            Number(
                "RETRIER_BUDGET_SECONDS",
                40,
                1,
                40,
                "a retrier run takes no new delivery after this long (it runs every minute, "
                "with a 50 s timeout)",
                field="retrier_budget_seconds",
            ),
            Number(
                "REMINDER_SEND_BUDGET_SECONDS",
                30,
                0,
                100,
                "after this long a reminder run queues the rest for the retrier instead of POSTing",
                field="reminder_send_budget_seconds",
            ),
            Number(
                "REMINDER_RUN_BUDGET_SECONDS",
                90,
                1,
                100,
                "a reminder run stops after this long; the next run (15 minutes later) goes on "
                "(timeout 120 s)",
                field="reminder_run_budget_seconds",
            ),
            Number(
                "WEBHOOK_RETRY_DAYS",
                3,
                1,
                30,
                "how long a delivery is retried (backing off from 1 minute to 2 hours) before "
                "it is `failed` and the alarm fires; a replay starts a new window",
                field="webhook_retry_days",
            ),
            # Finished rows are history, not work: kept long enough to look into a CRM's
            # complaint, then removed by DynamoDB's TTL so the table does not grow for ever.
            Number(
                "DELIVERY_RETENTION_DAYS",
                30,
                1,
                365,
                "how long a `delivered` or `skipped` delivery is kept (then it expires)",
                field="delivery_retention_days",
            ),
            # A failed row waits for an admin's replay: kept three times as long.
            Number(
                "FAILED_DELIVERY_RETENTION_DAYS",
                90,
                1,
                365,
                "how long a `failed` delivery is kept for a replay (a replay makes it due again)",
                field="failed_delivery_retention_days",
            ),
            # A facilitator's CRM learns the new secret while the old one still verifies.
            Number(
                "WEBHOOK_ROTATION_OVERLAP_HOURS",
                24,
                0,
                168,
                "after a facilitator's signing secret is rotated, deliveries carry both "
                "signatures (old and new) for this long, then only the new one",
                field="webhook_rotation_overlap_hours",
            ),
        ),
    ),
    Group(
        "Cancelled and moved events (chalicelib/event_changes.py)",
        (
            Number(
                "EVENT_CHANGE_BUDGET_SECONDS",
                8,
                0,
                12,
                "an admin's cancel or move of an event updates its bookings for this long, the "
                "job `finish_event_changes` the rest (the API's timeout is 15 s)",
                field="event_change_budget_seconds",
            ),
            Number(
                "EVENT_CHANGE_RUN_BUDGET_SECONDS",
                40,
                1,
                40,
                "a `finish_event_changes` run (every minute, timeout 50 s) stops after this long",
                field="event_change_run_budget_seconds",
            ),
            Number(
                "EVENT_CHANGE_SETTLE_SECONDS",
                10,
                1,
                300,
                "a cancel or move is finished only once this much older: the bookings index "
                "it reads may lag a booking written just before the change",
                field="event_change_settle_seconds",
            ),
        ),
    ),
    PAYMENTS,
    ATTENDANCE,
    REPORTS,
    LOCAL_RUNNER,
)

ROWS: dict[str, Row] = {row.name: row for group in GROUPS for row in group.rows}


def number(name: str) -> Number:
    """The row of a whole-number setting (its default and bounds), by variable name."""
    row = ROWS[name]
    assert isinstance(row, Number), name
    return row


def read_rows(environ: Mapping[str, str]) -> dict[str, int | str]:
    """Every row that fills a field, read and checked: field name → value."""
    return {
        row.field: row.read(environ)
        for group in GROUPS
        for row in group.rows
        if isinstance(row, Number | Choice) and row.field is not None
    }
