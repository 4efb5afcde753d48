"""The sweep: facilitator A against EVERY route of the app with an id in its path, filled
with facilitator B's event, booking, delivery, series, facilitator and user ids, answers
exactly what a plain stranger account gets; the routes open to facilitators for their own
things refuse B's ids (403/404) and serve A's.

The routes come from the app's own registry (``app.operations`` and ``app.browser_routes``),
so a route another branch adds is swept without anyone editing this file, and a route with a
path parameter ``FILL`` does not know fails the sweep until it is taught how to fill it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest

from chalicelib import auth, models, operations
from chalicelib.attendance import codes
from chalicelib.series.creation import create as create_series
from chalicelib.web import cookies, csrf
from tests.support.factories import (
    make_booking,
    make_delivery,
    make_event,
    make_facilitator,
    make_facilitator_account,
    make_user,
)


@dataclass
class World:
    """One facilitator's things, and the private person booked on their event."""

    facilitator: models.Facilitator
    account: models.User
    attendee: models.User
    event: models.Event
    booking: models.Booking
    delivery: models.WebhookDelivery
    series_id: str


def world(name: str) -> World:
    facilitator = make_facilitator(name=name, crm_id=f"crm_{name.lower()}")
    account = make_facilitator_account(facilitator, name=f"{name} (account)")
    attendee = make_user(name=f"Private attendee of {name}")
    event = make_event(timedelta(days=3), facilitator=facilitator, name=f"{name}'s class")
    booking = make_booking(attendee, event)
    delivery = make_delivery(booking_id=booking.booking_id, user_name=attendee.name)
    series = create_series(
        name=f"{name}'s series",
        kind="session",
        facilitator_id=facilitator.facilitator_id,
        timezone="Europe/Berlin",
        start_date=date.today() + timedelta(days=5),
        start_time="18:00",
        duration_minutes=60,
        rrule="FREQ=WEEKLY;COUNT=2",
        capacity=5,
        booking_mode=models.DROP_IN,
    )
    return World(facilitator, account, attendee, event, booking, delivery, series["series_id"])


# How to fill each path parameter from a facilitator's world. A route whose path names a
# parameter missing here fails the sweep: add it, with what it identifies.
FILL = {
    "event_id": lambda w: w.event.event_id,
    "booking_id": lambda w: w.booking.booking_id,
    "delivery_id": lambda w: w.delivery.delivery_id,
    "series_id": lambda w: w.series_id,
    "facilitator_id": lambda w: w.facilitator.facilitator_id,
    "user_id": lambda w: w.account.user_id,
    # A calendar feed of the attendee; its secret is theirs alone, so any guess is wrong.
    "feed_token": lambda w: f"{w.attendee.user_id}-{'A' * 43}.ics",
    # The check-in code of the attendee's booking (a facilitator's phone opens it).
    "code": lambda w: codes.code(w.booking.booking_id, w.event.event_id),
    # The API document's page assets: no id at all, the same for everyone.
    "asset": lambda w: "docs.js",
}


# Routes open to a facilitator for their OWN things (their roster, checking in their
# attendees, their CRM endpoint): B's ids must be refused, A's served.
def open_to_facilitators(path: str) -> bool:
    return (
        path.startswith("/facilitator/")
        or path.endswith("/check-in")
        or path.startswith("/admin/facilitators/{facilitator_id}/webhook")
    )


def routes_with_ids(app) -> list[tuple[str, str, operations.Operation | None]]:
    found = [(path, method, op) for (path, method), op in app.operations.items()]
    found += [(path, method, None) for path, method in app.browser_routes]
    return sorted((r for r in found if "{" in r[0]), key=lambda r: (r[0], r[1]))


def fill(path: str, w: World) -> str:
    values = {}
    for name in operations.path_parameters(path):
        assert name in FILL, f"{path}: teach the IDOR sweep how to fill {{{name}}} (FILL)"
        values[name] = FILL[name](w)
    return path.format(**values)


