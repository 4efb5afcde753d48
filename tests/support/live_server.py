"""The API over real HTTP, for the browser tests and schemathesis."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import pytest
import requests

from local.dynamodb_local import free_port
from local.paths import REPO_ROOT

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
