"""`make run`'s runner, end to end: starts everything, serves HTTP, and stops as a whole."""

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from chalicelib import dynamodb
from chalicelib.config import get_settings
from local.dynamodb_local import free_port
from local.paths import REPO_ROOT
from local.record_stream_events import ANN, YOGA, confirm
from tests.support.errors import error_of


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


def _fresh_environment() -> dict[str, str]:
    """The tests' environment without what `make run` sets up itself (the tests' own
    DynamoDB Local, secrets and localstripe)."""
    own = ("DYNAMODB_ENDPOINT", "JWT_SECRET", "STRIPE_")
    return {name: value for name, value in os.environ.items() if not name.startswith(own)}


@pytest.fixture
def runner(tmp_path):
    port, dynamodb_port = free_port(), free_port()
    env = {
        **_fresh_environment(),
        "PORT": str(port),
        "DYNAMODB_LOCAL_PORT": str(dynamodb_port),
        "CRM_SINK_PORT": str(free_port()),
        "STRIPE_LOCAL_PORT": str(free_port()),
        "DATA_DIR": str(tmp_path / "data"),
        "STAGE": "local",
    }
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


def test_runner_serves_the_api_and_sigterm_stops_every_child(runner, tmp_path):
    process, base, dynamodb_port = runner
    assert requests.get(f"{base}/health", timeout=5).json() == {
        "status": "ok",
        "dynamodb": "ok",
    }
    for path in ("/events", "/events/"):
        response = requests.get(f"{base}{path}", timeout=5)
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthorized"
    unknown = requests.get(f"{base}/no/such/route", timeout=5)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"] == "application/json"
    assert error_of(unknown)["code"] == "not_found"

    booking_id = _book_and_wait_for_the_sinks_delivery(tmp_path / "data", dynamodb_port)

    children = _descendants(process.pid)
    assert len(children) >= 5, (
        "expected DynamoDB Local, localstripe, the API, the CRM sink and the relay"
    )
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Stopped" in output
    assert "Stripe:     localstripe on http://127.0.0.1:" in output
    _assert_a_person_can_read_it(output)
    crm_lines = [line for line in output.splitlines() if line.startswith("[crm] booking")]
    [crm_line] = [line for line in crm_lines if booking_id in line]
    assert crm_line.startswith("[crm] booking.confirmed")
    assert "signature ok" in crm_line and "Ann Lee <ann@example.com>" in crm_line
    # The seeded booking of the seeded event starting within hours: its reminder, at once.
    [reminder] = [line for line in crm_lines if line.startswith("[crm] booking.reminder")]
    assert "'Evening Sound Bath'" in reminder and "Dee Demo <dee@example.com>" in reminder
    assert "signature ok" in reminder
    time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)], output
    for port in (int(base.rsplit(":", 1)[1]), dynamodb_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_second_start_reuses_data_and_does_not_duplicate_seed(tmp_path, runner):
    process, _, _ = runner
    process.send_signal(signal.SIGTERM)
    first_output, _ = process.communicate(timeout=30)
    assert "'events': 6" in first_output and "'bookings': 1" in first_output

    env = {
        **_fresh_environment(),
        "PORT": str(free_port()),
        "DYNAMODB_LOCAL_PORT": str(free_port()),
        "CRM_SINK_PORT": str(free_port()),
        "STRIPE_LOCAL_PORT": str(free_port()),
        "DATA_DIR": str(tmp_path / "data"),
        "STAGE": "local",
    }
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
    assert "'bookings': 0" in output


def _assert_a_person_can_read_it(output):
    """Start-up steps, then the ready banner after every process is up; requests as short
    text lines (LOG_FORMAT=text), never JSON."""
    before, after = output.split("==> Ready\n", 1)
    for started in ("[crm] listening", "API listening", "Serving on", "[relay] following"):
        assert started in before, output
        assert started not in after, output
    assert after.startswith("    API:        http://127.0.0.1:"), output
    assert re.search(r"^GET /health 200 \d+ ms$", before, re.MULTILINE), output
    assert re.search(r"^GET /events 401 \d+ ms$", output, re.MULTILINE), output
    assert not [line for line in output.splitlines() if line.startswith("{")], output


def _book_and_wait_for_the_sinks_delivery(data_dir, dynamodb_port):
    """Book a seat in the runner's DynamoDB Local; its signed webhook soon reaches the sink."""
    deadline = time.monotonic() + 60
    while not (data_dir / "relay" / "ready").exists():
        assert time.monotonic() < deadline, "the relay did not get ready"
        time.sleep(0.1)
    settings = get_settings()
    endpoint = f"http://127.0.0.1:{dynamodb_port}"
    dynamodb.bind(dataclasses.replace(settings, stage="local", dynamodb_endpoint=endpoint))
    try:
        booked_at = time.monotonic()
        booking = confirm(ANN, YOGA)
    finally:
        dynamodb.bind(settings)
    deliveries = data_dir / "crm_deliveries.jsonl"
    while booking.booking_id not in (deliveries.read_text() if deliveries.exists() else ""):
        assert time.monotonic() - booked_at < 5, "no delivery at the sink within 5 s"
        time.sleep(0.05)
    received = [json.loads(line) for line in deliveries.read_text().splitlines()]
    [delivery] = [d for d in received if d["payload"]["booking_id"] == booking.booking_id]
    assert delivery["signature"] == "ok"
    return booking.booking_id


def test_data_dir_is_private_and_the_start_warns_about_dynamodb_local(runner, tmp_path):
    process, _, dynamodb_port = runner
    data_dir = tmp_path / "data"
    _book_and_wait_for_the_sinks_delivery(data_dir, dynamodb_port)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)

    assert "DynamoDB Local listens on every interface" in output
    assert "accepts any credentials" in output
    paths = [data_dir, *data_dir.rglob("*")]
    files = {path.relative_to(data_dir).as_posix() for path in paths if path.is_file()}
    assert {"jwt_secret", "crm_webhook_secret", "crm_deliveries.jsonl"} <= files
    assert any(name.startswith("dynamodb/") for name in files), files
    for path in paths:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_a_data_dir_left_open_by_an_earlier_run_is_made_private(tmp_path):
    from local.paths import private_data_dir

    data_dir = tmp_path / "data"
    (data_dir / "relay").mkdir(parents=True)
    (data_dir / "relay" / "position.json").write_text("{}")
    for path in (data_dir, data_dir / "relay"):
        path.chmod(0o755)
    (data_dir / "relay" / "position.json").chmod(0o644)

    private_data_dir(data_dir)

    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "relay").stat().st_mode & 0o777 == 0o700
    assert (data_dir / "relay" / "position.json").stat().st_mode & 0o777 == 0o600
