"""The console's side of paid seats: the price and refund percent on the event form, each
attendee's payment state and the event's paid / refunded totals."""

from __future__ import annotations

import re

import pytest

from chalicelib import models
from chalicelib.booking_table import BookingPayment
from chalicelib.web import console
from chalicelib.web.console import events as console_events
from local.call_counter import count_dynamodb_calls
from tests.support.browser import Browser, text
from tests.support.factories import make_admin, make_booking, make_event, make_user

ROOT = console.ROOT


@pytest.fixture
def admin(client):
    return Browser(client).as_user(make_admin())


def paid(booking: models.Booking, status: str, refunded: int = 0) -> models.Booking:
    booking.payment = BookingPayment(
        payment_intent_id="pi_1", amount=2500, currency="eur", status=status
    )
    booking.payment.refunded_amount = refunded
    booking.save()
    return booking


def test_attendees_show_each_payment_and_the_events_paid_and_refunded_totals(admin):
    event = make_event(name="Paid Retreat")
    event.price = models.Price(amount=2500, currency="eur")
    event.save()
    people = {name: make_user(name=name) for name in ("Ann", "Bob", "Cy", "Di", "Ed")}
    paid(make_booking(people["Ann"], event), models.PAYMENT_PAID)
    paid(make_booking(people["Bob"], event, models.CANCELLED), models.PAYMENT_REFUNDED, 1250)
    owed = paid(make_booking(people["Cy"], event, models.CANCELLED), "refund_pending")
    owed.payment.refund_due = 1250  # the event's 50 % to an attendee who cancelled in time
    owed.save()
    paid(make_booking(people["Di"], event, models.PENDING_PAYMENT), models.PAYMENT_AWAITING)
    with count_dynamodb_calls() as calls:
        page = text(admin.get(f"{ROOT}/events/{event.event_id}/attendees"))
    rows = dict(
        re.findall(r'<th scope="row">(\w+)</th>.*?<td class="payment">(.*?)</td>', page, re.S)
    )
    assert rows == {
        "Ann": "paid 25.00 EUR",
        "Bob": "paid 25.00 EUR, refunded 12.50 EUR",
        "Cy": "paid 25.00 EUR, refund of 12.50 EUR pending",
        "Di": "awaiting payment",
    }
    assert "Held, awaiting payment (1)" in page
    totals = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    # Bob's and Cy's charges count as paid; 12.50 came back, 12.50 is still owed back.
    assert totals == {
        "Paid": "75.00 EUR",
        "Refunded": "12.50 EUR",
        "Refunds pending": "12.50 EUR",
    }
    # The totals read every booking of the event in one more Query, beside the page's own.
    assert calls["Query"] == 2 and calls.total() == 4


def test_a_free_events_attendees_have_no_payment_column_or_totals(admin):
    event = make_event()
    make_booking(make_user(), event)
    page = text(admin.get(f"{ROOT}/events/{event.event_id}/attendees"))
    assert "Payment</th>" not in page and "<dt>Paid</dt>" not in page


def test_the_event_form_shows_a_paid_events_price_in_major_units_and_its_refund_percent(admin):
    event = make_event()
    event.price = models.Price(amount=2500, currency="eur")
    event.refund_percent = 50
    event.save()
    page = text(admin.get(f"{ROOT}/events/{event.event_id}/edit"))
    assert 'id="price_amount" name="price_amount" type="text" value="25.00"' in page
    assert 'id="price_currency" name="price_currency" type="text" value="EUR"' in page
    assert 'id="refund_percent" name="refund_percent" type="number" value="50"' in page


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("25.00", "eur", 2500), ("25", "eur", 2500), ("2000", "jpy", 2000), ("1.5", "jpy", "1.5")],
)
def test_a_typed_price_becomes_the_apis_minor_unit_amount(typed, currency, minor):
    assert console_events.minor_units(typed, currency) == minor


@pytest.mark.parametrize("path", [f"{ROOT}/events/new", f"{ROOT}/series/new"])
def test_the_new_event_and_series_forms_ask_for_a_price_and_refund_percent(admin, path):
    page = text(admin.get(path))
    assert 'id="price_amount" name="price_amount" type="text" value=""' in page
    assert 'id="price_currency" name="price_currency" type="text" value=""' in page
    assert 'id="refund_percent" name="refund_percent" type="number" value="100"' in page


def test_the_apis_attendee_list_carries_each_payment_and_a_holds_deadline(client):
    from chalicelib.openapi.answers.definitions import AttendeePage
    from tests.support.factories import headers_for

    event = make_event()
    held = paid(make_booking(make_user(name="Di"), event, models.PENDING_PAYMENT), "awaiting")
    held.hold_expires_at = "2030-01-01T00:00:00Z"
    held.save()
    response = client.http.get(
        f"/admin/events/{event.event_id}/attendees", headers=headers_for(make_admin())
    )
    (attendee,) = response.json_body["attendees"]
    assert attendee["hold_expires_at"] == "2030-01-01T00:00:00Z"
    assert attendee["payment"] == {
        "amount": 2500,
        "currency": "eur",
        "status": "awaiting",
        "refunded_amount": 0,
    }
    assert AttendeePage().validate(response.json_body) == {}
