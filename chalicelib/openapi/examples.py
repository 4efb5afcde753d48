"""Examples for the OpenAPI document, taken from the demo data `make run` seeds (local/seed.py).

Ids, names and settings are the seeded ones, so an example request sent to a fresh `make run`
hits a real event; dates are fixed so the document does not change from day to day. Tests
hold every example to the seed data and to the response schema it illustrates.
"""

from __future__ import annotations

from typing import Any

ALICE = {"id": "01M8CWNEE3VMJKHT3V6V0G8S0G", "name": "Alice", "crm_id": "crm_001"}
BOB = {"id": "01M8CWNEE6TDZ219QP2BTDCPTM", "name": "Bob", "crm_id": "crm_002"}
SEEDED_AT = "2026-11-01T09:00:00.000Z"

MEDITATION = {
    "id": "01M8CWNEECJ4Y7DJ7JNA2T94T5",
    "name": "Meditation Session",
    "description": "A guided online meditation, open to everyone.",
    "kind": "session",
    "date": "2026-12-03T18:30:00Z",
    "starts_at": "2026-12-03T18:30:00Z",
    "ends_at": "2026-12-03T19:30:00Z",
    "timezone": "Europe/London",
    "capacity": 1000,
    "seats_left": 999,
    "waitlist_capacity": 1000,
    "waitlist_count": 0,
    "cancellable_until_hours": 0,
    "price": None,
    "refund_percent": 100,
    "facilitator": BOB,
}
YOGA_RETREAT = {
    "id": "01M8CWNEEABEJQVG0X2T8KRVWD",
    "name": "Yoga Retreat",
    "description": "Three days of yoga, silence and mountain walks in Rishikesh.",
    "kind": "retreat",
    "date": "2026-12-01T02:30:00Z",
    "starts_at": "2026-12-01T02:30:00Z",
    "ends_at": "2026-12-03T11:30:00Z",
    "timezone": "Asia/Kolkata",
    "capacity": 24,
    "seats_left": 24,
    "waitlist_capacity": 24,
    "waitlist_count": 0,
    "cancellable_until_hours": 0,
    "price": {"amount": 45000, "currency": "eur"},
    "refund_percent": 50,
    "facilitator": ALICE,
}
HEALING_CIRCLE = {
    "id": "01M8CWNEEK7ZJ1PTPT30F0P662",
    "name": "Healing Circle",
    "date": "2026-12-15T13:30:00Z",
}
EVENTS = [YOGA_RETREAT, MEDITATION]

ADMIN_EVENT = {
    **MEDITATION,
    "published": True,
    "seats_taken": 1,
    "created_at": SEEDED_AT,
    "cancelled_at": None,
}
UNPUBLISHED_EVENT = {**ADMIN_EVENT, "published": False}
CANCELLED_EVENT = {**ADMIN_EVENT, "published": False, "cancelled_at": "2026-11-02T10:00:00.000Z"}
EVENT_CANCEL_BODY = {"reason": "The facilitator is ill."}
EVENT_PAGE = {"events": EVENTS, "next_cursor": None}

FACILITATOR = {**ALICE, "created_at": SEEDED_AT}
FACILITATOR_PAGE = {
    "facilitators": [FACILITATOR, {**BOB, "created_at": SEEDED_AT}],
    "next_cursor": None,
}

ANN = {"id": "01JD8X3M4Q7R9S2T5V6W8Y0Z1A", "name": "Ann", "email": "ann@example.com"}
PASSWORD = "correct horse battery"
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMUpEOFgzTTRRN1I5UzJUNVY2VzhZ"
BOOKING_ID = "01JD8X9K2B4C6D8E0F1G3H5J7K"
BOOKED_AT = "2026-11-20T10:15:30.123Z"

