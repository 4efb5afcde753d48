"""Every error is JSON in one shape, with the right 4xx, never a 5xx for bad input."""

import json

import pytest

from chalicelib import events
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
