"""A logout revokes whatever it carries, on every path: the Bearer token, the dashboard's
session cookie, or both; and no other site can log anyone out with a link."""

from __future__ import annotations

import json

import pytest

from chalicelib.web import cookies
from tests.support.api import bearer, body, login, register
from tests.support.browser import Browser, csrf_token, set_cookies, text

PATHS = [("GET", "/logout"), ("POST", "/logout"), ("POST", "/auth/logout")]
# What else a request carrying a Bearer token may hold: it never keeps the token alive.
EXTRAS = {
    "nothing else": {},
    "a JSON body": {"Content-Type": "application/json"},
    "Accept: text/html": {"Accept": "text/html,application/xhtml+xml"},
    "a junk session cookie": {"Cookie": f"{cookies.SESSION}=junk"},
    "a form body": {"Content-Type": "application/x-www-form-urlencoded"},
}


def alive(client, token: str) -> bool:
    status = client.http.get("/auth/me", headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def send(client, method, path, headers, payload=b""):
    return client.http.request(method, path, headers=headers, body=payload)


@pytest.mark.parametrize(("method", "path"), PATHS)
@pytest.mark.parametrize("extra", list(EXTRAS))
def test_a_bearer_token_is_revoked_whatever_else_comes_with_it(client, method, path, extra):
    token = body(register(client))["access_token"]
    payload = b"{}" if "JSON" in extra else b""

    response = send(client, method, path, {**bearer(token), **EXTRAS[extra]}, payload)

    assert response.status_code in (200, 303), response.body
    assert not alive(client, token)


def test_post_logout_with_a_bearer_token_and_a_json_body_answers_json(client):
    token = body(register(client))["access_token"]
    headers = {**bearer(token), "Content-Type": "application/json"}

    response = send(client, "POST", "/logout", headers, json.dumps({"all": True}).encode())

    assert (response.status_code, body(response)) == (200, {"msg": "Logged out"})
    assert not alive(client, token)


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_a_bearer_token_and_a_session_cookie_are_both_revoked(client, browser, method, path):
    browser.follow(browser.register())
    session = browser.cookies[cookies.SESSION]
    token = body(login(client))["access_token"]

    response = browser.client.http.request(
        method, path, headers={**bearer(token), "Cookie": f"{cookies.SESSION}={session}"}
    )

    assert response.status_code in (200, 303)
    assert not alive(client, token)
    assert not alive(client, session)
    assert any(value.startswith(f"{cookies.SESSION}=;") for value in set_cookies(response))


def test_the_api_logout_revokes_a_session_cookie_it_carries(client, browser):
    browser.follow(browser.register())
    session = browser.cookies[cookies.SESSION]

    response = browser.post("/auth/logout", {})

    assert (response.status_code, body(response)) == (200, {"msg": "Logged out"})
    assert not alive(client, session)
    assert cookies.SESSION not in browser.cookies


def test_a_link_to_logout_shows_a_button_instead_of_logging_out(client, browser):
    browser.follow(browser.register())
    session = browser.cookies[cookies.SESSION]

    # What a link on any site makes the browser send: a GET carrying the session cookie.
    page = browser.get("/logout", headers={"Accept": "text/html,application/xhtml+xml"})

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<form method="post" action="/logout">' in text(page)
    assert alive(client, session)

    response = browser.post("/logout", {"csrf_token": csrf_token(page)})

    assert (response.status_code, response.headers["Location"]) == (303, "/login")
    assert not alive(client, session)
    assert cookies.SESSION not in browser.cookies


def test_the_logout_button_without_its_csrf_token_logs_nobody_out(client, browser):
    browser.follow(browser.register())
    session = browser.cookies[cookies.SESSION]

    response = browser.post("/logout", {})

    assert response.status_code == 403
    assert alive(client, session)


def test_a_link_to_logout_without_a_session_goes_to_the_login_page(browser):
    browser.cookies[cookies.SESSION] = "expired.or.garbage"

    response = browser.get("/logout", headers={"Accept": "text/html"})

    assert (response.status_code, response.headers["Location"]) == (303, "/login")
    assert cookies.SESSION not in browser.cookies


def test_an_api_client_without_a_token_is_still_logged_out(client):
    for method, path in PATHS:
        response = send(client, method, path, {"Content-Type": "application/json"}, b"{}")
        assert (response.status_code, body(response)) == (200, {"msg": "Logged out"}), path


def test_a_second_browser_is_not_affected(client, browser):
    browser.follow(browser.register())
    other = Browser(client)
    other.follow(other.log_in())
    token = body(login(client))["access_token"]

    client.http.post("/auth/logout", headers=bearer(token))

    assert alive(client, browser.cookies[cookies.SESSION])
    assert alive(client, other.cookies[cookies.SESSION])
