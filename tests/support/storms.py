"""Many users at once against one event: how the concurrency tests release them, and what
each caller saw."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.errors import error_of

# Requests released at once. One DynamoDB Local on two shared cores answers a few dozen
# simultaneous transactions within the API's 3 s read timeout, not hundreds.
WAVE = 25


def answer(response: Any) -> int | tuple[int, str]:
    """What the caller saw: the status, and the error code for an error."""
    assert response.status_code < 500, response.body
    if response.status_code >= 400:
        return (response.status_code, error_of(response)["code"])
    return response.status_code


def storm_while_sampling(
    storm: Callable[[Any], list[Any]], users: list[Any], sample: Callable[[], Any]
) -> tuple[Counter, list[Any]]:
    """Run ``storm(user)`` for every user at once, one thread each, while ``sample()`` is
    taken every 10 ms on another; the answers every storm returned, counted, and the samples
    (what the event looked like during the storm, not only after it)."""
    over = threading.Event()
    samples: list[Any] = []

    def watch() -> None:
        while not over.wait(0.01):
            samples.append(sample())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            answers = Counter(a for answers in pool.map(storm, users) for a in answers)
    finally:
        over.set()
        watcher.join()
    return answers, samples
