"""Routes only: parse → call a service → shape the response. Logic lives in chalicelib/."""

from chalicelib import auth, events, health
from chalicelib.api import BookingsApp

app = BookingsApp(app_name="ahoum-bookings")


@app.route("/health", methods=["GET"])
def get_health():
    return health.check()


@app.route("/events", methods=["GET"])
def list_events():
    auth.authenticate(app.current_request.headers)
    return events.list_upcoming()