def call(client, method: str, path: str, operation, user: models.User):
    token = auth.issue_token(user.user_id)
    if operation is not None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        payload = operation.body_example if operation.body is not None else None
        raw = json.dumps(payload if payload is not None else {}).encode()
        if method == "GET":
            return client.http.get(path, headers=headers)
        return getattr(client.http, method.lower())(path, headers=headers, body=raw)
    session = csrf.issue(auth.decode_token(token)["jti"])
    headers = {"Cookie": f"{cookies.SESSION}={token}; {cookies.CSRF}={session}"}
    if method == "GET":
        return client.http.get(path, headers=headers)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = urlencode({csrf.FIELD: session}).encode()
    return getattr(client.http, method.lower())(path, headers=headers, body=body)


@pytest.fixture
def worlds():
    return world("Alice"), world("Bob")


def test_a_facilitator_gets_what_a_stranger_gets_on_every_route_with_another_facilitators_ids(
    app, client, worlds
):
    mine, theirs = worlds
    stranger = make_user(name="Stranger")
    routes = routes_with_ids(app)
    assert len(routes) >= 40, routes
    differences, leaks = [], []
    for path, method, operation in routes:
        target = fill(path, theirs)
        as_stranger = call(client, method, target, operation, stranger)
        as_facilitator = call(client, method, target, operation, mine.account)
        text = as_facilitator.body.decode() if isinstance(as_facilitator.body, bytes) else ""
        if theirs.attendee.email in text or theirs.attendee.name in text:
            leaks.append(f"{method} {path}")
        if as_facilitator.status_code >= 500:
            differences.append(f"{method} {path}: {as_facilitator.status_code}")
        if open_to_facilitators(path):
            if as_facilitator.status_code not in (403, 404):
                differences.append(f"{method} {path}: {as_facilitator.status_code} for B's ids")
        elif as_facilitator.status_code != as_stranger.status_code:
            differences.append(
                f"{method} {path}: facilitator {as_facilitator.status_code}, "
                f"stranger {as_stranger.status_code}"
            )
    assert differences == []
    assert leaks == []
    # Nothing of B's changed, and no account's role either.
    assert models.Booking.get(theirs.attendee.user_id, theirs.event.event_id).status == "confirmed"
    roles = {user.user_id: (user.role, user.facilitator_id) for user in models.User.scan()}
    assert roles[mine.account.user_id] == ("facilitator", mine.facilitator.facilitator_id)
    assert roles[theirs.account.user_id] == ("facilitator", theirs.facilitator.facilitator_id)
    assert {role for role, _ in roles.values()} == {"user", "facilitator"}


def test_every_admin_route_answers_a_facilitator_as_it_answers_a_user(app, client, worlds):
    mine, theirs = worlds
    user = make_user(name="Plain user")
    admin_routes = [
        (path, method, op)
        for path, method, op in [
            *((p, m, o) for (p, m), o in app.operations.items()),
            *((p, m, None) for p, m in app.browser_routes),
        ]
        if (path == "/admin" or path.startswith("/admin/")) and not open_to_facilitators(path)
    ]
    assert len(admin_routes) >= 30
    for path, method, operation in sorted(admin_routes, key=lambda r: (r[0], r[1])):
        target = fill(path, theirs)
        as_user = call(client, method, target, operation, user)
        as_facilitator = call(client, method, target, operation, mine.account)
        assert as_facilitator.status_code == as_user.status_code == 403, (method, path)


def test_the_routes_open_to_facilitators_serve_their_own_ids(app, client, worlds):
    mine, _ = worlds
    opened = [r for r in routes_with_ids(app) if open_to_facilitators(r[0])]
    assert opened, "the roster route at least"
    for path, method, operation in opened:
        response = call(client, method, fill(path, mine), operation, mine.account)
        assert response.status_code not in (401, 403, 404), (method, path, response.body)


def test_a_route_with_a_parameter_the_sweep_does_not_know_fails_it(worlds):
    with pytest.raises(AssertionError, match="teach the IDOR sweep"):
        fill("/things/{thing_id}", worlds[1])
