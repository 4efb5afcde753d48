"""Credentials out of text that is stored, logged or shown to an admin.

A URL may carry a credential: a CRM webhook URL like ``https://user:pw@crm.example/hook?
api_key=…`` is common. Error messages quote URLs (requests' own quote the path and query),
so every such text passes through ``without_credentials`` first: URLs keep their scheme, host,
port and path, lose their userinfo and fragment, and their query becomes ``?[redacted]``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED_QUERY = "?[redacted]"
# Stops where a URL quoted in prose or markup ends: whitespace, quotes, brackets.
_URL_CHARS = r"[^\s'\"<>()\[\]{}]"
_ABSOLUTE_URL = re.compile(rf"\b[A-Za-z][A-Za-z0-9+.-]*://{_URL_CHARS}+")
# A path followed by a query, as in "with url: /hook?api_key=…" (no scheme, no host).
_PATH_QUERY = re.compile(rf"(?<![\w:/])(/{_URL_CHARS}*?)\?{_URL_CHARS}*")


def without_credentials(text: str) -> str:
    return _PATH_QUERY.sub(r"\1" + REDACTED_QUERY, _ABSOLUTE_URL.sub(_absolute, text))


def _absolute(match: re.Match[str]) -> str:
    url = match.group(0)
    # A sentence's full stop or comma right after a URL is not part of it.
    trailing = len(url) - len(url.rstrip(".,;:!"))
    url, rest = url[: len(url) - trailing], url[len(url) - trailing :]
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "[a URL]" + rest
    query = REDACTED_QUERY[1:] if parts.query or "?" in url else ""
    return urlunsplit((parts.scheme, host, parts.path, query, "")) + rest
