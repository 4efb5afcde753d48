"""OWASP API Security Top 10 checks, through the HTTP API, over every operation the OpenAPI
document lists (so a route added later is checked too):

- API1 broken object level authorization: another user's booking cannot be cancelled or read;
- API5 broken function level authorization: no /admin/* operation answers a user;
- API3 broken object property level authorization: a body cannot set `role`, `seats_taken`,
  `user_id` or other properties it does not name, and no answer carries a password hash or
  an internal key;
- API4 unrestricted resource consumption: every list caps `limit`.
"""

import json
import re
from datetime import timedelta

import pytest

from app import app as declared_app
from chalicelib import auth, models
from chalicelib.openapi import examples
from chalicelib.web import console
from tests.support.api import PASSWORD, body, login, post_json, register
from tests.support.errors import error_of
from tests.support.factories import (
    book,
    headers_for,
    make_admin,
    make_event,
    make_series_events,
    make_user,
    new_event,
    save_all,
)
from tests.support.payments import make_paid_event

OPERATIONS = declared_app.operations
ADMIN_OPERATIONS = sorted(key for key in OPERATIONS if key[0].startswith("/admin/"))
BODY_OPERATIONS = sorted(key for key, operation in OPERATIONS.items() if operation.body is not None)
LIST_OPERATIONS = sorted(
    key
    for key, operation in OPERATIONS.items()
    if operation.query is not None and "limit" in operation.query().fields
)

# Properties a client might try to smuggle into a body.
SMUGGLED = {"role": "admin", "seats_taken": 0, "user_id": "01JD8X3M4Q7R9S2T5V6W8Y0Z1A"}


def request(client, method, path, user=None, payload=None, query=""):
    headers = headers_for(user) if user is not None else {}
    kwargs = {}
    if payload is not None:
        headers["Content-Type"] = "application/json"
        kwargs["body"] = json.dumps(payload)
    return getattr(client.http, method.lower())(path + query, headers=headers, **kwargs)


def filled(path, **ids):
    """The path with its ids: the given ones, else the documented examples."""
    return re.sub(r"{(\w+)}", lambda m: ids.get(m[1], examples.PATH_IDS[m[1]]), path)


# API1: broken object level authorization


def test_a_user_cannot_cancel_another_users_booking_by_id(client):
    owner, other = make_user(name="Ann"), make_user(name="Bob")
    event = make_event()
    booking_id = body(book(client, owner, event.event_id))["booking_id"]

    response = request(client, "DELETE", f"/bookings/{booking_id}", user=other)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    mine = body(request(client, "GET", "/bookings/my", user=owner))["bookings"]
    assert [(b["booking_id"], b["status"]) for b in mine] == [(booking_id, "confirmed")]


def test_a_user_cannot_read_another_users_bookings_even_with_their_cursor(client):
    owner, other = make_user(name="Ann"), make_user(name="Bob")
    for _ in range(2):
        book(client, owner, make_event().event_id)
    owners_cursor = body(request(client, "GET", "/bookings/my?limit=1", user=owner))["next_cursor"]

    listed = request(client, "GET", "/bookings/my", user=other)
    peeked = request(client, "GET", f"/bookings/my?cursor={owners_cursor}", user=other)

    assert body(listed)["bookings"] == []
    assert peeked.status_code == 400
    assert "cursor" in error_of(peeked)["fields"]


def test_a_user_cannot_read_another_users_booking_as_a_calendar_file(client):
    owner, other = make_user(name="Ann"), make_user(name="Bob")
    booking_id = body(book(client, owner, make_event().event_id))["booking_id"]

    response = request(client, "GET", f"/bookings/{booking_id}/calendar.ics", user=other)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_user_cannot_move_another_users_booking(client):
    owner, other = make_user(name="Ann"), make_user(name="Bob")
    _, dates = make_series_events(2)
    booking_id = body(book(client, owner, dates[0].event_id))["booking_id"]

    response = request(
        client,
        "POST",
        f"/bookings/{booking_id}/move",
        user=other,
        payload={"event_id": dates[1].event_id},
    )

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    held = models.Booking.get(owner.user_id, dates[0].event_id, consistent_read=True)
    assert held.status == "confirmed"


def test_a_user_cannot_get_another_users_payment_intent(client, localstripe):
    owner, other = make_user(name="Ann"), make_user(name="Bob")
    booking_id = body(book(client, owner, make_paid_event().event_id))["booking_id"]

    response = request(client, "POST", f"/bookings/{booking_id}/payment", user=other)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert "client_secret" not in response.json_body


def test_booking_ids_are_taken_only_from_the_path_of_the_callers_own_bookings():
    # Every operation that names a booking in its path is one an owner check above covers.
    with_booking_ids = [key for key in OPERATIONS if "{booking_id}" in key[0]]

    assert sorted(with_booking_ids) == [
        ("/bookings/{booking_id}", "DELETE"),
        ("/bookings/{booking_id}/calendar.ics", "GET"),
        ("/bookings/{booking_id}/move", "POST"),
        ("/bookings/{booking_id}/payment", "POST"),
    ]


# API5: broken function level authorization


