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

from chalicelib import bookings, clock, dynamodb, models, passwords


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
    # Instead of a day and a local time: this many whole hours after the hour of seeding
    # (an event inside the reminder window, so `make run` shows a reminder at once).
    hours_from_now: int | None = None


ALICE = SeedFacilitator("01M8CWNEE3VMJKHT3V6V0G8S0G", "Alice", "crm_001")
BOB = SeedFacilitator("01M8CWNEE6TDZ219QP2BTDCPTM", "Bob", "crm_002")
CHARLIE = SeedFacilitator("01M8CWNEE806PCE3ZQ0R482MRW", "Charlie", "crm_003")
FACILITATORS = [ALICE, BOB, CHARLIE]

SOON = "01M8CWNEEMZ5QH3ZT0WS6E5V2C"

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
    SeedEvent(
        SOON,
        "Evening Sound Bath",
        "Gongs and singing bowls to close the day; lie back and listen.",
        "session",
        0,
        time(0, 0),
        timedelta(hours=1),
        "Europe/London",
        20,
        CHARLIE,
        hours_from_now=3,
    ),
]


@dataclass(frozen=True)
class SeedBooking:
    """A demo attendee's booking (the attendee has no password: it is there to be reminded)."""

    booking_id: str
    user_id: str
    name: str
    email: str
    event_id: str


BOOKINGS = [
    SeedBooking(
        "01M8CWNEEP2N5Y8GZ9K3XW4Q7R",
        "01M8CWNEER8JX2D5T7V3K9QZ1M",
        "Dee Demo",
        "dee@example.com",
        SOON,
    ),
]


@dataclass(frozen=True)
class SeedAccount:
    """A demo account that logs in: a facilitator's, linked to the facilitator it runs."""

    user_id: str
    name: str
    email: str
    facilitator: SeedFacilitator


# The password of every seeded account that logs in (docs/facilitators.md).
DEMO_PASSWORD = "correct horse battery"
ACCOUNTS = [
    SeedAccount("01M8CWNEEQ7T3Z5X9B1D4F6H8K", "Alice", "alice@example.com", ALICE),
]


def seed(today: date | None = None) -> dict[str, int]:
    """Write any missing seed item; return how many facilitators, events and bookings were
    added."""
    now = clock.now()
    today = today or now.date()
    added = {"facilitators": 0, "accounts": 0, "events": 0, "bookings": 0}
    seeded_events: dict[str, models.Event] = {}
    created_at = clock.to_iso_ms(clock.now())
    for facilitator in FACILITATORS:
        item = models.Facilitator(
            facilitator.facilitator_id,
            name=facilitator.name,
            crm_id=facilitator.crm_id,
            created_at=created_at,
        )
        added["facilitators"] += _put_if_absent(item, models.Facilitator.facilitator_id)
    added["accounts"] = sum(_seed_account(account, created_at) for account in ACCOUNTS)
    for event in EVENTS:
        starts_at = datetime.combine(
            today + timedelta(days=event.days_from_today),
            event.local_start,
            tzinfo=ZoneInfo(event.timezone),
        )
        if event.hours_from_now is not None:
            this_hour = now.replace(minute=0, second=0, microsecond=0)
            starts_at = this_hour + timedelta(hours=event.hours_from_now)
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
            seats_taken=sum(1 for booking in BOOKINGS if booking.event_id == event.event_id),
            facilitator=models.FacilitatorCopy(
                id=event.facilitator.facilitator_id,
                name=event.facilitator.name,
                crm_id=event.facilitator.crm_id,
            ),
            facilitator_id=event.facilitator.facilitator_id,
            created_at=created_at,
        )
        added["events"] += _put_if_absent(item, models.Event.event_id)
        seeded_events[event.event_id] = item
    for booking in BOOKINGS:
        added["bookings"] += _seed_booking(booking, seeded_events[booking.event_id], created_at)
    return added


def _seed_account(account: SeedAccount, created_at: str) -> int:
    user = models.User(
        account.user_id,
        name=account.name,
        email=account.email,
        role=models.ROLE_FACILITATOR,
        facilitator_id=account.facilitator.facilitator_id,
        created_at=created_at,
    )
    if not _put_if_absent(user, models.User.user_id):
        return 0
    credential = models.Credential(
        account.email,
        user_id=account.user_id,
        password_hash=passwords.hash_password(DEMO_PASSWORD),
    )
    _put_if_absent(credential, models.Credential.email)
    return 1


def _seed_booking(booking: SeedBooking, event: models.Event, created_at: str) -> int:
    user = models.User(
        booking.user_id, name=booking.name, email=booking.email, created_at=created_at
    )
    _put_if_absent(user, models.User.user_id)
    item = bookings.booking_item(
        booking.user_id,
        booking.name,
        booking.email,
        event,
        models.CONFIRMED,
        created_at,
        booking_id=booking.booking_id,
    )
    return _put_if_absent(item, models.Booking.user_id)


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
