"""Count and time DynamoDB round trips by wrapping the botocore client (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.client import BaseClient

_lock = threading.Lock()
# Each open block's observer, called with (operation name, seconds the call took).
_active: list[Callable[[str, float], None]] = []
_original = BaseClient._make_api_call


def _observed_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
    if self.meta.service_model.service_name != "dynamodb" or not _active:
        return _original(self, operation_name, api_params)
    started = time.perf_counter()
    try:
        return _original(self, operation_name, api_params)
    finally:
        elapsed = time.perf_counter() - started
        with _lock:
            for observe in _active:
                observe(operation_name, elapsed)


@contextlib.contextmanager
def _observing(observe: Callable[[str, float], None]) -> Iterator[None]:
    with _lock:
        _active.append(observe)
        BaseClient._make_api_call = _observed_call
    try:
        yield
    finally:
        with _lock:
            _active.remove(observe)
            if not _active:
                BaseClient._make_api_call = _original


@contextlib.contextmanager
def count_dynamodb_calls() -> Iterator[Counter[str]]:
    """Yield a Counter of DynamoDB operations made (by any thread) inside the block."""
    counter: Counter[str] = Counter()
    with _observing(lambda operation, _: counter.update((operation,))):
        yield counter


@dataclass
class DynamoDBTime:
    seconds: float = 0.0

    def _add(self, operation: str, seconds: float) -> None:
        self.seconds += seconds


@contextlib.contextmanager
def time_dynamodb_calls() -> Iterator[DynamoDBTime]:
    """Yield the total time the DynamoDB calls made (by any thread) inside the block took:
    from handing each request to botocore to having its parsed answer back."""
    spent = DynamoDBTime()
    with _observing(spent._add):
        yield spent
