"""Facilitators: the people who run events, and the CRM id their bookings are reported under.

An event keeps a copy of its facilitator (id, name, crm_id) taken when the event is created
or re-assigned, so listing events and building webhooks never read this table.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import clock, errors, ids, models, pagination
from chalicelib.transactions import condition_failed


class FacilitatorNotFound(errors.NotFound):
    default_message = "No such facilitator."


def create(name: str, crm_id: str) -> dict[str, Any]:
    facilitator = models.Facilitator(
        ids.new_id(), name=name, crm_id=crm_id, created_at=clock.to_iso_ms(clock.now())
    )
    facilitator.save(condition=models.Facilitator.facilitator_id.does_not_exist())
    return facilitator_view(facilitator)


def get(facilitator_id: str) -> dict[str, Any]:
    return facilitator_view(find(facilitator_id))


def find(facilitator_id: str) -> models.Facilitator:
    try:
        return models.Facilitator.get(facilitator_id, consistent_read=True)
    except models.Facilitator.DoesNotExist:
        raise FacilitatorNotFound() from None


def list_all(limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """A page of facilitators in no particular order (a Scan: an admin's short list)."""
    page = pagination.scan_page(models.Facilitator, limit, cursor)
    return {
        "facilitators": [facilitator_view(item) for item in page.items],
        "next_cursor": page.next_cursor,
    }


def update(facilitator_id: str, **changes: str) -> dict[str, Any]:
    """Rename or re-key a facilitator. Events keep the copy they took; re-assigning the
    facilitator to an event (PATCH the event's ``facilitator_id``) refreshes it."""
    facilitator = models.Facilitator(facilitator_id)
    actions = [getattr(models.Facilitator, name).set(value) for name, value in changes.items()]
    try:
        facilitator.update(actions=actions, condition=models.Facilitator.facilitator_id.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise FacilitatorNotFound() from None
        raise
    return facilitator_view(facilitator)


def facilitator_view(facilitator: models.Facilitator) -> dict[str, Any]:
    return {
        "id": facilitator.facilitator_id,
        "name": facilitator.name,
        "crm_id": facilitator.crm_id,
        "created_at": facilitator.created_at,
    }
