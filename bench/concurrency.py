"""Measure 5: concurrency under `make run`. N clients (1, 8, 32), each running new users'
flows (register → log in → list events → book → my bookings) one after another against the
running server: flows per second, p50/p95 per step, and the guarantees: no 5xx, no user
with two bookings of an event, never more seats taken than the event has.

All flows of a level book the same event, which has seats for three quarters of them, so
the last seats are raced for and some bookings are refused (409 event_full).

Password hashing is a security setting (``BCRYPT_ROUNDS``, 12 by default): the server runs at
4 so the numbers show the API, and the cost of one hash at each setting is reported apart.

    python -m bench.concurrency
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import requests

from bench import api, cli
from bench.backend import BCRYPT_ROUNDS
from bench.report import Table, median, ms, percentile
from bench.runner import Runner

NEEDS = cli.RUNNER
LEVELS = (1, 8, 32)
FLOWS_PER_LEVEL = 64
HASHES = 5
PRODUCTION_ROUNDS = 12
FLOW_STEPS = (api.REGISTER, api.LOGIN, api.LIST, api.BOOK, api.MINE)
EXPECTED = {
    api.REGISTER: {201},
    api.LOGIN: {200},
    api.LIST: {200},
    api.BOOK: {201, 409},
    api.MINE: {200},
}


def run(server: Runner) -> list[Table]:
    return [measure(server, LEVELS, FLOWS_PER_LEVEL), hashing_table()]


def measure(server: Runner, levels: tuple[int, ...], flows_per_level: int) -> Table:
    table = Table(
        "5. Concurrency under `make run` (p50 / p95 per step)",
        ["clients", "flows", "flows/s", *FLOW_STEPS, "5xx", "booked / seats"],
    )
    for clients in levels:
        _level(table, server, clients, math.ceil(flows_per_level / clients))
    table.notes.append(
        f"The server hashes passwords at {BCRYPT_ROUNDS} rounds here; see the hashing table for "
        "what the production setting adds to register and login."
    )
    return table


def _level(table: Table, server: Runner, clients: int, flows_per_client: int) -> None:
    from bench import data

    flows = clients * flows_per_client
    capacity = max(1, flows * 3 // 4)
    event_id = data.new_event(capacity=capacity)
    times: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    booked: list[bool] = []  # per flow: did its booking answer 201
    listed: list[int] = []  # per flow: how often its my bookings showed the event
    unanswered: list[str] = []
    lock = threading.Lock()

    def timed(step: str, request: Callable[[], api.Answer]) -> api.Answer:
        started = time.perf_counter()
        answer = request()
        elapsed = time.perf_counter() - started
        with lock:
            times[step].append(elapsed)
            statuses[(step, answer.status)] += 1
        return answer

    def client(_: int) -> None:
        with requests.Session() as session:
            http = api.Api(api.over_http(server.base_url, session))
            for _ in range(flows_per_client):
                try:
                    answers = api.user_flow(
                        http, data.unique_email(), event_id, watch=timed, cancel=False
                    )
                except requests.RequestException as error:
                    with lock:
                        unanswered.append(repr(error))
                    continue
                mine = answers.get(api.MINE)
                with lock:
                    booked.append(answers.get(api.BOOK, api.Answer(0, None)).status == 201)
                    if mine is not None and mine.status == 200:
                        listed.append(
                            sum(b["event"]["id"] == event_id for b in mine.body["bookings"])
                        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.monotonic() - started

    server_errors = sum(n for (_, status), n in statuses.items() if status >= 500)
    table.add(
        clients,
        flows,
        f"{flows / wall:.1f}",
        *(_spread(times[step]) for step in FLOW_STEPS),
        server_errors,
        f"{sum(booked)} / {capacity}",
    )
    if unanswered:
        table.fail(f"{clients} clients: {len(unanswered)} requests got no answer: {unanswered[0]}")
    for (step, status), count in sorted(statuses.items()):
        if status not in EXPECTED[step]:
            table.fail(f"{clients} clients: {step} answered {status} {count} times")
    _check_seats(table, clients, event_id, capacity, sum(booked))
    if any(n > 1 for n in listed):
        table.fail(f"{clients} clients: a user's bookings list the event more than once")
    if sorted(listed) != sorted(int(b) for b in booked):
        table.fail(f"{clients} clients: my bookings disagree with the bookings answered 201")


def _check_seats(table: Table, clients: int, event_id: str, capacity: int, booked: int) -> None:
    """The event's count, its confirmed bookings and the 201s must agree, within capacity."""
    from chalicelib import models

    seats_taken = models.Event.get(event_id, consistent_read=True).seats_taken
    confirmed = Counter(
        booking.user_id
        for booking in models.Booking.by_event.query(event_id)
        if booking.status == "confirmed"
    )
    duplicates = [user for user, n in confirmed.items() if n > 1]
    if duplicates:
        table.fail(f"{clients} clients: users with two bookings of one event: {duplicates}")
    if seats_taken > capacity:
        table.fail(f"{clients} clients: {seats_taken} seats taken of {capacity}")
    if not seats_taken == sum(confirmed.values()) == booked:
        table.fail(
            f"{clients} clients: seats_taken {seats_taken}, confirmed bookings "
            f"{sum(confirmed.values())} and 201 answers {booked} differ"
        )


def _spread(times: list[float]) -> str:
    if not times:
        return "-"
    return f"{median(times) * 1000:.0f} / {percentile(times, 0.95) * 1000:.0f} ms"


def hashing_table(hashes: int = HASHES) -> Table:
    cores = len(os.sched_getaffinity(0))
    table = Table(
        f"5. Password hashing, apart (bcrypt, median of {hashes}; one hash per register or login)",
        ["BCRYPT_ROUNDS", "one hash", "register + login add", f"flows/s {cores} cores allow"],
    )
    for rounds in (BCRYPT_ROUNDS, PRODUCTION_ROUNDS):
        salt = bcrypt.gensalt(rounds)
        times = []
        for _ in range(hashes):
            started = time.perf_counter()
            bcrypt.hashpw(b"x" * 44, salt)
            times.append(time.perf_counter() - started)
        one = median(times)
        label = f"{rounds} ({'this benchmark' if rounds == BCRYPT_ROUNDS else 'production'})"
        table.add(label, ms(one), ms(2 * one), f"{cores / (2 * one):.1f}")
    table.notes.append(
        "A hash holds a core from start to end: at the production cost, hashing, not the API, "
        "bounds how many people can register and log in per second, and it is most of those "
        "two requests' latency (a Lambda instance serves one request at a time)."
    )
    return table


if __name__ == "__main__":
    sys.exit(cli.main(["concurrency"]))
