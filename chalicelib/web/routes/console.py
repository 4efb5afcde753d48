"""The admin console's routes (``/admin``), HTML forms over the admin services
(chalicelib/web/console/). Its pages live under /admin/console/ because the admin API
answers JSON at /admin/events and the like."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api import Routes
from chalicelib.web import CONSOLE_ROOT as CONSOLE
from chalicelib.web.routes import FORM

if TYPE_CHECKING:
    import chalicelib.web.console as console
else:
    # Imported by the first request for a page: the other Lambdas load these routes too.
    from chalicelib.web import console

CONSOLE_PAGE = "an admin console page for browsers (HTML forms, cookie session), not the JSON API"

routes = Routes()


@routes.route("/admin", "GET", browser_only=CONSOLE_PAGE)
def console_home(request):
    return console.home(request)


@routes.route(f"{CONSOLE}/events", "GET", browser_only=CONSOLE_PAGE)
def console_events(request):
    return console.events_page(request)


@routes.route(f"{CONSOLE}/series", "GET", browser_only=CONSOLE_PAGE)
def console_series(request):
    return console.series_list_page(request)


@routes.route(f"{CONSOLE}/series/new", "GET", browser_only=CONSOLE_PAGE)
def console_new_series(request):
    return console.new_series_page(request)


@routes.route(f"{CONSOLE}/series/new", "POST", browser_only=CONSOLE_PAGE, content_types=FORM)
def console_create_series(request):
    return console.create_series(request)


@routes.route(f"{CONSOLE}/series/{{series_id}}", "GET", browser_only=CONSOLE_PAGE)
def console_series_page(request, series_id):
    return console.series_detail_page(request, series_id=series_id)


@routes.route(f"{CONSOLE}/events/{{event_id}}/cancel", "GET", browser_only=CONSOLE_PAGE)
def console_cancel_event_page(request, event_id):
    return console.cancel_event_page(request, event_id=event_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/cancel", "POST", browser_only=CONSOLE_PAGE, content_types=FORM
)
def console_cancel_event(request, event_id):
    return console.cancel_event(request, event_id=event_id)


@routes.route(f"{CONSOLE}/events/{{event_id}}/move", "GET", browser_only=CONSOLE_PAGE)
def console_move_event_page(request, event_id):
    return console.move_event_page(request, event_id=event_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/move", "POST", browser_only=CONSOLE_PAGE, content_types=FORM
)
def console_move_event(request, event_id):
    return console.move_event(request, event_id=event_id)


@routes.route(f"{CONSOLE}/events/new", "GET", browser_only=CONSOLE_PAGE)
def console_new_event(request):
    return console.new_event_page(request)


@routes.route(f"{CONSOLE}/events/new", "POST", browser_only=CONSOLE_PAGE, content_types=FORM)
def console_create_event(request):
    return console.create_event(request)


@routes.route(f"{CONSOLE}/events/{{event_id}}/edit", "GET", browser_only=CONSOLE_PAGE)
def console_edit_event(request, event_id):
    return console.edit_event_page(request, event_id=event_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/edit", "POST", browser_only=CONSOLE_PAGE, content_types=FORM
)
def console_update_event(request, event_id):
    return console.update_event(request, event_id=event_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/unpublish",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_unpublish_event(request, event_id):
    return console.unpublish_event(request, event_id=event_id)


@routes.route(f"{CONSOLE}/events/{{event_id}}/attendees", "GET", browser_only=CONSOLE_PAGE)
def console_attendees(request, event_id):
    return console.attendees_page(request, event_id=event_id)


@routes.route(f"{CONSOLE}/events/{{event_id}}/attendees.csv", "GET", browser_only=CONSOLE_PAGE)
def console_attendees_csv(request, event_id):
    return console.attendees_csv(request, event_id=event_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/attendees/{{booking_id}}/cancel",
    "GET",
    browser_only=CONSOLE_PAGE,
)
def console_cancel_attendee_page(request, event_id, booking_id):
    return console.cancel_attendee_page(request, event_id=event_id, booking_id=booking_id)


@routes.route(
    f"{CONSOLE}/events/{{event_id}}/attendees/{{booking_id}}/cancel",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_cancel_attendee(request, event_id, booking_id):
    return console.cancel_attendee(request, event_id=event_id, booking_id=booking_id)


@routes.route(f"{CONSOLE}/facilitators", "GET", browser_only=CONSOLE_PAGE)
def console_facilitators(request):
    return console.facilitators_page(request)


@routes.route(f"{CONSOLE}/facilitators/new", "GET", browser_only=CONSOLE_PAGE)
def console_new_facilitator(request):
    return console.new_facilitator_page(request)


@routes.route(f"{CONSOLE}/facilitators/new", "POST", browser_only=CONSOLE_PAGE, content_types=FORM)
def console_create_facilitator(request):
    return console.create_facilitator(request)


@routes.route(f"{CONSOLE}/facilitators/{{facilitator_id}}/edit", "GET", browser_only=CONSOLE_PAGE)
def console_edit_facilitator(request, facilitator_id):
    return console.edit_facilitator_page(request, facilitator_id=facilitator_id)


@routes.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/edit",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_update_facilitator(request, facilitator_id):
    return console.update_facilitator(request, facilitator_id=facilitator_id)


@routes.route(f"{CONSOLE}/webhooks", "GET", browser_only=CONSOLE_PAGE)
def console_deliveries(request):
    return console.deliveries_page(request)


@routes.route(
    f"{CONSOLE}/webhooks/{{delivery_id}}/replay",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_replay_delivery(request, delivery_id):
    return console.replay_delivery(request, delivery_id=delivery_id)


@routes.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/webhook", "GET", browser_only=CONSOLE_PAGE
)
def console_facilitator_webhook(request, facilitator_id):
    return console.webhook_page(request, facilitator_id=facilitator_id)


@routes.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/webhook",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_set_facilitator_webhook(request, facilitator_id):
    return console.set_webhook(request, facilitator_id=facilitator_id)


@routes.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/webhook/rotate",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_rotate_facilitator_webhook(request, facilitator_id):
    return console.rotate_webhook(request, facilitator_id=facilitator_id)


@routes.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/webhook/test",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_test_facilitator_webhook(request, facilitator_id):
    return console.test_webhook(request, facilitator_id=facilitator_id)


FACILITATOR_PAGE = (
    "a facilitator's page for browsers (HTML forms, cookie session), not the JSON API"
)


@routes.route("/facilitator/webhook", "GET", browser_only=FACILITATOR_PAGE)
def facilitator_webhook(request):
    return console.own_webhook_page(request)


@routes.route("/facilitator/webhook", "POST", browser_only=FACILITATOR_PAGE, content_types=FORM)
def facilitator_set_webhook(request):
    return console.set_own_webhook(request)


@routes.route(
    "/facilitator/webhook/rotate", "POST", browser_only=FACILITATOR_PAGE, content_types=FORM
)
def facilitator_rotate_webhook(request):
    return console.rotate_own_webhook(request)


@routes.route(
    "/facilitator/webhook/test", "POST", browser_only=FACILITATOR_PAGE, content_types=FORM
)
def facilitator_test_webhook(request):
    return console.test_own_webhook(request)
