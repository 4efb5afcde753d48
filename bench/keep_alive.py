"""Measure 5: kept-alive connections under `make run`. The same authenticated GETs, sent
one after another on one ``requests.Session`` (the connection kept alive, as browsers and
API clients do) and on a new connection each; p50 per route and the ratio.
Goal: keep-alive p50 ≤ 1.2x the new-connection p50.

A server that writes a response's headers and body in separate small sends stalls on a
kept-alive connection: Nagle's algorithm holds the body back until the client acknowledges
the headers, and the client delays that ACK (40 ms on Linux). A new connection hides it, so
the ratio, not the absolute time, is what this table watches.

    python -m bench.keep_alive
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial

import requests

from bench import cli
from bench.report import Table, median, ms, ratio, verdict
from bench.runner import Runner

NEEDS = cli.RUNNER
GOAL = 1.2
REQUESTS = 40
ROUTES = ("/events/", "/bookings/my", "/auth/me")
TIMEOUT_SECONDS = 30


def run(server: Runner) -> list[Table]:
    return [measure(server, REQUESTS)]


def measure(server: Runner, requests_per_route: int) -> Table:
    from bench import data

    data.new_event(capacity=10)
    headers = {"Authorization": f"Bearer {data.new_user_token()}"}
    table = Table(
        f"5. Kept-alive connections under `make run` (p50 of {requests_per_route} GETs each)",
        ["route", "keep-alive", "new connection each", "ratio", "≤ 1.2x"],
    )
    for route in ROUTES:
        url = server.base_url + route
        with requests.Session() as session:
            kept = _p50(
                table, route, requests_per_route, partial(session.get, url, headers=headers)
            )
        fresh = _p50(table, route, requests_per_route, partial(_fresh_get, url, headers))
        table.add(route, ms(kept), ms(fresh), ratio(kept / fresh), verdict(kept / fresh <= GOAL))
    table.notes.append(
        "Route by route, keep-alive first, then new connections; each series after one untimed "
        "request (which opens the session's connection)."
    )
    return table


def _fresh_get(url: str, headers: dict[str, str]) -> requests.Response:
    with requests.Session() as session:
        return session.get(url, headers={**headers, "Connection": "close"}, timeout=TIMEOUT_SECONDS)


def _p50(table: Table, route: str, count: int, get: Callable[[], requests.Response]) -> float:
    get()
    timed = []
    for _ in range(count):
        started = time.perf_counter()
        status = get().status_code
        timed.append((time.perf_counter() - started, status))
    wrong = sorted({status for _, status in timed if status != 200})
    if wrong:
        table.fail(f"{route} answered {wrong}")
    return median(seconds for seconds, _ in timed)


if __name__ == "__main__":
    sys.exit(cli.main(["keep_alive"]))