BOOKING_CREATED = {
    "booking_id": BOOKING_ID,
    "status": "confirmed",
    "event": {"id": MEDITATION["id"], "name": MEDITATION["name"], "date": MEDITATION["date"]},
    "created_at": BOOKED_AT,
}
BOOKING = {
    "booking_id": BOOKING_ID,
    "status": "confirmed",
    "created_at": BOOKED_AT,
    "event": {
        key: MEDITATION[key] for key in ("id", "name", "date", "starts_at", "ends_at", "timezone")
    },
}
CANCELLED_BOOKING = {**BOOKING, "status": "cancelled"}
HELD_PAYMENT = {
    "payment_intent_id": "pi_3PQ8mC2eZvKYlo2C0a1b2c3d",
    "client_secret": "pi_3PQ8mC2eZvKYlo2C0a1b2c3d_secret_e4f5g6h7",
    "amount": 45000,
    "currency": "eur",
    "publishable_key": "pk_test_51PQ8mC2eZvKYlo2C",
}
HOLD = {
    "booking_id": BOOKING_ID,
    "status": "pending_payment",
    "hold_expires_at": "2026-11-20T10:30:30Z",
    "payment": HELD_PAYMENT,
}
BOOKING_HELD = {
    **HOLD,
    "event": {
        "id": YOGA_RETREAT["id"],
        "name": YOGA_RETREAT["name"],
        "date": YOGA_RETREAT["date"],
    },
    "created_at": BOOKED_AT,
}
STRIPE_WEBHOOK_HANDLED = {"received": True}
WAITLIST_BOOKING_ID = "01JD8XB7T3V5W7X9Y1Z3A5C7E9"
WAITLIST_JOINED = {
    "booking_id": WAITLIST_BOOKING_ID,
    "status": "waitlisted",
    "position": 1,
    "event": HEALING_CIRCLE,
    "created_at": BOOKED_AT,
}
WAITLISTED_BOOKING = {
    "booking_id": WAITLIST_BOOKING_ID,
    "status": "waitlisted",
    "created_at": BOOKED_AT,
    "event": {
        **HEALING_CIRCLE,
        "starts_at": HEALING_CIRCLE["date"],
        "ends_at": "2026-12-15T15:30:00Z",
        "timezone": "Asia/Kolkata",
    },
    "position": 1,
}
BOOKING_PAGE = {"bookings": [WAITLISTED_BOOKING, BOOKING], "next_cursor": None}
ATTENDEE_PAGE = {
    "event": ADMIN_EVENT,
    "attendees": [
        {"booking_id": BOOKING_ID, "status": "confirmed", "created_at": BOOKED_AT, "user": ANN}
    ],
    "next_cursor": None,
}

REGISTER = {"name": ANN["name"], "email": ANN["email"], "password": PASSWORD}
REGISTERED = {"msg": "User registered", "access_token": ACCESS_TOKEN, "user": ANN}
LOGIN = {"email": ANN["email"], "password": PASSWORD}
TOKEN = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}
ME = {**ANN, "role": "user"}
LOGGED_OUT = {"msg": "Logged out"}
FEED_TOKEN = f"{ANN['id']}-Q2FsZW5kYXJGZWVkU2VjcmV0T2ZBbm5Gb3JUaGVEb2M.ics"
CALENDAR_FEED = {"url": f"http://127.0.0.1:8000/calendar/{FEED_TOKEN}"}
FEED_STOPPED = {"msg": "Calendar feed stopped"}
# What a calendar file looks like (abridged: a feed holds one VEVENT per booking).
CALENDAR_FILE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ahoum Bookings//Calendar 1.0//EN\r\n"
    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nSUMMARY:Meditation Session\r\n"
    f"DTSTART:20261203T183000Z\r\nDTEND:20261203T193000Z\r\nDTSTAMP:20261120T101530Z\r\n"
    f"UID:{ANN['id']}-{MEDITATION['id']}@ahoum-bookings\r\nSEQUENCE:27943730\r\n"
    "STATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
HEALTH = {"status": "ok", "dynamodb": "ok"}

BOOKING_BODY = {"event_id": MEDITATION["id"]}
FACILITATOR_BODY = {"name": ALICE["name"], "crm_id": ALICE["crm_id"]}
FACILITATOR_CHANGES = {"name": "Alice Rao"}
EVENT_BODY: dict[str, Any] = {
    "name": YOGA_RETREAT["name"],
    "description": YOGA_RETREAT["description"],
    "kind": YOGA_RETREAT["kind"],
    "starts_at": "2026-12-01T08:00:00+05:30",
    "ends_at": "2026-12-03T17:00:00+05:30",
    "timezone": YOGA_RETREAT["timezone"],
    "capacity": YOGA_RETREAT["capacity"],
    "facilitator_id": ALICE["id"],
}
EVENT_CHANGES = {"capacity": 30, "waitlist_capacity": 10, "cancellable_until_hours": 24}