@pytest.mark.parametrize(("path", "method"), ADMIN_OPERATIONS)
def test_no_admin_operation_answers_a_user_or_an_anonymous_caller(client, path, method):
    operation = OPERATIONS[(path, method)]
    payload = operation.body_example if operation.body is not None else None

    as_user = request(client, method, filled(path), user=make_user(), payload=payload)
    anonymous = request(client, method, filled(path), payload=payload)

    assert (as_user.status_code, error_of(as_user)["code"]) == (403, "forbidden")
    assert (anonymous.status_code, error_of(anonymous)["code"]) == (401, "unauthorized")
    assert models.Facilitator.count() == 0
    assert models.Event.count() == 0


def test_every_route_under_admin_is_checked_here(app):
    # The admin console's pages (HTML) are checked in tests/dashboard/test_console.py.
    under_admin = sorted(
        (path, method)
        for path, methods in app.routes.items()
        for method in methods
        if path.startswith("/admin/") and not path.startswith(f"{console.ROOT}/")
    )

    assert under_admin == ADMIN_OPERATIONS


# API3: broken object property level authorization (mass assignment, data exposure)


@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS)
@pytest.mark.parametrize("smuggled", sorted(SMUGGLED))
def test_a_body_cannot_set_a_property_it_does_not_name(client, path, method, smuggled):
    operation = OPERATIONS[(path, method)]
    if smuggled in operation.body().fields:
        pytest.fail(f"{method} {path} takes {smuggled!r}: decide whether that is safe")
    caller = make_user(role="admin" if path.startswith("/admin/") else "user")
    payload = {**operation.body_example, smuggled: SMUGGLED[smuggled]}

    response = request(client, method, filled(path), user=caller, payload=payload)

    assert response.status_code == 400, response.body
    assert error_of(response)["fields"] == {smuggled: ["Unknown field."]}


def test_booking_for_someone_else_or_with_a_chosen_status_is_refused(client):
    booker, victim = make_user(name="Eve"), make_user(name="Ann")
    event = make_event(capacity=1)

    response = post_json(
        client,
        "/bookings",
        {"event_id": event.event_id, "user_id": victim.user_id, "status": "cancelled"},
        headers_for(booker),
    )

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"user_id", "status"}
    assert models.Event.get(event.event_id).seats_taken == 0


def test_no_answer_carries_a_password_hash_or_an_internal_key(client):
    admin = make_admin()
    event = make_event()
    token = body(register(client))["access_token"]
    ann = {"Authorization": f"Bearer {token}"}
    created = book(client, make_user(), event.event_id)
    answers = [
        login(client),
        login(client, password="wrong password"),
        client.http.get("/auth/me", headers=ann),
        client.http.get("/events", headers=ann),
        client.http.get(f"/events/{event.event_id}", headers=ann),
        post_json(client, "/bookings", {"event_id": event.event_id}, ann),
        client.http.get("/bookings/my", headers=ann),
        client.http.get(f"/admin/events/{event.event_id}/attendees", headers=headers_for(admin)),
        client.http.get("/admin/facilitators", headers=headers_for(admin)),
        client.http.delete(f"/bookings/{body(created)['booking_id']}", headers=ann),
        post_json(client, "/auth/logout", {}, ann),
    ]
    password_hash = models.Credential.get("ann@example.com").password_hash

    for answer in answers:
        text = answer.body.decode()
        assert password_hash not in text
        assert not re.search(r"\$2[aby]\$", text), text
        assert PASSWORD not in text
        assert auth.TOKEN_AUDIENCE not in text
        assert not internal_keys(json.loads(text)), text


INTERNAL_KEYS = {
    "password",
    "password_hash",
    "jti",
    "listing",
    "idempotency_key",
    "user_id",
    "event_id",
    "facilitator_crm_id",
    "Items",
    "LastEvaluatedKey",
}


def internal_keys(value):
    if isinstance(value, dict):
        found = set(value) & INTERNAL_KEYS
        for item in value.values():
            found |= internal_keys(item)
        return found
    if isinstance(value, list):
        return set().union(*(internal_keys(item) for item in value))
    return set()


# API4: unrestricted resource consumption


def test_every_list_operation_is_checked_here():
    assert LIST_OPERATIONS == [
        ("/admin/events/{event_id}/attendees", "GET"),
        ("/admin/facilitators", "GET"),
        ("/admin/series", "GET"),
        ("/admin/webhooks", "GET"),
        ("/bookings/my", "GET"),
        ("/events", "GET"),
    ]


@pytest.mark.parametrize(("path", "method"), LIST_OPERATIONS)
def test_every_list_caps_limit_at_100(client, path, method):
    caller = make_admin()
    target = filled(path, event_id=make_event().event_id)

    too_many = request(client, method, target, user=caller, query="?limit=101")
    none = request(client, method, target, user=caller, query="?limit=0")
    most = request(client, method, target, user=caller, query="?limit=100")

    assert too_many.status_code == 400
    assert "limit" in error_of(too_many)["fields"]
    assert none.status_code == 400
    assert most.status_code == 200


def test_a_list_without_limit_answers_at_most_50(client):
    save_all([new_event(timedelta(days=1, minutes=n), name=f"Event {n}") for n in range(60)])

    page = body(request(client, "GET", "/events", user=make_user()))

    assert len(page["events"]) == 50
    assert page["next_cursor"]
