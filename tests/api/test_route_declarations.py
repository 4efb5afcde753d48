"""app.route: the declaration is enforced in order (who you are, then what you sent), path ids
cost no DynamoDB call, and a route that does not declare itself fully cannot be registered."""

import json
import re

import pytest
from chalice.test import Client

from app import app as declared_app
from chalicelib import models, schemas
from chalicelib.api import BookingsApp, Routes
from chalicelib.openapi import answers, examples
from chalicelib.operations import ADMIN, PUBLIC, USER, Answer
from local.call_counter import count_dynamodb_calls
from local.paths import REPO_ROOT
from tests.support.api import body, post_json
from tests.support.errors import error_of
from tests.support.factories import book, headers_for, make_event, make_user

NOT_JSON = b"{not json"


def send(client, method, path, raw_body, headers=None):
    return getattr(client.http, method)(
        path, body=raw_body, headers={"Content-Type": "application/json", **(headers or {})}
    )


@pytest.mark.parametrize("raw_body", [NOT_JSON, b'{"name": ""}', b""])
def test_an_admin_route_answers_403_to_a_user_before_reading_the_body(client, raw_body):
    response = send(client, "post", "/admin/events", raw_body, headers_for(make_user()))

    assert (response.status_code, error_of(response)["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/bookings"), ("post", "/admin/events"), ("patch", "/admin/events/{event_id}")],
)
@pytest.mark.parametrize("raw_body", [NOT_JSON, b'{"event_id": "nope", "smuggled": 1}'])
def test_a_stranger_gets_401_not_the_field_errors_of_a_bad_body(client, method, path, raw_body):
    path = path.format(event_id=examples.PATH_IDS["event_id"])

    response = send(client, method, path, raw_body)

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "fields" not in body(response)["error"]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("get", "/events/{}", "user"),
        ("delete", "/bookings/{}", "user"),
        ("get", "/admin/facilitators/{}", "admin"),
        ("get", "/admin/events/{}/attendees", "admin"),
    ],
)
def test_a_malformed_path_id_is_400_before_any_dynamodb_call(client, method, path, role):
    headers = headers_for(make_user(role=role))

    with count_dynamodb_calls() as calls:
        response = getattr(client.http, method)(path.format("not-an-id"), headers=headers)

    assert response.status_code == 400, response.body
    (name,) = body(response)["error"]["fields"]
    assert name.endswith("_id")
    assert dict(calls) == {}


def test_a_stranger_with_a_malformed_path_id_still_gets_401(client):
    response = client.http.get("/events/not-an-id")

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")


def test_a_revoked_token_cannot_book_although_the_service_checks_it(client):
    # POST /bookings defers the revocation check to the service's own BatchGetItem.
    user, event = make_user(), make_event()
    headers = headers_for(user)
    assert client.http.get("/logout", headers=headers).status_code == 200

    response = post_json(client, "/bookings", {"event_id": event.event_id}, headers)

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")
    assert models.Booking.count() == 0


def test_the_token_of_a_deleted_account_cannot_book(client):
    user, event = make_user(), make_event()
    headers = headers_for(user)
    user.delete()

    response = post_json(client, "/bookings", {"event_id": event.event_id}, headers)

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")
    assert models.Booking.count() == 0


def test_booking_answers_the_declared_201_in_two_dynamodb_calls(client):
    user, event = make_user(), make_event()

    with count_dynamodb_calls() as calls:
        response = book(client, user, event.event_id)

    assert response.status_code == 201
    assert dict(calls) == {"BatchGetItem": 1, "TransactWriteItems": 1}


# --- Declarations that cannot be registered ---

HEALTH = Answer(200, "ok", answers.Health, examples.HEALTH)


def declare(app, path="/things", method="GET", **declaration):
    fields = {"access": PUBLIC, "tag": "Service", "summary": "s", "answer": HEALTH}
    return app.route(path, method, **{**fields, **declaration})


def test_a_route_without_access_or_answer_cannot_be_registered():
    app = BookingsApp("declarations")

    with pytest.raises(TypeError):

        @app.route("/things", "GET", tag="Service", summary="no access, no answer")
        def list_things():
            return {}

    assert not app.routes
    assert app.operations == {}


def test_an_undocumented_route_must_say_it_is_for_browsers_and_why():
    app = BookingsApp("declarations")

    @app.route("/page", "GET", browser_only="a page")
    def page(request):
        return "<p>hi</p>"

    assert app.browser_routes == {("/page", "GET"): "a page"}
    assert app.operations == {}
    with pytest.raises(TypeError, match="browser-only"):

        @app.route("/other", "GET", browser_only="a page", access=PUBLIC)
        def other(request):
            return "<p>hi</p>"


def takes_principal(principal):
    return {}


def takes_principal_and_query(principal, query):
    return {}


@pytest.mark.parametrize(
    ("declaration", "view"),
    [
        ({"access": PUBLIC}, takes_principal),  # no caller is known on a public route
        ({"access": USER, "body": schemas.BookingBody}, takes_principal),  # the body is dropped
        ({"access": USER}, takes_principal_and_query),  # no query was declared
        ({"access": USER, "defer_account_check": True}, takes_principal),  # only the token is
    ],
)
def test_a_view_takes_exactly_what_its_declaration_gives(declaration, view):
    app = BookingsApp("declarations")

    with pytest.raises(TypeError, match="takes"):
        declare(app, **declaration)(view)

    assert app.operations == {}


