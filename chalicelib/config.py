"""Settings from the environment, read once.

Nothing else in the project touches ``os.environ``: every module asks ``get_settings()``.

Secrets (``JWT_SECRET``, ``CRM_WEBHOOK_SECRET``) are given either as plain values (local runs,
tests) or, on AWS, as the names of SSM Parameter Store SecureStrings in ``JWT_SECRET_PARAM`` /
``CRM_WEBHOOK_SECRET_PARAM``: those are read in one call while the settings load, which is the
Lambda's cold start, and kept for the container's life. A named parameter that cannot be read
stops the function there, before it serves anything.

Each Lambda reads only the secrets ``SECRET_READERS`` gives it: ``LAMBDA_FUNCTION`` (set per
function by the deploy tooling) names the Lambda, and a secret it does not read is None in its
settings, never looked up. A process with no ``LAMBDA_FUNCTION`` plays every Lambda (the
local runner, the tests) and reads them all.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
from botocore.config import Config

LOCAL_STAGES = frozenset({"local", "test"})
DEFAULT_BCRYPT_ROUNDS = 12
# BatchGetItem calls per read before giving up with a 503, and the first pause between them
# (doubling, full jitter): five calls wait at most 50+100+200+400 ms, far inside a request's
# budget, and DynamoDB leaves keys unprocessed only while it throttles.
DEFAULT_BATCH_GET_ATTEMPTS = 5
DEFAULT_BATCH_GET_BASE_DELAY_MS = 50
# A booking.reminder goes out once the event starts within this many hours.
DEFAULT_REMINDER_HOURS_BEFORE = 24
# How far back a calendar feed lists bookings (past sessions, and recent cancellations so a
# subscribed calendar removes them).
DEFAULT_CALENDAR_FEED_PAST_DAYS = 30
# Booking items whose records a stream batch handles side by side: each waits mostly on
# DynamoDB and the CRM, so overlapping them shortens a batch (and a cold start's first one).
# A batch holds at most 25 records; 1 handles them one after the other.
DEFAULT_STREAM_SEND_CONCURRENCY = 8
# The largest request body the API reads (API Gateway allows 10 MB, Lambda 6 MB; no route here
# needs more than a few KB).
DEFAULT_MAX_BODY_KB = 64
# How long an access token (and the dashboard's session cookie holding it) is valid.
DEFAULT_TOKEN_LIFETIME_MINUTES = 60
# How long a webhook delivery is retried before it is marked failed (and an alarm fires).
DEFAULT_WEBHOOK_RETRY_DAYS = 3
# Time budgets of the webhook Lambdas' runs, each well inside its Lambda's timeout
# (.chalice/config.json: stream 120 s, retrier 50 s, reminders 120 s); the highest value each
# setting accepts still leaves that margin (a POST takes at most ~5 s). Past a send budget a run
# queues the rest for the retrier; past the retrier's or the reminder run's, it stops and the
# next run goes on.
DEFAULT_STREAM_SEND_BUDGET_SECONDS = 30
HIGHEST_STREAM_SEND_BUDGET_SECONDS = 100
DEFAULT_RETRIER_BUDGET_SECONDS = 40
HIGHEST_RETRIER_BUDGET_SECONDS = 40
DEFAULT_REMINDER_SEND_BUDGET_SECONDS = 30
DEFAULT_REMINDER_RUN_BUDGET_SECONDS = 90
HIGHEST_REMINDER_RUN_BUDGET_SECONDS = 100
# Each secret and the Lambdas that read it. The webhook Lambdas talk to the outside world and
# must not hold the key that signs users' tokens; the API signs no webhook (a replay only
# marks the delivery due for the retrier). One line here gives a Lambda one more secret: the
# deploy tooling names its parameter in that Lambda's environment and grants it in that
# Lambda's policy (and nowhere else).
SECRET_READERS: dict[str, frozenset[str]] = {
    "JWT_SECRET": frozenset({"api_handler"}),
    "CRM_WEBHOOK_SECRET": frozenset({"on_booking_change", "retry_webhooks", "send_reminders"}),
}
# Throttles (chalicelib/throttling.py): attempts allowed per fixed window.
DEFAULT_THROTTLE_LOGIN_WINDOW_SECONDS = 15 * 60
DEFAULT_THROTTLE_LOGINS_PER_EMAIL_AND_IP = 5
DEFAULT_THROTTLE_LOGINS_PER_EMAIL = 20
DEFAULT_THROTTLE_KNOWN_ADDRESS_DAYS = 30
DEFAULT_THROTTLE_IP_WINDOW_SECONDS = 10 * 60
DEFAULT_THROTTLE_IP_LOGINS = 100
DEFAULT_THROTTLE_IP_REGISTRATIONS = 20
# The longest waiting list an event may have. The list lives on the event item, whose size
# DynamoDB caps at 400 KB and bills per KB written: 5,000 user ids are ~150 KB.
DEFAULT_WAITLIST_MAX = 1000
HIGHEST_WAITLIST_MAX = 5000
PARAMETER_SUFFIX = "_PARAM"
LAMBDA_FUNCTION = "LAMBDA_FUNCTION"


class ConfigError(RuntimeError):
    """The environment cannot run this stage; the message says what to set."""


@dataclass(frozen=True)
class Throttle:
    """The limits of chalicelib.throttling (docs/configuration.md)."""

    login_window_seconds: int
    logins_per_email_and_ip: int
    logins_per_email: int
    known_address_days: int
    ip_window_seconds: int
    ip_logins: int
    ip_registrations: int


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    dynamodb_endpoint: str | None
    jwt_secret: str | None  # None in a Lambda that does not read it (SECRET_READERS)
    crm_webhook_url: str | None
    crm_webhook_secret: str | None
    bcrypt_rounds: int
    data_dir: Path
    batch_get_attempts: int
    batch_get_base_delay_ms: int
    waitlist_max: int
    bookings_stream_arn: str
    reminder_hours_before: int
    calendar_feed_past_days: int
    stream_send_concurrency: int
    max_body_bytes: int
    token_lifetime_seconds: int
    webhook_retry_days: int
    stream_send_budget_seconds: int
    retrier_budget_seconds: int
    reminder_send_budget_seconds: int
    reminder_run_budget_seconds: int
    throttle: Throttle

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES

    @property
    def table_prefix(self) -> str:
        return f"ahoum-{self.stage}-"


def load_settings(environ: Mapping[str, str], ssm_client: Any = None) -> Settings:
    """Build settings from an environment mapping; raise ConfigError on anything unusable.

    ``ssm_client`` reads the secret parameters (a botocore SSM client is made when needed).
    """
    stage = environ.get("STAGE", "local").strip() or "local"
    data_dir = Path(environ.get("DATA_DIR", ".data"))
    bcrypt_rounds = _whole_number(environ, "BCRYPT_ROUNDS", DEFAULT_BCRYPT_ROUNDS, 4, 31)
    region = environ.get("AWS_DEFAULT_REGION") or environ.get("AWS_REGION") or "us-east-1"
    wanted = secrets_read_by(environ.get(LAMBDA_FUNCTION) or None)
    secrets_found = _secrets(environ, wanted, region, ssm_client)
    return Settings(
        stage=stage,
        region=region,
        dynamodb_endpoint=environ.get("DYNAMODB_ENDPOINT") or None,
        jwt_secret=(
            _jwt_secret(secrets_found.get("JWT_SECRET", ""), stage, data_dir)
            if "JWT_SECRET" in wanted
            else None
        ),
        crm_webhook_url=environ.get("CRM_WEBHOOK_URL") or None,
        crm_webhook_secret=secrets_found.get("CRM_WEBHOOK_SECRET") or None,
        bcrypt_rounds=bcrypt_rounds,
        data_dir=data_dir,
        batch_get_attempts=_whole_number(
            environ, "DYNAMODB_BATCH_GET_ATTEMPTS", DEFAULT_BATCH_GET_ATTEMPTS, 1, 20
        ),
        batch_get_base_delay_ms=_whole_number(
            environ, "DYNAMODB_BATCH_GET_BASE_DELAY_MS", DEFAULT_BATCH_GET_BASE_DELAY_MS, 0, 1000
        ),
        waitlist_max=_whole_number(
            environ, "WAITLIST_MAX", DEFAULT_WAITLIST_MAX, 0, HIGHEST_WAITLIST_MAX
        ),
        bookings_stream_arn=_bookings_stream_arn(environ, stage),
        reminder_hours_before=_whole_number(
            environ, "REMINDER_HOURS_BEFORE", DEFAULT_REMINDER_HOURS_BEFORE, 1, 24 * 14
        ),
        calendar_feed_past_days=_whole_number(
            environ, "CALENDAR_FEED_PAST_DAYS", DEFAULT_CALENDAR_FEED_PAST_DAYS, 1, 366
        ),
        stream_send_concurrency=_whole_number(
            environ, "STREAM_SEND_CONCURRENCY", DEFAULT_STREAM_SEND_CONCURRENCY, 1, 25
        ),
        max_body_bytes=1024 * _whole_number(environ, "MAX_BODY_KB", DEFAULT_MAX_BODY_KB, 1, 1024),
        token_lifetime_seconds=60
        * _whole_number(
            environ, "TOKEN_LIFETIME_MINUTES", DEFAULT_TOKEN_LIFETIME_MINUTES, 5, 24 * 60
        ),
        webhook_retry_days=_whole_number(
            environ, "WEBHOOK_RETRY_DAYS", DEFAULT_WEBHOOK_RETRY_DAYS, 1, 30
        ),
        stream_send_budget_seconds=_whole_number(
            environ,
            "STREAM_SEND_BUDGET_SECONDS",
            DEFAULT_STREAM_SEND_BUDGET_SECONDS,
            0,
            HIGHEST_STREAM_SEND_BUDGET_SECONDS,
        ),
        retrier_budget_seconds=_whole_number(
            environ,
            "RETRIER_BUDGET_SECONDS",
            DEFAULT_RETRIER_BUDGET_SECONDS,
            1,
            HIGHEST_RETRIER_BUDGET_SECONDS,
        ),
        reminder_send_budget_seconds=_whole_number(
            environ,
            "REMINDER_SEND_BUDGET_SECONDS",
            DEFAULT_REMINDER_SEND_BUDGET_SECONDS,
            0,
            HIGHEST_REMINDER_RUN_BUDGET_SECONDS,
        ),
        reminder_run_budget_seconds=_whole_number(
            environ,
            "REMINDER_RUN_BUDGET_SECONDS",
            DEFAULT_REMINDER_RUN_BUDGET_SECONDS,
            1,
            HIGHEST_REMINDER_RUN_BUDGET_SECONDS,
        ),
        throttle=_throttle(environ),
    )


def _throttle(environ: Mapping[str, str]) -> Throttle:
    def setting(name: str, default: int, highest: int) -> int:
        return _whole_number(environ, name, default, 1, highest)

    return Throttle(
        login_window_seconds=setting(
            "THROTTLE_LOGIN_WINDOW_SECONDS", DEFAULT_THROTTLE_LOGIN_WINDOW_SECONDS, 86_400
        ),
        logins_per_email_and_ip=setting(
            "THROTTLE_LOGINS_PER_EMAIL_AND_IP", DEFAULT_THROTTLE_LOGINS_PER_EMAIL_AND_IP, 10**6
        ),
        logins_per_email=setting(
            "THROTTLE_LOGINS_PER_EMAIL", DEFAULT_THROTTLE_LOGINS_PER_EMAIL, 10**6
        ),
        known_address_days=setting(
            "THROTTLE_KNOWN_ADDRESS_DAYS", DEFAULT_THROTTLE_KNOWN_ADDRESS_DAYS, 365
        ),
        ip_window_seconds=setting(
            "THROTTLE_IP_WINDOW_SECONDS", DEFAULT_THROTTLE_IP_WINDOW_SECONDS, 86_400
        ),
        ip_logins=setting("THROTTLE_IP_LOGINS", DEFAULT_THROTTLE_IP_LOGINS, 10**9),
        ip_registrations=setting(
            "THROTTLE_IP_REGISTRATIONS", DEFAULT_THROTTLE_IP_REGISTRATIONS, 10**9
        ),
    )


def _whole_number(
    environ: Mapping[str, str], name: str, default: int, lowest: int, highest: int
) -> int:
    text = environ.get(name, str(default))
    try:
        number = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {text!r}") from None
    if not lowest <= number <= highest:
        raise ConfigError(f"{name} must be between {lowest} and {highest}, got {number}")
    return number


def _bookings_stream_arn(environ: Mapping[str, str], stage: str) -> str:
    # Chalice needs a stream ARN when app.py is imported; locally nothing subscribes to it
    # (the relay calls the handler itself), so a well-formed placeholder will do.
    arn = environ.get("BOOKINGS_STREAM_ARN", "")
    if arn:
        return arn
    if stage in LOCAL_STAGES:
        return f"arn:aws:dynamodb:us-east-1:000000000000:table/ahoum-{stage}-bookings/stream/local"
    raise ConfigError(
        f"BOOKINGS_STREAM_ARN is not set for stage {stage!r} (see docs/deploy.md, 'First deploy')."
    )


def secrets_read_by(function: str | None) -> tuple[str, ...]:
    """The secrets a Lambda reads; every one for a process that plays them all (None)."""
    return tuple(
        name for name, readers in SECRET_READERS.items() if function is None or function in readers
    )


def _secrets(
    environ: Mapping[str, str], names: tuple[str, ...], region: str, ssm_client: Any
) -> dict[str, str]:
    """Each named secret's value: given plainly, or read from the SSM parameter its ``_PARAM``
    names. Other secrets are not looked at, whatever the environment holds."""
    found = {name: environ[name] for name in names if environ.get(name)}
    parameters = {
        environ[name + PARAMETER_SUFFIX]: name
        for name in names
        if name not in found and environ.get(name + PARAMETER_SUFFIX)
    }
    if parameters:
        values = _read_parameters(sorted(parameters), region, ssm_client)
        missing = sorted(parameter for parameter in parameters if parameter not in values)
        if missing:
            raise ConfigError(
                f"SSM parameter(s) {', '.join(missing)} not found: create each as a SecureString "
                "(see docs/deploy.md, 'First deploy') or correct the *_PARAM setting that names it."
            )
        found.update({parameters[parameter]: value for parameter, value in values.items()})
    return found


def _read_parameters(names: list[str], region: str, ssm_client: Any) -> dict[str, str]:
    client = ssm_client or _ssm_client(region)
    try:
        response = client.get_parameters(Names=names, WithDecryption=True)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise ConfigError(f"Could not read SSM parameter(s) {', '.join(names)}: {error}") from error
    return {parameter["Name"]: parameter["Value"] for parameter in response["Parameters"]}


def _ssm_client(region: str) -> Any:
    return botocore.session.get_session().create_client(
        "ssm",
        region_name=region,
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3}),
    )


def _jwt_secret(secret: str, stage: str, data_dir: Path) -> str:
    if secret:
        if len(secret) < 32 and stage not in LOCAL_STAGES:
            raise ConfigError("JWT_SECRET must be at least 32 characters outside local stages")
        return secret
    if stage not in LOCAL_STAGES:
        raise ConfigError(
            f"JWT_SECRET is not set for stage {stage!r}. Set JWT_SECRET_PARAM to the name of "
            "its SSM SecureString (see docs/deploy.md, 'First deploy') — "
            "a deployed stage never falls back to a default secret."
        )
    return _local_secret(data_dir / "jwt_secret")


def _local_secret(path: Path) -> str:
    # Kept in DATA_DIR so tokens issued before a `make run` restart still verify.
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Created 0600, never readable by others even for a moment.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this run made it first
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secret)
    return secret


@functools.cache
def get_settings() -> Settings:
    return load_settings(os.environ)
