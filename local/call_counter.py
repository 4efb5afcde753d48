"""Count DynamoDB round trips by wrapping the botocore client (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from botocore.client import BaseClient

_lock = threading.Lock()
_active: list[Counter[str]] = []
_original = BaseClient._make_api_call


def _counting_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
    if self.meta.service_model.service_name == "dynamodb" and _active:
        with _lock:
            for counter in _active:
                counter[operation_name] += 1
    return _original(self, operation_name, api_params)


@contextlib.contextmanager
def count_dynamodb_calls() -> Iterator[Counter[str]]:
    """Yield a Counter of DynamoDB operations made (by any thread) inside the block."""
    counter: Counter[str] = Counter()
    with _lock:
        _active.append(counter)
        BaseClient._make_api_call = _counting_call
    try:
        yield counter
    finally:
        with _lock:
            _active.remove(counter)
            if not _active:
                BaseClient._make_api_call = _original
