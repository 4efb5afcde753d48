"""A facilitator's own CRM endpoint in the browser: its URL, whether it is active or disabled
(it answered 410 Gone), when a rotation's overlap ends, and forms to set the URL, rotate the
secret and send a test. An admin reaches it from the console's facilitators
(``/admin/console/facilitators/{id}/webhook``); a facilitator's account at
``/facilitator/webhook``, for its own facilitator only.

A new secret is on the page that answers the form that made it (never stored for a later
page, and pages are ``no-store``); every later page shows only that one exists.
"""

from __future__ import annotations

from chalice import Response

from chalicelib import auth, errors, schemas
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web.console.form_errors import form_errors
from chalicelib.web.views import admin_only, facilitator_only
from chalicelib.web.visit import Visit
from chalicelib.webhooks import endpoints

FACILITATOR_ROOT = "/facilitator/webhook"


@admin_only
def webhook_page(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator_id = schemas.load_id(facilitator_id, "facilitator_id")
    return _page(visit, facilitator_id, _admin_root(facilitator_id))


@admin_only
def set_webhook(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator_id = schemas.load_id(facilitator_id, "facilitator_id")
    return _set(visit, facilitator_id, _admin_root(facilitator_id))


@admin_only
def rotate_webhook(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator_id = schemas.load_id(facilitator_id, "facilitator_id")
    return _rotate(visit, facilitator_id, _admin_root(facilitator_id))


@admin_only
def test_webhook(visit: Visit, principal: auth.Principal, facilitator_id: str) -> Response:
    facilitator_id = schemas.load_id(facilitator_id, "facilitator_id")
    return _test(visit, facilitator_id, _admin_root(facilitator_id))


@facilitator_only
def own_webhook_page(visit: Visit, principal: auth.Principal) -> Response:
    return _page(visit, principal.facilitator_id, FACILITATOR_ROOT)


@facilitator_only
def set_own_webhook(visit: Visit, principal: auth.Principal) -> Response:
    return _set(visit, principal.facilitator_id, FACILITATOR_ROOT)


@facilitator_only
def rotate_own_webhook(visit: Visit, principal: auth.Principal) -> Response:
    return _rotate(visit, principal.facilitator_id, FACILITATOR_ROOT)


@facilitator_only
def test_own_webhook(visit: Visit, principal: auth.Principal) -> Response:
    return _test(visit, principal.facilitator_id, FACILITATOR_ROOT)


def _admin_root(facilitator_id: str) -> str:
    return f"{ROOT}/facilitators/{facilitator_id}/webhook"


def _set(visit: Visit, facilitator_id: str, root: str) -> Response:
    form = visit.form()
    try:
        body = schemas.load_mapping(form, schemas.WebhookEndpointBody())
        made = endpoints.set_url(facilitator_id, body["url"])
    except errors.ValidationFailed as error:
        return _page(visit, facilitator_id, root, error=error, typed_url=form.get("url", ""))
    return _page(visit, facilitator_id, root, secret=made["secret"])


def _rotate(visit: Visit, facilitator_id: str, root: str) -> Response:
    visit.form()
    made = endpoints.rotate(facilitator_id)
    return _page(visit, facilitator_id, root, secret=made["secret"])


def _test(visit: Visit, facilitator_id: str, root: str) -> Response:
    visit.form()
    endpoints.send_test(facilitator_id)
    visit.notify("webhook_test_queued")
    return visit.redirect(root)


def _page(
    visit: Visit,
    facilitator_id: str,
    root: str,
    *,
    secret: str | None = None,
    error: errors.AppError | None = None,
    typed_url: str = "",
) -> Response:
    endpoint = endpoints.endpoint_view(facilitator_id)
    return visit.page(
        "admin/webhook_endpoint.html",
        error=error,
        section="admin" if root.startswith(ROOT) else None,
        endpoint=endpoint,
        root=root,
        in_console=root.startswith(ROOT),
        secret=secret,
        typed={"url": typed_url or endpoint["url"] or ""},
        field_errors=form_errors(error, ("url",), {"url": typed_url}),
    )
