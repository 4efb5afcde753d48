"""Plain `chalice local` (the stage `dev` by default): beside `make db`'s DynamoDB Local it
serves the API as `make run` does; without one it stops at once, saying what to start."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from local.dynamodb_local import free_port
from local.paths import REPO_ROOT
from local.processes import wait_for_http, wait_until

CHALICE = Path(sys.executable).parent / "chalice"
# What the test session sets for its own app, which a developer's shell does not have.
SESSION_ONLY = ("STAGE", "DYNAMODB_ENDPOINT", "JWT_SECRET", "LOG_FORMAT", "CRM_WEBHOOK_URL")


def _environment(data_dir: Path, dynamodb_port: int) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in SESSION_ONLY}
    return {**environ, "DATA_DIR": str(data_dir), "DYNAMODB_LOCAL_PORT": str(dynamodb_port)}


def _start(command: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    # A session of its own: `chalice local` is a parent and a worker; both are stopped.
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def make_db(tmp_path):
    """`make db`: DynamoDB Local with the local stage's tables, on a port of its own."""
    port = free_port()
    log = tmp_path / "db.log"
    process = _start([sys.executable, "-m", "local.db"], _environment(tmp_path / "data", port), log)
    try:
        wait_until(
            lambda: "==> Ready" in log.read_text(),
            "make db",
            lambda: None if process.poll() is None else log.read_text(),
        )
        yield port
    finally:
        _stop(process)


def test_chalice_local_beside_make_db_serves_health_registration_and_login(make_db, tmp_path):
    api_port = free_port()
    log = tmp_path / "chalice.log"
    environ = {**_environment(tmp_path / "data", make_db), "BCRYPT_ROUNDS": "4"}
    process = _start([str(CHALICE), "local", "--port", str(api_port)], environ, log)
    api = f"http://127.0.0.1:{api_port}"
    try:
        wait_for_http(f"{api}/health", lambda: None if process.poll() is None else log.read_text())
        assert requests.get(f"{api}/health", timeout=5).json()["dynamodb"] == "ok"
        account = {"email": "ann@example.com", "password": "correct horse battery"}
        registered = requests.post(
            f"{api}/auth/register", json={"name": "Ann", **account}, timeout=10
        )
        assert registered.status_code == 201, registered.text
        login = requests.post(f"{api}/auth/login", json=account, timeout=10)
        assert login.status_code == 200, login.text
        me = requests.get(
            f"{api}/auth/me",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            timeout=10,
        )
        assert me.json()["email"] == "ann@example.com"
        # The key `make run` generates and uses, so their tokens are interchangeable.
        assert (tmp_path / "data" / "jwt_secret").exists()
    finally:
        _stop(process)
    assert "POST /auth/login 200" in log.read_text()  # the text log format


@pytest.mark.parametrize("reload", [[], ["--no-autoreload"]], ids=["autoreload", "no-autoreload"])
def test_chalice_local_without_dynamodb_local_exits_at_once_with_one_line(reload, tmp_path):
    nobody = free_port()
    started = time.monotonic()
    finished = subprocess.run(
        [str(CHALICE), "local", "--port", str(free_port()), *reload],
        cwd=REPO_ROOT,
        env=_environment(tmp_path, nobody),
        capture_output=True,
        timeout=10,
        start_new_session=True,
    )
    assert time.monotonic() - started < 10
    assert finished.returncode != 0
    lines = finished.stderr.decode().splitlines()
    assert lines == [
        f"chalice local: no DynamoDB Local on 127.0.0.1:{nobody}; start one with `make db` "
        "(or `make run`), or set DYNAMODB_ENDPOINT."
    ]
    assert "Traceback" not in finished.stdout.decode()
