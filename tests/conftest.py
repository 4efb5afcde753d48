"""Test setup: one real DynamoDB Local per test process, tables created once, emptied
between tests. The environment is set before anything imports the app, because settings
are read once."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from local.dynamodb_local import DynamoDBLocal, free_port

_DYNAMODB = DynamoDBLocal(port=free_port())
os.environ.update(
    {
        "STAGE": "test",
        "DYNAMODB_ENDPOINT": _DYNAMODB.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "JWT_SECRET": "test-secret-" + "x" * 40,
        "BCRYPT_ROUNDS": "4",
    }
)
os.environ.pop("CRM_WEBHOOK_URL", None)
os.environ.pop("CRM_WEBHOOK_SECRET", None)

import pytest  # noqa: E402
import requests  # noqa: E402
from chalice.test import Client  # noqa: E402

from chalicelib import models  # noqa: E402
from local.paths import REPO_ROOT  # noqa: E402

# Every AWS call a Lambda's entry point makes is checked against that Lambda's IAM policy.
pytest_plugins = ["tests.iam_audit"]


@pytest.fixture(scope="session", autouse=True)
def dynamodb_local():
    _DYNAMODB.start()
    models.create_tables()
    yield _DYNAMODB
    _DYNAMODB.stop()


def empty_all_tables() -> None:
    """Delete every item; the tables stay."""
    for model in models.TABLES.values():
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)


@pytest.fixture(autouse=True)
def empty_tables(dynamodb_local):
    yield
    empty_all_tables()


@pytest.fixture
def app():
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app):
    with Client(app, stage_name="test", project_dir=str(REPO_ROOT)) as test_client:
        yield test_client


@pytest.fixture
def concurrent_client(app, monkeypatch):
    """A client that many threads may use at once.

    Chalice keeps ``current_request`` on the app object; as `make run`'s threaded server does
    (local/api_server.py), each thread is given its own. The test client also swaps
    ``os.environ`` for a copy during each request, which overlapping requests can leave
    behind, so the real one is put back afterwards.
    """
    from chalice.local import LocalChalice

    class ThreadLocalApp(LocalChalice, type(app)):
        pass

    monkeypatch.setattr(app, "__class__", ThreadLocalApp)
    monkeypatch.setattr(os, "environ", os.environ)
    with Client(app, stage_name="test", project_dir=str(REPO_ROOT)) as test_client:
        yield test_client


# --- CRM webhooks ---------------------------------------------------------------------------

EVENTS_DIR = REPO_ROOT / "tests" / "events"
CRM_TEST_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def stream_event():
    """A recorded DynamoDB Local stream event (tests/events/<name>.json), as Lambda sends it."""
    import json

    return lambda name: json.loads((EVENTS_DIR / f"{name}.json").read_text())


@pytest.fixture
def crm(monkeypatch):
    """A stand-in CRM on a free port; the app sends it webhooks signed with CRM_TEST_SECRET."""
    from chalicelib.config import get_settings
    from local.crm_sink import CrmSink

    sink = CrmSink(secret=CRM_TEST_SECRET, echo=False).start()
    monkeypatch.setenv("CRM_WEBHOOK_URL", sink.url)
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", CRM_TEST_SECRET)
    get_settings.cache_clear()
    yield sink
    sink.stop()
    # monkeypatch restores the environment after this teardown; settings must follow it.
    monkeypatch.delenv("CRM_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("CRM_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()


class ShiftedClock:
    """The real clock plus an offset that tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def shifted_clock():
    from chalicelib import clock

    shifted = ShiftedClock()
    clock.set_clock(shifted)
    yield shifted
    clock.set_clock(None)


@pytest.fixture
def webhook_admin():
    """Authorization headers of an admin, for the /admin/webhooks endpoints."""
    from tests.booking_factories import headers_for, make_user

    return headers_for(make_user(role="admin", name="Ada Admin"))


# --- The API over real HTTP (browser tests, schemathesis) ---------------------------------

READY_SECONDS = 60


@pytest.fixture(scope="session")
def live_server(dynamodb_local) -> Iterator[str]:
    """The base URL of the app served over real HTTP, sharing this run's tables."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    with tempfile.TemporaryFile() as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "local.api_server"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/health", server, output)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(url: str, server: subprocess.Popen[bytes], output) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output.seek(0)
            pytest.fail(f"the API server exited: {output.read().decode(errors='replace')[-2000:]}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"the API server did not answer {url} within {READY_SECONDS}s")
