"""Test setup: one real DynamoDB Local per test process, tables created once, emptied
between tests. The app's environment is set here, before anything reads the settings (they
are read once, on first use); the session fixture binds the tables to this DynamoDB Local."""

from __future__ import annotations

import os

import pytest
from chalice.test import Client

from chalicelib import dynamodb, models
from chalicelib.config import get_settings
from local.dynamodb_local import DynamoDBLocal, free_port
from local.paths import REPO_ROOT
from local.stripe_local import PUBLISHABLE_KEY, SECRET_KEY, LocalStripe

_DYNAMODB = DynamoDBLocal(port=free_port())
# Started by the `localstripe` fixture, for the tests that use it; its port is fixed here so
# the app's settings point at it from the start.
_STRIPE = LocalStripe(port=free_port())
os.environ.update(
    {
        "STAGE": "test",
        "DYNAMODB_ENDPOINT": _DYNAMODB.endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "JWT_SECRET": "test-secret-" + "x" * 40,
        "BCRYPT_ROUNDS": "4",
        # Every test comes from one address; tests/auth/test_throttling.py sets them low.
        "THROTTLE_IP_LOGINS": "100000",
        "THROTTLE_IP_REGISTRATIONS": "100000",
        "STRIPE_API_BASE": _STRIPE.url,
        "STRIPE_JS_URL": _STRIPE.stripe_js_url,
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": "whsec_" + "dGVzdHMtb25seS1zdHJpcGUtd2ViaG9vay1zZWNyZXQ=",
    }
)
os.environ.pop("CRM_WEBHOOK_URL", None)
os.environ.pop("CRM_WEBHOOK_SECRET", None)

# The helpers in tests/support/ that are fixtures, registered once for every feature folder (so
# the session-scoped live server starts once however many folders use it).
pytest_plugins = [
    "tests.support.browser",
    "tests.support.clock",
    "tests.support.crm",
    "tests.support.live_server",
    "tests.support.logs",
    # Every AWS call a Lambda's entry point makes is checked against that Lambda's IAM policy.
    "tests.support.iam_audit",
    "tests.support.relays",
    "tests.support.settings",
]


@pytest.fixture(scope="session", autouse=True)
def dynamodb_local():
    _DYNAMODB.start()
    dynamodb.bind(get_settings())
    dynamodb.create_tables()
    yield _DYNAMODB
    _DYNAMODB.stop()


@pytest.fixture(scope="session")
def localstripe():
    """Stripe's API (localstripe) for this test process, started on first use."""
    _STRIPE.start()
    yield _STRIPE
    _STRIPE.stop()


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