@pytest.mark.parametrize(
    "declaration",
    [
        {"access": "staff"},
        {"access": ADMIN, "defer_account_check": True},
        {"path": "/things/{thing_id}"},
    ],
)
def test_an_impossible_declaration_is_refused(declaration):
    app = BookingsApp("declarations")

    with pytest.raises(ValueError):

        @declare(app, **declaration)
        def get_thing(**path):
            return {}


def test_two_operations_cannot_share_an_operation_id():
    app = BookingsApp("declarations")

    @declare(app, "/things", "GET")
    def list_things():
        return {}

    with pytest.raises(ValueError, match="listThings"):
        declare(app, "/other-things", "GET")(list_things)


def test_a_route_module_s_declaration_is_checked_when_the_app_registers_it():
    routes = Routes()
    declare(routes, access=PUBLIC)(takes_principal)  # no caller is known on a public route
    app = BookingsApp("declarations")

    with pytest.raises(TypeError, match="takes"):
        app.register(routes)

    assert app.operations == {}


def test_a_route_module_s_routes_become_the_app_s_in_the_order_declared():
    routes = Routes()

    @declare(routes, "/things/b")
    def list_b_things():
        return {}

    @declare(routes, "/things/a", access=USER)
    def list_a_things(principal):
        return {}

    app = BookingsApp("declarations")
    app.register(routes)

    assert list(app.operations) == [("/things/b", "GET"), ("/things/a", "GET")]
    assert app.operations[("/things/a", "GET")].operation_id == "listAThings"
    assert routes.app is app
    with Client(app, project_dir=str(REPO_ROOT)) as client:
        assert client.http.get("/things/a").status_code == 401


def test_a_view_answers_with_the_declared_status():
    app = BookingsApp("declarations")

    @declare(app, "/things", "POST", answer=Answer(202, "Queued.", answers.Message))
    def queue_thing():
        return {"msg": "queued"}

    with Client(app, project_dir=str(REPO_ROOT)) as client:
        response = client.http.post("/things")

    assert response.status_code == 202
    assert json.loads(response.body) == {"msg": "queued"}
    assert app.operations[("/things", "POST")].operation_id == "queueThing"


PROTECTED_OPERATIONS = sorted(
    key for key, operation in declared_app.operations.items() if operation.takes_token
)
STRANGERS = {"no token": {}, "garbage token": {"Authorization": "Bearer not.a.token"}}
# Whatever the body's media type, or with no body at all, the token is looked at first:
# Chalice would refuse an undeclared media type (415) before the route's own checks.
BODIES = {
    "a JSON body": ({"Content-Type": "application/json"}, NOT_JSON),
    "a text/plain body": ({"Content-Type": "text/plain"}, b"hello"),
    "no body": ({}, None),
}


@pytest.mark.parametrize(("path", "method"), PROTECTED_OPERATIONS)
@pytest.mark.parametrize("stranger", list(STRANGERS))
@pytest.mark.parametrize("sent", list(BODIES))
def test_every_protected_operation_answers_a_stranger_401_before_looking_at_the_input(
    client, path, method, stranger, sent
):
    # Everything else about the request is wrong too: path ids, query string and body.
    path = re.sub(r"{\w+}", "not-an-id", path) + "?limit=nine&surprise=1"
    content_type, raw_body = BODIES[sent]
    with count_dynamodb_calls() as calls:
        response = getattr(client.http, method.lower())(
            path, body=raw_body, headers={**content_type, **STRANGERS[stranger]}
        )

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "fields" not in body(response)["error"]
    assert dict(calls) == {}


def test_joining_a_waiting_list_with_a_text_body_and_no_token_is_401_not_415(client):
    path = f"/events/{examples.PATH_IDS['event_id']}/waitlist"

    response = client.http.post(path, body=b"hello", headers={"Content-Type": "text/plain"})

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("post", "/events/{event_id}/waitlist", "user"),
        ("post", "/bookings", "user"),
        ("get", "/auth/me", "user"),
        ("post", "/admin/events", "admin"),
        ("patch", "/admin/events/{event_id}", "user"),
    ],
)
def test_a_caller_with_a_token_still_gets_415_for_an_undeclared_media_type(
    client, method, path, role
):
    path = path.format(event_id=examples.PATH_IDS["event_id"])
    headers = {"Content-Type": "text/plain", **headers_for(make_user(role=role))}

    with count_dynamodb_calls() as calls:
        response = getattr(client.http, method)(path, body=b"hello", headers=headers)

    assert (response.status_code, error_of(response)["code"]) == (415, "unsupported_media_type")
    assert error_of(response)["message"] == "Send the body as application/json."
    assert dict(calls) == {}


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/auth/register"), ("post", "/auth/login"), ("get", "/health")]
)
def test_a_public_operation_still_answers_415_to_an_undeclared_media_type(client, method, path):
    response = getattr(client.http, method)(
        path, body=b"hello", headers={"Content-Type": "text/plain"}
    )

    assert (response.status_code, error_of(response)["code"]) == (415, "unsupported_media_type")


def test_a_declared_media_type_with_parameters_is_taken(client):
    response = client.http.post(
        "/auth/login",
        body=json.dumps({"email": "nobody@example.com", "password": "wrong-password"}),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 401, response.body
