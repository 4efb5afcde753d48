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
    auth.require_admin(auth.authenticate(app.current_request.headers))
    query = schemas.load_query(app.current_request, schemas.WebhookDeliveriesQuery())
    return webhooks.list_deliveries(**query)


@app.route("/admin/webhooks/{delivery_id}/replay", methods=["POST"])
def replay_webhook_delivery(delivery_id):
    auth.require_admin(auth.authenticate(app.current_request.headers))
    return Response(body=webhooks.replay(delivery_id), status_code=202)
