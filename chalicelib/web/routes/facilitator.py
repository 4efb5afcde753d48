"""The facilitator's console's routes (``/facilitator/console``): their schedule, each
class's roster and their attendance report, as pages over the facilitator's services
(chalicelib/web/facilitator_pages.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api import Routes
from chalicelib.web import FACILITATOR_ROOT as ROOT

if TYPE_CHECKING:
    import chalicelib.web.facilitator_pages as facilitator_pages
else:
    # Imported by the first request for a page: the other Lambdas load these routes too.
    from chalicelib.web import facilitator_pages

FACILITATOR_PAGE = "a facilitator console page for browsers (cookie session), not the JSON API"

routes = Routes()


@routes.route(ROOT, "GET", browser_only=FACILITATOR_PAGE)
def facilitator_schedule(request):
    return facilitator_pages.schedule_page(request)


@routes.route(f"{ROOT}/events/{{event_id}}", "GET", browser_only=FACILITATOR_PAGE)
def facilitator_roster(request, event_id):
    return facilitator_pages.roster_page(request, event_id=event_id)


@routes.route(f"{ROOT}/report", "GET", browser_only=FACILITATOR_PAGE)
def facilitator_report(request):
    return facilitator_pages.report_page(request)


@routes.route(f"{ROOT}/report.csv", "GET", browser_only=FACILITATOR_PAGE)
def facilitator_report_csv(request):
    return facilitator_pages.report_csv(request)
