"""`make screenshots`: PNGs of the dashboard's and the admin console's main pages, taken in
Debian's Chromium from a seeded setup like `make run`'s, into ``docs/screenshots/``.

Everything runs on free ports and in memory (DynamoDB Local ``-inMemory``), so it works on a
fresh clone next to a running `make run` and leaves nothing behind.

    python -m local.screenshots
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from local.dynamodb_local import DynamoDBLocal, free_port
from local.paths import REPO_ROOT
from local.processes import launch, stop, wait_for_http

OUT = REPO_ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1000, "height": 720}
PHONE = {"width": 390, "height": 844}
CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    dynamodb = DynamoDBLocal(port=free_port())
    dynamodb.start()
    port = free_port()
    os.environ.update(
        {
            "STAGE": "local",
            "DYNAMODB_ENDPOINT": dynamodb.endpoint,
            "PORT": str(port),
            "JWT_SECRET": secrets.token_urlsafe(48),
            "BCRYPT_ROUNDS": "4",
        }
    )
    os.environ.pop("CRM_WEBHOOK_URL", None)
    server = None
    try:
        from local.api_server import apply_stage_defaults

        apply_stage_defaults()
        people = _seed()
        server = launch(
            "local.api_server",
            dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/health", lambda: None if server.poll() is None else "API exited")
        OUT.mkdir(parents=True, exist_ok=True)
        _shoot(base, people)
    finally:
        if server is not None:
            stop(server)
        dynamodb.stop()
    for path in sorted(OUT.glob("*.png")):
        print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size // 1024} KB)")
    return 0


# Registrations are counted per address; the seeding counts as one (local) visitor.
_SEEDER = "127.0.0.1"


def _seed() -> dict[str, object]:
    """`make run`'s demo data, and people in each state the pages show."""
    from chalicelib import auth, bookings, clock, dynamodb, models
    from chalicelib.webhooks import deliveries
    from local import seed

    dynamodb.create_tables()
    seed.seed()
    maya = auth.register(
        name="Maya Patel", email="maya@example.com", password="screenshots", source_ip=_SEEDER
    )
    admin = auth.register(
        name="Ada Admin", email="ada@example.com", password="screenshots", source_ip=_SEEDER
    )
    models.User(admin["user"]["id"]).update(actions=[models.User.role.set("admin")])
    maya_principal = auth.authenticate_token(maya["access_token"])
    by_name = {event.name: event for event in models.Event.scan()}
    for name in ("Yoga Retreat", "Meditation Session"):
        bookings.book(maya_principal, by_name[name].event_id)
    for n in range(3):
        other = auth.register(
            name=f"Guest {n + 1}",
            email=f"guest{n + 1}@example.com",
            password="screenshots",
            source_ip=_SEEDER,
        )
        bookings.book(
            auth.authenticate_token(other["access_token"]), by_name["Yoga Retreat"].event_id
        )
    # Therapeutic Writing is full: Maya sees the waiting list; Breathwork has a waiting place.
    full = by_name["Therapeutic Writing"]
    full.update(actions=[models.Event.seats_taken.set(full.capacity)])
    waiting = by_name["Breathwork Intensive"]
    waiting.update(actions=[models.Event.seats_taken.set(waiting.capacity)])
    now = clock.to_iso_ms(clock.now())
    # Through the service, so Maya is in the event's line and her page says her position.
    booking_id = bookings.join_waitlist(maya_principal, waiting.event_id)["booking_id"]
    payload = {
        "type": models.BOOKING_CONFIRMED,
        "occurred_at": now,
        "booking_id": booking_id,
        "event": {"id": waiting.event_id, "name": waiting.name, "date": waiting.starts_at},
        "user": {"id": maya_principal.user_id, "name": "Maya Patel", "email": "maya@example.com"},
        "facilitator_crm_id": waiting.facilitator.crm_id,
    }
    row = models.WebhookDelivery(
        f"{booking_id}.{models.BOOKING_CONFIRMED}",
        payload=json.dumps(payload),
        attempts=12,
        last_status=503,
        last_error="HTTP 503: Service Unavailable",
        retry_until=now,
        created_at=now,
        updated_at=now,
    )
    deliveries.enter(row, models.FAILED, clock.parse_iso(now))
    row.save()
    return {
        "maya": maya["access_token"],
        "admin": auth.issue_token(admin["user"]["id"]),
        "retreat": by_name["Yoga Retreat"].event_id,
        "waiting": waiting.event_id,
    }


def _shoot(base: str, people: dict[str, object]) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: `make screenshots` installs Debian's chromium first")
    retreat = people["retreat"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for who, size, shots in (
                (
                    "maya",
                    DESKTOP,
                    [
                        ("dashboard", "/dashboard"),
                        ("event", f"/dashboard/events/{retreat}"),
                        ("event-waiting", f"/dashboard/events/{people['waiting']}"),
                        ("cancel-confirmation", f"/dashboard/events/{retreat}/cancel"),
                        ("my-bookings", "/dashboard/bookings"),
                    ],
                ),
                ("maya", PHONE, [("dashboard-phone", "/dashboard")]),
                (
                    "admin",
                    DESKTOP,
                    [
                        ("admin-events", "/admin/console/events"),
                        ("admin-attendees", f"/admin/console/events/{retreat}/attendees"),
                        ("admin-deliveries", "/admin/console/webhooks?state=failed"),
                    ],
                ),
            ):
                context = browser.new_context(viewport=size, timezone_id="Europe/London")
                context.add_cookies(
                    [{"name": "ahoum_session", "value": str(people[who]), "url": f"{base}/"}]
                )
                page = context.new_page()
                for name, path in shots:
                    page.goto(f"{base}{path}")
                    page.screenshot(path=OUT / f"{name}.png", full_page=size is DESKTOP)
                context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
