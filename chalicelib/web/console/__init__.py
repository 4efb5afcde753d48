"""The admin console (``/admin``): events, their attendees, facilitators and CRM webhook
deliveries, as HTML forms over the same services and schemas as the admin API.

Its pages live under ``/admin/console/`` because the admin API already answers JSON at
``/admin/events`` and the like. Only admins get in: anyone else logged in gets a 403 page,
anyone not logged in the login page. A form's fields are loaded by the API's own schema
(unknown fields are refused, so a smuggled ``seats_taken`` changes nothing), and the
reasons it fails are shown next to the fields.
"""

from __future__ import annotations

from chalice import Response

from chalicelib import auth
from chalicelib.web import CONSOLE_ROOT as ROOT
from chalicelib.web.console.attendees import (
    attendees_csv,
    attendees_page,
    cancel_attendee,
    cancel_attendee_page,
)
from chalicelib.web.console.deliveries import deliveries_page, replay_delivery
from chalicelib.web.console.events import (
    create_event,
    edit_event_page,
    events_page,
    new_event_page,
    unpublish_event,
    update_event,
)
from chalicelib.web.console.facilitators import (
    create_facilitator,
    edit_facilitator_page,
    facilitators_page,
    new_facilitator_page,
    update_facilitator,
)
from chalicelib.web.console.occurrences import (
    cancel_event,
    cancel_event_page,
    move_event,
    move_event_page,
)
from chalicelib.web.console.series import (
    create_series,
    new_series_page,
    series_detail_page,
    series_list_page,
)
from chalicelib.web.console.webhook_endpoint import (
    own_webhook_page,
    rotate_own_webhook,
    rotate_webhook,
    set_own_webhook,
    set_webhook,
    test_own_webhook,
    test_webhook,
    webhook_page,
)
from chalicelib.web.views import admin_only
from chalicelib.web.visit import Visit

__all__ = [
    "ROOT",
    "attendees_csv",
    "attendees_page",
    "cancel_attendee",
    "cancel_attendee_page",
    "cancel_event",
    "cancel_event_page",
    "create_event",
    "create_facilitator",
    "create_series",
    "deliveries_page",
    "edit_event_page",
    "edit_facilitator_page",
    "events_page",
    "facilitators_page",
    "home",
    "move_event",
    "move_event_page",
    "new_event_page",
    "new_facilitator_page",
    "new_series_page",
    "own_webhook_page",
    "replay_delivery",
    "rotate_own_webhook",
    "rotate_webhook",
    "series_detail_page",
    "series_list_page",
    "set_own_webhook",
    "set_webhook",
    "test_own_webhook",
    "test_webhook",
    "unpublish_event",
    "update_event",
    "update_facilitator",
    "webhook_page",
]


@admin_only
def home(visit: Visit, principal: auth.Principal) -> Response:
    return visit.redirect(f"{ROOT}/events")
