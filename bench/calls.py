"""Measure 1: DynamoDB calls per request, counted on the botocore client, beside the round-trip
budget of docs/architecture.md. A request over budget, or one that does not succeed, is a failure.
Beside the user's flow: joining a full event's waiting list, cancelling a seat someone waits
for (the cancel whose transaction also promotes the first in line), booking a 12-date drop-in
series and moving a booking to another date of its series.

The stream handler is fed the real stream records of the booking and cancellation made
here, read from DynamoDB Local's stream by the local relay as `make run` does. It must build
and send each webhook from the record alone: no reads (its writes are the delivery row).

    python -m bench.calls
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import api, cli
from bench.in_process import InProcess
from bench.report import Table
from local.call_counter import count_dynamodb_calls

NEEDS = cli.IN_PROCESS

# docs/architecture.md, "Round-trip budget": the most calls each request may make. Register
# and login count the attempt against their throttles before any bcrypt work (one write);
# a login's success then clears its count (chalicelib/throttling.py).
BUDGET = {
    api.REGISTER: 2,
    api.LOGIN: 3,
    api.LIST: 2,
    api.BOOK: 2,
    api.CANCEL: 3,
    api.MINE: 2,
    api.JOIN: 2,
    api.CANCEL_PROMOTING: 4,
    # Account + revocation, the facilitator, the series item, its dates in one BatchWriteItem.
    api.CREATE_SERIES: 4,
    # The account, the series' dates (one Query), then per date the booking's own two.
    api.BOOK_SERIES: 2 + 2 * 12,
    # The account, the booking by id, both dates in one BatchGetItem, the TransactWrite.
    api.MOVE: 4,
}
EXPECTED_STATUS = {
    api.REGISTER: 201,
    api.LOGIN: 200,
    api.LIST: 200,
    api.BOOK: 201,
    api.MINE: 200,
    api.CANCEL: 200,
    api.JOIN: 201,
    api.CANCEL_PROMOTING: 200,
    api.CREATE_SERIES: 201,
    api.BOOK_SERIES: 201,
    api.MOVE: 200,
}
# At most, not exactly: the budget says "≤".
AT_MOST = frozenset({api.CANCEL, api.CANCEL_PROMOTING, api.MOVE})
READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
STREAM_WAIT_SECONDS = 30


def run(app: InProcess) -> list[Table]:
    return [measure(app)]


def measure(app: InProcess) -> Table:
    table = Table(
        "1. DynamoDB calls per request",
        ["request", "calls", "operations", "budget", "within"],
    )
    counted: dict[str, Counter[str]] = {}

    def count(step: str, request: Callable[[], api.Answer]) -> api.Answer:
        with count_dynamodb_calls() as calls:
            answer = request()
        counted[step] = calls
        if answer.status != EXPECTED_STATUS[step]:
            table.fail(f"{step} answered {answer.status}: {answer.body}")
        return answer

    from bench import data

    event_id = data.new_event(capacity=5)
    answers = api.user_flow(app.api, data.unique_email(), event_id, watch=count)
    _waitlist_steps(app, count)
    _series_steps(app, count)
    for step in (
        *api.STEPS,
        api.JOIN,
        api.CANCEL_PROMOTING,
        api.CREATE_SERIES,
        api.BOOK_SERIES,
        api.MOVE,
    ):
        calls = counted.get(step, Counter())
        total = sum(calls.values())
        within = step in counted and total <= BUDGET[step]
        budget = f"≤ {BUDGET[step]}" if step in AT_MOST else str(BUDGET[step])
        table.add(step, total, _operations(calls), budget, "ok" if within else "FAIL")
        if not within:
            table.fail(f"{step}: {total} calls, budget {BUDGET[step]} ({_operations(calls)})")

    if answers[api.REGISTER].status != 201:
        return table
    records, calls = _stream_handler_calls(app, answers[api.REGISTER].body["user"]["id"])
    reads = sum(n for operation, n in calls.items() if operation in READS)
    writes = sum(calls.values()) - reads
    # The only read allowed: each delivery's endpoint (one GetItem of its facilitator, so a
    # new URL, rotation or re-enabling counts from the next send); the payload is the image's.
    endpoint_reads_only = reads <= records and reads == calls.get("GetItem", 0)
    table.add(
        f"stream handler ({records} records)",
        f"{reads} reads, {writes} writes",
        _operations(calls),
        "≤ 1 GetItem a record",
        "ok" if endpoint_reads_only and records == 2 else "FAIL",
    )
    if records != 2:
        table.fail(f"the stream handler got {records} of the 2 booking changes")
    if not endpoint_reads_only:
        table.fail(
            f"the stream handler read DynamoDB {reads} times for {records} records "
            f"({_operations(calls)}): only each delivery's endpoint may be read"
        )
    table.notes.append(
        "The stream handler reads only each delivery's endpoint (its facilitator's item); "
        "its writes are each webhook's delivery row: claimed with a "
        "conditional put before the POST, updated with the outcome after it; and the "
        "confirmed booking marked as owed its reminder (one conditional update)."
    )
    return table


def _waitlist_steps(app: InProcess, count: Callable[[str, Callable[[], api.Answer]], Any]) -> None:
    """Join a full event's waiting list, then free a seat: the first in line is promoted."""
    from bench import data

    event_id = data.new_event(capacity=1)
    seated, waiting = data.new_user_token(), data.new_user_token()
    booked = app.api.book(seated, event_id)
    count(api.JOIN, lambda: app.api.join_waitlist(waiting, event_id))
    if booked.status == 201:
        booking_id = booked.body["booking_id"]
        count(api.CANCEL_PROMOTING, lambda: app.api.cancel(seated, booking_id))


