"""Logins and registrations are throttled in DynamoDB, counted before any password is hashed
or checked:

- per email from one address: 5 attempts without a success within a window → 429;
- per email from any address: 20 attempts → 429 for every address that has not logged in to
  the account before (the owner's known addresses keep their own 5);
- per address, whatever the email: logins and registrations each have their own rate.

Windows are fixed (15 minutes for an email, 10 for an address); a 429 says in Retry-After
when the window ends. The tests hold the clock still, at the start of a window.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import bcrypt
import pytest
from chalice.local import LambdaEventConverter

from local.call_counter import count_dynamodb_calls
from local.paths import REPO_ROOT
from tests.support.api import login, register
from tests.support.browser import Browser
from tests.support.errors import error_of

WRONG = "not the password"
EMAIL_WINDOW = 15 * 60
ADDRESS_WINDOW = 10 * 60


@pytest.fixture(autouse=True)
def frozen_clock(shifted_clock):
    """The clock standing still until moved, 1 s into a window of both kinds (30 minutes is
    a multiple of both), as Retry-After is counted to the second.

    The *next* such window, not the current one: a counter's TTL is its window's end, and
    DynamoDB Local deletes items whose TTL has passed on the real clock within seconds. A
    window that began up to 30 minutes ago may have ended already, and its counters would
    vanish in the middle of a test (seen: 20 failures counted as 19, then a login let in)."""
    now = datetime.now(UTC).timestamp()
    shifted_clock.freeze(datetime.fromtimestamp(math.ceil(now / 1800) * 1800 + 1, UTC))
    return shifted_clock


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
def password_checks(monkeypatch):
    """How many bcrypt checks and hashes the app has run (each costs the same)."""
    runs = []
    real_checkpw, real_hashpw = bcrypt.checkpw, bcrypt.hashpw

    def checkpw(password, hashed):
        runs.append("check")
        return real_checkpw(password, hashed)

    def hashpw(password, salt):
        runs.append("hash")
        return real_hashpw(password, salt)

    monkeypatch.setattr(bcrypt, "checkpw", checkpw)
    monkeypatch.setattr(bcrypt, "hashpw", hashpw)
    return runs


def _fail(client, times: int, email: str = "ann@example.com") -> None:
    for attempt in range(times):
        response = login(client, email=email, password=WRONG)
        assert response.status_code == 401, f"failure {attempt + 1}: {response.body}"


def _assert_throttled(response, code: str = "login_throttled", max_wait: int = EMAIL_WINDOW):
    assert error_of(response, 429)["code"] == code
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= max_wait
    return retry_after


def _in_parallel(count: int, request) -> list:
    start = threading.Barrier(count)
    answers = []

    def send(index: int) -> None:
        start.wait()
        answers.append(request(index))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == count
    return answers


# --- per email and address ---


def test_after_five_failures_even_the_right_password_is_429_with_retry_after(
    client, account, password_checks
):
    _fail(client, 5)
    password_checks.clear()
    with count_dynamodb_calls() as calls:
        assert _assert_throttled(login(client)) == EMAIL_WINDOW - 1
    assert calls == {"TransactWriteItems": 1}  # the refused count, and no password check
    assert password_checks == []


def test_a_failure_costs_the_count_and_one_read(client, account):
    with count_dynamodb_calls() as calls:
        login(client, password=WRONG)
    assert calls == {"TransactWriteItems": 1, "BatchGetItem": 1}


def test_a_burst_of_parallel_guesses_gets_only_five_password_checks(
    concurrent_client, password_checks
):
    assert register(concurrent_client).status_code == 201
    password_checks.clear()

    answers = _in_parallel(30, lambda _: login(concurrent_client, password=WRONG))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 5 + [429] * 25
    assert password_checks == ["check"] * 5
    _assert_throttled(login(concurrent_client))


def test_a_burst_from_one_address_does_not_lock_the_owner_out_elsewhere(concurrent_client, from_ip):
    assert register(concurrent_client).status_code == 201
    from_ip("198.51.100.7")
    _in_parallel(30, lambda _: login(concurrent_client, password=WRONG))

    from_ip("203.0.113.9")
    assert login(concurrent_client).status_code == 200


def test_throttling_ends_when_the_window_does(client, account, frozen_clock):
    _fail(client, 5)
    frozen_clock.advance(timedelta(minutes=14, seconds=58))
    assert _assert_throttled(login(client)) == 1
    frozen_clock.advance(timedelta(seconds=1))
    assert login(client).status_code == 200


def test_the_count_starts_again_in_the_next_window(client, account, frozen_clock):
    _fail(client, 4)
    frozen_clock.advance(timedelta(minutes=15))
    _fail(client, 4)
    assert login(client).status_code == 200


def test_a_success_resets_the_count(client, account):
    _fail(client, 4)
    with count_dynamodb_calls() as calls:
        assert login(client).status_code == 200
    assert calls == {"TransactWriteItems": 1, "BatchGetItem": 1, "BatchWriteItem": 1}
    _fail(client, 5)
    _assert_throttled(login(client))


def test_successes_do_not_add_up_to_a_lockout(client, account):
    for _ in range(10):
        assert login(client).status_code == 200


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


# --- per email from any address ---


def test_twenty_failures_spread_over_addresses_lock_the_account_for_new_addresses(
    client, account, from_ip
):
    for network in range(5):
        from_ip(f"192.0.2.{network}")
        _fail(client, 4)
    from_ip("203.0.113.50")
    _assert_throttled(login(client))


def test_an_address_the_owner_logged_in_from_is_not_locked_out_by_others(client, account, from_ip):
    from_ip("203.0.113.1")
    assert login(client).status_code == 200
    # The owner's success was the account's first attempt; 19 more fill its window.
    for network in range(5):
        from_ip(f"192.0.2.{network}")
        _fail(client, 4 if network < 4 else 3)
    from_ip("203.0.113.99")
    _assert_throttled(login(client))

    from_ip("203.0.113.1")
    assert login(client).status_code == 200
    # ...and it still has its own limit.
    _fail(client, 5)
    _assert_throttled(login(client))


def test_the_count_is_shared_by_separate_processes(client, account, frozen_clock):
    # Another process stands in for another Lambda instance: it shares nothing with this
    # one but DynamoDB. It runs on the real clock, so this one follows it there.
    left = EMAIL_WINDOW - time.time() % EMAIL_WINDOW
    if left < 30:  # both processes must count in the same window
        time.sleep(left + 1)
    frozen_clock.freeze(datetime.now(UTC))
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


# --- per address ---


def test_logins_from_one_address_are_limited_whatever_the_email(
    client, configure, from_ip, password_checks
):
    configure(THROTTLE_IP_LOGINS=3)
    for number in range(3):
        _fail(client, 1, email=f"guess{number}@example.com")
    password_checks.clear()

    response = login(client, email="guess4@example.com")

    assert _assert_throttled(response, "rate_limited", ADDRESS_WINDOW) == ADDRESS_WINDOW - 1
    assert password_checks == []
    from_ip("203.0.113.9")
    _fail(client, 1, email="guess5@example.com")


def test_registrations_from_one_address_are_limited(client, configure, from_ip, password_checks):
    configure(THROTTLE_IP_REGISTRATIONS=2)
    for number in range(2):
        assert register(client, email=f"new{number}@example.com").status_code == 201
    password_checks.clear()

    with count_dynamodb_calls() as calls:
        response = register(client, email="new3@example.com")

    _assert_throttled(response, "rate_limited", ADDRESS_WINDOW)
    assert password_checks == []
    assert calls == {"UpdateItem": 1}
    from_ip("203.0.113.9")
    assert register(client, email="new3@example.com").status_code == 201


def test_ipv6_addresses_of_one_64_share_their_counters(client, configure, from_ip):
    # A subscriber holds a whole /64: hopping to the next address is no fresh start.
    configure(THROTTLE_IP_REGISTRATIONS=2)
    from_ip("2001:db8:aa:bb::1")
    assert register(client, email="six0@example.com").status_code == 201
    from_ip("2001:db8:aa:bb:ffff:1:2:3")
    assert register(client, email="six1@example.com").status_code == 201
    from_ip("2001:db8:aa:bb::2")
    _assert_throttled(register(client, email="six2@example.com"), "rate_limited", ADDRESS_WINDOW)
    from_ip("2001:db8:aa:bc::1")
    assert register(client, email="six2@example.com").status_code == 201


def test_login_failures_from_one_ipv6_64_are_counted_together(client, account, from_ip):
    for host in range(1, 6):
        from_ip(f"2001:db8:1:2::{host}")
        _fail(client, 1)
    from_ip("2001:db8:1:2::99")
    _assert_throttled(login(client))
    from_ip("2001:db8:1:3::1")
    assert login(client).status_code == 200


def test_a_burst_of_registrations_from_one_address_hashes_at_most_the_limit(
    concurrent_client, configure, password_checks
):
    configure(THROTTLE_IP_REGISTRATIONS=4)

    answers = _in_parallel(
        12, lambda number: register(concurrent_client, email=f"burst{number}@example.com")
    )

    assert sorted(answer.status_code for answer in answers) == [201] * 4 + [429] * 8
    assert password_checks == ["hash"] * 4


def test_the_address_window_ends(client, configure, frozen_clock):
    configure(THROTTLE_IP_REGISTRATIONS=1)
    assert register(client, email="one@example.com").status_code == 201
    _assert_throttled(register(client, email="two@example.com"), "rate_limited", ADDRESS_WINDOW)
    frozen_clock.advance(timedelta(minutes=10))
    assert register(client, email="two@example.com").status_code == 201


def test_the_dashboard_forms_count_against_the_same_limits(client, configure):
    configure(THROTTLE_IP_REGISTRATIONS=1, THROTTLE_IP_LOGINS=1)
    assert register(client, email="one@example.com").status_code == 201
    _fail(client, 1)
    browser = Browser(client)
    for page in (browser.register(email="two@example.com"), browser.log_in()):
        assert page.status_code == 429
        assert page.headers["Retry-After"] == str(ADDRESS_WINDOW - 1)


def test_every_throttle_limit_is_a_setting_on_the_configuration_page():
    from chalicelib import config

    table = (REPO_ROOT / "chalicelib" / "settings_table.py").read_text()
    names = re.findall(r'"(THROTTLE_\w+)"', table)
    page = (REPO_ROOT / "docs" / "configuration.md").read_text()
    assert len(names) == len(dataclasses.fields(config.Throttle))
    for name in names:
        assert f"| `{name}` |" in page, name
    lowered = config.load_settings({"THROTTLE_LOGINS_PER_EMAIL_AND_IP": "2"}).throttle
    assert lowered.logins_per_email_and_ip == 2
    with pytest.raises(config.ConfigError, match="THROTTLE_IP_LOGINS"):
        config.load_settings({"THROTTLE_IP_LOGINS": "0"})
