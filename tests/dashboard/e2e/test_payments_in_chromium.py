"""A paid seat in Chromium, with localstripe's fake Stripe.js: book a paid event, pay with the
test card 4242 4242 4242 4242, see it confirmed (by Stripe's signed webhook, not the page's
word); let a hold lapse and see the seat back on the listing. axe finds nothing serious on
the payment page (Stripe's card element aside: on AWS it is Stripe's own frame), and the
page's CSP refuses nothing Stripe.js does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib import clock, models
from chalicelib.config import get_settings
from chalicelib.payments import settle
from local.stripe_local import pay_with_card
from tests.support.browser import log_in_as
from tests.support.factories import make_event, make_user

pytestmark = pytest.mark.browser

PRICE = models.Price(amount=2500, currency="eur")


def paid_event(name: str) -> models.Event:
    event = make_event(name=name, capacity=1)
    event.price = PRICE
    event.save()
    return event


def serious_problems(page, name: str) -> list[str]:
    """axe-core's serious and critical violations, outside the card element: Stripe.js
    fills that (localstripe's fake with bare inputs; Stripe's own with a labelled frame)."""
    found = page.evaluate(
        """async () => (await axe.run({exclude: [["#card-element"]]},
                                      {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id} (${v.impact}): ` + v.nodes.map(n => n.target.join(" ")))"""
    )
    return [f"{name}: {problem}" for problem in found]


def test_a_paid_seat_is_paid_by_card_and_confirmed_and_a_lapsed_hold_frees_the_seat(
    live_server, localstripe, new_context, dialogs, artifacts
):
    localstripe.send_webhooks_to(
        f"{live_server}/payments/stripe/webhook", get_settings().stripe_webhook_secret
    )
    retreat = paid_event("Sound Bath")
    user = make_user(name="Ann")
    context = new_context(axe=True)
    log_in_as(context, live_server, user)
    page = context.new_page()
    dialogs(page)

    page.goto(f"{live_server}/dashboard")
    card = page.locator("article", has=page.get_by_role("heading", name="Sound Bath"))
    expect(card.locator(".price")).to_have_text("25.00 EUR")
    card.get_by_role("button", name="Book Sound Bath").click()
    expect(page).to_have_url(re.compile(rf"{live_server}/dashboard/bookings/\w+/pay$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay for Sound Bath")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    problems = serious_problems(page, "payment page")

    # The card element is Stripe.js's (the fake one loaded from localstripe's origin, which
    # the CSP lets in). The fake cannot turn a typed card into a PaymentMethod; what Stripe.js
    # does with it (make it, attach it, confirm) is done here with the number typed into it.
    element = page.locator("#card-element")
    element.get_by_placeholder("number").fill("4242424242424242")
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("40")
    element.get_by_placeholder("cvc").fill("123")
    typed = element.get_by_placeholder("number").input_value()
    booking = next(models.Booking.by_event.query(retreat.event_id))
    assert booking.status == models.PENDING_PAYMENT
    paid = pay_with_card(localstripe.url, booking.payment.payment_intent_id, card=typed)
    assert paid["status"] == "succeeded"

    # localstripe posts payment_intent.succeeded a second later; the page polls until then.
    expect(page.locator("#payment-status")).to_have_text(
        "Payment received: your booking is confirmed.", timeout=20_000
    )
    assert models.Booking.get(user.user_id, retreat.event_id).status == models.CONFIRMED
    page.screenshot(path=artifacts / "dashboard-paid.png", full_page=True)

    # A hold that lapses: the server's clock cannot be moved, so the hold's deadline is.
    workshop = paid_event("Breath Workshop")
    page.goto(f"{live_server}/dashboard")
    page.get_by_role("button", name="Book Breath Workshop").click()
    expect(page.locator("#countdown")).to_be_visible()
    held = next(models.Booking.by_event.query(workshop.event_id))
    held.update(
        actions=[
            models.Booking.hold_expires_at.set(clock.to_iso(clock.now() - timedelta(seconds=1)))
        ]
    )
    expect(page.locator("#payment-status")).to_contain_text("The hold has lapsed", timeout=10_000)
    settle.settle_payments()  # what the settle_payments Lambda does every minute
    page.goto(f"{live_server}/dashboard")
    workshop_card = page.locator("article", has=page.get_by_role("heading", name="Breath Workshop"))
    expect(workshop_card.get_by_text("1 seat left")).to_be_visible()
    expect(workshop_card.get_by_role("button", name="Book Breath Workshop")).to_be_visible()
    assert problems == []
