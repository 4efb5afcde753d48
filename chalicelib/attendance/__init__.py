"""Attendance: who came. A facilitator (or an admin) checks people in, by the booking's id or
by the code on its QR (``check_in``, ``codes``); after an event where anyone was checked in,
the ``mark_no_shows`` job marks the rest ``no_show`` (``no_shows``), and each no-show is a
strike against its attendee's account, which enough strikes suspend from booking
(``strikes``). Each of those writes is one conditional write on the booking item, so two
phones or two job runs change a booking once, and the stream sends its webhook once.
"""

from chalicelib.attendance.check_in import (
    booking_for_code,
    check_in,
    check_in_by_code,
    checked_in_view,
    undo,
)
from chalicelib.attendance.errors import CheckinClosed, NotConfirmed
from chalicelib.attendance.no_shows import mark_no_shows
from chalicelib.attendance.strikes import SuspensionNotFound, lift_suspension

__all__ = [
    "CheckinClosed",
    "NotConfirmed",
    "SuspensionNotFound",
    "booking_for_code",
    "check_in",
    "check_in_by_code",
    "checked_in_view",
    "lift_suspension",
    "mark_no_shows",
    "undo",
]
