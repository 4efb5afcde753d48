"""Binding the tables (lazily, once), one botocore client for them all, and reading batches
that DynamoDB only partly answers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from chalicelib import dynamodb, errors, models
from chalicelib.config import ConfigError, load_settings
from local.paths import REPO_ROOT
from tests.support.factories import make_users


def _run_python(script: str, env: dict[str, str], cwd: Path = REPO_ROOT) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_models_reads_no_settings_and_opens_no_connection(tmp_path):
    # An empty environment: loading settings would fall back to the local stage and write a
    # JWT secret into DATA_DIR (.data under the working directory, here tmp_path).
    output = _run_python(
        """
        import sys

        connections = []
        sys.addaudithook(
            lambda event, args: connections.append(args) if event == "socket.connect" else None
        )

        import chalicelib.models
        from chalicelib import config, dynamodb

        print(
            config.get_settings.cache_info().currsize,
            dynamodb.bound_settings(),
            len(connections),
        )
        """,
        env={"PYTHONPATH": str(REPO_ROOT)},
        cwd=tmp_path,
    )
    assert output == "0 None 0"
    assert not (tmp_path / ".data").exists()


def test_the_first_use_binds_every_table_once_even_from_many_threads(dynamodb_local):
    output = _run_python(
        """
        from concurrent.futures import ThreadPoolExecutor

        from chalicelib import dynamodb, models

        binds = []
        bind = dynamodb.bind
        dynamodb.bind = lambda settings: (binds.append(settings), bind(settings))

        def read(number):
            try:
                models.User.get(f"nobody-{number}")
            except models.User.DoesNotExist:
                return "absent"

        with ThreadPoolExecutor(16) as pool:
            answers = set(pool.map(read, range(64)))
        print(len(binds), answers, models.Booking.Meta.table_name)
        """,
        env={
            "PYTHONPATH": str(REPO_ROOT),
            "STAGE": "test",
            "DYNAMODB_ENDPOINT": dynamodb_local.endpoint,
            "JWT_SECRET": "test-secret-" + "x" * 40,
        },
    )
    assert output == "1 {'absent'} ahoum-test-bookings"


def test_every_table_and_thread_shares_one_botocore_client(dynamodb_local):
    # A fresh interpreter is a fresh container: count the clients made from its first call.
    output = _run_python(
        """
        from concurrent.futures import ThreadPoolExecutor

        import botocore.session

        from chalicelib import dynamodb, models

        made = []
        create_client = botocore.session.Session.create_client

        def counting(session, *args, **kwargs):
            made.append(args[0] if args else kwargs["service_name"])
            return create_client(session, *args, **kwargs)

        botocore.session.Session.create_client = counting
        tables = (models.User, models.Event, models.Credential, models.Facilitator)

        def read(number):
            model = tables[number % len(tables)]
            try:
                model.get(f"nobody-{number}")
            except model.DoesNotExist:
                return "absent"

        with ThreadPoolExecutor(8) as pool:
            answers = set(pool.map(read, range(32)))
        found = dynamodb.batch_get([(models.User, "nobody"), (models.RevokedToken, "none")])
        print(made, answers, found)
        """,
        env={
            "PYTHONPATH": str(REPO_ROOT),
            "STAGE": "test",
            "DYNAMODB_ENDPOINT": dynamodb_local.endpoint,
            "JWT_SECRET": "test-secret-" + "x" * 40,
        },
    )
    assert output == "['dynamodb'] {'absent'} {}"


class ThrottlingDynamoDB:
    """The real BatchGetItem, answering at most ``per_call`` keys per call and handing the
    rest back as UnprocessedKeys, as DynamoDB does while it throttles."""

    def __init__(self, per_call: int) -> None:
        self.per_call = per_call
        self.requests: list[int] = []
        self.client = dynamodb.connection().client

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        ((table, wanted),) = request.items()
        keys = wanted["Keys"]
        self.requests.append(len(keys))
        answered = {table: {**wanted, "Keys": keys[: self.per_call]}}
        response = self.client.batch_get_item(RequestItems=answered)
        rest = keys[self.per_call :]
        response["UnprocessedKeys"] = {table: {**wanted, "Keys": rest}} if rest else {}
        return response


def test_unprocessed_keys_are_asked_for_again_after_a_growing_pause():
    users = make_users(4)
    keys = [(models.User, user.user_id) for user in users]
    throttled = ThrottlingDynamoDB(per_call=1)
    pauses: list[float] = []

    found = dynamodb.read_batch(
        keys, throttled, attempts=5, base_delay_seconds=0.1, sleep=pauses.append
    )

    assert {key: item.name for key, item in found.items()} == {
        (models.User, user.user_id): user.name for user in users
    }
    assert throttled.requests == [4, 3, 2, 1]
    assert len(pauses) == 3
    for retry, pause in enumerate(pauses):
        assert 0 <= pause <= 0.1 * 2**retry


def test_a_batch_still_unprocessed_after_the_last_attempt_is_a_503():
    users = make_users(4)
    throttled = ThrottlingDynamoDB(per_call=1)

    with pytest.raises(errors.ServiceUnavailable):
        dynamodb.read_batch(
            [(models.User, user.user_id) for user in users],
            throttled,
            attempts=3,
            base_delay_seconds=0,
            sleep=lambda seconds: None,
        )
    assert throttled.requests == [4, 3, 2]


def test_the_retry_limits_are_settings(tmp_path):
    base = {"STAGE": "local", "DATA_DIR": str(tmp_path)}
    defaults = load_settings(base)
    assert (defaults.batch_get_attempts, defaults.batch_get_base_delay_ms) == (5, 50)
    chosen = load_settings(
        {**base, "DYNAMODB_BATCH_GET_ATTEMPTS": "2", "DYNAMODB_BATCH_GET_BASE_DELAY_MS": "10"}
    )
    assert (chosen.batch_get_attempts, chosen.batch_get_base_delay_ms) == (2, 10)
    for name, value in (
        ("DYNAMODB_BATCH_GET_ATTEMPTS", "0"),
        ("DYNAMODB_BATCH_GET_BASE_DELAY_MS", "soon"),
    ):
        with pytest.raises(ConfigError, match=name):
            load_settings({**base, name: value})
