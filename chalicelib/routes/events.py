"""Events: what is on, for anyone logged in (admins change them in ``admin``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import events
from chalicelib.api import Routes
from chalicelib.openapi import examples
from chalicelib.operations import USER, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
    from chalicelib.schemas import definitions as schemas
else:
    from chalicelib import schemas
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
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


@routes.route(
    "/events/{event_id}",
    "GET",
    access=USER,
    tag="Events",
    summary="One published event",
    answer=Answer(200, "The event.", answers.Event, examples.MEDITATION),
    domain_errors=(events.EventNotFound(),),
)
def get_event(event_id):
    return events.get(event_id)
