"""The dashboard's calendar actions: a booking's ``.ics`` download, subscribing to the feed
(a page showing its address once: only a hash of it is kept) and stopping the feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib import auth, calendar_feed, calendar_files, errors, schemas
from chalicelib.web.visit import Visit


def _logged_in(
    handler: Callable[[Visit, auth.Principal], Response],
) -> Callable[[Visit], Response]:
    def answer(visit: Visit) -> Response:
        principal = visit.principal()
        if principal is None:
            return visit.to_login()
        try:
            return handler(visit, principal)
        except errors.AppError as error:
            return visit.error_page(error)
        except Exception as exc:
            if errors.is_unavailable(exc):
                return visit.error_page(errors.ServiceUnavailable())
            raise

    return answer


def booking_file(request: Any, booking_id: str) -> Response:
    """ "Add to calendar": the booking's ``.ics``, for the person logged in."""

    def download(visit: Visit, principal: auth.Principal) -> Response:
        checked = schemas.load_id(booking_id, "booking_id")
        return calendar_files.booking_file_for(principal, checked)

    return _logged_in(download)(Visit(request))


def subscribe(request: Any) -> Response:
    """ "Subscribe in your calendar": a new feed address (an older one stops working)."""

    def show(visit: Visit, principal: auth.Principal) -> Response:
        visit.form()
        url = calendar_feed.create(principal, request)["url"]
        return visit.page(
            "calendar_feed.html", feed_url=url, webcal_url=calendar_feed.webcal_url(url)
        )

    return _logged_in(show)(Visit(request))


def stop(request: Any) -> Response:
    """ "Stop the feed": its address answers 404 from now on."""

    def stop_feed(visit: Visit, principal: auth.Principal) -> Response:
        visit.form()
        calendar_feed.delete(principal)
        visit.notify("feed_stopped")
        return visit.redirect("/dashboard")

    return _logged_in(stop_feed)(Visit(request))
