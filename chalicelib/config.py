"""Settings from the environment, read once.

Nothing else in the project touches ``os.environ``: every module asks ``get_settings()``.
Each setting's default, bounds and meaning are one row of ``chalicelib.settings_table``;
this module reads them, and the secrets, the stream ARN and ``chalice local``'s fallbacks.

    python -m chalicelib.config docs/configuration.md    # the settings page, from the rows

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
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions
import botocore.session
from botocore.config import Config

from chalicelib.settings_table import ConfigError, number, read_rows

__all__ = ["ConfigError", "Settings", "Throttle", "get_settings", "load_settings"]

LOCAL_STAGES = frozenset({"local", "test"})
# Each secret and the Lambdas that read it. The webhook Lambdas talk to the outside world and
# must not hold the key that signs users' tokens; the API signs no webhook (a replay only
# marks the delivery due for the retrier). One line here gives a Lambda one more secret: the
# deploy tooling names its parameter in that Lambda's environment and grants it in that
# Lambda's policy (and nowhere else).
SECRET_READERS: dict[str, frozenset[str]] = {
    "JWT_SECRET": frozenset({"api_handler"}),
    "CRM_WEBHOOK_SECRET": frozenset({"on_booking_change", "retry_webhooks", "send_reminders"}),
    # The API makes PaymentIntents and refunds and checks Stripe's webhooks; settle_payments
    # cancels expired holds' PaymentIntents (and refunds).
    "STRIPE_SECRET_KEY": frozenset({"api_handler", "settle_payments"}),
    "STRIPE_WEBHOOK_SECRET": frozenset({"api_handler"}),
}
PARAMETER_SUFFIX = "_PARAM"
STRIPE_API_BASE = "https://api.stripe.com"
STRIPE_JS_URL = "https://js.stripe.com/v3/"
LAMBDA_FUNCTION = "LAMBDA_FUNCTION"
THROTTLE_PREFIX = "throttle."


@dataclass(frozen=True)
class Throttle:
    """The limits of chalicelib.throttling (the rows ``throttle.<field>`` of the table)."""

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
    public_base_url: str | None
    crm_webhook_secret: str | None
    stripe_secret_key: str | None  # None: paid events cannot be booked here
    stripe_webhook_secret: str | None  # None: every Stripe webhook is refused
    stripe_publishable_key: str | None
    stripe_api_base: str
    stripe_js_url: str
    data_dir: Path
    bookings_stream_arn: str
    throttle: Throttle
    # Read and checked by their rows in chalicelib/settings_table.py (each row's ``field``).
    log_format: str
    bcrypt_rounds: int
    token_lifetime_seconds: int
    max_body_bytes: int
    batch_get_attempts: int
    batch_get_base_delay_ms: int
    waitlist_max: int
    course_max_occurrences: int
    series_booking_concurrency: int
    event_horizon_days: int
    series_max_occurrences: int
    series_horizon_days: int
    reminder_hours_before: int
    calendar_feed_past_days: int
    stream_send_concurrency: int
    stream_send_budget_seconds: int
    retrier_budget_seconds: int
    reminder_send_budget_seconds: int
    reminder_run_budget_seconds: int
    event_change_budget_seconds: int
    event_change_run_budget_seconds: int
    event_change_settle_seconds: int
    webhook_retry_days: int
    delivery_retention_days: int
    failed_delivery_retention_days: int
    stripe_timeout_seconds: int
    payment_hold_minutes: int
    waitlist_offer_minutes: int
    refund_stuck_alarm_minutes: int
    refund_run_budget_seconds: int

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES

    @property
    def table_prefix(self) -> str:
        return f"ahoum-{self.stage}-"


def load_settings(
    environ: Mapping[str, str], ssm_client: Any = None, argv: Sequence[str] | None = None
) -> Settings:
    """Build settings from an environment mapping; raise ConfigError on anything unusable.

    ``ssm_client`` reads the secret parameters (a botocore SSM client is made when needed).
    ``argv`` (this process's own by default) tells ``chalice local`` apart from other runs.
    """
    environ = _under_chalice_local(environ, sys.argv if argv is None else argv)
    stage = environ.get("STAGE", "local").strip() or "local"
    data_dir = Path(environ.get("DATA_DIR", ".data"))
    fields = read_rows(environ)
    region = environ.get("AWS_DEFAULT_REGION") or environ.get("AWS_REGION") or "us-east-1"
    wanted = secrets_read_by(environ.get(LAMBDA_FUNCTION) or None)
    secrets_found = _secrets(environ, wanted, region, ssm_client)
    throttle = {
        name.removeprefix(THROTTLE_PREFIX): fields.pop(name)
        for name in list(fields)
        if name.startswith(THROTTLE_PREFIX)
    }
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
        public_base_url=_public_base_url(environ.get("PUBLIC_BASE_URL", ""), stage),
        crm_webhook_secret=secrets_found.get("CRM_WEBHOOK_SECRET") or None,
        stripe_secret_key=secrets_found.get("STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=secrets_found.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_publishable_key=environ.get("STRIPE_PUBLISHABLE_KEY", "").strip() or None,
        stripe_api_base=_https_url(
            environ.get("STRIPE_API_BASE", ""), "STRIPE_API_BASE", STRIPE_API_BASE
        ),
        stripe_js_url=_https_url(environ.get("STRIPE_JS_URL", ""), "STRIPE_JS_URL", STRIPE_JS_URL),
        data_dir=data_dir,
        bookings_stream_arn=_bookings_stream_arn(environ, stage),
        throttle=Throttle(**throttle),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def _public_base_url(text: str, stage: str) -> str | None:
    """The stage's public base URL, without a trailing slash; checked at start, since the
    URLs made from it are handed to people (a calendar feed's address is its secret)."""
    text = text.strip().rstrip("/")
    if not text:
        return None
    parts = urlsplit(text)
    schemes = ("http", "https") if stage in LOCAL_STAGES else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be an {' or '.join(schemes)} URL with a host, got {text!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("PUBLIC_BASE_URL takes no query, fragment or credentials")
    return text


def _https_url(text: str, name: str, default: str) -> str:
    """A Stripe URL: https, or plain http only to this machine (localstripe), which a
    deployed Lambda cannot reach anyway; no credentials, query or fragment."""
    text = text.strip() or default
    parts = urlsplit(text)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or parts.scheme not in (("http", "https") if loopback else ("https",)):
        raise ConfigError(f"{name} must be an https URL (or http on 127.0.0.1), got {text!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{name} takes no query, fragment or credentials")
    return text


def is_chalice_local(environ: Mapping[str, str], argv: Sequence[str]) -> bool:
    """Whether this process is `chalice local` (its worker too: it has the same argv).

    Chalice sets AWS_CHALICE_CLI_MODE for every command (`package` and `deploy` import the
    app too), so the command itself is read from the arguments, past the CLI's own options.
    """
    if not environ.get("AWS_CHALICE_CLI_MODE"):
        return False
    arguments = iter(argv[1:])
    for argument in arguments:
        if argument == "--project-dir":
            next(arguments, None)
        elif not argument.startswith("-"):
            return argument == "local"
    return False


def _under_chalice_local(environ: Mapping[str, str], argv: Sequence[str]) -> Mapping[str, str]:
    """`chalice local` with no DYNAMODB_ENDPOINT runs as `make run`'s API does: the local stage
    (its tables, the secrets generated in DATA_DIR, never SSM) on the DynamoDB Local that
    `make run` or `make db` started, with text logs. Without that DynamoDB Local it stops at
    once with one line saying what to start: a stage's settings would otherwise point the
    local server at AWS, or at secrets only a deployed Lambda has."""
    if environ.get("DYNAMODB_ENDPOINT") or not is_chalice_local(environ, argv):
        return environ
    port = number("DYNAMODB_LOCAL_PORT").read(environ)
    if not _listening(port):
        _stop_chalice_local(
            f"chalice local: no DynamoDB Local on 127.0.0.1:{port}; start one with `make db` "
            "(or `make run`), or set DYNAMODB_ENDPOINT."
        )
    local = {name: value for name, value in environ.items() if not name.endswith(PARAMETER_SUFFIX)}
    local.update(STAGE="local", DYNAMODB_ENDPOINT=local_dynamodb_endpoint(environ))
    local.setdefault("LOG_FORMAT", "text")
    return local


def local_dynamodb_endpoint(environ: Mapping[str, str]) -> str:
    """Where `make run` and `make db` serve DynamoDB Local (``DYNAMODB_LOCAL_PORT``)."""
    return f"http://127.0.0.1:{number('DYNAMODB_LOCAL_PORT').read(environ)}"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _stop_chalice_local(message: str) -> None:
    # The app is imported in a thread of `chalice local`'s worker process, where an exception
    # only ends the thread (the server never starts and the process waits for file changes).
    # The worker's parent exits 0 whatever the worker's status, so it is stopped too: the
    # caller sees a failed command, not a hang or a success.
    print(message, file=sys.stderr, flush=True)
    if os.environ.get("CHALICE_WORKER"):
        os.kill(os.getppid(), signal.SIGTERM)
    os._exit(1)


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
    return kept_secret(data_dir / "jwt_secret", lambda: secrets.token_urlsafe(48))


def kept_secret(path: Path, make_secret: Callable[[], str]) -> str:
    """The secret in ``path``, made by ``make_secret`` and written there (0600) on first use.

    Kept in DATA_DIR so that what a local run signed before a restart still verifies."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = make_secret()
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


def main(argv: Sequence[str]) -> int:
    """Write the configuration page (made from the table) to the path given."""
    from chalicelib.configuration_page import configuration_page

    if len(argv) != 2:
        print("usage: python -m chalicelib.config docs/configuration.md", file=sys.stderr)
        return 2
    Path(argv[1]).write_text(configuration_page())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
