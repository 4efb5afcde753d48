"""`make run`'s runner, end to end: starts everything, serves HTTP, and stops as a whole."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from local.dynamodb_local import free_port
from local.paths import REPO_ROOT


def _descendants(pid: int) -> set[int]:
    children = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children.add(int(entry))
            children |= _descendants(int(entry))
    return children


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def runner(tmp_path):
    port, dynamodb_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DYNAMODB_LOCAL_PORT": str(dynamodb_port),
        "DATA_DIR": str(tmp_path / "data"),
        "STAGE": "local",
    }
    for name in ("DYNAMODB_ENDPOINT", "JWT_SECRET"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the runner did not serve /health in time")
    yield process, base, dynamodb_port
    if process.poll() is None:
        process.kill()
        process.wait()


def test_runner_serves_the_api_and_sigterm_stops_every_child(runner):
    process, base, dynamodb_port = runner
    assert requests.get(f"{base}/health", timeout=5).json() == {
        "status": "ok",
        "dynamodb": "ok",
    }
    for path in ("/events", "/events/"):
        response = requests.get(f"{base}{path}", timeout=5)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    unknown = requests.get(f"{base}/no/such/route", timeout=5)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"] == "application/json"
    assert json.loads(unknown.text)["error"]["code"] == "not_found"

    children = _descendants(process.pid)
    assert len(children) >= 2, "expected DynamoDB Local and the API server as children"
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Stopped" in output
    time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)], output
    for port in (int(base.rsplit(":", 1)[1]), dynamodb_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_second_start_reuses_data_and_does_not_duplicate_seed(tmp_path, runner):
    process, _, _ = runner
    process.send_signal(signal.SIGTERM)
    first_output, _ = process.communicate(timeout=30)
    assert "'events': 5" in first_output

    env = {
        **os.environ,
        "PORT": str(free_port()),
        "DYNAMODB_LOCAL_PORT": str(free_port()),
        "DATA_DIR": str(tmp_path / "data"),
        "STAGE": "local",
    }
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("JWT_SECRET", None)
    second = subprocess.Popen(
        [sys.executable, "-m", "local.run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in second.stdout:
        lines.append(line)
        if "Ready" in line:
            break
    second.send_signal(signal.SIGTERM)
    rest, _ = second.communicate(timeout=30)
    output = "".join(lines) + rest
    assert "all tables exist" in output
    assert "'events': 0" in output and "'facilitators': 0" in output
