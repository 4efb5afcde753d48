"""The dashboard's cookies: reading the ``Cookie`` header and writing ``Set-Cookie`` values.

Every cookie is HttpOnly (no page script ever needs one) and SameSite=Lax (other sites'
forms and frames do not carry it), and Secure on deployed stages, which are served over
HTTPS only.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.config import get_settings

SESSION = "ahoum_session"
CSRF = "ahoum_csrf"
NOTICE = "ahoum_notice"


def read(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The cookies a request carries; of a name sent twice, the first (the most specific)."""
    found: dict[str, str] = {}
    for part in (headers or {}).get("cookie", "").split(";"):
        name, separator, value = part.strip().partition("=")
        if separator and name and name not in found:
            found[name] = value.strip()
    return found


def setting(name: str, value: str, *, path: str, max_age: int | None = None) -> str:
    """A ``Set-Cookie`` value; ``path`` scopes it to the dashboard's own prefix."""
    parts = [f"{name}={value}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if not get_settings().is_local:
        parts.append("Secure")
    return "; ".join(parts)


def clearing(name: str, *, path: str) -> str:
    return setting(name, "", path=path, max_age=0)
