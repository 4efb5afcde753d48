"""Routes only: each declares its operation (who may call it, what it takes and answers) and
calls one service. ``app.route`` checks the caller and loads the input before the view runs
and documents the operation (chalicelib/api.py); logic lives in chalicelib/."""

from chalice import Rate

from chalicelib import (
    auth,
    bookings,
    events,
    facilitators,
    health,
    openapi,
    schemas,
    throttling,
    webhooks,
)
from chalicelib.api import BookingsApp
from chalicelib.config import get_settings
from chalicelib.openapi import answers, docs_page, examples
from chalicelib.operations import ADMIN, OPTIONAL, PUBLIC, USER, Answer
from chalicelib.web import pages, rendering

app = BookingsApp(app_name="ahoum-bookings")

NO_SUCH_EVENT = events.EventNotFound()
NO_SUCH_BOOKING = bookings.BookingNotFound()
NO_SUCH_FACILITATOR = facilitators.FacilitatorNotFound()


# --- Service ---


@app.route(
    "/health",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="Is the API able to serve?",
    answer=Answer(200, "DynamoDB answers.", answers.Health, examples.HEALTH),
)
def get_health():
    return health.check()


@app.route(
    "/openapi.json",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="This document",
    answer=Answer(200, "The OpenAPI document."),
    stored=False,
    operation_id="getOpenApiDocument",
)
def openapi_document():
    return openapi.document(app)


@app.route(
    "/docs",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="Interactive documentation (Swagger UI) of this document",
    answer=Answer(200, "An HTML page; it loads only files of this API.", media_type="text/html"),
    stored=False,
)
def get_docs(request):
    return docs_page.page(request.context.get("path", ""))


# --- Accounts ---


@app.route(
    "/auth/register",
    "POST",
    access=PUBLIC,
    tag="Accounts",
    summary="Create an account (and get a token)",
    description=(
        "Emails are trimmed and compared case-insensitively. Every account starts with the "
        "role `user`; no request can choose or change a role."
    ),
    body=schemas.RegisterSchema,
    body_example=examples.REGISTER,
    answer=Answer(201, "Registered and logged in.", answers.Registered, examples.REGISTERED),
    domain_errors=(auth.EmailTaken(),),
)
def register(body):
    return auth.register(**body)


@app.route(
    "/auth/login",
    "POST",
    access=PUBLIC,
    tag="Accounts",
    summary="Exchange email and password for a token",
    description=(
        f"{throttling.MAX_CLIENT_FAILURES} failures for one email from one IP, or "
        f"{throttling.MAX_ACCOUNT_FAILURES} from any IP, within "
        f"{int(throttling.WINDOW.total_seconds()) // 60} minutes answer 429 until the "
        "window ends (`Retry-After`)."
    ),
    body=schemas.LoginSchema,
    body_example=examples.LOGIN,
    answer=Answer(200, "A Bearer token, valid for an hour.", answers.Token, examples.TOKEN),
    domain_errors=(
        auth.InvalidCredentials(),
        throttling.LoginThrottled(retry_after=int(throttling.WINDOW.total_seconds())),
    ),
)
def login(body, request):
    return auth.login(body["email"], body["password"], request.context["identity"]["sourceIp"])


# Logging out ignores any body, so a form or an empty `curl -d ''` is as good as JSON.
LOGOUT_CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
]
LOGGED_OUT = Answer(200, "Logged out.", answers.Message, examples.LOGGED_OUT)


@app.route(
    "/logout",
    "GET",
    access=OPTIONAL,
    tag="Accounts",
    summary="Revoke the caller's token (a link's GET)",
    answer=LOGGED_OUT,
    content_types=LOGOUT_CONTENT_TYPES,
    operation_id="logoutByLink",
)
@app.route(
    "/auth/logout",
    "POST",
    access=OPTIONAL,
    tag="Accounts",
    summary="Revoke the caller's token",
    description="Any body is ignored. Logging out twice is as good as once.",
    answer=LOGGED_OUT,
    content_types=LOGOUT_CONTENT_TYPES,
)
def logout(request):
    if pages.wants_page(request):
        return pages.logout(request)
    return auth.logout(request.headers)


@app.route(
    "/auth/me",
    "GET",
    access=USER,
    tag="Accounts",
    summary="Who the token belongs to",
    answer=Answer(200, "The caller's account.", answers.Me, examples.ME),
)
def get_me(principal):
    return auth.me(principal)


# --- Events ---


