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


NOTICES = {
    "booked": Notice("success", "Booked! You will find it under My bookings."),
    "cancelled": Notice("success", "Booking cancelled; your seat is free for someone else."),
    "logged_out": Notice("info", "You have logged out."),
    "feed_stopped": Notice("info", "Your calendar feed is stopped; its address no longer works."),
    "session_ended": Notice("info", "Your session has ended; please log in again."),
    "already_booked": Notice("error", "You have already booked this event."),
    "event_full": Notice("error", "Sorry, this event is full."),
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


def get(code: str) -> Notice | None:
    return NOTICES.get(code)


def for_error(error: errors.AppError) -> Notice:
    """The words for an error a service raised; its own message when none are written here."""
    if error.code == "login_throttled":
        minutes = math.ceil(int(error.headers.get("Retry-After", "60")) / 60)
        unit = "minute" if minutes == 1 else "minutes"
        return Notice(
            "error", f"Too many failed logins; please wait {minutes} {unit} and try again."
        )
    return NOTICES.get(error.code) or Notice("error", error.message)
