"""Repeated failed logins are throttled per email + IP (5) and per email (20), in DynamoDB."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from chalice.local import LambdaEventConverter

from local.call_counter import count_dynamodb_calls
from local.paths import REPO_ROOT
from tests.support.api import login, register
from tests.support.errors import error_of

WRONG = "not the password"


@pytest.fixture
def account(client):
    assert register(client).status_code == 201


@pytest.fixture
def from_ip(monkeypatch):
    """Make the following requests come from this source IP."""

    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return use


@pytest.fixture
def frozen_clock(shifted_clock):
    """The clock standing still until moved, as Retry-After is counted to the second."""
    shifted_clock.freeze()
    return shifted_clock


def _fail(client, times: int, email: str = "ann@example.com") -> None:
    for attempt in range(times):
        response = login(client, email=email, password=WRONG)
        assert response.status_code == 401, f"failure {attempt + 1}: {response.body}"


def _assert_throttled(response, max_wait: int = 15 * 60) -> int:
    assert error_of(response, 429)["code"] == "login_throttled"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= max_wait
    return retry_after


def test_after_five_failures_even_the_right_password_is_429_with_retry_after(client, account):
    _fail(client, 5)
    with count_dynamodb_calls() as calls:
        _assert_throttled(login(client))
    assert calls == {"BatchGetItem": 1}  # no password check, no write


def test_a_failure_costs_one_read_and_a_write_per_counter(client, account):
    with count_dynamodb_calls() as calls:
        login(client, password=WRONG)
    assert calls == {"BatchGetItem": 1, "UpdateItem": 2}


def test_throttling_ends_when_the_15_minute_window_does(client, account, frozen_clock):
    _fail(client, 5)
    frozen_clock.advance(timedelta(minutes=14, seconds=59))
    assert _assert_throttled(login(client)) == 1
    frozen_clock.advance(timedelta(seconds=1))
    assert login(client).status_code == 200


def test_the_window_starts_at_the_first_failure(client, account, frozen_clock):
    _fail(client, 4)
    frozen_clock.advance(timedelta(minutes=10))
    _fail(client, 1)
    assert _assert_throttled(login(client)) == 5 * 60
    frozen_clock.advance(timedelta(minutes=5))
    _fail(client, 4)  # a new window
    assert login(client).status_code == 200


def test_a_success_resets_the_count(client, account):
    _fail(client, 4)
    with count_dynamodb_calls() as calls:
        assert login(client).status_code == 200
    assert calls == {"BatchGetItem": 1, "BatchWriteItem": 1}
    _fail(client, 5)
    _assert_throttled(login(client))


def test_unknown_email_is_throttled_like_a_known_one(client):
    _fail(client, 5, email="nobody@example.com")
    _assert_throttled(login(client, email="nobody@example.com"))


def test_the_count_ignores_email_case_and_spacing(client, account):
    spellings = ["ANN@example.com", " ann@example.com", "Ann@Example.Com ", "ann@EXAMPLE.com"]
    for email in [*spellings, "ann@example.com"]:
        _fail(client, 1, email=email)
    _assert_throttled(login(client))


def test_failures_from_one_address_do_not_lock_out_another(client, account, from_ip):
    from_ip("198.51.100.7")
    _fail(client, 5)
    _assert_throttled(login(client))
    from_ip("203.0.113.9")
    assert login(client).status_code == 200


def test_twenty_failures_spread_over_addresses_lock_the_account_everywhere(
    client, account, from_ip
):
    for network in range(5):
        from_ip(f"192.0.2.{network}")
        _fail(client, 4)
    from_ip("203.0.113.50")
    _assert_throttled(login(client))


def test_the_count_is_shared_by_separate_processes(client, account):
    # Another process stands in for another Lambda instance: it shares nothing with this
    # one but DynamoDB.
    script = (
        "from chalicelib import auth\n"
        "for _ in range(5):\n"
        "    try:\n"
        "        auth.login('ann@example.com', 'not the password', '127.0.0.1')\n"
        "    except auth.InvalidCredentials:\n"
        "        pass\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=dict(os.environ), check=True, timeout=60
    )
    _assert_throttled(login(client))


def test_parallel_failures_all_count(concurrent_client):
    assert register(concurrent_client).status_code == 201
    start = threading.Barrier(8)
    statuses = []

    def fail() -> None:
        start.wait()
        statuses.append(login(concurrent_client, password=WRONG).status_code)

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 8 and set(statuses) <= {401, 429}
    _assert_throttled(login(concurrent_client))
