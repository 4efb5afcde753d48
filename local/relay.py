"""The bookings stream, relayed to the stream handler as Lambda would (`make run` only).

`chalice local` runs no event sources, so this process stands in for them: it reads every
shard of DynamoDB Local's stream for the bookings table (following new shards as they
appear, a parent before its children), hands each batch to the very function app.py
registers (``on_booking_change``) in the event shape Lambda sends, and runs the app's two
schedules on timers: the webhook retrier (``retry_webhooks``) and, on the same timer, the job
that finishes events' cancellations and moves (``finish_event_changes``) and the payment
job (``settle_payments``: expired holds), the reminders
(``send_reminders``) and the top-up of open-ended series (``extend_series``).

Its position, the last handled sequence number of each shard, is written atomically to a
file under ``DATA_DIR`` after every batch, so a restart neither replays handled records nor
skips new ones. A batch that reports failures is retried from its first failed record, as
Lambda does; a record that still fails after ``max_record_retries`` is skipped with an error
line (Lambda's ``MaximumRetryAttempts``).

    python -m local.relay    # DATA_DIR, DYNAMODB_ENDPOINT; RELAY_RETRY_SECONDS (10),
                             # RELAY_REMINDER_SECONDS (60), RELAY_SERIES_SECONDS (3600)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.dynamodb_local import dynamodb_client

Handler = Callable[[dict[str, Any], Any], Any]

# How often the shard list is re-read to find new shards (and after a shard closes).
SHARD_REFRESH_SECONDS = 5.0
# A batch that failed is not retried sooner than this.
FAILED_BATCH_PAUSE_SECONDS = 1.0


def say(message: str) -> None:
    print(f"[relay] {message}", flush=True)


class StreamRelay:
    def __init__(
        self,
        *,
        endpoint: str,
        table_name: str,
        handler: Handler,
        retrier: Handler,
        position_path: Path,
        batch_size: int = 25,
        poll_seconds: float = 0.2,
        retry_seconds: float = 10.0,
        max_record_retries: int = 3,
        reminders: Handler | None = None,
        reminder_seconds: float = 60.0,
        series: Handler | None = None,
        series_seconds: float = 3600.0,
        finisher: Handler | None = None,
        settler: Handler | None = None,
    ) -> None:
        self._tables = dynamodb_client(endpoint)
        self._streams = dynamodb_client(endpoint, "dynamodbstreams")
        self.table_name = table_name
        self._handler = handler
        self._retrier = retrier
        self._position_path = position_path
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.max_record_retries = max_record_retries
        self._reminders = reminders
        self.reminder_seconds = reminder_seconds
        self._series = series
        self.series_seconds = series_seconds
        self._finisher = finisher
        self._settler = settler
        self._position = self._load_position()
        self._stream_arn: str | None = None
        self._shards: list[dict[str, Any]] = []
        self._shards_read_at = -SHARD_REFRESH_SECONDS
        self._iterators: dict[str, str] = {}
        self._not_before: dict[str, float] = {}
        self._failures: dict[str, int] = {}

    # --- reading ---------------------------------------------------------------------------

    def poll(self) -> int:
        """Hand the handler one batch from each shard that has records; return how many.

        One batch per shard per call, so a stop request is honoured between batches.
        """
        self._refresh_shards()
        return sum(self._read_batch(shard["ShardId"]) for shard in self._readable_shards())

    def _refresh_shards(self) -> None:
        if time.monotonic() - self._shards_read_at < SHARD_REFRESH_SECONDS:
            return
        table = self._tables.describe_table(TableName=self.table_name)["Table"]
        arn = table["LatestStreamArn"]
        if arn != self._position.get("stream_arn"):
            # A new stream (the table was recreated): positions in the old one mean nothing.
            self._position = {"stream_arn": arn, "shards": {}}
            self._iterators.clear()
        self._stream_arn = arn
        shards: list[dict[str, Any]] = []
        start: dict[str, str] = {}
        while True:
            page = self._streams.describe_stream(StreamArn=arn, **start)["StreamDescription"]
            shards.extend(page["Shards"])
            if "LastEvaluatedShardId" not in page:
                break
            start = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]}
        self._shards = shards
        self._shards_read_at = time.monotonic()

    def _readable_shards(self) -> list[dict[str, Any]]:
        known = {shard["ShardId"] for shard in self._shards}
        positions = self._position["shards"]
        readable = []
        for shard in self._shards:
            if positions.get(shard["ShardId"], {}).get("done"):
                continue
            parent = shard.get("ParentShardId")
            # A child waits until its parent is read to the end, so records stay in order.
            if parent in known and not positions.get(parent, {}).get("done"):
                continue
            if time.monotonic() < self._not_before.get(shard["ShardId"], 0):
                continue
            readable.append(shard)
        return readable

    def _read_batch(self, shard_id: str) -> int:
        iterator = self._iterators.get(shard_id) or self._new_iterator(shard_id)
        stale = (
            self._streams.exceptions.ExpiredIteratorException,
            self._streams.exceptions.TrimmedDataAccessException,
        )
        try:
            page = self._streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        except stale:
            # Iterators go stale (AWS expires them after 15 minutes; DynamoDB Local now and
            # then rejects one kept across a shard's first write): start again from the position.
            iterator = self._new_iterator(shard_id)
            page = self._streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        records = page["Records"]
        if records and not self._deliver(shard_id, records):
            return 0
        if "NextShardIterator" in page:
            self._iterators[shard_id] = page["NextShardIterator"]
        else:
            self._shard_position(shard_id)["done"] = True
            self._save_position()
            self._iterators.pop(shard_id, None)
            self._shards_read_at = -SHARD_REFRESH_SECONDS  # look for its children now
        return len(records)

    def _new_iterator(self, shard_id: str) -> str:
        after = self._shard_position(shard_id).get("after")
        where = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard_id, **where
        )["ShardIterator"]

    # --- handing over ----------------------------------------------------------------------

    def _deliver(self, shard_id: str, records: list[dict[str, Any]]) -> bool:
        """Call the handler; True when every record was handled and the position moved past."""
        event = {"Records": [lambda_record(record, self._stream_arn) for record in records]}
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        try:
            answer = self._handler(event, None) or {}
            failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
        except Exception as exc:
            say(f"the handler raised {exc!r}; the whole batch will be retried")
            failed = {sequence_numbers[0]}
        if not failed:
            self._moved_past(shard_id, sequence_numbers[-1])
            return True
        first_failed = min(failed, key=int)
        index = sequence_numbers.index(first_failed) if first_failed in sequence_numbers else 0
        if index:
            self._moved_past(shard_id, sequence_numbers[index - 1])
        tries = self._failures.get(first_failed, 0) + 1
        if tries > self.max_record_retries:
            say(f"giving up on record {first_failed} of {shard_id} after {tries - 1} retries")
            self._failures.pop(first_failed, None)
            self._moved_past(shard_id, first_failed)
        else:
            self._failures[first_failed] = tries
            self._not_before[shard_id] = time.monotonic() + FAILED_BATCH_PAUSE_SECONDS
        # Resume right after the position: the failed record comes again.
        self._iterators.pop(shard_id, None)
        return False

    def _moved_past(self, shard_id: str, sequence_number: str) -> None:
        self._shard_position(shard_id)["after"] = sequence_number
        self._save_position()

    # --- the position file -----------------------------------------------------------------

    def _shard_position(self, shard_id: str) -> dict[str, Any]:
        return self._position["shards"].setdefault(shard_id, {})

    def _load_position(self) -> dict[str, Any]:
        if self._position_path.exists():
            return json.loads(self._position_path.read_text())
        return {"stream_arn": None, "shards": {}}

    def _save_position(self) -> None:
        # Write then rename: a crash leaves the old file or the new one, never half of one.
        self._position_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._position_path.with_suffix(".tmp")
        partial.write_text(json.dumps(self._position, indent=1))
        os.replace(partial, self._position_path)

    # --- running ---------------------------------------------------------------------------

    def run_retrier(self) -> None:
        try:
            self._retrier(scheduled_event(), None)
        except Exception as exc:
            say(f"the retrier raised {exc!r}")

    def run_finisher(self) -> None:
        if self._finisher is None:
            return
        try:
            self._finisher(scheduled_event("finish_event_changes"), None)
        except Exception as exc:
            say(f"finishing event changes raised {exc!r}")

    def run_settler(self) -> None:
        if self._settler is None:
            return
        try:
            self._settler(scheduled_event("settle_payments"), None)
        except Exception as exc:
            say(f"settling payments raised {exc!r}")

    def run_reminders(self) -> None:
        if self._reminders is None:
            return
        try:
            self._reminders(scheduled_event("send_reminders"), None)
        except Exception as exc:
            say(f"the reminders raised {exc!r}")

    def run_series_extension(self) -> None:
        if self._series is None:
            return
        try:
            self._series(scheduled_event("extend_series"), None)
        except Exception as exc:
            say(f"the series top-up raised {exc!r}")

    def run(self, stop: threading.Event, on_ready: Callable[[], None] | None = None) -> None:
        """Poll until ``stop`` is set; the retrier runs first and then every retry_seconds,
        the reminders first and then every reminder_seconds, the series top-up first and
        then every series_seconds."""
        next_retry = next_reminders = next_series = time.monotonic()
        ready = False
        while not stop.is_set():
            try:
                handled = self.poll()
            except Exception as exc:
                say(f"reading the stream failed ({exc!r}); trying again")
                self._iterators.clear()
                self._shards_read_at = -SHARD_REFRESH_SECONDS
                handled = 0
                stop.wait(1)
            if time.monotonic() >= next_retry:
                self.run_retrier()
                self.run_finisher()
                self.run_settler()
                next_retry = time.monotonic() + self.retry_seconds
            if time.monotonic() >= next_reminders:
                self.run_reminders()
                next_reminders = time.monotonic() + self.reminder_seconds
            if time.monotonic() >= next_series:
                self.run_series_extension()
                next_series = time.monotonic() + self.series_seconds
            if not ready and on_ready is not None:
                on_ready()
                ready = True
            if not handled:
                stop.wait(self.poll_seconds)


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it: epoch-seconds time, plus the stream's ARN."""
    stream_data = dict(record["dynamodb"])
    created: datetime = stream_data["ApproximateCreationDateTime"]
    stream_data["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": stream_data, "eventSourceARN": stream_arn}


