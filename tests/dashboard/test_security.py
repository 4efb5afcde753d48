"""The dashboard's defences, as an attacker would probe them: CSRF, cookies, headers,
escaping, and the JSON API's refusal of the session cookie."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from chalicelib import auth
from chalicelib.config import get_settings
from chalicelib.web import cookies, csrf
from tests.support.api import PASSWORD, post_json
from tests.support.browser import Browser, cookie_attributes, csrf_token, set_cookies, text
from tests.support.errors import error_of
from tests.support.factories import (
    make_admin,
    make_event,
    make_facilitator,
    make_user,
    new_event,
)

XSS_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture
def logged_in(browser):
    browser.follow(browser.register())
    return browser


def _form_for(action: str, browser: Browser) -> dict[str, str]:
    """A form that would succeed at ``action`` but for its CSRF token."""
    if action == "/login":
        return {"email": "ann@example.com", "password": PASSWORD}
    if action == "/register":
        return {"name": "Mallory", "email": "mallory@example.com", "password": PASSWORD}
    if action == "/dashboard/book":
        return {"event_id": make_event().event_id}
    if action == "/dashboard/cancel":
        return {"booking_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    if action == "/dashboard/waitlist":
        full = new_event(capacity=1)
        full.seats_taken = 1
        full.save()
        return {"event_id": full.event_id}
    return {}


ACTIONS = [
    "/login",
    "/register",
    "/dashboard/book",
    "/dashboard/cancel",
    "/dashboard/waitlist",
    "/logout",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "attack",
    ["no field", "no cookie", "field differs from cookie", "forged signature", "other session"],
)
def test_form_posts_without_the_right_csrf_token_are_refused_with_403(
    client, logged_in, action, attack
):
    browser = logged_in
    if action in ("/login", "/register"):
        browser.follow(browser.submit("/dashboard", "/logout", {}))
        browser.get("/login")
    token = browser.cookies[cookies.CSRF]
    fields = _form_for(action, browser)
    if attack == "no cookie":
        fields["csrf_token"] = token
        browser.cookies.pop(cookies.CSRF)
    elif attack == "field differs from cookie":
        fields["csrf_token"] = csrf.issue(browser_session_id(browser))
    elif attack == "forged signature":
        nonce = token.split(".")[0]
        forged = f"{nonce}.{'0' * 64}"
        fields["csrf_token"] = forged
        browser.cookies[cookies.CSRF] = forged
    elif attack == "other session":
        # A valid pair, minted for someone else's session (say, the attacker's own).
        planted = csrf.issue("01ATTACKERSESSION000000000")
        fields["csrf_token"] = planted
        browser.cookies[cookies.CSRF] = planted
    response = browser.post(action, fields)
    assert response.status_code == 403, text(response)
    assert "This form has expired or did not come from this site." in text(response)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    me = client.http.get("/auth/me", headers={"Authorization": f"Bearer {token_of(browser)}"})
    if action in ("/dashboard/book", "/dashboard/cancel", "/dashboard/waitlist", "/logout"):
        assert me.status_code == 200, "the session must survive a refused form"
    dashboard = text(browser.get("/dashboard"))
    assert "Booked" not in dashboard and "On the waiting list" not in dashboard


def browser_session_id(browser: Browser) -> str:
    token = browser.cookies.get(cookies.SESSION)
    return auth.decode_token(token)["jti"] if token else ""


def token_of(browser: Browser) -> str:
    return browser.cookies.get(cookies.SESSION, "none")


def test_a_csrf_token_from_before_logging_in_is_no_good_after(browser):
    event = make_event()
    anonymous_token = csrf_token(browser.get("/login"))
    browser.follow(browser.register())
    response = browser.post(
        "/dashboard/book", {"csrf_token": anonymous_token, "event_id": event.event_id}
    )
    assert response.status_code == 403


def test_the_session_cookie_lasts_as_long_as_its_token(browser, configure):
    configure(TOKEN_LIFETIME_MINUTES=20)
    assert "Max-Age=1200" in cookie_attributes(browser.register(), cookies.SESSION)


def test_the_session_is_an_httponly_samesite_cookie_never_in_the_page(browser):
    response = browser.register()
    attributes = cookie_attributes(response, cookies.SESSION)
    assert {"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"} <= attributes
    assert "Secure" not in attributes  # http://127.0.0.1 locally
    token = browser.cookies[cookies.SESSION]
    assert auth.decode_token(token)["sub"]
    page = browser.follow(response)
    assert token not in text(page)
    assert token.split(".")[1] not in text(page)
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= cookie_attributes(page, cookies.CSRF)


def test_on_a_deployed_stage_every_cookie_is_secure(browser, monkeypatch):
    deployed = dataclasses.replace(get_settings(), stage="prod")
    monkeypatch.setattr(cookies, "get_settings", lambda: deployed)
    response = browser.register()
    assert "Secure" in cookie_attributes(response, cookies.SESSION)
    assert "Secure" in cookie_attributes(browser.follow(response), cookies.CSRF)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/me"),
        ("GET", "/events/"),
        ("GET", "/bookings/my"),
        ("POST", "/bookings/"),
    ],
)
def test_the_session_cookie_alone_does_not_authorize_the_json_api(logged_in, method, path):
    event = make_event()
    headers = {"Cookie": f"{cookies.SESSION}={logged_in.cookies[cookies.SESSION]}"}
    if method == "POST":
        response = post_json(logged_in.client, path, {"event_id": event.event_id}, headers)
    else:
        response = logged_in.client.http.get(path, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def _every_kind_of_html_answer(browser: Browser) -> list[tuple[str, Any]]:
    answers = [("login", browser.get("/login")), ("register", browser.get("/register"))]
    answers.append(("root redirect", browser.get("/")))
    answers.append(("failed login", browser.log_in(password="wrong password")))
    answers.append(("csrf refused", browser.post("/login", {"email": "a@b.co"})))
    registered = browser.register()
    answers.append(("register redirect", registered))
    answers.append(("dashboard", browser.follow(registered)))
    answers.append(("bad page link", browser.get("/dashboard?cursor=bm9wZQ")))
    answers.append(("bad filter", browser.get("/dashboard?from=2030-01-02&to=2030-01-01")))
    event = make_event(name="Healing Circle")
    booked = browser.submit("/dashboard", "/dashboard/book", {"event_id": event.event_id})
    answers.append(("book redirect", booked))
    answers.append(("event page", browser.follow(booked)))
    answers.append(
        ("cancel confirmation", browser.get(f"/dashboard/events/{event.event_id}/cancel"))
    )
    answers.append(("my bookings", browser.get("/dashboard/bookings")))
    answers.append(("admin page refused", browser.get("/admin/console/events")))
    admin = Browser(browser.client).as_user(make_admin())
    for path in CONSOLE_PAGES:
        answers.append((path, admin.get(path.format(event_id=event.event_id))))
    answers.append(
        ("attendees CSV", admin.get(f"/admin/console/events/{event.event_id}/attendees.csv"))
    )
    answers.append(("logout", browser.submit("/dashboard", "/logout", {})))
    answers.append(("dashboard redirect", browser.get("/dashboard")))
    return answers


CONSOLE_PAGES = [
    "/admin",
    "/admin/console/events",
    "/admin/console/events/new",
    "/admin/console/events/{event_id}/edit",
    "/admin/console/events/{event_id}/attendees",
    "/admin/console/facilitators",
    "/admin/console/facilitators/new",
    "/admin/console/webhooks",
]
# The one script the pages load: a file of this site's own, never inline.
_OWN_SCRIPT = re.compile(r'<script src="/static/local-time\.js\?v=[0-9a-f]{12}" defer></script>')


def test_every_html_answer_sends_the_security_headers_and_is_never_cached(browser):
    for name, response in _every_kind_of_html_answer(browser):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy, name
        assert "frame-ancestors 'none'" in policy, name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["Cache-Control"] == "no-store", name


def test_no_page_has_inline_script_style_or_anything_from_elsewhere(browser):
    make_event(name="Morning Yoga")
    for name, response in _every_kind_of_html_answer(browser):
        page = _OWN_SCRIPT.sub("", text(response))
        assert "<script" not in page, name
        assert "<style" not in page and "style=" not in page, name
        assert not re.search(r"\son[a-z]+=", page), name
        assert not re.search(r'(src|href)="(https?:)?//', page), name


@pytest.mark.parametrize("name", XSS_NAMES)
def test_hostile_names_are_shown_as_text(browser, name):
    facilitator = make_facilitator(name=name)
    event = new_event(name=name, facilitator=facilitator)
    event.save()
    dashboard = browser.follow(browser.register(name=name))
    page = text(dashboard)
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;")
    assert f'Hello, <span class="name">{escaped}</span>' in page
    assert f'">{escaped}</a></h3>' in page
    assert f"with {escaped}" in page
    assert "<script>alert" not in page and "<img" not in page

    booked = browser.follow(
        browser.post(
            "/dashboard/book", {"csrf_token": csrf_token(dashboard), "event_id": event.event_id}
        )
    )
    assert "<script>alert" not in text(booked) and "<img" not in text(booked)
    assert f"<h1>{escaped}</h1>" in text(booked)
    assert f"You&#39;re booked for {escaped}." in text(booked)

    retyped = Browser(browser.client).register(name=name)  # same email: shown again, escaped
    assert retyped.status_code == 409
    assert f'value="{escaped}"' in text(retyped)
    assert "<img" not in text(retyped) and "<script>alert" not in text(retyped)


def test_stylesheet_is_css_cached_for_good_under_its_content_hash(browser):
    page = text(browser.get("/login"))
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', page).group(1)
    assert re.fullmatch(r"/static/app\.css\?v=[0-9a-f]{12}", href)
    css = browser.get(href)
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert b"@import" not in css.body and b"url(" not in css.body


def _api_gateway_event(
    path: str, cookie: str = "", route: str | None = None, **path_values: str
) -> dict[str, Any]:
    """What API Gateway sends the Lambda for a browser's GET on a deployed stage's own URL
    (``https://<id>.execute-api.<region>.amazonaws.com/api/<path>``); ``route`` is the
    template the path matched when it has path parameters (``/dashboard/events/{event_id}``)."""
    route = route or path
    return {
        "resource": route,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Accept": "text/html", **({"Cookie": cookie} if cookie else {})},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_values or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_links_redirects_and_cookies_keep_the_deployed_stage_prefix(app):
    user = make_user()
    session = f"{cookies.SESSION}={auth.issue_token(user.user_id)}"
    to_login = app(_api_gateway_event("/dashboard"), None)
    assert to_login["statusCode"] == 303
    assert to_login["headers"]["Location"] == "/api/login"

    login = app(_api_gateway_event("/login"), None)
    assert 'action="/api/login"' in login["body"]
    assert 'href="/api/static/app.css?v=' in login["body"]
    assert "Path=/api/" in login["multiValueHeaders"]["Set-Cookie"][0]

    home = app(_api_gateway_event("/", cookie=session), None)
    assert home["headers"]["Location"] == "/api/dashboard"


def test_a_page_with_a_path_parameter_keeps_the_deployed_stage_prefix(app):
    # Chalice hands the view the route's template as request.path, which the browser's path
    # (with a real id in it) never ends with: the prefix must come from the stage.
    user = make_user()
    session = f"{cookies.SESSION}={auth.issue_token(user.user_id)}"
    event_id = make_event(name="Sound Bath").event_id
    page = app(
        _api_gateway_event(
            f"/dashboard/events/{event_id}",
            cookie=session,
            route="/dashboard/events/{event_id}",
            event_id=event_id,
        ),
        None,
    )
    assert page["statusCode"] == 200, page["body"]
    assert 'href="/api/static/app.css?v=' in page["body"]
    assert 'action="/api/dashboard/book"' in page["body"]
    assert 'href="/dashboard' not in page["body"]
    assert 'action="/dashboard' not in page["body"]

    anonymous = app(
        _api_gateway_event(
            f"/dashboard/events/{event_id}",
            route="/dashboard/events/{event_id}",
            event_id=event_id,
        ),
        None,
    )
    assert anonymous["headers"]["Location"].startswith("/api/login")


def test_a_crafted_path_never_redirects_to_another_host(app):
    event = _api_gateway_event("/dashboard")
    event["requestContext"]["path"] = "//evil.example/dashboard"
    response = app(event, None)
    assert response["headers"]["Location"] == "/login"


def test_pages_set_each_cookie_at_most_once_per_answer(browser):
    for _, response in _every_kind_of_html_answer(browser):
        names = [value.split("=", 1)[0] for value in set_cookies(response)]
        assert len(names) == len(set(names)), names


def test_form_posts_accept_only_form_bodies(logged_in):
    token = csrf_token(logged_in.get("/dashboard"))
    response = logged_in.post(
        "/dashboard/book", {"csrf_token": token}, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 415
