"""The API over real HTTP, for the browser tests and schemathesis."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

from local.dynamodb_local import free_port
from local.processes import NotReady, launch, stop, wait_for_http


@pytest.fixture(scope="session")
def live_server(dynamodb_local) -> Iterator[str]:
    """The base URL of the app served over real HTTP, sharing this run's tables."""
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    with tempfile.TemporaryFile() as output:
        server = launch("local.api_server", env, stdout=output, stderr=subprocess.STDOUT)

        def exited() -> str | None:
            if server.poll() is None:
                return None
            output.seek(0)
            return f"the API server exited: {output.read().decode(errors='replace')[-2000:]}"

        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_for_http(f"{base}/health", exited)
            except NotReady as error:
                pytest.fail(str(error))
            yield base
        finally:
            stop(server)
