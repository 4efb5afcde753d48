"""One browser request to the dashboard: who is calling, the cookies the request carries and
the cookies its answer will set, and the answer itself (a page or a redirect)."""

from __future__ import annotations

import http
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib import auth, clock, errors
from chalicelib.config import get_settings
from chalicelib.web import cookies, csrf, forms, notices, rendering

_NOTICE_SECONDS = 60
_UNKNOWN = object()


class Visit:
    def __init__(self, request: Any) -> None:
        self.request = request
        self.base = rendering.base_path(request)
        self._cookies = cookies.read(request.headers)
        self._outgoing: dict[str, str] = {}
        self._principal: Any = _UNKNOWN
        # The session the browser holds once this answer arrives; the CSRF token is bound to it.
        self.session_id = _session_id(self.session_token)
        self._csrf = self._cookies.get(cookies.CSRF, "")

    @property
    def session_token(self) -> str:
        return self._cookies.get(cookies.SESSION, "")

    @property
    def source_ip(self) -> str:
        return self.request.context["identity"]["sourceIp"]

    def principal(self) -> auth.Principal | None:
        """The person logged in, checked as the API checks a Bearer token (signature,
        expiry, revocation, account), or None; a session that fails is forgotten."""
        if self._principal is _UNKNOWN:
            self._principal = None
            if self.session_token:
                try:
                    self._principal = auth.authenticate_token(self.session_token)
                except errors.Unauthorized:
                    self.end_session()
        return self._principal

    def query_param(self, name: str) -> str:
        return (self.request.query_params or {}).get(name, "")

    def filled_query(self) -> dict[str, str]:
        """The query string without empty values: a GET form's blank field means "any"."""
        return {name: value for name, value in (self.request.query_params or {}).items() if value}

    def form(self) -> dict[str, str]:
        """The posted form fields, once its CSRF token has passed (CsrfRejected otherwise)."""
        form = forms.parse(self.request)
        csrf.check(form.pop(csrf.FIELD, ""), self._cookies.get(cookies.CSRF, ""), self.session_id)
        return form

    def start_session(self, access_token: str) -> None:
        lifetime = get_settings().token_lifetime_seconds
        self._set(cookies.SESSION, access_token, max_age=lifetime)
        self.session_id = _session_id(access_token)

    def end_session(self) -> None:
        if self.session_token:
            self._outgoing[cookies.SESSION] = cookies.clearing(cookies.SESSION, path=self._path)
        self.session_id = ""

    def notify(self, code: str) -> None:
        """Show the notice ``code`` (see ``notices``) on the page the browser goes to next."""
        self._set(cookies.NOTICE, code, max_age=_NOTICE_SECONDS)

    def to_login(self, back: str | None = None) -> Response:
        """Where anyone not logged in goes; told why when their session has just ended.
        ``back``: the path the login sends them on to (a check-in code's page)."""
        if self.session_token:
            self.notify("session_ended")
        return self.redirect(f"/login?{urlencode({'next': back})}" if back else "/login")

    def redirect(self, path: str) -> Response:
        return rendering.redirect(self.base + path, cookies=self._outgoing.values())

    def json(self, body: dict[str, Any]) -> Response:
        """A JSON answer (to an API client), with the cookies this visit sets."""
        outgoing = list(self._outgoing.values())
        return Response(
            body=body, status_code=200, headers={"Set-Cookie": outgoing} if outgoing else {}
        )

    def page(
        self,
        template: str,
        *,
        error: errors.AppError | None = None,
        notice: notices.Notice | None = None,
        notice_subject: str | None = None,
        notice_position: int | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        """Render ``template``; with ``error``, its status, its words and any Retry-After.
        ``notice_subject`` names what a notice from the last action is about (the event), and
        ``notice_position`` the caller's place in its waiting list. ``headers`` add to or
        replace the page's own (the payment page's wider CSP)."""
        retry_after = error.headers.get("Retry-After") if error else None
        if notice is None:
            notice = (
                notices.for_error(error)
                if error
                else self._take_notice(notice_subject, notice_position)
            )
        context = {
            "base": self.base,
            "csrf_token": self._csrf_token(),
            "notice": notice,
            "user": None if self._principal is _UNKNOWN else self._principal,
            "suspended_until": self._suspended_until(),
            "field_errors": {},
            "section": None,
            **context,
        }
        return rendering.html(
            template,
            context,
            status=status or (error.status if error else 200),
            cookies=self._outgoing.values(),
            headers={**({"Retry-After": retry_after} if retry_after else {}), **(headers or {})},
        )

    def _suspended_until(self) -> str | None:
        principal = None if self._principal is _UNKNOWN else self._principal
        until = principal.suspended_until if principal is not None else None
        return until if until and clock.parse_iso(until) > clock.now() else None

    def error_page(self, error: errors.AppError) -> Response:
        return self.page("error.html", error=error, title=http.HTTPStatus(error.status).phrase)

    @property
    def _path(self) -> str:
        return self.base + "/"

    def _set(self, name: str, value: str, max_age: int | None = None) -> None:
        self._outgoing[name] = cookies.setting(name, value, path=self._path, max_age=max_age)

    def _csrf_token(self) -> str:
        if not csrf.is_valid(self._csrf, self.session_id):
            self._csrf = csrf.issue(self.session_id)
            self._set(cookies.CSRF, self._csrf)
        return self._csrf

    def _take_notice(self, subject: str | None, position: int | None) -> notices.Notice | None:
        code = self._cookies.get(cookies.NOTICE)
        if code is None:
            return None
        if cookies.NOTICE not in self._outgoing:
            self._outgoing[cookies.NOTICE] = cookies.clearing(cookies.NOTICE, path=self._path)
        return notices.get(code, subject, position)


def _session_id(token: str) -> str:
    """The token's ``jti`` when it is well signed and unexpired (no database read)."""
    if not token:
        return ""
    try:
        return auth.decode_token(token)["jti"]
    except errors.Unauthorized:
        return ""
