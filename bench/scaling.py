"""Measure 3: listing events and my bookings cost the same with 100, 10,000 and 100,000
events in the table. Goal: flat (latency ratio largest/smallest ≤ 1.2, equal call counts).

Events are bulk-loaded between the sizes (BatchWriteItem, a few threads), together with one
booking by another user for every tenth event, so the bookings table grows too. The user
whose bookings are listed has booked a few events through the API.

    python -m bench.scaling
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable

from bench import api, cli
from bench.in_process import InProcess
from bench.report import Table, median, ms, ratio, verdict
from local.call_counter import count_dynamodb_calls

NEEDS = cli.IN_PROCESS
SIZES = (100, 10_000, 100_000)
REQUESTS = 40
OWN_BOOKINGS = 10
BOOKINGS_PER_EVENT = 0.1
GOAL = 1.2
# Untimed requests before the first size, as multiples of the timed ones.
WARM_UP = 3


def run(app: InProcess) -> list[Table]:
    return [measure(app, SIZES, REQUESTS)]


def measure(app: InProcess, sizes: tuple[int, ...], requests: int) -> Table:
    table = Table(
        f"3. Scaling (median of {requests} requests at each size)",
        ["events", "bookings", "load time", "list events", "calls", "my bookings", "calls"],
    )
    from bench import data

    loaded_events = 0
    loaded_bookings = 0
    token = data.new_user_token()
    results: dict[int, dict[str, tuple[float, Counter[str]]]] = {}
    for size in sizes:
        started = time.monotonic()
        new_ids = data.bulk_events(size - loaded_events, first=loaded_events)
        other_bookings = int(size * BOOKINGS_PER_EVENT) - loaded_bookings
        data.bulk_bookings(new_ids[:other_bookings])
        load_seconds = time.monotonic() - started
        if not loaded_events:
            for event_id in new_ids[:OWN_BOOKINGS]:
                _check(table, "book", app.api.book(token, event_id), size)
            # Not timed: DynamoDB Local's JIT compiles its read paths over the first requests,
            # which would make the smallest size look slowest.
            for _ in range(WARM_UP * requests):
                app.api.list_events(token)
                app.api.my_bookings(token)
        loaded_events, loaded_bookings = size, loaded_bookings + other_bookings
        results[size] = {
            api.LIST: _sample(table, size, requests, lambda: app.api.list_events(token)),
            api.MINE: _sample(table, size, requests, lambda: app.api.my_bookings(token)),
        }
        listing, mine = results[size][api.LIST], results[size][api.MINE]
        table.add(
            f"{size:,}",
            f"{loaded_bookings + OWN_BOOKINGS:,}",
            f"{load_seconds:.1f} s",
            ms(listing[0]),
            _calls(listing[1]),
            ms(mine[0]),
            _calls(mine[1]),
        )
    smallest, largest = results[sizes[0]], results[sizes[-1]]
    for step in (api.LIST, api.MINE):
        growth = largest[step][0] / smallest[step][0]
        same_calls = largest[step][1] == smallest[step][1]
        table.notes.append(
            f"{step}: latency {sizes[-1]:,}/{sizes[0]:,} = {ratio(growth)} "
            f"(goal ≤ {GOAL}x: {verdict(growth <= GOAL)}); "
            f"calls {'equal' if same_calls else 'DIFFERENT'}"
        )
        if not same_calls:
            table.fail(f"{step} makes {_calls(largest[step][1])} calls at {sizes[-1]:,} events")
    return table


def _sample(
    table: Table, size: int, requests: int, request: Callable[[], api.Answer]
) -> tuple[float, Counter[str]]:
    """Median latency of ``requests`` requests, and the calls each one made (all the same)."""
    times = []
    seen: set[tuple[tuple[str, int], ...]] = set()
    for _ in range(requests):
        with count_dynamodb_calls() as calls:
            started = time.perf_counter()
            answer = request()
            times.append(time.perf_counter() - started)
        _check(table, "request", answer, size)
        seen.add(tuple(sorted(calls.items())))
    if len(seen) > 1:
        table.fail(f"at {size:,} events one request made different calls each time: {seen}")
    return median(times), calls


def _check(table: Table, what: str, answer: api.Answer, size: int) -> None:
    if answer.status not in (200, 201):
        table.fail(f"{what} at {size:,} events answered {answer.status}: {answer.body}")


def _calls(calls: Counter[str]) -> str:
    return f"{sum(calls.values())} ({', '.join(sorted(calls))})"


if __name__ == "__main__":
    sys.exit(cli.main(["scaling"]))
