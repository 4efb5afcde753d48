"""Routes only: parse → call a service → shape the response. Logic lives in chalicelib/."""

from chalice import Rate, Response

from chalicelib import (
    auth,
    bookings,
    docs_page,
    events,
    facilitators,
    health,
    openapi,
    schemas,
    webhooks,
)
from chalicelib.api import BookingsApp
from chalicelib.config import get_settings
from chalicelib.web import pages, rendering

app = BookingsApp(app_name="ahoum-bookings")


@app.route("/health", methods=["GET"])
def get_health():
    return health.check()


@app.route("/events", methods=["GET"])
def list_events():
    app.caller()
    query = schemas.load_query(app.current_request, schemas.EventsQuery())
    return events.list_upcoming(**query)


@app.route("/events/{event_id}", methods=["GET"])
def get_event(event_id):
    app.caller()
    return events.get(schemas.load_id(event_id, "event_id"))


@app.route("/bookings", methods=["POST"])
def book():
    request = app.current_request
    body = schemas.load_json_body(request, schemas.BookingBody())
    key = schemas.idempotency_key(request.headers)
    return Response(
        bookings.authenticate_and_book(request.headers, body["event_id"], key), status_code=201
    )


@app.route("/bookings/my", methods=["GET"])
def my_bookings():
    principal = app.caller()
    query = schemas.load_query(app.current_request, schemas.BookingsQuery())
    return bookings.list_mine(principal, **query)


@app.route("/bookings/{booking_id}", methods=["DELETE"])
def cancel_booking(booking_id):
    principal = app.caller()
    return bookings.cancel(principal, schemas.load_id(booking_id, "booking_id"))


@app.route("/admin/facilitators", methods=["POST"])
def create_facilitator():
    app.admin()
    body = schemas.load_json_body(app.current_request, schemas.FacilitatorBody())
    return Response(facilitators.create(**body), status_code=201)


@app.route("/admin/facilitators", methods=["GET"])
def list_facilitators():
    app.admin()
    query = schemas.load_query(app.current_request, schemas.PageQuery())
    return facilitators.list_all(**query)


@app.route("/admin/facilitators/{facilitator_id}", methods=["GET"])
def get_facilitator(facilitator_id):
    app.admin()
    return facilitators.get(schemas.load_id(facilitator_id, "facilitator_id"))


@app.route("/admin/facilitators/{facilitator_id}", methods=["PATCH"])
def update_facilitator(facilitator_id):
    app.admin()
    body = schemas.load_json_body(app.current_request, schemas.FacilitatorChanges())
    return facilitators.update(schemas.load_id(facilitator_id, "facilitator_id"), **body)


@app.route("/admin/events", methods=["POST"])
def create_event():
    app.admin()
    body = schemas.load_json_body(app.current_request, schemas.EventBody())
    return Response(events.create(**body), status_code=201)


@app.route("/admin/events/{event_id}", methods=["PATCH"])
def update_event(event_id):
    app.admin()
    body = schemas.load_json_body(app.current_request, schemas.EventChanges())
    return events.update(schemas.load_id(event_id, "event_id"), **body)


@app.route("/admin/events/{event_id}", methods=["DELETE"])
def unpublish_event(event_id):
    app.admin()
    return events.unpublish(schemas.load_id(event_id, "event_id"))


@app.route("/admin/events/{event_id}/attendees", methods=["GET"])
def list_attendees(event_id):
    app.admin()
    query = schemas.load_query(app.current_request, schemas.BookingsQuery())
    return bookings.list_attendees(schemas.load_id(event_id, "event_id"), **query)


@app.route("/auth/register", methods=["POST"])
def register():
    body = schemas.load_json_body(app.current_request, schemas.RegisterSchema())
    return Response(auth.register(**body), status_code=201)


@app.route("/auth/login", methods=["POST"])
def login():
    request = app.current_request
    body = schemas.load_json_body(request, schemas.LoginSchema())
    return auth.login(body["email"], body["password"], request.context["identity"]["sourceIp"])


# Logging out ignores any body, so a form or an empty `curl -d ''` is as good as JSON.
LOGOUT_CONTENT_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
]


@app.route("/auth/logout", methods=["POST"], content_types=LOGOUT_CONTENT_TYPES)
@app.route("/logout", methods=["GET"], content_types=LOGOUT_CONTENT_TYPES)
def logout():
    request = app.current_request
    if pages.wants_page(request):
        return pages.logout(request)
    auth.logout(request.headers)
    return {"msg": "Logged out"}


@app.route("/auth/me", methods=["GET"])
def me():
    return auth.me(app.caller())


# --- Dashboard (issue 7): HTML pages for browsers, over the same services; see chalicelib/web ---

FORM = ["application/x-www-form-urlencoded"]


@app.route("/", methods=["GET"])
def home():
    return pages.home(app.current_request)


@app.route("/login", methods=["GET"])
def login_page():
    return pages.login_page(app.current_request)


@app.route("/login", methods=["POST"], content_types=FORM)
def login_form():
    return pages.login(app.current_request)


@app.route("/register", methods=["GET"])
def register_page():
    return pages.register_page(app.current_request)


@app.route("/register", methods=["POST"], content_types=FORM)
def register_form():
    return pages.register(app.current_request)


@app.route("/dashboard", methods=["GET"])
def dashboard():
    return pages.dashboard(app.current_request)


@app.route("/dashboard/book", methods=["POST"], content_types=FORM)
def book_form():
    return pages.book(app.current_request)


@app.route("/dashboard/cancel", methods=["POST"], content_types=FORM)
def cancel_form():
    return pages.cancel(app.current_request)


@app.route("/logout", methods=["POST"], content_types=FORM)
def logout_form():
    return pages.logout_form(app.current_request)


@app.route("/static/app.css", methods=["GET"])
def stylesheet():
    return rendering.stylesheet()


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


@app.route("/admin/webhooks", methods=["GET"])
def list_webhook_deliveries():
    app.admin()
    query = schemas.load_query(app.current_request, schemas.WebhookDeliveriesQuery())
    return webhooks.list_deliveries(**query)


@app.route("/admin/webhooks/{delivery_id}/replay", methods=["POST"])
def replay_webhook_delivery(delivery_id):
    app.admin()
    return Response(body=webhooks.replay(delivery_id), status_code=202)


# API documentation (issue 10): the document is generated from the schemas in chalicelib.


@app.route("/openapi.json", methods=["GET"])
def openapi_document():
    return openapi.document()


@app.route("/docs", methods=["GET"])
def docs():
    return docs_page.page(app.current_request.context.get("path", ""))


@app.route("/docs/{asset}", methods=["GET"])
def docs_asset(asset):
    return docs_page.asset(asset)
