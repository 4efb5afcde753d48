"""The dashboard's calendar actions: a booking's ``.ics`` download, subscribing to the feed
(a page showing its address once: only a hash of it is kept) and stopping the feed."""

from __future__ import annotations

from chalice import Response

from chalicelib import auth, calendar_feed, calendar_files, schemas
from chalicelib.web.views import logged_in
from chalicelib.web.visit import Visit


@logged_in
def booking_file(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    """ "Add to calendar": the booking's ``.ics``, for the person logged in."""
    return calendar_files.booking_file_for(
        principal, schemas.load_id(booking_id, "booking_id"), visit.request
    )


@logged_in
def subscribe(visit: Visit, principal: auth.Principal) -> Response:
    """ "Subscribe in your calendar": a new feed address (an older one stops working)."""
    visit.form()
    url = calendar_feed.create(principal, visit.request)["url"]
    return visit.page("calendar_feed.html", feed_url=url, webcal_url=calendar_feed.webcal_url(url))


@logged_in
def stop(visit: Visit, principal: auth.Principal) -> Response:
    """ "Stop the feed": its address answers 404 from now on."""
    visit.form()
    calendar_feed.delete(principal)
    visit.notify("feed_stopped")
    return visit.redirect("/dashboard")