def _series_steps(app: InProcess, count: Callable[[str, Callable[[], api.Answer]], Any]) -> None:
    """An admin puts on a 12-date weekly series: written in batches, not a PutItem a date."""
    from bench import data
    from chalicelib import facilitators

    admin = data.new_user_token(role="admin")
    facilitator = facilitators.create(name="Bench Facilitator", crm_id="crm_bench")
    series = data.weekly_series(facilitator["id"], dates=12)
    count(api.CREATE_SERIES, lambda: app.api.create_series(admin, series))
    _series_booking_steps(app, count)


def _series_booking_steps(
    app: InProcess, count: Callable[[str, Callable[[], api.Answer]], Any]
) -> None:
    """Book every date of a 12-date drop-in series, then move one of them to a free date."""
    from bench import data

    series_id, _ = data.new_series(12)
    token = data.new_user_token()
    booked = count(api.BOOK_SERIES, lambda: app.api.book_series(token, series_id))
    if booked.status != 201:
        return
    _, (first, spare) = data.new_series(2)
    booking_id = app.api.book(token, first).body["booking_id"]
    count(api.MOVE, lambda: app.api.move(token, booking_id, spare))


def _stream_handler_calls(app: InProcess, user_id: str) -> tuple[int, Counter[str]]:
    """Relay the bookings stream to the app's stream handler, counting the calls it makes
    for this user's records (older records in the stream are passed over)."""
    from app import on_booking_change
    from chalicelib import models
    from local.relay import StreamRelay

    handled = 0
    calls: Counter[str] = Counter()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal handled
        ours = [r for r in event["Records"] if _record_user(r) == user_id]
        if not ours:
            return {"batchItemFailures": []}
        with count_dynamodb_calls() as counted:
            answer = on_booking_change({"Records": ours}, context)
        handled += len(ours)
        calls.update(counted)
        return answer

    with tempfile.TemporaryDirectory(prefix="bench-relay-") as position_dir:
        relay = StreamRelay(
            endpoint=app.dynamodb_endpoint,
            table_name=models.Booking.Meta.table_name,
            handler=handler,
            retrier=lambda event, context: None,
            position_path=Path(position_dir) / "position.json",
        )
        deadline = time.monotonic() + STREAM_WAIT_SECONDS
        while handled < 2 and time.monotonic() < deadline:
            if not relay.poll():
                time.sleep(0.1)
    return handled, calls


def _record_user(record: dict[str, Any]) -> str | None:
    return record["dynamodb"].get("Keys", {}).get("user_id", {}).get("S")


def _operations(calls: Counter[str]) -> str:
    return ", ".join(f"{name} {n}" if n > 1 else name for name, n in sorted(calls.items())) or "-"


if __name__ == "__main__":
    sys.exit(cli.main(["calls"]))
