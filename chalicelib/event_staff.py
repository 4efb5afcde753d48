"""Who may run an event: an admin, or an account linked to the event's facilitator.

One place answers it, so every route with an event, booking or facilitator id asks the same
question and a facilitator is refused other facilitators' things exactly as a stranger is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import errors, models

if TYPE_CHECKING:
    from chalicelib.auth import Principal


def acts_for(principal: Principal, facilitator_id: str | None) -> bool:
    """The caller is an account linked to this facilitator (admins are not, by this)."""
    return (
        principal.role == models.ROLE_FACILITATOR
        and principal.facilitator_id is not None
        and principal.facilitator_id == facilitator_id
    )


def runs_event(principal: Principal, event: models.Event) -> bool:
    """An admin, or the event's own facilitator: who may see its roster and check people in."""
    facilitator = event.facilitator
    return principal.is_admin or acts_for(principal, facilitator.id if facilitator else None)


def require_admin_or_acting_for(principal: Principal, facilitator_id: str) -> Principal:
    """An admin, or an account of this facilitator; anyone else is refused with the very
    answer an admin-only route gives them (so a facilitator learns nothing of another)."""
    if not (principal.is_admin or acts_for(principal, facilitator_id)):
        raise errors.Forbidden("This needs an admin account.")
    return principal
