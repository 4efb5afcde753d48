"""Refunds: every cancellation of a paid booking ends refunded, by the event's policy, once,
also when Stripe is down for a while or refuses; against localstripe and DynamoDB Local."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib import event_changes, models
from chalicelib.bookings import items
from chalicelib.payments import refunds
from local.dynamodb_local import free_port
from tests.payments.paid import (
    PRICE,
    capture_metrics,
    current,
    emitted_totals,
    paid_bookings,
    paid_event,
    refunds_at_stripe,
)
from tests.support.api import body
from tests.support.factories import book, headers_for, make_admin, make_users


def cancel(client, user, booking):
    return client.http.delete(f"/bookings/{booking.booking_id}", headers=headers_for(user))


def owed_ids():
    return [b.booking_id for b in models.Booking.refunds_due.query(models.REFUND_DUE)]


def test_an_attendee_cancelling_in_time_gets_the_event_s_refund_percent_back_at_once(
    client, localstripe
):
    event = paid_event(refund_percent=50, cancellable_until_hours=24)
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])

    answer = cancel(client, ann, booking)

    assert answer.status_code == 200, answer.body
    assert body(answer)["payment"] == {
        "amount": PRICE,
        "currency": "eur",
        "status": "refunded",
        "refunded_amount": PRICE // 2,
    }
    (refund,) = refunds_at_stripe(localstripe, booking.payment.payment_intent_id)
    assert refund["amount"] == PRICE // 2
    after = current(booking)
    assert (after.status, after.cancel_reason) == (models.CANCELLED, models.REASON_USER)
    assert (after.payment.status, after.payment.refund_id) == ("refunded", refund["id"])
    assert after.refund_queue is None and owed_ids() == []


def test_after_the_cancellation_window_the_attendee_is_refused_and_keeps_the_paid_seat(
    client, localstripe
):
    # The window closed 4 hours ago.
    event = paid_event(starts_in=timedelta(hours=20), cancellable_until_hours=24)
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])

    answer = cancel(client, ann, booking)

    assert answer.status_code == 409
    assert body(answer)["error"]["code"] == "cancellation_closed"
    after = current(booking)
    assert (after.status, after.payment.status) == (models.CONFIRMED, models.PAYMENT_PAID)
    assert refunds_at_stripe(localstripe, booking.payment.payment_intent_id) == []


def test_an_admin_cancelling_refunds_the_whole_price_whatever_the_event_s_percent(
    client, localstripe
):
    event = paid_event(refund_percent=0)
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])

    assert cancel(client, make_admin(), booking).status_code == 200

    (refund,) = refunds_at_stripe(localstripe, booking.payment.payment_intent_id)
    assert refund["amount"] == PRICE
    after = current(booking)
    assert (after.cancel_reason, after.payment.refund_reason) == ("admin", "admin")
    assert after.payment.refunded_amount == PRICE


def test_a_refund_percent_of_zero_gives_nothing_back_and_owes_nothing(client, localstripe):
    event = paid_event(refund_percent=0)
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])

    assert cancel(client, ann, booking).status_code == 200

    assert current(booking).payment.status == models.PAYMENT_PAID
    assert (
        owed_ids() == [] and refunds_at_stripe(localstripe, booking.payment.payment_intent_id) == []
    )


def test_the_organizer_cancelling_the_event_owes_every_paid_seat_in_full_and_the_job_pays(
    localstripe,
):
    event = paid_event(refund_percent=25)
    users = make_users(3)
    paid = paid_bookings(localstripe, event, users)

    event_changes.cancel_event(event.event_id)

    assert sorted(owed_ids()) == sorted(b.booking_id for b in paid)
    for booking in paid:
        after = current(booking)
        assert (after.status, after.payment.status) == ("cancelled", "refund_pending")
        assert (after.payment.refund_due, after.payment.refund_reason) == (PRICE, "event_cancelled")

    counts = refunds.refund_step()

    assert (counts["refunded"], counts["stuck"]) == (3, 0)
    for booking in paid:
        (refund,) = refunds_at_stripe(localstripe, booking.payment.payment_intent_id)
        assert refund["amount"] == PRICE
        assert current(booking).payment.status == models.PAYMENT_REFUNDED
    assert owed_ids() == []


def test_stripe_down_for_ten_minutes_loses_no_refund_and_makes_it_once(
    client, localstripe, configure, shifted_clock, monkeypatch
):
    event = paid_event()
    ann, bo = make_users(2)
    paid = paid_bookings(localstripe, event, [ann, bo])
    lines = capture_metrics(monkeypatch)
    # Nothing listens there: every call fails at once, as with Stripe unreachable.
    configure(STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}")

    for user, booking in zip([ann, bo], paid, strict=True):
        assert cancel(client, user, booking).status_code == 200
        assert current(booking).payment.status == models.PAYMENT_REFUND_PENDING
    for _ in range(10):  # a settle_payments run a minute, for ten minutes
        counts = refunds.refund_step()
        # The first call that fails stops the run: the other waits for the next one.
        assert (counts["unavailable"], counts["left_for_next_run"]) == (1, 1)
        shifted_clock.advance(timedelta(minutes=1))
    assert sorted(owed_ids()) == sorted(b.booking_id for b in paid)

    configure(STRIPE_API_BASE=localstripe.url)
    assert refunds.refund_step()["refunded"] == 2
    assert refunds.refund_step()["refunded"] == 0

    for booking in paid:
        assert len(refunds_at_stripe(localstripe, booking.payment.payment_intent_id)) == 1
        assert current(booking).payment.status == models.PAYMENT_REFUNDED
    assert emitted_totals(lines)[refunds.metrics.REFUNDS_STUCK] == 0


def test_a_refund_owed_for_over_an_hour_is_counted_stuck_every_run(
    client, localstripe, configure, shifted_clock, monkeypatch
):
    event = paid_event()
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])
    lines = capture_metrics(monkeypatch)
    configure(STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}")
    assert cancel(client, ann, booking).status_code == 200

    shifted_clock.advance(timedelta(minutes=59))
    assert refunds.refund_step()["stuck"] == 0
    shifted_clock.advance(timedelta(minutes=2))
    assert refunds.refund_step()["stuck"] == 1

    assert emitted_totals(lines)["RefundsStuck"] == 1
    configure(STRIPE_API_BASE=localstripe.url, REFUND_STUCK_ALARM_MINUTES=120)
    assert refunds.refund_step()["stuck"] == 0  # the setting moves the line


def test_a_refund_stripe_refuses_is_alarmed_at_once_and_kept_owed(client, localstripe, monkeypatch):
    event = paid_event()
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])
    # A PaymentIntent Stripe does not know: it refuses the refund (404).
    booking.update(actions=[models.Booking.payment.payment_intent_id.set("pi_unknown")])
    lines = capture_metrics(monkeypatch)

    assert cancel(client, ann, booking).status_code == 200
    assert refunds.refund_step()["refused"] == 1

    assert emitted_totals(lines)["RefundsRefused"] == 2  # the cancel's try and the run's
    after = current(booking)
    assert after.payment.status == models.PAYMENT_REFUND_PENDING
    assert after.payment.refund_claimed_until is None  # the next run tries again
    assert owed_ids() == [booking.booking_id]


def test_a_cancellation_racing_its_own_refund_job_refunds_exactly_once(
    concurrent_client, localstripe
):
    event = paid_event()
    users = make_users(4)
    paid = paid_bookings(localstripe, event, users)
    start = threading.Barrier(len(paid) + 2)
    done = threading.Event()

    def cancel_one(pair):
        user, booking = pair
        start.wait()
        return cancel(concurrent_client, user, booking).status_code

    def job():
        start.wait()
        outcomes = []
        while not done.is_set() or owed_ids():
            outcomes.append(refunds.refund_step()["refunded"])
        return sum(outcomes)

    with ThreadPoolExecutor(max_workers=len(paid) + 2) as pool:
        jobs = [pool.submit(job) for _ in range(2)]
        answers = list(pool.map(cancel_one, zip(users, paid, strict=True)))
        done.set()
        [j.result(timeout=60) for j in jobs]

    assert answers == [200] * len(paid)
    for booking in paid:
        assert len(refunds_at_stripe(localstripe, booking.payment.payment_intent_id)) == 1
        after = current(booking)
        assert (after.payment.status, after.payment.refunded_amount) == ("refunded", PRICE)


def test_nobody_books_over_a_cancelled_booking_whose_refund_is_still_owed(
    client, localstripe, configure
):
    event = paid_event()
    event.update(actions=[models.Event.price.remove()])  # booked again as a free seat here
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])
    configure(STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}")
    assert cancel(client, ann, booking).status_code == 200

    refused = book(client, ann, event.event_id)
    assert refused.status_code == 409
    assert body(refused)["error"]["message"] == items.REFUND_STILL_OWED
    assert current(booking).payment.status == models.PAYMENT_REFUND_PENDING

    configure(STRIPE_API_BASE=localstripe.url)
    assert refunds.refund_step()["refunded"] == 1
    assert book(client, ann, event.event_id).status_code == 201


def test_start_refund_owes_a_payment_back_once(localstripe):
    event = paid_event()
    (ann,) = make_users(1)
    (booking,) = paid_bookings(localstripe, event, [ann])
    key = (booking.user_id, booking.event_id)

    assert refunds.start_refund(key, PRICE, models.REASON_HOLD_EXPIRED) is True
    assert refunds.start_refund(key, PRICE, models.REASON_HOLD_EXPIRED) is False

    assert owed_ids() == [booking.booking_id]
    assert refunds.settle_refund(current(booking)) == refunds.REFUNDED
    assert refunds.settle_refund(current(booking)) == refunds.NOT_TRIED
    assert len(refunds_at_stripe(localstripe, booking.payment.payment_intent_id)) == 1
