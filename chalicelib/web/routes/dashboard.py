"""The dashboard's routes: HTML forms and a cookie session over the same services as the
JSON API (chalicelib/web/pages.py, calendar_pages.py), and its stylesheet and script."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api import Routes
from chalicelib.operations import BODY_IGNORED
from chalicelib.web.routes import FORM

if TYPE_CHECKING:
    import chalicelib.web.attendance_pages as attendance_pages
    import chalicelib.web.calendar_pages as calendar_pages
    import chalicelib.web.pages as pages
    import chalicelib.web.payment_pages as payment_pages
    import chalicelib.web.rendering as rendering
    import chalicelib.web.series_pages as series_pages
else:
    # Imported by the first request for a page: the other Lambdas load these routes too.
    from chalicelib.web import (
        attendance_pages,
        calendar_pages,
        pages,
        payment_pages,
        rendering,
        series_pages,
    )

DASHBOARD_PAGE = "a dashboard page for browsers (HTML forms, cookie session), not the JSON API"

routes = Routes()


@routes.route("/", "GET", browser_only=DASHBOARD_PAGE)
def home(request):
    return pages.home(request)


@routes.route("/login", "GET", browser_only=DASHBOARD_PAGE)
def login_page(request):
    return pages.login_page(request)


@routes.route("/login", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def login_form(request):
    return pages.login(request)


@routes.route("/register", "GET", browser_only=DASHBOARD_PAGE)
def register_page(request):
    return pages.register_page(request)


@routes.route("/register", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def register_form(request):
    return pages.register(request)


@routes.route("/dashboard", "GET", browser_only=DASHBOARD_PAGE)
def dashboard(request):
    return pages.dashboard(request)


@routes.route("/dashboard/events/{event_id}", "GET", browser_only=DASHBOARD_PAGE)
def event_page(request, event_id):
    return pages.event_page(request, event_id=event_id)


@routes.route("/dashboard/events/{event_id}/cancel", "GET", browser_only=DASHBOARD_PAGE)
def cancel_page(request, event_id):
    return pages.cancel_page(request, event_id=event_id)


@routes.route("/dashboard/series/{series_id}", "GET", browser_only=DASHBOARD_PAGE)
def series_page(request, series_id):
    return series_pages.series_page(request, series_id=series_id)


@routes.route(
    "/dashboard/series/{series_id}/book", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM
)
def book_series_form(request, series_id):
    return series_pages.book_series(request, series_id=series_id)


@routes.route("/dashboard/bookings/{booking_id}/move", "GET", browser_only=DASHBOARD_PAGE)
def move_page(request, booking_id):
    return series_pages.move_page(request, booking_id=booking_id)


@routes.route(
    "/dashboard/bookings/{booking_id}/move", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM
)
def move_form(request, booking_id):
    return series_pages.move(request, booking_id=booking_id)


@routes.route("/dashboard/bookings/{booking_id}/pay", "GET", browser_only=DASHBOARD_PAGE)
def pay_page(request, booking_id):
    return payment_pages.pay_page(request, booking_id=booking_id)


@routes.route(
    "/dashboard/bookings/{booking_id}/payment-state",
    "GET",
    browser_only="what the payment page's script polls: its booking's state, as JSON",
)
def payment_state(request, booking_id):
    return payment_pages.payment_state(request, booking_id=booking_id)


@routes.route("/dashboard/bookings", "GET", browser_only=DASHBOARD_PAGE)
def my_bookings_page(request):
    return pages.my_bookings(request)


@routes.route("/dashboard/book", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def book_form(request):
    return pages.book(request)


@routes.route("/dashboard/cancel", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def cancel_form(request):
    return pages.cancel(request)


@routes.route("/dashboard/waitlist", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def join_waitlist_form(request):
    return pages.join_waitlist(request)


@routes.route("/dashboard/bookings/{booking_id}/calendar.ics", "GET", browser_only=DASHBOARD_PAGE)
def booking_calendar_download(request, booking_id):
    return calendar_pages.booking_file(request, booking_id=booking_id)


@routes.route("/dashboard/calendar-feed", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def calendar_feed_form(request):
    return calendar_pages.subscribe(request)


@routes.route(
    "/dashboard/calendar-feed/stop", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM
)
def calendar_feed_stop_form(request):
    return calendar_pages.stop(request)


@routes.route("/check-in/{code}", "GET", browser_only=DASHBOARD_PAGE)
def check_in_page(request, code):
    return attendance_pages.check_in_page(request, code=code)


@routes.route("/check-in/{code}", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM)
def check_in_form(request, code):
    return attendance_pages.check_in(request, code=code)


@routes.route(
    "/check-in/bookings/{booking_id}", "POST", browser_only=DASHBOARD_PAGE, content_types=FORM
)
def roster_check_in_form(request, booking_id):
    return attendance_pages.roster_check_in(request, booking_id=booking_id)


@routes.route("/logout", "POST", browser_only=DASHBOARD_PAGE, content_types=BODY_IGNORED)
def logout_button(request):
    return pages.logout_button(request)


@routes.route("/static/app.css", "GET", browser_only="the dashboard's stylesheet")
def stylesheet():
    return rendering.stylesheet()


@routes.route("/static/local-time.js", "GET", browser_only="the dashboard's local-time script")
def local_time_script():
    return rendering.local_time_script()


@routes.route("/static/pay.js", "GET", browser_only="the payment page's script")
def payment_script():
    return rendering.payment_script()
