"""HTML responses: Jinja2 templates (autoescaped), the security headers every page sends,
redirects, and the stylesheet.

Templates live in ``templates/`` and are compiled once per container, when the first page
renders: Jinja2 is imported then, not by the Lambdas that never render one. Autoescaping is
on for every template, and no template marks anything ``|safe``: a name like
``<script>alert(1)</script>`` is shown as text.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from chalice import Response

from chalicelib import clock

if TYPE_CHECKING:
    from jinja2 import Environment

_HERE = Path(__file__).parent
STYLESHEET = _HERE / "static" / "app.css"

# No script runs on these pages and nothing is loaded from elsewhere: the policy says so, and
# makes an injected <script> or inline handler inert even if escaping ever failed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# The stage prefix API Gateway puts before every route (``/api``): path segments only, so a
# crafted path can never turn a redirect into one to another host.
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*")


def base_path(request: Any) -> str:
    """What precedes this app's routes in the browser's URL: ``/api`` on a deployed stage's
    default URL, nothing locally. Links, redirects and cookie paths start with it."""
    full = ((request.context or {}).get("path") or "").rstrip("/")
    route = (request.path or "").rstrip("/")
    prefix = full[: len(full) - len(route)] if full.endswith(route) else ""
    return prefix if _PREFIX.fullmatch(prefix) else ""


def html(
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    cookies: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    body = _environment().get_template(template).render(css_version=_stylesheet()[1], **context)
    # Pages show one person's data and carry their CSRF token: never cached, so the back
    # button after logging out asks the server again instead of showing a stored copy.
    return _response(
        body,
        status,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            **(headers or {}),
        },
        cookies,
    )


def redirect(location: str, *, cookies: Iterable[str] = ()) -> Response:
    """303 See Other: after a form POST the browser GETs ``location`` (POST-redirect-GET)."""
    return _response("", 303, {"Location": location, "Cache-Control": "no-store"}, cookies)


def stylesheet() -> Response:
    """The one stylesheet. Pages link it with its content hash, so it can be cached for good."""
    css, _ = _stylesheet()
    return Response(
        body=css,
        status_code=200,
        headers={
            "Content-Type": "text/css; charset=utf-8",
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


def local_time(iso: str, zone: str) -> str:
    """``Sat 5 Dec 2026, 18:30 GMT``: the moment as people at the event read their clocks."""
    return _readable(clock.parse_iso(iso).astimezone(ZoneInfo(zone)))


def utc_time(iso: str) -> str:
    return _readable(clock.parse_iso(iso))


def _readable(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M %Z}"


def _response(body: str, status: int, headers: dict[str, str], cookies: Iterable[str]) -> Response:
    all_headers: dict[str, Any] = {**SECURITY_HEADERS, **headers}
    cookie_values = list(cookies)
    if cookie_values:
        # A list becomes one Set-Cookie header per value (API Gateway's multiValueHeaders).
        all_headers["Set-Cookie"] = cookie_values
    return Response(body=body, status_code=status, headers=all_headers)


@functools.cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time
    environment.filters["utc_time"] = utc_time
    return environment


@functools.cache
def _stylesheet() -> tuple[str, str]:
    css = STYLESHEET.read_text()
    return css, hashlib.sha256(css.encode()).hexdigest()[:12]
