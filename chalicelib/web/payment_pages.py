"""Paying for a held seat: the payment page (Stripe.js's card element, the hold's countdown)
and the small JSON answer its script polls until the booking is confirmed.

Stripe.js confirms the PaymentIntent in the browser with its client secret; the booking is
confirmed server-side only, by Stripe's signed webhook (``payment_intent.succeeded``), so the
page never claims a payment it has not seen confirmed: it polls the booking.

The page is the one place a script from another origin runs: its Content-Security-Policy
names exactly the origin of ``STRIPE_JS_URL`` for scripts, and what that Stripe.js needs to
connect to and frame (``payment_policy``), and nothing wider.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalice import Response

from chalicelib import auth, bookings, clock, errors, models, schemas
from chalicelib.bookings.items import owned_booking
from chalicelib.config import get_settings
from chalicelib.payments import intents, stripe_api
from chalicelib.web import rendering
from chalicelib.web.views import logged_in
from chalicelib.web.visit import Visit

# Stripe's own Stripe.js: it talks to api.stripe.com and frames its card fields and 3-D Secure
# from js.stripe.com and hooks.stripe.com (Stripe's "Content Security Policy" guide).
STRIPE_JS_ORIGIN = "https://js.stripe.com"
_STRIPE_CONNECTS = ("https://api.stripe.com",)
_STRIPE_FRAMES = ("https://js.stripe.com", "https://hooks.stripe.com")

# What the page's script reads as the booking's state.
PAID = "confirmed"
LAPSED = "lapsed"
WAITING = "awaiting_payment"


def payment_policy(stripe_js_url: str) -> str:
    """The payment page's CSP: the site's own policy plus the Stripe.js origin. Any other
    Stripe.js (localstripe's fake one under ``make run`` and the tests) calls its own origin
    and frames nothing."""
    origin = _origin(stripe_js_url)
    if origin == STRIPE_JS_ORIGIN:
        connects, frames = _STRIPE_CONNECTS, _STRIPE_FRAMES
    else:
        connects, frames = (origin,), ()
    frame_sources = " ".join(frames) if frames else "'none'"
    return (
        f"{rendering.CONTENT_SECURITY_POLICY}; script-src 'self' {origin}; "
        f"connect-src 'self' {' '.join(connects)}; frame-src {frame_sources}"
    )


@logged_in
def pay_page(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    booking = _own_booking(principal, booking_id)
    state = standing(booking)
    context: dict[str, Any] = {
        "section": "bookings",
        "booking": bookings.booking_view(booking),
        "standing": state,
        "payment": None,
        "unreachable": False,
        "hold_minutes_left": _time_left(booking),
    }
    if state == WAITING:
        try:
            context["payment"] = _payment_of(booking)
        except (stripe_api.StripeError, errors.ServiceUnavailable):
            # The seat stays held; the page offers to try again (reloading it).
            context["unreachable"] = True
    settings = get_settings()
    return visit.page(
        "pay.html",
        notice_subject=booking.event.name,
        stripe_js_url=settings.stripe_js_url,
        pay_script_version=rendering.payment_script_version(),
        headers={"Content-Security-Policy": payment_policy(settings.stripe_js_url)},
        **context,
    )


@logged_in
def payment_state(visit: Visit, principal: auth.Principal, booking_id: str) -> Response:
    """``{"state": "awaiting_payment" | "confirmed" | "lapsed"}``, polled by the page."""
    return visit.json({"state": standing(_own_booking(principal, booking_id))})


def standing(booking: models.Booking) -> str:
    """Where a booking stands for its payment page: paid (confirmed), still held, or over
    (a lapsed or cancelled hold: the seat is back on the listing)."""
    if booking.status == models.CONFIRMED:
        return PAID
    held = booking.status == models.PENDING_PAYMENT and booking.hold_expires_at
    if held and clock.now() < clock.parse_iso(booking.hold_expires_at):
        return WAITING
    return LAPSED


def _payment_of(booking: models.Booking) -> dict[str, Any]:
    """What Stripe.js needs to confirm the hold's PaymentIntent (made now if Stripe could not
    be reached when the seat was taken: the API's ``POST /bookings/{id}/payment``)."""
    payment = intents.payment_for(booking.user_id, booking.booking_id)["payment"]
    if not payment["client_secret"]:
        raise stripe_api.StripeUnavailable("the hold has no PaymentIntent yet")
    return payment


def _time_left(booking: models.Booking) -> str:
    """``m:ss`` until the hold lapses, as the countdown starts (the script keeps it going)."""
    if not booking.hold_expires_at:
        return "0:00"
    left = int((clock.parse_iso(booking.hold_expires_at) - clock.now()).total_seconds())
    minutes, seconds = divmod(max(left, 0), 60)
    return f"{minutes}:{seconds:02d}"


def _own_booking(principal: auth.Principal, booking_id: str) -> models.Booking:
    return owned_booking(principal.user_id, schemas.load_id(booking_id, "booking_id"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
