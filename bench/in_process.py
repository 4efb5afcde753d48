"""The app in this process, with its own in-memory DynamoDB Local and CRM receiver
(the measures that count calls or time the handler).

Settings are read once, so ``started()`` sets the environment first, then loads them and
points the models at the fresh DynamoDB Local. Passwords are hashed at the tests' cost (4):
the benchmarks time the handler, and hashing, a security setting, is reported apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.api import Api, in_process
from bench.backend import LOAD_TEST_SETTINGS, own_backend
from bench.settings import app_pointed_at
from local.crm_sink import CrmSink
from local.paths import REPO_ROOT


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
        own_backend(LOAD_TEST_SETTINGS, prefix="bench-") as own,
        app_pointed_at(own.environment),
    ):
        from chalice.test import Client

        from app import app
        from chalicelib.dynamodb import create_tables

        create_tables()
        # A stage without settings in .chalice/config.json: the environment stands.
        with Client(app, stage_name="bench", project_dir=str(REPO_ROOT)) as client:
            yield InProcess(client, own.dynamodb_endpoint, own.crm)
