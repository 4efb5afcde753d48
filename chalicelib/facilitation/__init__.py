"""Facilitators' own accounts and what they see: the account linked to a facilitator
(``accounts``), their events (``schedule``) and the attendance report (``reports``).
A facilitator's roster of one event is ``bookings.roster``, the admins' too.

What the facilitator may see is decided in one place, ``chalicelib.event_staff``: another
facilitator's event is answered exactly as it is to a stranger.
"""

from chalicelib.facilitation.accounts import (
    AdminAccount,
    LinkedToAnotherFacilitator,
    MemberNotFound,
    link,
    members,
    unlink,
)
from chalicelib.facilitation.reports import as_csv, attendance, my_attendance, weekly_rates
from chalicelib.facilitation.schedule import WHEN, my_events

__all__ = [
    "WHEN",
    "AdminAccount",
    "LinkedToAnotherFacilitator",
    "MemberNotFound",
    "as_csv",
    "attendance",
    "link",
    "members",
    "my_attendance",
    "my_events",
    "unlink",
    "weekly_rates",
]
