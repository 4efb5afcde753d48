"""Child processes of the local tools: started one way, waited for one way, stopped one way."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO

import requests

from local.paths import REPO_ROOT

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


class NotReady(RuntimeError):
    """A child did not get ready: it exited first, or did not answer in time."""


def launch(
    module: str,
    env: Mapping[str, str],
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
) -> subprocess.Popen[bytes]:
    """``python -m <module>`` with this interpreter, from the repository root, with ``env``."""
    return subprocess.Popen(
        [sys.executable, "-m", module], cwd=REPO_ROOT, env=dict(env), stdout=stdout, stderr=stderr
    )


def stop(*processes: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Ask every process to stop (SIGTERM) at once; kill any still running after ``timeout``."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(
    ready: Callable[[], bool],
    what: str,
    exited: Callable[[], str | None] = lambda: None,
    timeout: float = READY_TIMEOUT_SECONDS,
    interval: float = 0.2,
) -> None:
    """Return once ``ready()``; raise NotReady when ``exited()`` reports why a child is gone
    (checked first, so a crash is reported at once) or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        gone = exited()
        if gone is not None:
            raise NotReady(gone)
        if ready():
            return
        if time.monotonic() >= deadline:
            raise NotReady(f"{what} did not answer within {timeout:.0f}s")
        time.sleep(interval)


def wait_for_http(
    url: str,
    exited: Callable[[], str | None] = lambda: None,
    timeout: float = READY_TIMEOUT_SECONDS,
) -> None:
    """Wait until ``url`` answers 200 (see ``wait_until``)."""
    wait_until(lambda: _answers(url), url, exited, timeout)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
