"""The /docs page: Swagger UI over /openapi.json, served from the API's own files.

Nothing is loaded from elsewhere, so the page works offline, and its Content-Security-Policy
allows only what Swagger UI needs: scripts, styles and requests to this API ('self'), and
the data: images its stylesheet embeds. The page's own setup is a file (docs/docs.js), not
an inline script. Swagger UI's files come from the npm package swagger-ui-dist (pinned in
package.json), which make copies into docs/vendor/ so that `chalice package` ships them.
"""

from __future__ import annotations

import functools
from pathlib import Path
from string import Template

from chalice import Response

from chalicelib import errors

_DIR = Path(__file__).resolve().parent / "docs"
_JAVASCRIPT = "text/javascript; charset=utf-8"

# Served name → (file under docs/, Content-Type). Nothing else under docs/ is served.
ASSETS = {
    "docs.js": ("docs.js", _JAVASCRIPT),
    "swagger-ui-bundle.js": ("vendor/swagger-ui-bundle.js", _JAVASCRIPT),
    "swagger-ui.css": ("vendor/swagger-ui.css", "text/css; charset=utf-8"),
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Swagger UI's files change only with the pinned package; the page is cheap to fetch again.
_ASSET_CACHE = "public, max-age=3600"


def page(request_path: str) -> Response:
    """The HTML page, for ``request_path`` (as the client sent it: with or without a
    trailing slash, under any stage prefix). Its links are relative, so they resolve
    under whatever prefix the API is served at."""
    if request_path.endswith("/"):
        links = {"assets": ".", "document": "../openapi.json"}
    else:
        links = {"assets": "docs", "document": "openapi.json"}
    html = _template().substitute(links)
    headers = {**_SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8"}
    return Response(body=html, status_code=200, headers={**headers, "Cache-Control": "no-cache"})


def asset(name: str) -> Response:
    """One of the page's scripts or styles; any other name is 404."""
    if name not in ASSETS:
        raise errors.NotFound("No such file of the docs page.")
    file_name, content_type = ASSETS[name]
    headers = {**_SECURITY_HEADERS, "Content-Type": content_type, "Cache-Control": _ASSET_CACHE}
    return Response(body=_read(file_name), status_code=200, headers=headers)


@functools.cache
def _template() -> Template:
    return Template((_DIR / "index.html").read_text())


@functools.cache
def _read(file_name: str) -> str:
    return (_DIR / file_name).read_text()
