"""Routes only: each declares its operation (who may call it, what it takes and answers) and
calls one service. ``app.route`` checks the caller and loads the input before the view runs
and documents the operation (chalicelib/api.py); logic lives in chalicelib/."""

from chalice import Rate

from chalicelib import (
    auth,
    bookings,
    calendar_feed,
    calendar_files,
    events,
    facilitators,
    health,
    openapi,
    reminders,
    schemas,
    throttling,
    webhooks,
)
from chalicelib.api import BookingsApp
from chalicelib.config import get_settings
from chalicelib.openapi import answers, docs_page, examples
from chalicelib.operations import ADMIN, OPTIONAL, PUBLIC, USER, Answer
from chalicelib.web import CONSOLE_ROOT, calendar_pages, console, pages, rendering

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
        "role `user`; no request can choose or change a role. Registrations from one address "
        "are limited per window (429 with `Retry-After`)."
    ),
    body=schemas.RegisterSchema,
    body_example=examples.REGISTER,
    answer=Answer(201, "Registered and logged in.", answers.Registered, examples.REGISTERED),
    domain_errors=(auth.EmailTaken(), throttling.RateLimited(retry_after=600)),
)
def register(body, request):
    return auth.register(**body, source_ip=request.context["identity"]["sourceIp"])


@app.route(
    "/auth/login",
    "POST",
    access=PUBLIC,
    tag="Accounts",
    summary="Exchange email and password for a token",
    description=(
        "Attempts are counted before the password is checked, in fixed windows: too many "
        "for one email from one address, for one email from addresses that never logged in "
        "to it, or from one address at all answer 429 until the window ends (`Retry-After`). "
        "The limits are settings (docs/configuration.md)."
    ),
    body=schemas.LoginSchema,
    body_example=examples.LOGIN,
    answer=Answer(200, "A Bearer token, valid for an hour.", answers.Token, examples.TOKEN),
    domain_errors=(
        auth.InvalidCredentials(),
        throttling.LoginThrottled(retry_after=900),
        throttling.RateLimited(retry_after=600),
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
    description=(
        "Revokes the Bearer token, and a session cookie sent with it. A browser holding only "
        "the dashboard's session cookie gets a page with a Log out button instead: a link on "
        "another site cannot log anyone out."
    ),
    answer=LOGGED_OUT,
    content_types=LOGOUT_CONTENT_TYPES,
    operation_id="logoutByLink",
)
def logout_by_link(request):
    return pages.logout_link(request)


@app.route(
    "/auth/logout",
    "POST",
    access=OPTIONAL,
    tag="Accounts",
    summary="Revoke the caller's token",
    description=(
        "Revokes the Bearer token, and the dashboard's session cookie when one is sent. Any "
        "body is ignored. Logging out twice is as good as once."
    ),
    answer=LOGGED_OUT,
    content_types=LOGOUT_CONTENT_TYPES,
)
def logout(request):
    return pages.logout_api(request)


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
    return bookings.book(token, body["event_id"], idempotency_key)


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
    return bookings.join_waitlist(token, event_id, idempotency_key)


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
    return bookings.list_mine(token, **query)


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


@app.route(
    "/bookings/{booking_id}/calendar.ics",
    "GET",
    access=USER,
    # The service reads the account and the token's revocation in the BatchGetItem that
    # reads the event: two DynamoDB calls.
    defer_account_check=True,
    tag="Calendar",
    summary="One booking as a calendar file (RFC 5545)",
    description=(
        "A confirmed booking is `METHOD:PUBLISH`, `STATUS:CONFIRMED`; a cancelled one "
        "`METHOD:CANCEL`, `STATUS:CANCELLED` with a higher `SEQUENCE`, so importing it removes "
        "the entry. Times are UTC. Someone else's booking is 404 (admins may fetch any)."
    ),
    answer=Answer(
        200,
        "The `.ics` file, as an attachment named after the event.",
        example=examples.CALENDAR_FILE,
        media_type="text/calendar",
    ),
    domain_errors=(NO_SUCH_BOOKING, calendar_files.NotConfirmed()),
)
def get_booking_calendar(token, booking_id):
    return calendar_files.booking_file(token, booking_id)


@app.route(
    "/auth/calendar-feed",
    "POST",
    access=USER,
    tag="Calendar",
    summary="Create (or replace) the caller's calendar feed URL",
    description=(
        "The URL is the secret: calendar apps cannot send a token. Creating a feed again "
        "gives a new URL and the old one answers 404 at once."
    ),
    answer=Answer(201, "The feed's URL.", answers.CalendarFeed, examples.CALENDAR_FEED),
    content_types=LOGOUT_CONTENT_TYPES,
)
def create_calendar_feed(principal, request):
    return calendar_feed.create(principal, request)


@app.route(
    "/auth/calendar-feed",
    "DELETE",
    access=USER,
    tag="Calendar",
    summary="Turn the caller's calendar feed off",
    answer=Answer(
        200, "The feed URL answers 404 from now on.", answers.Message, examples.FEED_STOPPED
    ),
)
def delete_calendar_feed(principal):
    return calendar_feed.delete(principal)


@app.route(
    "/calendar/{feed_token}",
    "GET",
    access=PUBLIC,
    tag="Calendar",
    summary="A calendar feed to subscribe to",
    description=(
        "The caller's confirmed bookings (upcoming, and of the last days) and recent "
        "cancellations as `STATUS:CANCELLED`, with the same UIDs and SEQUENCE as the single "
        "files. `Cache-Control: private, max-age=300`."
    ),
    answer=Answer(200, "The calendar.", example=examples.CALENDAR_FILE, media_type="text/calendar"),
    domain_errors=(calendar_feed.FeedNotFound(),),
)
def get_calendar_feed(feed_token):
    return calendar_feed.feed(feed_token)


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


@app.route("/dashboard/events/{event_id}", "GET", browser_only=DASHBOARD_PAGE)
def event_page(request, event_id):
    return pages.event_page(request, event_id=event_id)


@app.route("/dashboard/events/{event_id}/cancel", "GET", browser_only=DASHBOARD_PAGE)
def cancel_page(request, event_id):
    return pages.cancel_page(request, event_id=event_id)


@app.route("/dashboard/bookings", "GET", browser_only=DASHBOARD_PAGE)
def my_bookings_page(request):
    return pages.my_bookings(request)


@app.route("/dashboard/book", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def book_form(request):
    return pages.book(request)


@app.route("/dashboard/cancel", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def cancel_form(request):
    return pages.cancel(request)


@app.route("/dashboard/waitlist", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def join_waitlist_form(request):
    return pages.join_waitlist(request)


@app.route("/dashboard/bookings/{booking_id}/calendar.ics", "GET", browser_only=DASHBOARD_PAGE)
def booking_calendar_download(request, booking_id):
    return calendar_pages.booking_file(request, booking_id=booking_id)


@app.route("/dashboard/calendar-feed", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def calendar_feed_form(request):
    return calendar_pages.subscribe(request)


@app.route("/dashboard/calendar-feed/stop", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def calendar_feed_stop_form(request):
    return calendar_pages.stop(request)


@app.route("/logout", "POST", browser_only=DASHBOARD_PAGE, content_types=LOGOUT_CONTENT_TYPES)
def logout_button(request):
    return pages.logout_button(request)


@app.route("/static/app.css", "GET", browser_only="the dashboard's stylesheet")
def stylesheet():
    return rendering.stylesheet()


@app.route("/static/local-time.js", "GET", browser_only="the dashboard's one script")
def local_time_script():
    return rendering.local_time_script()


# --- For browsers: the admin console (/admin), over the admin services. Its pages live
# under /admin/console/ because the admin API answers JSON at /admin/events and the like.
# See chalicelib/web/console.py. ---

CONSOLE_PAGE = "an admin console page for browsers (HTML forms, cookie session), not the JSON API"
CONSOLE = CONSOLE_ROOT


@app.route("/admin", "GET", browser_only=CONSOLE_PAGE)
def console_home(request):
    return console.home(request)


@app.route(f"{CONSOLE}/events", "GET", browser_only=CONSOLE_PAGE)
def console_events(request):
    return console.events_page(request)


@app.route(f"{CONSOLE}/events/new", "GET", browser_only=CONSOLE_PAGE)
def console_new_event(request):
    return console.new_event_page(request)


@app.route(f"{CONSOLE}/events/new", "POST", browser_only=CONSOLE_PAGE, content_types=FORM)
def console_create_event(request):
    return console.create_event(request)


@app.route(f"{CONSOLE}/events/{{event_id}}/edit", "GET", browser_only=CONSOLE_PAGE)
def console_edit_event(request, event_id):
    return console.edit_event_page(request, event_id=event_id)


@app.route(
    f"{CONSOLE}/events/{{event_id}}/edit", "POST", browser_only=CONSOLE_PAGE, content_types=FORM
)
def console_update_event(request, event_id):
    return console.update_event(request, event_id=event_id)


@app.route(
    f"{CONSOLE}/events/{{event_id}}/unpublish",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_unpublish_event(request, event_id):
    return console.unpublish_event(request, event_id=event_id)


@app.route(f"{CONSOLE}/events/{{event_id}}/attendees", "GET", browser_only=CONSOLE_PAGE)
def console_attendees(request, event_id):
    return console.attendees_page(request, event_id=event_id)


@app.route(f"{CONSOLE}/events/{{event_id}}/attendees.csv", "GET", browser_only=CONSOLE_PAGE)
def console_attendees_csv(request, event_id):
    return console.attendees_csv(request, event_id=event_id)


@app.route(
    f"{CONSOLE}/events/{{event_id}}/attendees/{{booking_id}}/cancel",
    "GET",
    browser_only=CONSOLE_PAGE,
)
def console_cancel_attendee_page(request, event_id, booking_id):
    return console.cancel_attendee_page(request, event_id=event_id, booking_id=booking_id)


@app.route(
    f"{CONSOLE}/events/{{event_id}}/attendees/{{booking_id}}/cancel",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_cancel_attendee(request, event_id, booking_id):
    return console.cancel_attendee(request, event_id=event_id, booking_id=booking_id)


@app.route(f"{CONSOLE}/facilitators", "GET", browser_only=CONSOLE_PAGE)
def console_facilitators(request):
    return console.facilitators_page(request)


@app.route(f"{CONSOLE}/facilitators/new", "GET", browser_only=CONSOLE_PAGE)
def console_new_facilitator(request):
    return console.new_facilitator_page(request)


@app.route(f"{CONSOLE}/facilitators/new", "POST", browser_only=CONSOLE_PAGE, content_types=FORM)
def console_create_facilitator(request):
    return console.create_facilitator(request)


@app.route(f"{CONSOLE}/facilitators/{{facilitator_id}}/edit", "GET", browser_only=CONSOLE_PAGE)
def console_edit_facilitator(request, facilitator_id):
    return console.edit_facilitator_page(request, facilitator_id=facilitator_id)


@app.route(
    f"{CONSOLE}/facilitators/{{facilitator_id}}/edit",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_update_facilitator(request, facilitator_id):
    return console.update_facilitator(request, facilitator_id=facilitator_id)


@app.route(f"{CONSOLE}/webhooks", "GET", browser_only=CONSOLE_PAGE)
def console_deliveries(request):
    return console.deliveries_page(request)


@app.route(
    f"{CONSOLE}/webhooks/{{delivery_id}}/replay",
    "POST",
    browser_only=CONSOLE_PAGE,
    content_types=FORM,
)
def console_replay_delivery(request, delivery_id):
    return console.replay_delivery(request, delivery_id=delivery_id)


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


# --- Not HTTP: reminders before each session ---


@app.schedule(Rate(15, unit=Rate.MINUTES), name="send_reminders")
def send_reminders(event):
    return reminders.send_due_reminders()
