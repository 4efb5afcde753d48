"""Measure 2: handler overhead. Each endpoint's median time in its handler (the Lambda
entry point, ``app(event, context)``: routing, middleware, schemas, JWT, PynamoDB, JSON)
divided by the median time of the raw DynamoDB calls it makes, timed on the botocore client
inside the same requests. Goal: ≤ 1.2x.

The requests go through Chalice's test client, which also stands in for API Gateway and the
Lambda runtime (it builds the proxy event, matches the route, copies the environment and
decodes the answer: ~0.3 ms a request here); its whole time is shown beside the handler's,
but that part is not the handler's and is left out of the ratio.

Register and login each spend one bcrypt hash at the in-process cost (4 rounds); a second
ratio leaves that hash out, since its cost is a security setting, not overhead.

    python -m bench.overhead
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from bench import api, cli
from bench.in_process import InProcess
from bench.report import Table, median, ms, ratio, verdict
from local.call_counter import time_dynamodb_calls

NEEDS = cli.IN_PROCESS
GOAL = 1.2
FLOWS = 40
HASHES = 20
HASHING_STEPS = (api.REGISTER, api.LOGIN)


def run(app: InProcess) -> list[Table]:
    return [measure(app, FLOWS)]


def measure(app: InProcess, flows: int) -> Table:
    table = Table(
        f"2. Handler overhead (in process, median of {flows} requests each)",
        [
            "request",
            "test client request",
            "handler",
            "DynamoDB calls",
            "ratio",
            "without hashing",
            "≤ 1.2x",
        ],
    )
    samples: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    from app import app as chalice_app

    def timed(step: str, request: Callable[[], api.Answer]) -> api.Answer:
        with time_dynamodb_calls() as spent, _handler_time(chalice_app) as handled:
            started = time.perf_counter()
            answer = request()
            elapsed = time.perf_counter() - started
        samples[step].append((elapsed, sum(handled), spent.seconds))
        if answer.status >= 500:
            table.fail(f"{step} answered {answer.status}: {answer.body}")
        return answer

    from bench import data

    event_id = data.new_event(capacity=2)
    # One flow first, not timed: the first request of each kind pays for lazy imports and
    # connections, which measure 4 (cold start) accounts for.
    api.user_flow(app.api, data.unique_email(), event_id)
    for _ in range(flows):
        api.user_flow(app.api, data.unique_email(), event_id, watch=timed)
    hashing = hash_seconds(HASHES)
    for step in api.STEPS:
        client_side = median(total for total, _, _ in samples[step])
        whole = median(handler for _, handler, _ in samples[step])
        dynamodb = median(spent for _, _, spent in samples[step])
        without = whole - hashing if step in HASHING_STEPS else whole
        table.add(
            step,
            ms(client_side),
            ms(whole),
            ms(dynamodb),
            ratio(whole / dynamodb),
            ratio(without / dynamodb) if step in HASHING_STEPS else "",
            verdict(without / dynamodb <= GOAL),
        )
    table.notes.append(
        f"One bcrypt hash at {_rounds()} rounds: {ms(hashing)} (median of {HASHES}); "
        "register and login each spend one."
    )
    return table


@contextlib.contextmanager
def _handler_time(chalice_app: Any) -> Iterator[list[float]]:
    """The seconds each call of the app's Lambda entry point takes inside the block."""
    app_class = type(chalice_app)
    entry = app_class.__call__
    own_entry = vars(app_class).get("__call__")
    handled: list[float] = []

    def timed_entry(self: Any, event: Any, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return entry(self, event, context)
        finally:
            handled.append(time.perf_counter() - started)

    app_class.__call__ = timed_entry
    try:
        yield handled
    finally:
        if own_entry is None:
            del app_class.__call__
        else:
            app_class.__call__ = own_entry


def hash_seconds(count: int) -> float:
    """The median time of one password hash at the configured cost."""
    from chalicelib import passwords

    times = []
    for _ in range(count):
        started = time.perf_counter()
        passwords.hash_password(api.PASSWORD)
        times.append(time.perf_counter() - started)
    return median(times)


def _rounds() -> int:
    from chalicelib.config import get_settings

    return get_settings().bcrypt_rounds


if __name__ == "__main__":
    sys.exit(cli.main(["overhead"]))
