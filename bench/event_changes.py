"""Measure 10: an admin cancels an event with 100 confirmed bookings: the DynamoDB calls of the
one request (counted on the botocore client) and its time. Every booking must be cancelled by
the request itself (within EVENT_CHANGE_BUDGET_SECONDS), with one conditional update each.

    python -m bench.event_changes
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from bench import cli
from bench.in_process import InProcess
from bench.report import Table
from local.call_counter import count_dynamodb_calls

NEEDS = cli.IN_PROCESS
BOOKINGS = 100
# The admin's account and revocation (1), the event read (1), the conditional write that
# closes it (1), the bookings by event (1 Query per 100), one update per booking.
BUDGET = 4 + BOOKINGS


def run(app: InProcess) -> list[Table]:
    return [measure(app, BOOKINGS)]


def measure(app: InProcess, bookings: int) -> Table:
    from bench import data
    from chalicelib import auth, ids, models

    table = Table(
        f"10. Cancel an event with {bookings} bookings (one request)",
        ["request", "calls", "operations", "budget", "time", "cancelled"],
    )
    event_id = data.new_event(capacity=bookings)
    data.bulk_bookings([event_id] * bookings)
    admin_id = ids.new_id()
    models.User(
        admin_id, name="Bench Admin", email="admin@example.com", role="admin", created_at="x"
    ).save()
    started = time.monotonic()
    with count_dynamodb_calls() as calls:
        answer = app.client.http.post(
            f"/admin/events/{event_id}/cancel",
            body=json.dumps({"reason": "bench"}).encode(),
            headers={
                "Authorization": f"Bearer {auth.issue_token(admin_id)}",
                "Content-Type": "application/json",
            },
        )
    seconds = time.monotonic() - started
    statuses = Counter(b.status for b in models.Booking.by_event.query(event_id))
    total = sum(calls.values())
    table.add(
        "POST /admin/events/{id}/cancel",
        total,
        ", ".join(f"{op} {n}" for op, n in sorted(calls.items())),
        f"≤ {BUDGET}",
        f"{seconds * 1000:.0f} ms",
        f"{statuses[models.CANCELLED]} of {bookings}",
    )
    if answer.status_code != 200:
        table.fail(f"the cancel answered {answer.status_code}: {answer.body!r}")
    if total > BUDGET:
        table.fail(f"{total} calls, budget {BUDGET}")
    if statuses != {models.CANCELLED: bookings}:
        table.fail(f"bookings left as {dict(statuses)}")
    table.notes.append(
        "Each booking is its own conditional update (status and booking id as read), so a "
        "pass that stops anywhere is resumed by the finish_event_changes job without "
        "changing anything twice; the stream sends each booking.cancelled once."
    )
    return table


if __name__ == "__main__":
    sys.exit(cli.main(["event_changes"]))
