"""Measure 6: webhooks under `make run`. How long from a booking's 201 until its signed POST
reaches the CRM (p50/p95 over 200 bookings), and how long 1,000 deliveries that failed while
the CRM was down take to arrive once it is back.

Latency follows the real path: the bookings stream, the local relay (polling every 0.2 s,
as Lambda polls a stream on AWS), the stream handler. The relay, like Lambda with one shard,
handles records one batch after another, so bookings are sent twice: paced (a steady
trickle) and back to back (a burst that queues behind the handler).

The backlog: the CRM stops, 1,000 bookings are made, and every delivery fails its first
POST and waits as pending. A first retry is due 30-60 s after a failure (1 min, jittered) by
design, so rather than wait that out, the retrier function (what the `retry_webhooks`
Lambda runs) is called here with its clock moved 3 minutes on, as tests move it: every
delivery is due, and the drain time is the retrier's own pace. (3 minutes stays inside the
5-minute window in which the CRM accepts a signature's timestamp.)

A delivery that never arrives, arrives twice, or fails its signature check is a failure.

    python -m bench.webhook_latency
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

import requests

from bench import api, cli
from bench.report import Table, latency_cells
from bench.runner import Runner
from chalicelib.config import get_settings

NEEDS = cli.RUNNER
BOOKINGS = 200
PACE_SECONDS = 0.1
BACKLOG = 1_000
USERS = 10
ARRIVAL_TIMEOUT_SECONDS = 60
PENDING_TIMEOUT_SECONDS = 120
DRAIN_TIMEOUT_SECONDS = 180
CLOCK_MOVED = timedelta(minutes=3)
CONFIRMED = "booking.confirmed"


def run(server: Runner) -> list[Table]:
    return [latency(server, BOOKINGS), drain(server, BACKLOG)]


def latency(server: Runner, bookings: int) -> Table:
    from bench import data

    table = Table(
        f"6. Webhook latency under `make run`: booking 201 → POST at the CRM ({bookings} each)",
        ["bookings", "delivered", "p50", "p95", "slowest"],
    )
    users = [data.new_user_token() for _ in range(USERS)]
    with requests.Session() as session:
        http = api.Api(api.over_http(server.base_url, session))
        for label, pace in (
            (f"paced, one every {PACE_SECONDS:g} s", PACE_SECONDS),
            ("back to back", 0),
        ):
            answered = _book(table, http, users, bookings, pace)
            _wait_for(server, set(answered), ARRIVAL_TIMEOUT_SECONDS)
            _check_deliveries(table, server, set(answered))
            latencies = [
                server.crm.arrivals[i][0] - at
                for i, at in answered.items()
                if i in server.crm.arrivals
            ]
            if latencies:
                table.add(label, *latency_cells(latencies))
    return table


def _book(
    table: Table, http: api.Api, users: list[str], bookings: int, pace: float
) -> dict[str, float]:
    """Book ``bookings`` seats (each user once per event); when each webhook id's 201 came."""
    from bench import data

    event_ids = [data.new_event(capacity=len(users)) for _ in range(-(-bookings // len(users)))]
    answered: dict[str, float] = {}
    for n in range(bookings):
        answer = http.book(users[n % len(users)], event_ids[n // len(users)])
        if answer.status != 201:
            table.fail(f"booking answered {answer.status}: {answer.body}")
            continue
        answered[f"{answer.body['booking_id']}.{CONFIRMED}"] = time.monotonic()
        time.sleep(pace)
    return answered


def drain(server: Runner, backlog: int) -> Table:
    from bench import data
    from chalicelib import clock, ids, webhooks

    table = Table(
        f"6. Webhook backlog: {backlog:,} deliveries that failed while the CRM was down",
        [
            "deliveries",
            "all failed once after",
            "CRM back → all arrived",
            "per second",
            "retrier runs",
        ],
    )
    server.crm.stop()
    started = time.monotonic()
    booking_ids = data.bulk_bookings([ids.new_id() for _ in range(backlog)])
    wanted = {f"{booking_id}.{CONFIRMED}" for booking_id in booking_ids}
    all_pending = _wait_until_pending(wanted)
    failed_after = time.monotonic() - started
    server.crm.start()
    if not all_pending:
        table.fail(f"the deliveries were not all pending within {PENDING_TIMEOUT_SECONDS} s")
        return table
    back = time.monotonic()
    runs = 0
    clock.set_clock(lambda: datetime.now(UTC) + CLOCK_MOVED)
    try:
        while (
            not wanted <= server.crm.arrivals.keys()
            and time.monotonic() - back < DRAIN_TIMEOUT_SECONDS
        ):
            outcomes = webhooks.retry_due_deliveries()
            runs += 1
            if not any(outcomes.values()):
                time.sleep(0.5)  # nothing was due (another worker holds the rest): wait a bit
    finally:
        clock.set_clock(None)
    drained = time.monotonic() - back
    _check_deliveries(table, server, wanted)
    table.add(
        f"{len(wanted & server.crm.arrivals.keys()):,} of {backlog:,}",
        f"{failed_after:.1f} s",
        f"{drained:.1f} s",
        f"{backlog / drained:.0f}",
        runs,
    )
    table.notes.append(
        "On AWS add the wait by design: a first retry is due 30-60 s after the failure, and "
        f"the retrier runs once a minute for at most {get_settings().retrier_budget_seconds} s."
    )
    return table


def _wait_until_pending(wanted: set[str]) -> bool:
    """Whether every delivery failed its first POST and is pending, within the timeout."""
    from chalicelib import models

    deadline = time.monotonic() + PENDING_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        pending = {
            row.delivery_id
            for row in models.WebhookDelivery.due.query(models.PENDING)
            if row.delivery_id in wanted
        }
        if pending == wanted:
            return True
        time.sleep(0.5)
    return False


def _wait_for(server: Runner, webhook_ids: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not webhook_ids <= server.crm.arrivals.keys():
        time.sleep(0.05)


def _check_deliveries(table: Table, server: Runner, webhook_ids: set[str]) -> None:
    missing = webhook_ids - server.crm.arrivals.keys()
    if missing:
        table.fail(f"{len(missing)} of {len(webhook_ids)} webhooks never arrived")
    repeated = [i for i in webhook_ids if len(server.crm.arrivals.get(i, ())) > 1]
    if repeated:
        table.fail(f"{len(repeated)} webhooks arrived more than once")
    unsigned = [
        d
        for d in server.crm.deliveries
        if d["webhook_id"] in webhook_ids and d["signature"] != "ok"
    ]
    if unsigned:
        table.fail(f"{len(unsigned)} deliveries failed the signature check")


if __name__ == "__main__":
    sys.exit(cli.main(["webhook_latency"]))
