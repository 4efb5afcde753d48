"""The refusals of a check-in (each maps to its HTTP status and JSON shape through
``chalicelib.errors``)."""

from __future__ import annotations

from chalicelib import errors


class NotConfirmed(errors.Conflict):
    """Only a confirmed booking can be checked in (a waiting or cancelled one cannot)."""

    code = "not_confirmed"
    default_message = "Only a confirmed booking can be checked in."


class CheckinClosed(errors.Conflict):
    """Outside the check-in window, or the event's no-shows are already marked."""

    code = "checkin_closed"
    default_message = (
        "Check-in is open from CHECKIN_OPENS_MINUTES before the start until "
        "NO_SHOW_GRACE_MINUTES after the end of the event."
    )
