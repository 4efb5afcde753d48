"""Paid seats on the dashboard: the price on a card, the payment page (Stripe.js, the hold's
countdown, a CSP that lets in exactly Stripe.js's origin), the state its script polls, and
My bookings' Pay now and refund status. Holds are written as the booking service leaves them,
with a real PaymentIntent on localstripe."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from chalicelib import clock, models
from chalicelib.booking_table import BookingPayment
from chalicelib.config import get_settings
from chalicelib.payments import stripe_api
from chalicelib.web import payment_pages, rendering
from tests.support.browser import Browser, csrf_token, text
from tests.support.factories import make_booking, make_event, make_user

PRICE = models.Price(amount=2500, currency="eur")


@pytest.fixture
def paid_event():
    event = make_event()
    event.price = PRICE
    event.save()
    return event


def hold(user, event, *, minutes: int = 15, intent: dict | None = None) -> models.Booking:
    booking = make_booking(user, event, models.PENDING_PAYMENT)
    booking.hold_expires_at = clock.to_iso(clock.now() + timedelta(minutes=minutes))
    booking.payment = BookingPayment(
        payment_intent_id=intent["id"] if intent else None,
        amount=2500,
        currency="eur",
        status=models.PAYMENT_AWAITING,
    )
    booking.save()
    return booking


@pytest.fixture
def intent(localstripe):
    return stripe_api.create_payment_intent(
        amount=2500, currency="eur", idempotency_key="hold-page", metadata={}
    )


def test_a_paid_events_card_and_page_show_its_price_and_a_free_ones_none(browser, paid_event):
    make_event(name="Free Yoga")
    browser.as_user(make_user())
    dashboard = text(browser.get("/dashboard"))
    assert dashboard.count('<p class="price">') == 1
    assert '<p class="price">25.00 EUR</p>' in dashboard
    event_page = text(browser.get(f"/dashboard/events/{paid_event.event_id}"))
    assert '<p class="price">25.00 EUR</p>' in event_page


def test_a_held_seat_offers_pay_now_on_its_card_until_the_hold_lapses(
    browser, paid_event, shifted_clock
):
    user = make_user()
    booking = hold(user, paid_event)
    browser.as_user(user)
    pay_link = f'href="/dashboard/bookings/{booking.booking_id}/pay"'
    page = text(browser.get(f"/dashboard/events/{paid_event.event_id}"))
    assert "Seat held for you" in page and pay_link in page
    shifted_clock.advance(timedelta(minutes=16))
    page = text(browser.get(f"/dashboard/events/{paid_event.event_id}"))
    assert pay_link not in page and "1 seat left" not in page and "seats left" in page


def test_the_payment_page_loads_stripe_js_with_the_holds_client_secret_and_countdown(
    browser, paid_event, intent, shifted_clock
):
    shifted_clock.freeze(clock.now().replace(microsecond=0))
    user = make_user()
    booking = hold(user, paid_event, intent=intent)
    browser.as_user(user)
    page = browser.get(f"/dashboard/bookings/{booking.booking_id}/pay")
    assert page.status_code == 200
    html = text(page)
    assert f'<script src="{get_settings().stripe_js_url}"></script>' in html
    assert re.search(r'<script src="/static/pay\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert f'data-client-secret="{intent["client_secret"]}"' in html
    assert f'data-publishable-key="{get_settings().stripe_publishable_key}"' in html
    assert f'data-hold-expires-at="{booking.hold_expires_at}"' in html
    assert '<span id="countdown" class="countdown" aria-label="time left to pay">15:00</span>' in (
        html
    )
    assert "Pay 25.00 EUR" in html
    script = browser.get(re.search(r'src="(/static/pay\.js[^"]+)"', html).group(1))
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert b"confirmCardPayment" in script.body


def test_the_payment_pages_csp_allows_exactly_the_stripe_js_origin(browser, paid_event, intent):
    user = make_user()
    booking = hold(user, paid_event, intent=intent)
    browser.as_user(user)
    policy = browser.get(f"/dashboard/bookings/{booking.booking_id}/pay").headers[
        "Content-Security-Policy"
    ]
    origin = get_settings().stripe_api_base  # localstripe serves its Stripe.js and its API
    assert policy == (
        f"{rendering.CONTENT_SECURITY_POLICY}; script-src 'self' {origin}; "
        f"connect-src 'self' {origin}; frame-src 'none'"
    )
    assert origin not in browser.get("/dashboard").headers["Content-Security-Policy"]


def test_with_stripes_own_stripe_js_the_csp_names_stripes_hosts_and_no_others():
    assert payment_pages.payment_policy("https://js.stripe.com/v3/") == (
        f"{rendering.CONTENT_SECURITY_POLICY}; script-src 'self' https://js.stripe.com; "
        "connect-src 'self' https://api.stripe.com; "
        "frame-src https://js.stripe.com https://hooks.stripe.com"
    )


def test_the_polled_state_follows_the_booking_and_is_the_owners_only(
    browser, paid_event, shifted_clock
):
    user = make_user()
    booking = hold(user, paid_event)
    state_path = f"/dashboard/bookings/{booking.booking_id}/payment-state"
    stranger = Browser(browser.client).as_user(make_user(name="Bob"))
    assert stranger.get(state_path).status_code == 404
    browser.as_user(user)
    assert json.loads(browser.get(state_path).body) == {"state": "awaiting_payment"}
    shifted_clock.advance(timedelta(minutes=16))
    assert json.loads(browser.get(state_path).body) == {"state": "lapsed"}
    booking.update(actions=[models.Booking.status.set(models.CONFIRMED)])
    assert json.loads(browser.get(state_path).body) == {"state": "confirmed"}
    page = text(browser.get(f"/dashboard/bookings/{booking.booking_id}/pay"))
    assert "your booking is confirmed" in page and '<script src="http' not in page


def test_a_hold_without_a_payment_intent_offers_to_try_again_then_gets_one(
    browser, paid_event, localstripe, configure
):
    user = make_user()
    booking = hold(user, paid_event)
    browser.as_user(user)
    path = f"/dashboard/bookings/{booking.booking_id}/pay"
    configure(STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_TIMEOUT_SECONDS=1)
    page = text(browser.get(path))
    assert "cannot be reached right now" in page
    assert f'href="{path}">try again</a>' in page
    configure(STRIPE_API_BASE=localstripe.url)
    page = text(browser.get(path))
    intent_id = models.Booking.get(user.user_id, paid_event.event_id).payment.payment_intent_id
    secret = stripe_api.retrieve_payment_intent(intent_id)["client_secret"]
    assert f'data-client-secret="{secret}"' in page


def test_my_bookings_offers_pay_now_and_shows_refunds_of_cancelled_paid_bookings(browser):
    user = make_user()
    held_event = make_event(name="Held Retreat")
    held = hold(user, held_event)
    browser.as_user(user)
    for name, status, refunded in [
        ("Pending Refund", models.PAYMENT_REFUND_PENDING, 0),
        ("Half Refund", models.PAYMENT_REFUNDED, 1250),
    ]:
        booking = make_booking(user, make_event(name=name), models.CANCELLED)
        booking.payment = BookingPayment(
            payment_intent_id="pi_x", amount=2500, currency="eur", status=status
        )
        booking.payment.refunded_amount = refunded
        if status == models.PAYMENT_REFUND_PENDING:
            booking.payment.refund_due = 2000  # what the event's refund percent gives back
        booking.save()
    page = text(browser.get("/dashboard/bookings"))
    assert f'href="/dashboard/bookings/{held.booking_id}/pay">Pay now' in page
    assert "Seat held for you until" in page
    assert "Refund of 20.00 EUR on its way." in page
    assert "Refunded 12.50 EUR of 25.00 EUR (the event's refund policy)." in page


def test_booking_a_paid_event_holds_the_seat_and_opens_its_payment_page(
    browser, paid_event, localstripe
):
    browser.as_user(make_user())
    dashboard = browser.get("/dashboard")
    booked = browser.post(
        "/dashboard/book", {"csrf_token": csrf_token(dashboard), "event_id": paid_event.event_id}
    )
    booking = next(models.Booking.by_event.query(paid_event.event_id))
    assert booking.status == models.PENDING_PAYMENT
    assert booked.headers["Location"] == f"/dashboard/bookings/{booking.booking_id}/pay"
    page = text(browser.follow(booked))
    assert "Your seat at Morning Yoga is held for you" in page
    assert 'data-client-secret="pi_' in page
