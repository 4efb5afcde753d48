"""What a benchmark's app runs against: its own DynamoDB Local, DATA_DIR and CRM receiver,
never a developer's `make run` data, and the settings that point the app at them.

The in-process measures, the cold path and the `make run` measures each used to set these up
with their own copy; they differ only in the settings they add (a stage, lifted throttles).
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from local.crm_sink import CrmSink, local_secret
from local.dynamodb_local import DynamoDBLocal

BCRYPT_ROUNDS = 4

# The settings of the measures that load the API: the numbers show the API, while hashing,
# a security setting, is measured apart at its production cost.
LOAD_TEST_SETTINGS = {
    "STAGE": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "BCRYPT_ROUNDS": str(BCRYPT_ROUNDS),
    # Every simulated client comes from one address: lift the per-address throttles.
    "THROTTLE_IP_LOGINS": "1000000000",
    "THROTTLE_IP_REGISTRATIONS": "1000000000",
}


@dataclass
class OwnBackend:
    """A DynamoDB Local and a CRM receiver of the benchmark's own; ``environment`` is the
    settings that point the app at both (and at a scratch DATA_DIR)."""

    environment: dict[str, str]
    dynamodb_endpoint: str
    crm: CrmSink


def signing_settings(crm: CrmSink) -> dict[str, str]:
    """A fresh JWT secret, and webhooks signed for and sent to ``crm``."""
    return {
        "JWT_SECRET": secrets.token_urlsafe(48),
        "CRM_WEBHOOK_URL": crm.url,
        "CRM_WEBHOOK_SECRET": crm.secret or "",
    }


@contextlib.contextmanager
def crm_receiver[Sink: CrmSink](data_dir: Path, sink_type: type[Sink] = CrmSink) -> Iterator[Sink]:
    """The project's CRM sink, quiet, with its signing secret kept in ``data_dir``."""
    crm = sink_type(secret=local_secret(data_dir), echo=False).start()
    try:
        yield crm
    finally:
        crm.stop()


@contextlib.contextmanager
def own_backend(settings: dict[str, str], prefix: str) -> Iterator[OwnBackend]:
    """An in-memory DynamoDB Local, a scratch DATA_DIR (named with ``prefix``) and a CRM
    receiver for the block, with ``settings`` underneath the ones that point at them."""
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as data_dir,
        DynamoDBLocal() as dynamodb,
        crm_receiver(Path(data_dir)) as crm,
    ):
        environment = {
            **settings,
            **signing_settings(crm),
            "DATA_DIR": data_dir,
            "DYNAMODB_ENDPOINT": dynamodb.endpoint,
        }
        yield OwnBackend(environment, dynamodb.endpoint, crm)