SERIES_ID = "01M8CWNEF0S3R1ESWEEK1YYGA9"
SERIES_BODY: dict[str, Any] = {
    "name": "Monday Evening Yoga",
    "description": "Weekly hatha yoga after work.",
    "kind": "session",
    "facilitator_id": ALICE["id"],
    "timezone": "Europe/London",
    "start_date": "2026-12-07",
    "start_time": "18:30",
    "duration_minutes": 60,
    "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
    "capacity": 20,
    "booking_mode": "drop_in",
}
SERIES = {
    **{name: value for name, value in SERIES_BODY.items() if name != "facilitator_id"},
    "series_id": SERIES_ID,
    "facilitator_id": ALICE["id"],
    "waitlist_capacity": None,
    "cancellable_until_hours": 0,
    "price": None,
    "refund_percent": 100,
    "state": "active",
    "open_ended": False,
    "created_at": SEEDED_AT,
}
SERIES_WITH_OCCURRENCES = {
    **SERIES,
    "occurrences": [
        {
            "event_id": event_id,
            "starts_at": f"{day}T18:30:00Z",
            "ends_at": f"{day}T19:30:00Z",
            "seats_left": 20,
        }
        for event_id, day in (
            ("01M8CWNEF0D2QW5B0K3Z7N1V4R", "2026-12-07"),
            ("01M8CWNEF0H6T8J2M4P6R8S0V2", "2026-12-14"),
            ("01M8CWNEF0A1C3E5G7J9K1M3N5", "2026-12-21"),
        )
    ],
}
SERIES_PAGE = {"series": [SERIES], "next_cursor": None}
SERIES_CHANGES = {"capacity": 25, "start_time": "19:00"}
CANCELLED_SERIES = {**SERIES, "state": "cancelled", "occurrences": []}

# An example for each id a path can carry, so "Try it out" starts from a seeded item.
WEBHOOK_DELIVERY = {
    "id": f"{BOOKING_ID}.booking.confirmed",
    "state": "pending",
    "payload": {
        "type": "booking.confirmed",
        "occurred_at": BOOKED_AT,
        "booking_id": BOOKING_ID,
        "event": {"id": MEDITATION["id"], "name": MEDITATION["name"], "date": MEDITATION["date"]},
        "user": ANN,
        "facilitator_crm_id": BOB["crm_id"],
    },
    "attempts": 1,
    "last_status": 503,
    "last_error": "CRM answered 503",
    "next_attempt_at": "2026-11-20T10:16:30.123Z",
    "retry_until": "2026-11-23T10:15:30.123Z",
    "history": [{"at": BOOKED_AT, "status": 503, "error": "CRM answered 503"}],
    "created_at": BOOKED_AT,
    "updated_at": BOOKED_AT,
}
WEBHOOK_DELIVERY_PAGE = {"deliveries": [WEBHOOK_DELIVERY], "next_cursor": None}

SERIES_BOOKING_BODY = {"waitlist": True}
SERIES_BOOKED = {
    "bookings": [
        {
            "event_id": "01JD8XE5A7B9C1D3E5F7G9H1J3",
            "booking_id": "01JD8XF8K0M2N4P6Q8R0S2T4V6",
            "status": "confirmed",
        },
        {
            "event_id": "01JD8XE5A7B9C1D3E5F7G9H1J4",
            "booking_id": "01JD8XF8K0M2N4P6Q8R0S2T4V7",
            "status": "waitlisted",
        },
    ],
    "skipped": [{"event_id": "01JD8XE5A7B9C1D3E5F7G9H1J5", "code": "waitlist_full"}],
}
MOVE_BODY = {"event_id": "01JD8XE5A7B9C1D3E5F7G9H1J4"}
MOVED_BOOKING = {
    "booking_id": "01JD8XG1W3X5Y7Z9A1B3C5D7E9",
    "status": "confirmed",
    "event": {"id": MOVE_BODY["event_id"], "name": "Evening Flow", "date": "2026-12-08T18:30:00Z"},
    "created_at": BOOKED_AT,
}

PATH_IDS = {
    "series_id": SERIES_ID,
    "event_id": MEDITATION["id"],
    "facilitator_id": ALICE["id"],
    "booking_id": BOOKING_ID,
    "delivery_id": WEBHOOK_DELIVERY["id"],
    "feed_token": FEED_TOKEN,
}
