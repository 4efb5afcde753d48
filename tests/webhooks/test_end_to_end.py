"""Bookings written to DynamoDB Local reach a CRM through the stream, the relay and the retrier,
exactly once each, whatever is down or restarted along the way."""

import shutil
import time
from datetime import timedelta

from local.record_stream_events import ANN, YOGA, cancel, confirm
from tests.support.relays import people, wait_for


def test_booking_reaches_the_crm_once_with_the_exact_payload_within_seconds(relays, crm):
    relays.start()
    booked_at = time.monotonic()
    booking = confirm(ANN, YOGA)

    assert wait_for(lambda: crm.deliveries, timeout=5)
    assert time.monotonic() - booked_at < 5
    time.sleep(0.5)
    [delivery] = crm.deliveries
    assert delivery["signature"] == "ok"
    assert delivery["payload"] == {
        "type": "booking.confirmed",
        "occurred_at": booking.updated_at,
        "booking_id": booking.booking_id,
        "event": {"id": YOGA.event_id, "name": "Yoga Retreat", "date": "2026-12-01T02:30:00Z"},
        "user": {"id": ANN.user_id, "name": "Ann Lee", "email": "ann@example.com"},
        "facilitator_crm_id": "crm_001",
    }


def test_cancellation_reaches_the_crm_as_booking_cancelled(relays, crm):
    relays.start()
    booking = confirm(ANN, YOGA)
    cancel(booking)

    assert wait_for(lambda: len(crm.deliveries) == 2)
    assert [d["payload"]["type"] for d in crm.deliveries] == [
        "booking.confirmed",
        "booking.cancelled",
    ]
    assert {d["payload"]["booking_id"] for d in crm.deliveries} == {booking.booking_id}


def test_crm_down_during_20_bookings_then_each_delivered_once_by_the_retrier(
    relays, crm, client, webhook_admin, shifted_clock
):
    crm.stop()
    relays.start()
    bookings = [confirm(person, YOGA) for person in people(20)]

    def pending():
        listed = client.http.get("/admin/webhooks?state=pending&limit=100", headers=webhook_admin)
        return listed.json_body["deliveries"]

    assert wait_for(lambda: len(pending()) == 20, timeout=10)
    crm.start()
    time.sleep(0.5)
    assert crm.deliveries == []  # nothing is due yet: the first retry waits 30 to 60 s

    shifted_clock.advance(timedelta(minutes=2))
    assert wait_for(lambda: len(crm.deliveries) >= 20, timeout=10)
    time.sleep(1)  # the retrier runs several more times: nothing more goes out
    ids = sorted(d["webhook_id"] for d in crm.deliveries)
    assert ids == sorted(f"{b.booking_id}.booking.confirmed" for b in bookings)
    assert all(d["signature"] == "ok" for d in crm.deliveries)
    assert pending() == []


def test_relay_restarted_mid_stream_loses_and_repeats_nothing(relays, crm):
    from app import on_booking_change

    def slow_handler(event, context):
        time.sleep(0.1)
        return on_booking_change(event, context)

    first_batch = [confirm(person, YOGA) for person in people(10, "A")]
    stop_first = relays.start(handler=slow_handler, batch_size=2)
    assert wait_for(lambda: crm.deliveries)
    stop_first()
    delivered_before_restart = len(crm.deliveries)
    assert delivered_before_restart < 10
    written_while_down = [confirm(person, YOGA) for person in people(5, "B")]

    relays.start()
    assert wait_for(lambda: len(crm.deliveries) >= 15)
    time.sleep(0.5)
    ids = sorted(d["webhook_id"] for d in crm.deliveries)
    expected = sorted(f"{b.booking_id}.booking.confirmed" for b in first_batch + written_while_down)
    assert ids == expected


def test_relay_that_crashed_before_saving_its_position_posts_nothing_twice(relays, crm, tmp_path):
    saved = tmp_path / "position-before.json"
    shutil.copy(relays.position_path, saved)
    stop = relays.start()
    bookings = [confirm(person, YOGA) for person in people(5)]
    assert wait_for(lambda: len(crm.deliveries) == 5)
    stop()

    shutil.copy(saved, relays.position_path)  # as if it died before writing any position
    relays.start()
    time.sleep(1)
    assert sorted(d["webhook_id"] for d in crm.deliveries) == sorted(
        f"{b.booking_id}.booking.confirmed" for b in bookings
    )


def test_relay_retries_a_failed_record_without_repeating_the_rest(relays, crm):
    from app import on_booking_change

    calls = []

    def first_call_drops_the_second_record(event, context):
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        if len(calls) > 1:
            return on_booking_change(event, context)
        dropped = event["Records"].pop(1)
        on_booking_change(event, context)
        return {"batchItemFailures": [{"itemIdentifier": dropped["dynamodb"]["SequenceNumber"]}]}

    bookings = [confirm(person, YOGA) for person in people(3)]
    relays.start(handler=first_call_drops_the_second_record)

    assert wait_for(lambda: len(crm.deliveries) == 3)
    time.sleep(0.3)
    assert sorted(d["webhook_id"] for d in crm.deliveries) == sorted(
        f"{b.booking_id}.booking.confirmed" for b in bookings
    )
    # The retry starts at the failed record (then come the records the handler's own writes
    # made: the first batch's bookings marked as owed a reminder).
    assert len(calls[0]) == 3 and calls[1][:2] == calls[0][1:]


def test_relay_skips_a_record_that_keeps_failing_and_goes_on(relays, crm, monkeypatch):
    from app import on_booking_change

    monkeypatch.setattr("local.relay.FAILED_BATCH_PAUSE_SECONDS", 0.05)
    poison, healthy = confirm(ANN, YOGA), confirm(people(1)[0], YOGA)

    def stops_at_the_poison(event, context):
        # Handles records in order and gives up at the poison: what follows waits behind it.
        keys = [r["dynamodb"]["Keys"]["user_id"]["S"] for r in event["Records"]]
        cut = keys.index(ANN.user_id) if ANN.user_id in keys else len(keys)
        on_booking_change({"Records": event["Records"][:cut]}, context)
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"][cut:]
            ]
        }

    relays.start(handler=stops_at_the_poison, max_record_retries=2)

    assert wait_for(lambda: len(crm.deliveries) == 1)
    time.sleep(0.5)
    assert [d["payload"]["booking_id"] for d in crm.deliveries] == [healthy.booking_id]
    assert poison.booking_id not in {d["payload"]["booking_id"] for d in crm.deliveries}
