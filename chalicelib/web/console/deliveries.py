"""The console's CRM webhook deliveries: listed by state, a failed one replayed."""

from __future__ import annotations

import re

from chalice import Response

from chalicelib import auth, errors, models, schemas
from chalicelib import webhooks as webhook_service
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web import notices
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

DELIVERIES_PER_PAGE = 50
# URLs in a delivery's last error can carry a CRM's key in their path or query: only the
# scheme and host are shown.
_URL = re.compile(r"(https?://[^/\s'\"]+)[^\s'\"]*")


@admin_only
def deliveries_page(visit: Visit, principal: auth.Principal) -> Response:
    query = schemas.load_query(visit.request, schemas.DeliveriesPageQuery())
    state, cursor = query["state"], query["cursor"]
    page = webhook_service.list_deliveries(state, limit=DELIVERIES_PER_PAGE, cursor=cursor)
    return visit.page(
        "admin/deliveries.html",
        section="admin",
        state=state,
        states=models.DELIVERY_STATES,
        deliveries=[
            {**delivery, "last_error": redacted(delivery["last_error"])}
            for delivery in page["deliveries"]
        ],
        first_page=cursor and f"{ROOT}/webhooks?state={state}",
        next_page=page["next_cursor"]
        and f"{ROOT}/webhooks?state={state}&cursor={page['next_cursor']}",
    )


@admin_only
def replay_delivery(visit: Visit, principal: auth.Principal, delivery_id: str) -> Response:
    visit.form()
    try:
        webhook_service.replay(delivery_id)
    except errors.AppError as error:
        visit.notify(error.code if notices.get(error.code) else "failed")
    else:
        visit.notify("replayed")
    return visit.redirect(f"{ROOT}/webhooks?state={models.FAILED}")


def redacted(error: str | None) -> str | None:
    """A delivery's last error without what may be secret in it: URLs keep only their host."""
    return _URL.sub(r"\1/…", error) if error else error
