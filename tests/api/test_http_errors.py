"""Every error is JSON in one shape, with the right 4xx, never a 5xx for bad input."""

import json

import pytest

from chalicelib import events
from tests.support.api import login, register
from tests.support.errors import error_of
from tests.support.factories import headers_for, make_user


@pytest.mark.parametrize("path", ["/events", "/events/"])
def test_events_route_is_reached_with_and_without_trailing_slash(client, path):
    response = client.http.get(path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_method_is_405_json(client):
    response = client.http.delete("/health")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_unknown_route_is_json_not_html(client):
    response = client.http.get("/no/such/route")
    # The test client mirrors API Gateway's raw 403; the local server and the deployed
    # gateway response turn it into 404 (see tests/local/test_runner.py).
    assert response.status_code in (403, 404)
    assert isinstance(json.loads(response.body), dict)


def test_huge_body_is_413_json(client):
    response = client.http.get(
        "/health",
        body=b"x" * (1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_the_body_limit_is_the_max_body_kb_setting(client, configure):
    configure(MAX_BODY_KB=2)
    headers = {"Content-Type": "application/json"}
    under = client.http.get("/health", body=b" " * 2048, headers=headers)
    over = client.http.get("/health", body=b" " * 2049, headers=headers)
    assert under.status_code == 200
    assert over.status_code == 413
    assert error_of(over)["message"] == "The body is over 2 KB."


def test_unexpected_exception_is_json_500_with_request_id_and_no_trace(client, monkeypatch):
    def explode(**_):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(events, "list_upcoming", explode)
    response = client.http.get("/events/", headers=headers_for(make_user()))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "secret internals" not in response.body.decode()
    assert "Traceback" not in response.body.decode()


def test_every_response_carries_a_request_id(client):
    assert client.http.get("/health").headers["X-Request-Id"]


@pytest.mark.parametrize(
    "query",
    [
        "kind=session&kind=retreat",
        "limit=2&limit=3",
        "limit=%EF%BC%99",  # a full-width 9
        "limit=%D9%A3",  # an Arabic-Indic 3
        "limit=%F0%9D%9F%97",  # a mathematical bold 9
        "limit=+5",
        "limit=%205",
    ],
)
def test_a_repeated_parameter_or_a_number_that_is_not_ascii_digits_is_400(client, query):
    response = client.http.get(f"/events/?{query}", headers=headers_for(make_user()))

    assert error_of(response, 400)["code"] == "validation_failed"
    assert set(error_of(response)["fields"]) <= {"kind", "limit"}


def test_a_limit_of_ascii_digits_is_taken(client):
    response = client.http.get("/events/?limit=09", headers=headers_for(make_user()))
    assert response.status_code == 200, response.body


JSON_ANSWERS = {
    "health": lambda client: client.http.get("/health"),
    "register": lambda client: register(client),
    "login": lambda client: (register(client), login(client))[1],
    "me": lambda client: client.http.get("/auth/me", headers=headers_for(make_user())),
    "my bookings": lambda client: client.http.get("/bookings/my", headers=headers_for(make_user())),
    "401": lambda client: client.http.get("/auth/me"),
    "400": lambda client: register(client, email="nope"),
    "405": lambda client: client.http.delete("/health"),
    "413": lambda client: client.http.post("/auth/login", body=b"x" * 70_000),
    "415": lambda client: client.http.post(
        "/auth/login", body=b"a=b", headers={"Content-Type": "text/plain"}
    ),
}


@pytest.mark.parametrize("answer", list(JSON_ANSWERS))
def test_every_json_answer_is_never_cached_nor_sniffed(client, answer):
    response = JSON_ANSWERS[answer](client)

    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
