"""What the dashboard tells a person after an action, in words for people rather than API
clients (the API's messages point at routes). A notice travels across a redirect as its
code in a short-lived cookie; only codes listed here are ever shown."""

from __future__ import annotations

import math
from dataclasses import dataclass

from chalicelib import errors


@dataclass(frozen=True)
class Notice:
    kind: str  # "success", "info" or "error": the colour and the ARIA role
    text: str


# ``{event}`` is the name of the event the action was about, where the page shows one;
# ``{position}`` the caller's place in its waiting list.
NOTICES = {
    "booked": Notice(
        "success",
        "You're booked for {event}. It is under My bookings, where you can add it to your "
        "calendar.",
    ),
    "payment_held": Notice(
        "success",
        "Your seat at {event} is held for you: pay below to confirm it before the hold lapses.",
    ),
    "cancelled": Notice(
        "success",
        "Your booking for {event} is cancelled; your seat is free for someone else. "
        "You can book again while seats are left.",
    ),
    "waitlisted": Notice(
        "success",
        "You're on the waiting list for {event}{position}. We'll confirm your seat "
        "automatically if one frees up.",
    ),
    "left_waitlist": Notice(
        "success",
        "You have left the waiting list for {event}; those behind you move up. "
        "You can join again while it has room.",
    ),
    "series_booked": Notice(
        "success",
        "Done: the dates of {event} that had room are yours. Each date below says where you "
        "stand; a date that was full or closed is left as it was.",
    ),
    "moved": Notice(
        "success",
        "Moved: you're booked for {event} on this date instead, and your old seat is free "
        "for someone else.",
    ),
    "not_movable": Notice(
        "error",
        "Only a confirmed booking of a drop-in series' date, not yet started, can be moved.",
    ),
    "nothing_to_cancel": Notice("info", "You hold no booking of {event} that can be cancelled."),
    "event_cancelled_for_attendee": Notice(
        "success", "The booking is cancelled and its seat is free; the CRM is told."
    ),
    "series_created": Notice("success", "Series created. Its dates are listed below."),
    "checked_in": Notice("success", "Checked in."),
    "check_in_undone": Notice("success", "Check-in undone: attendance is unknown again."),
    "checkin_closed": Notice(
        "error", "Check-in is closed for this event (it opens an hour before the start)."
    ),
    "not_confirmed": Notice("error", "Only a confirmed booking can be checked in."),
    "booking_suspended": Notice(
        "error",
        "After repeated no-shows your account cannot book or join waiting lists for now.",
    ),
    "event_called_off": Notice(
        "success",
        "The date is cancelled: it is off the listing, and everyone booked or waiting is told.",
    ),
    "event_moved": Notice(
        "success", "The date is moved; everyone booked or waiting is told the new time."
    ),
    "event_is_cancelled": Notice("error", "This date is cancelled; it can no longer be moved."),
    "event_created": Notice("success", "Event created. It is listed as shown below."),
    "event_saved": Notice("success", "Changes saved. Bookings already made keep their copy."),
    "event_unpublished": Notice(
        "success", "Event unpublished: it is off the listing and can no longer be booked."
    ),
    "nothing_changed": Notice("info", "Nothing was changed."),
    "facilitator_created": Notice("success", "Facilitator added."),
    "facilitator_saved": Notice(
        "success", "Facilitator saved. Events keep their copy until you re-assign them."
    ),
    "replayed": Notice(
        "success", "Delivery queued: it will be sent again within a minute, with new retries."
    ),
    "delivery_in_flight": Notice(
        "error", "This delivery is being sent right now; try again in a minute."
    ),
    "delivery_not_found": Notice("error", "That webhook delivery no longer exists."),
    "webhook_test_queued": Notice(
        "success", "Test delivery queued: it is sent within a minute, signed as any other."
    ),
    "logged_out": Notice("info", "You have logged out."),
    "feed_stopped": Notice("info", "Your calendar feed is stopped; its address no longer works."),
    "session_ended": Notice("info", "Your session has ended; please log in again."),
    "already_booked": Notice("error", "You have already booked this event."),
    "event_full": Notice(
        "error",
        "Sorry, this event just filled up. Its page says whether its waiting list has room.",
    ),
    "already_waitlisted": Notice("error", "You are already on the waiting list for {event}."),
    "waitlist_full": Notice(
        "error", "Sorry, the waiting list for {event} is full too; no place in line is left."
    ),
    "seats_available": Notice(
        "info", "{event} has seats again, so there is no need to wait: book one below."
    ),
    "cancellation_closed": Notice(
        "error",
        "The cancellation window for {event} has closed, so this booking can no longer be "
        "cancelled.",
    ),
    "event_started": Notice("error", "This event has already started; it can no longer be booked."),
    "already_cancelled": Notice("error", "This booking was already cancelled."),
    "not_found": Notice("error", "That event or booking no longer exists."),
    "try_again": Notice(
        "error", "Many people are booking this event right now; please try again in a moment."
    ),
    "invalid_credentials": Notice("error", "The email or password is wrong."),
    "email_taken": Notice(
        "error", "An account with this email already exists. Log in instead, or use another email."
    ),
    "validation_failed": Notice("error", "Please correct the fields marked below."),
    "failed": Notice("error", "That did not work; please reload the page and try again."),
    "service_unavailable": Notice(
        "error", "The service is busy or unavailable; please try again in a few seconds."
    ),
}


def get(code: str, subject: str | None = None, position: int | None = None) -> Notice | None:
    notice = NOTICES.get(code)
    if notice is None:
        return notice
    # A place in line that is gone by now (promoted already) is left unsaid.
    place = f", position {position}" if position else ""
    text = notice.text.replace("{event}", subject or "this event").replace("{position}", place)
    return Notice(notice.kind, text)


def for_error(error: errors.AppError) -> Notice:
    """The words for an error a service raised; its own message when none are written here."""
    if error.code == "login_throttled":
        minutes = math.ceil(int(error.headers.get("Retry-After", "60")) / 60)
        unit = "minute" if minutes == 1 else "minutes"
        return Notice(
            "error", f"Too many failed logins; please wait {minutes} {unit} and try again."
        )
    return get(error.code) or Notice("error", error.message)
