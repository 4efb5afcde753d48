"""The app in this process, with its own in-memory DynamoDB Local and CRM receiver
(the measures that count calls or time the handler).

Settings are read once, so ``started()`` sets the environment first, then loads them and
points the models at the fresh DynamoDB Local. Passwords are hashed at the tests' cost (4):
the benchmarks time the handler, and hashing, a security setting, is reported apart.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.api import Api, in_process
from bench.settings import app_pointed_at
from local.crm_sink import CrmSink, local_secret
from local.dynamodb_local import DynamoDBLocal
from local.paths import REPO_ROOT

BCRYPT_ROUNDS = 4


@dataclass
class InProcess:
    client: Any  # chalice.test.Client
    dynamodb_endpoint: str
    crm: CrmSink

    @property
    def api(self) -> Api:
        return Api(in_process(self.client))


@contextlib.contextmanager
def started() -> Iterator[InProcess]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as data_dir,
        DynamoDBLocal() as dynamodb,
    ):
        crm = CrmSink(secret=local_secret(Path(data_dir)), echo=False).start()
        environment = {
            "STAGE": "local",
            "DATA_DIR": data_dir,
            "DYNAMODB_ENDPOINT": dynamodb.endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "JWT_SECRET": secrets.token_urlsafe(48),
            "BCRYPT_ROUNDS": str(BCRYPT_ROUNDS),
            "CRM_WEBHOOK_URL": crm.url,
            "CRM_WEBHOOK_SECRET": crm.secret or "",
            # Every simulated client comes from one address: lift the per-address throttles.
            "THROTTLE_IP_LOGINS": "1000000000",
            "THROTTLE_IP_REGISTRATIONS": "1000000000",
        }
        try:
            with app_pointed_at(environment):
                from chalice.test import Client

                from app import app
                from chalicelib.dynamodb import create_tables

                create_tables()
                # A stage without settings in .chalice/config.json: the environment stands.
                with Client(app, stage_name="bench", project_dir=str(REPO_ROOT)) as client:
                    yield InProcess(client, dynamodb.endpoint, crm)
        finally:
            crm.stop()
