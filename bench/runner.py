"""`make run` (``python -m local.run``) in a subprocess on free ports with its own DATA_DIR,
sending its webhooks to a receiver in this process (the measures that load the server).

The runner is the one developers use: DynamoDB Local on disk, Chalice's local server, the
stream relay and the retrier. Only these differ from a plain `make run`:

- ``BCRYPT_ROUNDS`` is 4, so the numbers show the API; hashing is measured apart;
- ``CRM_WEBHOOK_URL`` is a receiver in this process that notes when each POST arrives.

This process shares the runner's JWT secret (to issue tokens) and binds its models to the
runner's DynamoDB Local (to create events and check the results).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.backend import LOAD_TEST_SETTINGS, crm_receiver, signing_settings
from bench.settings import app_pointed_at
from local.crm_sink import CrmSink
from local.dynamodb_local import free_port
from local.paths import REPO_ROOT

START_TIMEOUT_SECONDS = 120


class TimedSink(CrmSink):
    """The project's CRM sink, also noting when (monotonic clock) each webhook id arrived."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[str, list[float]] = {}
        self._arrivals_lock = threading.Lock()

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        arrived = time.monotonic()
        status = super().receive(headers, body)
        webhook_id = {name.lower(): value for name, value in headers.items()}.get("webhook-id")
        with self._arrivals_lock:
            self.arrivals.setdefault(webhook_id or "", []).append(arrived)
        return status


@dataclass
class Runner:
    base_url: str
    dynamodb_endpoint: str
    crm: TimedSink
    log_path: Path


@contextlib.contextmanager
def started() -> Iterator[Runner]:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        data_dir = Path(scratch) / "data"
        with crm_receiver(data_dir, TimedSink) as crm:
            port, dynamodb_port = free_port(), free_port()
            app_environment = {**LOAD_TEST_SETTINGS, **signing_settings(crm)}
            environment = {
                **{k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"},
                **app_environment,
                "PORT": str(port),
                "DYNAMODB_LOCAL_PORT": str(dynamodb_port),
                "DATA_DIR": str(data_dir),
            }
            log_path = Path(scratch) / "runner.log"
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "local.run"],
                    cwd=REPO_ROOT,
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                runner = Runner(
                    f"http://127.0.0.1:{port}", f"http://127.0.0.1:{dynamodb_port}", crm, log_path
                )
                _wait_until_ready(process, runner, data_dir / "relay" / "ready")
                pointed = {
                    **app_environment,
                    "DATA_DIR": str(data_dir),
                    "DYNAMODB_ENDPOINT": runner.dynamodb_endpoint,
                }
                with app_pointed_at(pointed):
                    yield runner
            finally:
                _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], runner: Runner, relay_ready: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`make run` exited while starting:\n{_tail(runner.log_path)}")
        with contextlib.suppress(requests.RequestException):
            healthy = requests.get(f"{runner.base_url}/health", timeout=1).status_code == 200
            if healthy and relay_ready.exists():
                return
        time.sleep(0.2)
    raise RuntimeError(
        f"`make run` was not ready in {START_TIMEOUT_SECONDS}s:\n{_tail(runner.log_path)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