@app.route(
    "/events",
    "GET",
    access=USER,
    tag="Events",
    summary="Upcoming published events, soonest first",
    description=(
        "`from`/`to` are whole UTC days, both included. With `kind` or `facilitator_id` a "
        "page can hold fewer than `limit` events (even none) and still have a cursor."
    ),
    query=schemas.EventsQuery,
    answer=Answer(200, "A page of events.", answers.EventPage, examples.EVENT_PAGE),
    links={"getEvent": {"event_id": "$response.body#/events/0/id"}},
)
def list_events(query):
    return events.list_upcoming(**query)


@app.route(
    "/events/{event_id}",
    "GET",
    access=USER,
    tag="Events",
    summary="One published event",
    answer=Answer(200, "The event.", answers.Event, examples.MEDITATION),
    domain_errors=(NO_SUCH_EVENT,),
)
def get_event(event_id):
    return events.get(event_id)


# --- Bookings ---


@app.route(
    "/bookings",
    "POST",
    access=USER,
    # The service reads the account and the token's revocation in the BatchGetItem that
    # reads the event: a booking costs two DynamoDB calls.
    defer_account_check=True,
    tag="Bookings",
    summary="Book a seat at an event",
    body=schemas.BookingBody,
    body_example=examples.BOOKING_BODY,
    headers=(schemas.IDEMPOTENCY_KEY,),
    answer=Answer(201, "Booked.", answers.BookingCreated, examples.BOOKING_CREATED),
    links={"cancelBooking": {"booking_id": "$response.body#/booking_id"}},
    domain_errors=(
        NO_SUCH_EVENT,
        bookings.AlreadyBooked(),
        bookings.AlreadyWaitlisted(),
        bookings.EventFull(),
        bookings.EventStarted(),
        bookings.Contended(),
    ),
)
def book(token, body, idempotency_key):
    return bookings.authenticate_and_book(token, body["event_id"], idempotency_key)


@app.route(
    "/events/{event_id}/waitlist",
    "POST",
    access=USER,
    # As booking: the account and revocation check share the BatchGetItem that reads the
    # event, so joining costs two DynamoDB calls.
    defer_account_check=True,
    tag="Bookings",
    summary="Join a full event's waiting list",
    description=(
        "The first in line gets the next freed seat in the transaction that frees it (a "
        "cancellation, or an admin raising the capacity) and a `booking.confirmed` webhook; "
        "`GET /bookings/my` shows the current `position`. Leave with "
        "`DELETE /bookings/{booking_id}`. No body is needed."
    ),
    headers=(schemas.IDEMPOTENCY_KEY,),
    answer=Answer(
        201, "In line; `position` 1 is next.", answers.WaitlistJoined, examples.WAITLIST_JOINED
    ),
    links={"cancelBooking": {"booking_id": "$response.body#/booking_id"}},
    domain_errors=(
        NO_SUCH_EVENT,
        bookings.SeatsAvailable(),
        bookings.AlreadyBooked(),
        bookings.AlreadyWaitlisted(),
        bookings.WaitlistFull(),
        bookings.EventStarted(),
        bookings.Contended(),
    ),
)
def join_waitlist(token, event_id, idempotency_key):
    return bookings.authenticate_and_join_waitlist(token, event_id, idempotency_key)


@app.route(
    "/bookings/my",
    "GET",
    access=USER,
    tag="Bookings",
    # The account and revocation check ride in the BatchGetItem that reads the events the
    # caller waits for (their positions): two DynamoDB calls with the Query.
    defer_account_check=True,
    summary="The caller's bookings, newest first",
    description="A waitlisted booking shows its current `position` in line.",
    query=schemas.BookingsQuery,
    answer=Answer(200, "A page of bookings.", answers.BookingPage, examples.BOOKING_PAGE),
    links={"cancelBooking": {"booking_id": "$response.body#/bookings/0/booking_id"}},
)
def list_my_bookings(token, query):
    return bookings.authenticate_and_list_mine(token, **query)


@app.route(
    "/bookings/{booking_id}",
    "DELETE",
    access=USER,
    tag="Bookings",
    summary="Cancel one of the caller's bookings, or leave a waiting list",
    description=(
        "Someone else's booking is 404, as an unknown one (admins may cancel any). A "
        "confirmed seat goes to the first in line in the same transaction, or back to the "
        "event when nobody waits. A user may cancel until `cancellable_until_hours` before "
        "the start (409 `cancellation_closed`, then `event_started`); an admin at any time, "
        "but nobody is promoted into a started event. Leaving a waiting list is allowed "
        "until the start."
    ),
    answer=Answer(
        200, "Cancelled; the seat is free again.", answers.Booking, examples.CANCELLED_BOOKING
    ),
    domain_errors=(
        NO_SUCH_BOOKING,
        bookings.AlreadyCancelled(),
        bookings.CancellationClosed(),
        bookings.StartedNoCancelling(),
        bookings.Contended(),
    ),
)
def cancel_booking(principal, booking_id):
    return bookings.cancel(principal, booking_id)


