"""Browsers for the dashboard tests, both kinds in one place.

- ``browser``: what a browser without JavaScript does, over Chalice's test client: it keeps the
  cookies it is given, sends them back, and fills in forms with the CSRF token of the page
  they are on.
- ``chromium`` / ``new_context``: Debian's Chromium driven by Playwright, for the tests in
  ``tests/dashboard/e2e/`` against the live server; one browser for the whole run. Screenshots
  go to ``test-artifacts/`` (``artifacts``, not committed): the tests' own, and one of every
  page still open when a test fails.
- ``page_problems``: axe-core's serious and critical findings on a page (the pinned npm
  package, loaded into each page of a context made with ``axe=True``), and whether the page
  scrolls sideways.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from chalicelib import models
from local.paths import REPO_ROOT
from tests.support.api import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser as Chromium
    from playwright.sync_api import BrowserContext

# Debian's package (`make test` installs it); Playwright's own download is not used.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
_FAILED = pytest.StashKey[bool]()

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def set_cookies(response: Any) -> list[str]:
    values = response.headers.get("Set-Cookie", [])
    return [values] if isinstance(values, str) else list(values)


def cookie_attributes(response: Any, name: str) -> set[str]:
    """The attributes of the ``Set-Cookie`` for ``name``, e.g. {"HttpOnly", "Path=/"}."""
    for value in set_cookies(response):
        if value.startswith(f"{name}="):
            return {part.strip() for part in value.split(";")[1:]}
    raise AssertionError(f"no Set-Cookie for {name} in {set_cookies(response)}")


def text(response: Any) -> str:
    return response.body.decode()


def csrf_token(page: Any) -> str:
    match = _CSRF_FIELD.search(text(page))
    assert match, "the page has no form with a CSRF token"
    return html.unescape(match.group(1))


class Browser:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self._keep(self.client.http.get(path, headers=self._headers(headers)))

    def post(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        body = urlencode(fields).encode()
        headers = self._headers({**FORM, **(headers or {})})
        return self._keep(self.client.http.post(path, body=body, headers=headers))

    def submit(self, page: str, action: str, fields: dict[str, str]) -> Any:
        """Open ``page`` and post its form to ``action`` with ``fields`` and the page's token."""
        token = csrf_token(self.get(page))
        return self.post(action, {"csrf_token": token, **fields})

    def follow(self, response: Any) -> Any:
        assert response.status_code == 303, (response.status_code, text(response))
        return self.get(response.headers["Location"])

    def register(self, name: str = "Ann", email: str = "ann@example.com") -> Any:
        return self.submit(
            "/register", "/register", {"name": name, "email": email, "password": PASSWORD}
        )

    def log_in(self, email: str = "ann@example.com", password: str = PASSWORD) -> Any:
        return self.submit("/login", "/login", {"email": email, "password": password})

    def as_user(self, user: models.User) -> Browser:
        """Hold a session for ``user`` as if they had logged in."""
        from chalicelib import auth
        from chalicelib.web import cookies

        self.cookies[cookies.SESSION] = auth.issue_token(user.user_id)
        return self

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep(self, response: Any) -> Any:
        for value in set_cookies(response):
            pair, *attributes = value.split(";")
            name, _, cookie_value = pair.partition("=")
            if "Max-Age=0" in (attribute.strip() for attribute in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value
        return response


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    # Imported here: only the browser tests pay for loading Playwright.
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture
def new_context(chromium, request) -> Iterator:
    """Fresh browser profiles (no cookies, no history), closed after the test.

    ``axe=True`` loads axe-core into every page of the context. It comes in as an init
    script, which the browser runs outside the page's Content-Security-Policy: the pages
    themselves still allow no inline script.
    """
    contexts: list[BrowserContext] = []

    def make(*, axe: bool = False, **options) -> BrowserContext:
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        if axe:
            if not AXE_SCRIPT.exists():
                pytest.fail(f"{AXE_SCRIPT.name} is missing: run `make test` (npm ci installs it)")
            context.add_init_script(path=str(AXE_SCRIPT))
        contexts.append(context)
        return context

    yield make
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        for number, page in enumerate(p for context in contexts for p in context.pages):
            name = f"failed-{request.node.name}-{number}.png"
            page.screenshot(path=ARTIFACTS / re.sub(r"[^\w.-]+", "_", name), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def dialogs() -> Iterator:
    """Watch pages for dialogs and script errors (an injected script that ran, or one the
    CSP refused); the test fails on any. A 4xx page's own status is not counted."""
    seen: list[str] = []

    def watch(page: Any) -> None:
        page.on(
            "dialog", lambda dialog: (seen.append(f"dialog {dialog.message}"), dialog.dismiss())
        )
        page.on("pageerror", lambda error: seen.append(f"page error {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and seen.append(f"console {message.text}")
            ),
        )

    yield watch
    assert seen == []


def page_problems(page: Any, name: str) -> list[str]:
    """What keeps a page from being usable by everyone: axe-core's serious and critical
    violations, and a page wider than the window (sideways scrolling on a phone)."""
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id} (${v.impact}): ` + v.nodes.map(n => n.target.join(" ")))"""
    )
    problems = [f"{name}: {problem}" for problem in found]
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{name}: {width[0]}px wide in a {width[1]}px window")
    return problems


def log_in_as(context: Any, base: str, user: models.User) -> None:
    """Give a Chromium profile a session for ``user``, as if they had logged in."""
    from chalicelib import auth
    from chalicelib.web import cookies

    token = auth.issue_token(user.user_id)
    context.add_cookies([{"name": cookies.SESSION, "value": token, "url": f"{base}/"}])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
