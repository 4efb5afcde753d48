"""Measure 7: what one reminder run reads, with 1,000 events and 10,000 confirmed bookings
starting within the next 24 hours: the first run (every booking owed its reminder), a
repeated run (nothing owed), and a run after late bookings (only those owed).

Calls are counted on the botocore client. Never a Scan; the first run reads each event's
bookings once (``by_event``), a repeated one only the empty ``awaiting_reminder`` queries.
A reminder sent twice, or a booking left without one, is a failure.

    python -m bench.reminders
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from bench import cli
from bench.in_process import InProcess
from bench.report import Table
from local.call_counter import count_dynamodb_calls

NEEDS = cli.IN_PROCESS
EVENTS = 1_000
BOOKINGS_PER_EVENT = 10
LATE_BOOKINGS = 100
READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def run(app: InProcess) -> list[Table]:
    return [measure(app, EVENTS, BOOKINGS_PER_EVENT, LATE_BOOKINGS)]


def measure(app: InProcess, events: int, per_event: int, late: int) -> Table:
    from bench import data
    from chalicelib import models, reminders

    table = Table(
        f"8. Reminder runs ({events:,} events, {events * per_event:,} bookings in the next 24 h)",
        ["run", "reads", "Query", "Scan", "writes", "reminders handed over", "time"],
    )
    event_ids = data.bulk_events(events)
    for _ in range(per_event):
        data.bulk_bookings(event_ids)
    owed = events * per_event

    def one_run(label: str) -> dict[str, int]:
        started = time.monotonic()
        with count_dynamodb_calls() as calls:
            answer = reminders.send_due_reminders()
        seconds = time.monotonic() - started
        reads = sum(n for operation, n in calls.items() if operation in READS)
        writes = sum(calls.values()) - reads
        handed = answer["sent"] + answer["queued"]
        table.add(
            label,
            reads,
            calls["Query"],
            calls["Scan"],
            writes,
            f"{handed:,} ({answer['sent']:,} sent, {answer['queued']:,} queued)",
            f"{seconds:.1f} s",
        )
        if calls["Scan"]:
            table.fail(f"{label}: {calls['Scan']} Scan calls")
        return answer

    def until_settled(label: str, expected: int) -> None:
        handed = 0
        answer = one_run(label)
        handed += answer["sent"] + answer["queued"]
        # A run stops at its time budget; the next run goes on where it stopped.
        while answer["left_for_next_run"]:
            answer = one_run(f"{label} (continued)")
            handed += answer["sent"] + answer["queued"]
        if handed != expected:
            table.fail(f"{label}: {handed} reminders handed over, {expected} owed")

    until_settled("first run", owed)
    until_settled("repeated run", 0)
    late_ids = data.bulk_bookings(event_ids[:late])
    # The stream handler marks a newly confirmed booking as owed its reminder; bulk-loaded
    # bookings never went through it, so they are marked here as it would have.
    for booking_id in late_ids:
        (booking,) = models.Booking.by_booking_id.query(booking_id)
        booking.update(actions=[models.Booking.reminder_event_id.set(booking.event_id)])
    until_settled(f"after {late} late bookings", late)

    rows = models.WebhookDelivery.scan(
        filter_condition=models.WebhookDelivery.delivery_id.contains(models.BOOKING_REMINDER)
    )
    per_booking = Counter(row.delivery_id.split(".", 1)[0] for row in rows)
    if len(per_booking) != owed + late or set(per_booking.values()) != {1}:
        table.fail(f"{len(per_booking)} bookings reminded (of {owed + late}), some twice or never")
    table.notes.append(
        "reads = Query calls: the `upcoming` index (one page per ~1 MB of events), then per "
        "event `by_event` the first time (its start not yet handled) or `awaiting_reminder` "
        "after that (empty unless a booking became confirmed since). Writes: each reminder's "
        "delivery row (claim, outcome), the reminder mark removed, each event marked handled."
    )
    table.notes.append(
        "A run sends for 30 s, then queues the rest as due rows for the retrier, and stops at "
        "90 s: a continued row is the next run finding what was left."
    )
    return table


if __name__ == "__main__":
    sys.exit(cli.main(["reminders"]))