# --- Admin ---


@app.route(
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


@app.route(
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


@app.route(
    "/admin/facilitators/{facilitator_id}",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="One facilitator",
    answer=Answer(200, "The facilitator.", answers.Facilitator, examples.FACILITATOR),
    domain_errors=(NO_SUCH_FACILITATOR,),
)
def get_facilitator(facilitator_id):
    return facilitators.get(facilitator_id)


@app.route(
    "/admin/facilitators/{facilitator_id}",
    "PATCH",
    access=ADMIN,
    tag="Admin",
    summary="Rename or re-key a facilitator",
    description="Events keep their copy; re-assign the facilitator to refresh one.",
    body=schemas.FacilitatorChanges,
    body_example=examples.FACILITATOR_CHANGES,
    answer=Answer(200, "The facilitator as changed.", answers.Facilitator, examples.FACILITATOR),
    domain_errors=(NO_SUCH_FACILITATOR,),
)
def update_facilitator(facilitator_id, body):
    return facilitators.update(facilitator_id, **body)


@app.route(
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


@app.route(
    "/admin/events/{event_id}",
    "PATCH",
    access=ADMIN,
    tag="Admin",
    summary="Change an event",
    description=(
        "Bookings already made keep their copy of the old details. Raising `capacity` gives "
        "the new seats to the first in line at once (each gets a `booking.confirmed` webhook)."
    ),
    body=schemas.EventChanges,
    body_example=examples.EVENT_CHANGES,
    answer=Answer(200, "The event as changed.", answers.AdminEvent, examples.ADMIN_EVENT),
    domain_errors=(NO_SUCH_EVENT, events.CapacityBelowBookings(), events.CapacityContended()),
)
def update_event(event_id, body):
    return events.update(event_id, **body)


@app.route(
    "/admin/events/{event_id}",
    "DELETE",
    access=ADMIN,
    tag="Admin",
    summary="Take an event off the listing (its bookings stay)",
    answer=Answer(200, "The event, unpublished.", answers.AdminEvent, examples.UNPUBLISHED_EVENT),
    domain_errors=(NO_SUCH_EVENT,),
)
def unpublish_event(event_id):
    return events.unpublish(event_id)


@app.route(
    "/admin/events/{event_id}/attendees",
    "GET",
    access=ADMIN,
    tag="Admin",
    summary="Who booked an event, first booked first",
    query=schemas.BookingsQuery,
    answer=Answer(200, "A page of attendees.", answers.AttendeePage, examples.ATTENDEE_PAGE),
    domain_errors=(NO_SUCH_EVENT,),
)
def list_attendees(event_id, query):
    return bookings.list_attendees(event_id, **query)


@app.route(
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


@app.route(
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


# --- For browsers: the dashboard (HTML forms, cookie session) over the same services, and
# the files of the /docs page. See chalicelib/web. ---

DASHBOARD_PAGE = "a dashboard page for browsers (HTML forms, cookie session), not the JSON API"
FORM = ["application/x-www-form-urlencoded"]


@app.route("/docs/{asset}", "GET", browser_only="the scripts and styles of the /docs page")
def docs_asset(asset):
    return docs_page.asset(asset)


@app.route("/", "GET", browser_only=DASHBOARD_PAGE)
def home(request):
    return pages.home(request)


@app.route("/login", "GET", browser_only=DASHBOARD_PAGE)
def login_page(request):
    return pages.login_page(request)


@app.route("/login", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def login_form(request):
    return pages.login(request)


@app.route("/register", "GET", browser_only=DASHBOARD_PAGE)
def register_page(request):
    return pages.register_page(request)


@app.route("/register", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def register_form(request):
    return pages.register(request)


@app.route("/dashboard", "GET", browser_only=DASHBOARD_PAGE)
def dashboard(request):
    return pages.dashboard(request)


@app.route("/dashboard/book", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def book_form(request):
    return pages.book(request)


@app.route("/dashboard/cancel", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def cancel_form(request):
    return pages.cancel(request)


@app.route("/logout", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def logout_form(request):
    return pages.logout_form(request)


@app.route("/static/app.css", "GET", browser_only="the dashboard's stylesheet")
def stylesheet():
    return rendering.stylesheet()


# --- Not HTTP: the CRM webhooks ---


@app.on_dynamodb_record(
    stream_arn=get_settings().bookings_stream_arn,
    name="on_booking_change",
    batch_size=25,
    starting_position="TRIM_HORIZON",
)
def on_booking_change(event):
    return webhooks.handle_stream_batch(event)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="retry_webhooks")
def retry_webhooks(event):
    return webhooks.retry_due_deliveries()
