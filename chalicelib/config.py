"""Settings from the environment, read once.

Nothing else in the project touches ``os.environ``: every module asks ``get_settings()``.

Secrets (``JWT_SECRET``, ``CRM_WEBHOOK_SECRET``) are given either as plain values (local runs,
tests) or, on AWS, as the names of SSM Parameter Store SecureStrings in ``JWT_SECRET_PARAM`` /
``CRM_WEBHOOK_SECRET_PARAM``: those are read in one call while the settings load, which is the
Lambda's cold start, and kept for the container's life. A named parameter that cannot be read
stops the function there, before it serves anything.
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
# The longest waiting list an event may have. The list lives on the event item, whose size
# DynamoDB caps at 400 KB and bills per KB written: 5,000 user ids are ~150 KB.
DEFAULT_WAITLIST_MAX = 1000
HIGHEST_WAITLIST_MAX = 5000
SECRET_NAMES = ("JWT_SECRET", "CRM_WEBHOOK_SECRET")
PARAMETER_SUFFIX = "_PARAM"


class ConfigError(RuntimeError):
    """The environment cannot run this stage; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    dynamodb_endpoint: str | None
    jwt_secret: str
    crm_webhook_url: str | None
    crm_webhook_secret: str | None
    bcrypt_rounds: int
    data_dir: Path
    batch_get_attempts: int
    batch_get_base_delay_ms: int
    waitlist_max: int
    bookings_stream_arn: str

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
    secrets_found = _secrets(environ, region, ssm_client)
    return Settings(
        stage=stage,
        region=region,
        dynamodb_endpoint=environ.get("DYNAMODB_ENDPOINT") or None,
        jwt_secret=_jwt_secret(secrets_found.get("JWT_SECRET", ""), stage, data_dir),
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
        f"BOOKINGS_STREAM_ARN is not set for stage {stage!r} (see README, 'Deploy to AWS')."
    )


def _secrets(environ: Mapping[str, str], region: str, ssm_client: Any) -> dict[str, str]:
    """Each secret's value: given plainly, or read from the SSM parameter its ``_PARAM`` names."""
    found = {name: environ[name] for name in SECRET_NAMES if environ.get(name)}
    wanted = {
        environ[name + PARAMETER_SUFFIX]: name
        for name in SECRET_NAMES
        if name not in found and environ.get(name + PARAMETER_SUFFIX)
    }
    if wanted:
        values = _read_parameters(sorted(wanted), region, ssm_client)
        missing = sorted(parameter for parameter in wanted if parameter not in values)
        if missing:
            raise ConfigError(
                f"SSM parameter(s) {', '.join(missing)} not found: create each as a SecureString "
                "(see README, 'Deploy to AWS') or correct the *_PARAM setting that names it."
            )
        found.update({wanted[parameter]: value for parameter, value in values.items()})
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
            "its SSM SecureString (see README, 'Deploy to AWS') — "
            "a deployed stage never falls back to a default secret."
        )
    return _local_secret(data_dir / "jwt_secret")


def _local_secret(path: Path) -> str:
    # Kept in DATA_DIR so tokens issued before a `make run` restart still verify.
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


@functools.cache
def get_settings() -> Settings:
    return load_settings(os.environ)
