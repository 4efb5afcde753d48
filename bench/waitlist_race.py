"""Measure 8: the waiting list raced under `make run`. For each level N, an event with N seats
all booked and N people in line; then, released at once, the N seated users cancel while N
newcomers join the line. Each freed seat must go to exactly one person, the first in line:
the N who were waiting, never a newcomer. Reported: promotions, the wall time of the race,
p50/p95 per request, and 5xx (none allowed).

    python -m bench.waitlist_race
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import api, cli
from bench.report import Table, median, percentile
from bench.runner import Runner

NEEDS = cli.RUNNER
LEVELS = (5, 15)


def run(server: Runner) -> list[Table]:
    return [measure(server, LEVELS)]


def measure(server: Runner, levels: tuple[int, ...]) -> Table:
    table = Table(
        "9. Waiting list race under `make run` (N cancel while N join, N already waiting)",
        [
            "N",
            "promotions",
            "first N in line promoted",
            "race time",
            "cancel p50 / p95",
            "join p50 / p95",
            "5xx",
            "seats / capacity",
        ],
    )
    for level in levels:
        _level(table, server, level)
    table.notes.append(
        "Each cancellation's transaction promotes the first in line; a cancellation whose "
        "line moved meanwhile (another promotion, a join) is tried again with the line the "
        "failed try handed back, so the retries show in the cancel times, not as errors."
    )
    return table


def _level(table: Table, server: Runner, level: int) -> None:
    from bench import data
    from chalicelib import models

    event_id = data.new_event(capacity=level, waitlist_capacity=3 * level)
    seated = [data.new_user_token() for _ in range(level)]
    waiting = [data.new_user_token() for _ in range(level)]
    joining = [data.new_user_token() for _ in range(level)]
    with requests.Session() as session:
        setup = api.Api(api.over_http(server.base_url, session))
        bookings = [setup.book(token, event_id) for token in seated]
        lined_up = [setup.join_waitlist(token, event_id) for token in waiting]
    if any(b.status != 201 for b in bookings) or any(j.status != 201 for j in lined_up):
        table.fail(f"N={level}: the event could not be filled and lined up")
        return
    first_in_line = {j.body["booking_id"] for j in lined_up}

    start = threading.Barrier(2 * level)
    times: dict[str, list[float]] = {api.CANCEL: [], api.JOIN: []}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def send(step: str, request: Callable[[], api.Answer]) -> None:
        start.wait()
        began = time.perf_counter()
        answer = request()
        with lock:
            times[step].append(time.perf_counter() - began)
            statuses[answer.status] += 1

    def cancel(index: int) -> None:
        with requests.Session() as session:
            http = api.Api(api.over_http(server.base_url, session))
            booking_id = bookings[index].body["booking_id"]
            send(api.CANCEL, lambda: http.cancel(seated[index], booking_id))

    def join(index: int) -> None:
        with requests.Session() as session:
            http = api.Api(api.over_http(server.base_url, session))
            send(api.JOIN, lambda: http.join_waitlist(joining[index], event_id))

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=2 * level) as pool:
        futures = [pool.submit(cancel, n) for n in range(level)]
        futures += [pool.submit(join, n) for n in range(level)]
        for future in futures:
            future.result()
    race = time.monotonic() - began

    event = models.Event.get(event_id, consistent_read=True)
    held = list(models.Booking.by_event.query(event_id))
    confirmed = {b.booking_id for b in held if b.status == models.CONFIRMED}
    waitlisted = [b for b in held if b.status == models.WAITLISTED]
    promoted = len(confirmed & first_in_line)
    errors = sum(n for status, n in statuses.items() if status >= 500)
    table.add(
        level,
        len(confirmed - {b.body["booking_id"] for b in bookings}),
        f"{promoted} of {level}",
        f"{race * 1000:.0f} ms",
        _spread(times[api.CANCEL]),
        _spread(times[api.JOIN]),
        errors,
        f"{event.seats_taken} / {event.capacity}",
    )
    if errors:
        table.fail(f"N={level}: {errors} answers were 5xx")
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 201)}
    if unexpected:
        table.fail(f"N={level}: unexpected answers {unexpected}")
    if promoted != level or len(confirmed) != level:
        table.fail(f"N={level}: {promoted} of the first {level} in line promoted")
    if event.seats_taken != len(confirmed) or event.seats_taken > event.capacity:
        table.fail(f"N={level}: seats_taken {event.seats_taken}, confirmed {len(confirmed)}")
    if event.waitlist_count != len(waitlisted) or len(waitlisted) != level:
        table.fail(f"N={level}: waitlist_count {event.waitlist_count}, {len(waitlisted)} waiting")


def _spread(times: list[float]) -> str:
    if not times:
        return "-"
    return f"{median(times) * 1000:.0f} / {percentile(times, 0.95) * 1000:.0f} ms"


if __name__ == "__main__":
    sys.exit(cli.main(["waitlist_race"]))
