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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.payments import money
from chalicelib.web import when

if TYPE_CHECKING:
    from jinja2 import Environment

_HERE = Path(__file__).parent
STYLESHEET = _HERE / "static" / "app.css"
# The one script: it only adds the viewer's own clock time to event times (pages work without).
LOCAL_TIME_SCRIPT = _HERE / "static" / "local-time.js"
# The payment page's script: Stripe.js's card element, the hold's countdown, the polling.
PAYMENT_SCRIPT = _HERE / "static" / "pay.js"

# Nothing is loaded from elsewhere and no inline script or handler runs: the policy says so
# (scripts only from this site's own files, ``static/local-time.js``), and makes an injected
# <script> or inline handler inert even if escaping ever failed.
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
    default URL, nothing locally (or behind a custom domain mapped without the stage). Links,
    redirects and cookie paths start with it.

    It is the stage, when the browser's path starts with it. Not the browser's path less the
    route's: Chalice gives ``request.path`` as the route's template
    (``/dashboard/events/{event_id}``), which a real path with an id never ends with."""
    context = request.context or {}
    stage = context.get("stage") or ""
    full = context.get("path") or ""
    prefix = f"/{stage}"
    if stage and (full == prefix or full.startswith(prefix + "/")):
        return prefix if _PREFIX.fullmatch(prefix) else ""
    return ""


def html(
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    cookies: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    body = (
        _environment()
        .get_template(template)
        .render(css_version=_stylesheet()[1], script_version=_script()[1], **context)
    )
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
    return _static(_stylesheet()[0], "text/css; charset=utf-8")


def local_time_script() -> Response:
    """The one script, linked with its content hash like the stylesheet."""
    return _static(_script()[0], "text/javascript; charset=utf-8")


def payment_script() -> Response:
    return _static(_payment_script()[0], "text/javascript; charset=utf-8")


def payment_script_version() -> str:
    return _payment_script()[1]


def csv_file(body: str, filename: str) -> Response:
    """A download; like pages it holds people's data, so it is never cached."""
    return _response(
        body,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
        (),
    )


def _static(body: str, content_type: str) -> Response:
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


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
    environment.filters["span"] = when.span
    environment.filters["moment"] = when.moment
    environment.filters["duration"] = when.duration
    environment.filters["money"] = _money
    return environment


def _money(price: dict[str, Any]) -> str:
    return money.shown(price["amount"], price["currency"])


@functools.cache
def _stylesheet() -> tuple[str, str]:
    return _versioned(STYLESHEET)


@functools.cache
def _script() -> tuple[str, str]:
    return _versioned(LOCAL_TIME_SCRIPT)


@functools.cache
def _payment_script() -> tuple[str, str]:
    return _versioned(PAYMENT_SCRIPT)


def _versioned(path: Path) -> tuple[str, str]:
    text = path.read_text()
    return text, hashlib.sha256(text.encode()).hexdigest()[:12]
