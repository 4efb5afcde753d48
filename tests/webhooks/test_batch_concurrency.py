"""A stream batch's records of different bookings are handled side by side (their waits on
DynamoDB and the CRM overlap), up to STREAM_SEND_CONCURRENCY at once; one booking's records
stay in stream order, and a record that fails holds back only its own booking's later ones."""

import threading
import time

import pytest

from tests.support.stream_records import invoke_stream_handler, recorded_event

# Long enough that records handled side by side always overlap at the CRM, even on a busy machine.
SLOW_REPLY_SECONDS = 0.5


@pytest.fixture
def concurrency(configure):
    """Set STREAM_SEND_CONCURRENCY for the test."""
    return lambda workers: configure(STREAM_SEND_CONCURRENCY=workers)


@pytest.fixture
def slow_crm(crm, monkeypatch):
    """The CRM answers each webhook after a pause, and counts how many it held at once."""
    receive = crm.receive
    lock = threading.Lock()
    in_flight = 0
    crm.most_at_once = 0

    def slowly(headers, body):
        nonlocal in_flight
        with lock:
            in_flight += 1
            crm.most_at_once = max(crm.most_at_once, in_flight)
        time.sleep(SLOW_REPLY_SECONDS)
        with lock:
            in_flight -= 1
        return receive(headers, body)

    monkeypatch.setattr(crm, "receive", slowly)
    return crm


def batch_of(*records):
    """One stream event of these records, numbered in the order given."""
    for number, record in enumerate(records, start=1):
        record["dynamodb"]["SequenceNumber"] = f"{number:021d}"
    return {"Records": list(records)}


def one_booking_changes():
    """Confirmed, cancelled, booked again: three records of one booking item."""
    return [
        recorded_event(name)["Records"][0]
        for name in ("booking_confirmed", "booking_cancelled", "booking_rebooked")
    ]


def others():
    """Three confirmations of three other booking items."""
    return recorded_event("bookings_batch")["Records"]


@pytest.mark.parametrize(("workers", "at_once"), [(1, 1), (2, 2), (8, 3)])
def test_records_of_different_bookings_are_posted_side_by_side_up_to_the_setting(
    client, slow_crm, concurrency, workers, at_once
):
    concurrency(workers)
    assert invoke_stream_handler(client, batch_of(*others())) == {"batchItemFailures": []}

    assert len(slow_crm.deliveries) == 3
    assert slow_crm.most_at_once == at_once


def test_one_bookings_changes_reach_the_crm_in_stream_order(client, slow_crm, concurrency):
    concurrency(8)
    first, second, third = one_booking_changes()
    a, b, c = others()
    event = batch_of(first, a, second, b, third, c)

    assert invoke_stream_handler(client, event) == {"batchItemFailures": []}

    assert len(slow_crm.deliveries) == 6
    assert slow_crm.most_at_once == 4  # the one booking's line beside the three others
    of_that_item = [
        d["webhook_id"]
        for d in slow_crm.deliveries
        if d["payload"]["booking_id"].startswith("01JBK0ANN0YOGA")
    ]
    assert of_that_item == [
        "01JBK0ANN0YOGA000000000001.booking.confirmed",
        "01JBK0ANN0YOGA000000000001.booking.cancelled",
        "01JBK0ANN0YOGA000000000002.booking.confirmed",
    ]


def test_a_failed_record_holds_back_only_its_own_bookings_later_records(client, crm, concurrency):
    concurrency(8)
    first, second, third = one_booking_changes()
    a, b, c = others()
    broken = dict(first, dynamodb=dict(first["dynamodb"]))
    broken["dynamodb"]["NewImage"] = {
        key: value for key, value in first["dynamodb"]["NewImage"].items() if key != "user"
    }
    event = batch_of(a, broken, b, second, c, third)

    answer = invoke_stream_handler(client, event)

    # The broken record and its booking's two later records, in stream order; none posted.
    assert answer == {
        "batchItemFailures": [
            {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}
            for record in (broken, second, third)
        ]
    }
    assert sorted(d["payload"]["user"]["name"] for d in crm.deliveries) == [
        "Bo Chen",
        "Cy Diaz",
        "Di Ito",
    ]

    # Lambda sends the batch again from the first failure, the record now readable: that
    # booking's three webhooks go out in order, and the others are not posted twice.
    retried = batch_of(first, b, second, c, third)
    assert invoke_stream_handler(client, retried) == {"batchItemFailures": []}
    assert [d["webhook_id"] for d in crm.deliveries[3:]] == [
        "01JBK0ANN0YOGA000000000001.booking.confirmed",
        "01JBK0ANN0YOGA000000000001.booking.cancelled",
        "01JBK0ANN0YOGA000000000002.booking.confirmed",
    ]


@pytest.mark.parametrize("value", ["0", "26", "many"])
def test_stream_send_concurrency_outside_one_to_twenty_five_is_refused(value):
    from chalicelib.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="STREAM_SEND_CONCURRENCY"):
        load_settings({"STAGE": "test", "STREAM_SEND_CONCURRENCY": value})
