"""Record real DynamoDB Local stream records into ``tests/webhooks/events/*.json``.

Tests feed the stream handler these files, so what they exercise is the shape DynamoDB sends
(converted to Lambda's event by the relay, as ``make run`` does), never a hand-made dict.
Bookings are written as the bookings service writes them, in the item shape of
``models.Booking``: confirm = put, cancel = update of the status, rebook = put over the
cancelled item with a new booking id. Tests reuse these writers to make stream traffic.

    python -m local.record_stream_events    # rewrites tests/webhooks/events/*.json
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib import bookings, clock, dynamodb, models
from chalicelib.config import get_settings
from local.dynamodb_local import DynamoDBLocal
from local.paths import REPO_ROOT
from local.relay import StreamRelay

EVENTS_DIR = REPO_ROOT / "tests" / "webhooks" / "events"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    email: str


@dataclass(frozen=True)
class Session:
    event_id: str
    name: str
    starts_at: str
    ends_at: str
    timezone: str
    facilitator_crm_id: str

    def as_event(self) -> models.Event:
        """The event item as a booking copies it (the recordings never write the event)."""
        return models.Event(
            self.event_id,
            name=self.name,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            timezone=self.timezone,
            facilitator=models.FacilitatorCopy(crm_id=self.facilitator_crm_id),
        )


ANN = Person("01JANN00000000000000000000", "Ann Lee", "ann@example.com")
BO = Person("01JB0000000000000000000000", "Bo Chen", "bo@example.com")
CY = Person("01JCY000000000000000000000", "Cy Diaz", "cy@example.com")
DI = Person("01JD1000000000000000000000", "Di Ito", "di@example.com")
YOGA = Session(
    "01M8CWNEEABEJQVG0X2T8KRVWD",
    "Yoga Retreat",
    "2026-12-01T02:30:00Z",
    "2026-12-03T11:30:00Z",
    "Asia/Kolkata",
    "crm_001",
)
MEDITATION = Session(
    "01M8CWNEECJ4Y7DJ7JNA2T94T5",
    "Meditation Session",
    "2026-12-05T18:30:00Z",
    "2026-12-05T19:30:00Z",
    "Europe/London",
    "crm_002",
)


def confirm(
    person: Person, session: Session, booking_id: str | None = None, at: datetime | None = None
) -> models.Booking:
    booking = bookings.booking_item(
        person.user_id,
        person.name,
        person.email,
        session.as_event(),
        models.CONFIRMED,
        clock.to_iso_ms(at or clock.now()),
        booking_id=booking_id,
    )
    booking.save()
    return booking


def cancel(booking: models.Booking, at: datetime | None = None) -> None:
    booking.update(
        actions=[
            models.Booking.status.set(models.CANCELLED),
            models.Booking.updated_at.set(clock.to_iso_ms(at or clock.now())),
        ]
    )


def rebook(booking: models.Booking, booking_id: str, at: datetime | None = None) -> models.Booking:
    moment = clock.to_iso_ms(at or clock.now())
    again = models.Booking.from_raw_data(booking.serialize())
    again.booking_id, again.status, again.created_at, again.updated_at = (
        booking_id,
        models.CONFIRMED,
        moment,
        moment,
    )
    again.save()
    return again


def _at(text: str) -> datetime:
    return clock.parse_iso(text)


def record(relay: StreamRelay, captured: list[dict[str, Any]], name: str) -> None:
    captured.clear()
    while relay.poll():
        pass
    (EVENTS_DIR / f"{name}.json").write_text(json.dumps({"Records": captured}, indent=2) + "\n")
    print(f"recorded {len(captured)} record(s) into tests/webhooks/events/{name}.json")


def main() -> None:
    captured: list[dict[str, Any]] = []
    with DynamoDBLocal() as dynamodb_local, tempfile.TemporaryDirectory() as scratch:
        dynamodb.bind(
            dataclasses.replace(
                get_settings(), stage="test", dynamodb_endpoint=dynamodb_local.endpoint
            )
        )
        dynamodb.create_tables()
        relay = StreamRelay(
            endpoint=dynamodb_local.endpoint,
            table_name=models.Booking.Meta.table_name,
            handler=lambda event, context: captured.extend(event["Records"]),
            retrier=lambda event, context: None,
            position_path=Path(scratch) / "position.json",
        )
        EVENTS_DIR.mkdir(parents=True, exist_ok=True)

        booking = confirm(ANN, YOGA, "01JBK0ANN0YOGA000000000001", _at("2026-11-20T10:15:30.250Z"))
        record(relay, captured, "booking_confirmed")
        cancel(booking, _at("2026-11-21T08:00:00.500Z"))
        record(relay, captured, "booking_cancelled")
        rebook(booking, "01JBK0ANN0YOGA000000000002", _at("2026-11-22T09:30:00.000Z"))
        record(relay, captured, "booking_rebooked")
        for number, person in enumerate((BO, CY, DI), start=1):
            at = _at(f"2026-11-23T12:00:0{number}.000Z")
            confirm(person, MEDITATION, f"01JBK0MEDITATION00000000{number:02d}", at)
        record(relay, captured, "bookings_batch")
        models.Booking(ANN.user_id, YOGA.event_id).delete()
        record(relay, captured, "booking_removed")


if __name__ == "__main__":
    main()
