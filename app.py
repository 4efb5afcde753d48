"""The application, assembled: the API's route modules, the browsers' route modules and the
Lambdas that are not HTTP. Routes live in chalicelib/routes/ (the JSON API, by domain)
and chalicelib/web/routes/ (the dashboard and the admin console); ``app.register`` declares
each through ``app.route``, which checks the caller and loads the input before the view runs
and documents the operation (chalicelib/api.py). Logic lives in chalicelib/."""

from chalice import Rate

from chalicelib import event_changes, reminders, series, webhooks
from chalicelib.api import BookingsApp
from chalicelib.config import get_settings
from chalicelib.routes import (
    accounts,
    admin,
    bookings,
    calendar,
    events,
    payments,
    series_bookings,
    service,
)
from chalicelib.routes import series as series_routes
from chalicelib.web.routes import console, dashboard

app = BookingsApp(app_name="ahoum-bookings")

# In this order, the OpenAPI document's.
for module in (
    service,
    accounts,
    events,
    series_routes,
    bookings,
    series_bookings,
    payments,
    calendar,
    admin,
    dashboard,
    console,
):
    app.register(module.routes)


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


# --- Not HTTP: open-ended series made SERIES_HORIZON_DAYS ahead ---


@app.schedule(Rate(1, unit=Rate.DAYS), name="extend_series")
def extend_series(event):
    return series.extend_open_series()


# --- Not HTTP: bookings following an event's cancellation or move ---


@app.schedule(Rate(1, unit=Rate.MINUTES), name="finish_event_changes")
def finish_event_changes(event):
    return event_changes.finish_event_changes()


# --- Not HTTP: payments no request waits for (expired holds) ---


@app.schedule(Rate(1, unit=Rate.MINUTES), name="settle_payments")
def settle_payments(event):
    # Imported here: only this Lambda needs the job's steps.
    from chalicelib.payments import settle

    return settle.settle_payments()
