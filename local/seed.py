"""Demo data for `make run` (never for a deployed stage).

Idempotent: every seeded item has a fixed id and is written only if absent, so a second run
changes nothing. Dates are computed from the day the data is first seeded.

    python -m local.seed
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from chalicelib import clock, dynamodb, models


@dataclass(frozen=True)
class SeedFacilitator:
    facilitator_id: str
    name: str
    crm_id: str


@dataclass(frozen=True)
class SeedEvent:
    event_id: str
    name: str
    description: str
    kind: str
    days_from_today: int
    local_start: time
    duration: timedelta
    timezone: str
    capacity: int
    facilitator: SeedFacilitator


ALICE = SeedFacilitator("01M8CWNEE3VMJKHT3V6V0G8S0G", "Alice", "crm_001")
BOB = SeedFacilitator("01M8CWNEE6TDZ219QP2BTDCPTM", "Bob", "crm_002")
CHARLIE = SeedFacilitator("01M8CWNEE806PCE3ZQ0R482MRW", "Charlie", "crm_003")
FACILITATORS = [ALICE, BOB, CHARLIE]

EVENTS = [
    SeedEvent(
        "01M8CWNEEABEJQVG0X2T8KRVWD",
        "Yoga Retreat",
        "Three days of yoga, silence and mountain walks in Rishikesh.",
        "retreat",
        30,
        time(8, 0),
        timedelta(days=2, hours=9),
        "Asia/Kolkata",
        24,
        ALICE,
    ),
    SeedEvent(
        "01M8CWNEECJ4Y7DJ7JNA2T94T5",
        "Meditation Session",
        "A guided online meditation, open to everyone.",
        "session",
        2,
        time(18, 30),
        timedelta(hours=1),
        "Europe/London",
        1000,
        BOB,
    ),
    SeedEvent(
        "01M8CWNEEES6W6EAQQQH5GT8VS",
        "Therapeutic Writing",
        "Journaling prompts and gentle sharing in a small group.",
        "session",
        5,
        time(10, 0),
        timedelta(hours=2),
        "America/New_York",
        12,
        CHARLIE,
    ),
    SeedEvent(
        "01M8CWNEEH8AMVNGS7433E1RXS",
        "Breathwork Intensive",
        "A half-day of breathwork techniques with breaks for integration.",
        "session",
        9,
        time(9, 0),
        timedelta(hours=4),
        "Europe/Berlin",
        40,
        ALICE,
    ),
    SeedEvent(
        "01M8CWNEEK7ZJ1PTPT30F0P662",
        "Healing Circle",
        "An evening circle of sound, stillness and conversation.",
        "session",
        14,
        time(19, 0),
        timedelta(hours=2),
        "Asia/Kolkata",
        12,
        BOB,
    ),
]


def seed(today: date | None = None) -> dict[str, int]:
    """Write any missing seed item; return how many facilitators and events were added."""
    today = today or clock.now().date()
    added = {"facilitators": 0, "events": 0}
    created_at = clock.to_iso_ms(clock.now())
    for facilitator in FACILITATORS:
        item = models.Facilitator(
            facilitator.facilitator_id,
            name=facilitator.name,
            crm_id=facilitator.crm_id,
            created_at=created_at,
        )
        added["facilitators"] += _put_if_absent(item, models.Facilitator.facilitator_id)
    for event in EVENTS:
        starts_at = datetime.combine(
            today + timedelta(days=event.days_from_today),
            event.local_start,
            tzinfo=ZoneInfo(event.timezone),
        )
        item = models.Event(
            event.event_id,
            listing=models.PUBLISHED,
            name=event.name,
            description=event.description,
            kind=event.kind,
            starts_at=clock.to_iso(starts_at),
            ends_at=clock.to_iso(starts_at + event.duration),
            timezone=event.timezone,
            capacity=event.capacity,
            seats_taken=0,
            facilitator=models.FacilitatorCopy(
                id=event.facilitator.facilitator_id,
                name=event.facilitator.name,
                crm_id=event.facilitator.crm_id,
            ),
            created_at=created_at,
        )
        added["events"] += _put_if_absent(item, models.Event.event_id)
    return added


def _put_if_absent(item: Model, key_attribute: UnicodeAttribute) -> int:
    try:
        item.save(condition=key_attribute.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return 0
        raise
    return 1


if __name__ == "__main__":
    dynamodb.create_tables()
    print(f"seeded: {seed()}")
