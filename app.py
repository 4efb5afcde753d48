"""Routes only: parse → call a service → shape the response. Logic lives in chalicelib/."""

from chalice import Rate, Response

from chalicelib import auth, events, health, schemas, webhooks
from chalicelib.api import BookingsApp
from chalicelib.config import get_settings

app = BookingsApp(app_name="ahoum-bookings")


@app.route("/health", methods=["GET"])
def get_health():
    return health.check()


@app.route("/events", methods=["GET"])
def list_events():
    auth.authenticate(app.current_request.headers)
    return events.list_upcoming()


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
    auth.logout(app.current_request.headers)
    return {"msg": "Logged out"}


@app.route("/auth/me", methods=["GET"])
def me():
    return auth.me(auth.authenticate(app.current_request.headers))


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