def scheduled_event(rule: str = "retry_webhooks") -> dict[str, Any]:
    """The event EventBridge sends a scheduled Lambda."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule}"],
        "detail": {},
    }


def main() -> int:
    from local.api_server import apply_stage_defaults

    apply_stage_defaults()
    # Imported only now: the app reads its settings from the environment at import.
    from app import (
        app,
        extend_series,
        finish_event_changes,
        on_booking_change,
        retry_webhooks,
        send_reminders,
        settle_payments,
    )
    from chalicelib import dynamodb, models
    from chalicelib.config import get_settings

    settings = get_settings()
    dynamodb.bind(settings)
    registration = next(s for s in app.event_sources if s.name == "on_booking_change")
    relay = StreamRelay(
        endpoint=settings.dynamodb_endpoint,
        table_name=models.Booking.Meta.table_name,
        handler=on_booking_change,
        retrier=retry_webhooks,
        position_path=settings.data_dir / "relay" / "position.json",
        batch_size=registration.batch_size,
        retry_seconds=float(os.environ.get("RELAY_RETRY_SECONDS", "10")),
        reminders=send_reminders,
        reminder_seconds=float(os.environ.get("RELAY_REMINDER_SECONDS", "60")),
        series=extend_series,
        series_seconds=float(os.environ.get("RELAY_SERIES_SECONDS", "3600")),
        finisher=finish_event_changes,
        settler=settle_payments,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    ready_file = os.environ.get("RELAY_READY_FILE")
    say(
        f"following the stream of {relay.table_name}; retrier, unfinished event changes and "
        f"expired holds every {relay.retry_seconds:g}s, reminders every "
        f"{relay.reminder_seconds:g}s, series top-up every {relay.series_seconds:g}s; "
        f"position in {settings.data_dir / 'relay'}"
    )
    relay.run(stop, on_ready=(lambda: Path(ready_file).touch()) if ready_file else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
