"""The errors paying for a seat answers with (mapped to HTTP by ``chalicelib.errors``)."""

from __future__ import annotations

from typing import Any

from chalicelib import errors


class PaymentsUnavailable(errors.ServiceUnavailable):
    """This stage takes no payments (no STRIPE_SECRET_KEY): a paid event cannot be booked."""

    code = "payments_unavailable"
    default_message = "Paid events cannot be booked here: payments are not set up."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, retry_after=3600, **kwargs)


class NoPaymentDue(errors.Conflict):
    """The booking holds no seat waiting to be paid (paid, cancelled, or its hold lapsed)."""

    code = "no_payment_due"
    default_message = "This booking has no payment to make: it is paid, cancelled or expired."


class PriceDiffers(errors.Conflict):
    """A move to a date with another price: the payment made does not fit it."""

    code = "price_differs"
    default_message = "That date has another price; cancel this booking and book that date."
