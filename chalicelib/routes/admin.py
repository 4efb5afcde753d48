"""Admin: facilitators, events, attendees and CRM webhook deliveries (admins only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import bookings, event_changes, events, facilitators, webhooks
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import ADMIN, OWN_FACILITATOR, Answer
from chalicelib.webhooks import endpoints

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/admin/facilitators",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Add a facilitator",
    body=schemas.FacilitatorBody,
    body_example=examples.FACILITATOR_BODY,
    answer=Answer(201, "Created.", answers.Facilitator, examples.FACILITATOR),
    links={
        "getFacilitator": {"facilitator_id": "$response.body#/id"},
        "updateFacilitator": {"facilitator_id": "$response.body#/id"},
    },
)
def create_facilitator(body):
    return facilitators.create(**body)


@routes.route(
    "/admin/facilitators",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="Facilitators, in no particular order",
    query=schemas.PageQuery,
    answer=Answer(
        200, "A page of facilitators.", answers.FacilitatorPage, examples.FACILITATOR_PAGE
    ),
)
def list_facilitators(query):
    return facilitators.list_all(**query)


@routes.route(
    "/admin/facilitators/{facilitator_id}",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="One facilitator",
    answer=Answer(200, "The facilitator.", answers.Facilitator, examples.FACILITATOR),
    domain_errors=(facilitators.FacilitatorNotFound(),),
)
def get_facilitator(facilitator_id):
    return facilitators.get(facilitator_id)


@routes.route(
    "/admin/facilitators/{facilitator_id}",
    "PATCH",
    access=ADMIN,
    tag="Admin",
    summary="Rename or re-key a facilitator",
    description="Events keep their copy; re-assign the facilitator to refresh one.",
    body=schemas.FacilitatorChanges,
    body_example=examples.FACILITATOR_CHANGES,
    answer=Answer(200, "The facilitator as changed.", answers.Facilitator, examples.FACILITATOR),
    domain_errors=(facilitators.FacilitatorNotFound(),),
)
def update_facilitator(facilitator_id, body):
    return facilitators.update(facilitator_id, **body)


@routes.route(
    "/admin/facilitators/{facilitator_id}/webhook",
    "PUT",
    access=OWN_FACILITATOR,
    tag="Admin",
    summary="Send this facilitator's webhooks to their own CRM endpoint",
    description=(
        "An admin or an account of this facilitator. Answers a new signing secret, shown this "
        "once. On deployed stages the URL must be https and resolve to public addresses. "
        "Re-enables an endpoint disabled by a 410 and sends again what waited for it."
    ),
    body=schemas.WebhookEndpointBody,
    body_example=examples.WEBHOOK_ENDPOINT_BODY,
    answer=Answer(
        200,
        "The URL and its new secret.",
        answers.WebhookEndpointSecret,
        examples.WEBHOOK_ENDPOINT_SECRET,
    ),
    domain_errors=(facilitators.FacilitatorNotFound(),),
)
def set_facilitator_webhook(facilitator_id, body):
    return endpoints.set_url(facilitator_id, body["url"])


@routes.route(
    "/admin/facilitators/{facilitator_id}/webhook/rotate",
    "POST",
    access=OWN_FACILITATOR,
    tag="Admin",
    summary="A new signing secret for this facilitator's endpoint",
    description=(
        "For WEBHOOK_ROTATION_OVERLAP_HOURS every delivery carries both signatures (new and "
        "old), then only the new one. The secret is shown this once."
    ),
    answer=Answer(
        200,
        "The URL and its new secret.",
        answers.WebhookEndpointSecret,
        examples.WEBHOOK_ENDPOINT_SECRET,
    ),
    domain_errors=(facilitators.FacilitatorNotFound(), endpoints.WebhookNotSet()),
)
def rotate_facilitator_webhook(facilitator_id):
    return endpoints.rotate(facilitator_id)


@routes.route(
    "/admin/facilitators/{facilitator_id}/webhook/test",
    "POST",
    access=OWN_FACILITATOR,
    tag="Admin",
    summary="Send a webhook.test delivery to this facilitator's endpoint",
    description="Queued at once and sent by the retrier, signed and retried like any other.",
    answer=Answer(202, "Queued.", answers.WebhookTestQueued, examples.WEBHOOK_TEST_QUEUED),
    domain_errors=(facilitators.FacilitatorNotFound(), endpoints.WebhookNotSet()),
)
def send_facilitator_webhook_test(facilitator_id):
    return endpoints.send_test(facilitator_id)


@routes.route(
    "/admin/events",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Put an event on",
    description="Times need an offset (or Z) and are stored in UTC.",
    body=schemas.EventBody,
    body_example=examples.EVENT_BODY,
    answer=Answer(201, "Created.", answers.AdminEvent, examples.ADMIN_EVENT),
    links={
        operation_id: {"event_id": "$response.body#/id"}
        for operation_id in ("getEvent", "updateEvent", "unpublishEvent", "listAttendees")
    },
)
def create_event(body):
    return events.create(**body)


@routes.route(
    "/admin/events/{event_id}",
    "PATCH",
    access=ADMIN,
    tag="Admin",
    summary="Change an event",
    description=(
        "Bookings already made keep their copy of the old details. Raising `capacity` gives "
        "the new seats to the first in line at once (each gets a `booking.confirmed` webhook). "
        "A move (`starts_at`/`ends_at`) gives every confirmed and waiting booking the new "
        "times, each with a `booking.rescheduled` webhook."
    ),
    body=schemas.EventChanges,
    body_example=examples.EVENT_CHANGES,
    answer=Answer(200, "The event as changed.", answers.AdminEvent, examples.ADMIN_EVENT),
    domain_errors=(
        events.EventNotFound(),
        events.CapacityBelowBookings(),
        events.CapacityContended(),
        events.EventCancelled(),
    ),
)
def update_event(event_id, body):
    return event_changes.update_event(event_id, **body)


@routes.route(
    "/admin/events/{event_id}",
    "DELETE",
    access=ADMIN,
    tag="Admin",
    summary="Take an event off the listing (its bookings stay)",
    answer=Answer(200, "The event, unpublished.", answers.AdminEvent, examples.UNPUBLISHED_EVENT),
    domain_errors=(events.EventNotFound(), events.EventCancelled()),
)
def unpublish_event(event_id):
    return events.unpublish(event_id)


@routes.route(
    "/admin/events/{event_id}/cancel",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Cancel an event and every booking of it",
    description=(
        "Off the listing at once and closed to bookings and waiting lists; every confirmed "
        "and waiting booking is cancelled, each with a `booking.cancelled` webhook whose "
        "`reason` is `event_cancelled`. What a request does not finish, a job finishes within "
        "a minute. Cancelling a cancelled event changes nothing."
    ),
    body=schemas.EventCancelBody,
    body_example=examples.EVENT_CANCEL_BODY,
    body_required=False,
    answer=Answer(200, "The event, cancelled.", answers.AdminEvent, examples.CANCELLED_EVENT),
    domain_errors=(events.EventNotFound(),),
)
def cancel_event(event_id, body):
    return event_changes.cancel_event(event_id, **body)


@routes.route(
    "/admin/events/{event_id}/attendees",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="Who booked an event, first booked first",
    query=schemas.BookingsQuery,
    answer=Answer(200, "A page of attendees.", answers.AttendeePage, examples.ATTENDEE_PAGE),
    domain_errors=(events.EventNotFound(),),
)
def list_attendees(event_id, query):
    return bookings.list_attendees(event_id, **query)


@routes.route(
    "/admin/webhooks",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="CRM webhook deliveries in one state",
    query=schemas.WebhookDeliveriesQuery,
    answer=Answer(
        200, "A page of deliveries.", answers.WebhookDeliveryPage, examples.WEBHOOK_DELIVERY_PAGE
    ),
)
def list_webhook_deliveries(query):
    return webhooks.list_deliveries(**query)


@routes.route(
    "/admin/webhooks/{delivery_id}/replay",
    "POST",
    access=ADMIN,
    tag="Admin",
    summary="Send a delivery again now, with a fresh 3-day retry window",
    answer=Answer(
        202, "Queued to be sent again.", answers.WebhookDelivery, examples.WEBHOOK_DELIVERY
    ),
    domain_errors=(webhooks.DeliveryNotFound(), webhooks.DeliveryInFlight()),
)
def replay_webhook_delivery(delivery_id):
    return webhooks.replay(delivery_id)
