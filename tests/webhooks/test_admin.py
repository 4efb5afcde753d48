"""Admins see deliveries by state, page through them, and replay one."""

from datetime import timedelta

import pytest

from chalicelib import models
from local.call_counter import count_dynamodb_calls
from tests.support.errors import error_of
from tests.support.factories import headers_for, make_user
from tests.support.stream_records import invoke_stream_handler, run_retrier

IN_FLIGHT = "01JD8X9K2B4C6D8E0F1G3H5J7K.booking.confirmed"
RECORDED = ("booking_confirmed", "booking_cancelled", "booking_rebooked", "bookings_batch")


@pytest.fixture
def user_headers():
    return headers_for(make_user())


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/webhooks"), ("post", f"/admin/webhooks/{IN_FLIGHT}/replay")],
)
def test_webhook_admin_needs_a_token_and_an_admin(client, user_headers, method, path):
    call = getattr(client.http, method)
    assert call(path).status_code == 401
    forbidden = call(path, headers=user_headers)
    assert forbidden.status_code == 403
    assert error_of(forbidden)["code"] == "forbidden"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=lost", "state"),
        ("limit=0", "limit"),
        ("limit=many", "limit"),
        ("colour=red", "colour"),
    ],
)
def test_bad_list_query_is_400_naming_the_field(client, webhook_admin, query, field):
    response = client.http.get(f"/admin/webhooks?{query}", headers=webhook_admin)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WzFd", "eyJhIjogMX0"])
def test_a_cursor_not_from_the_list_is_400(client, webhook_admin, cursor):
    response = client.http.get(
        f"/admin/webhooks?state=failed&cursor={cursor}", headers=webhook_admin
    )
    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


def test_listing_pages_through_every_delivery_once(client, webhook_admin, stream_event):
    for name in RECORDED:
        invoke_stream_handler(client, stream_event(name))

    seen, cursor, pages = [], None, 0
    while True:
        query = "state=skipped&limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = client.http.get(f"/admin/webhooks?{query}", headers=webhook_admin).json_body
        assert len(body["deliveries"]) <= 4
        seen += [delivery["id"] for delivery in body["deliveries"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    assert pages >= 2
    assert "01JBK0ANN0YOGA000000000001.booking.cancelled" in seen


def test_listing_a_state_with_nothing_in_it_is_empty(client, webhook_admin):
    response = client.http.get("/admin/webhooks?state=failed", headers=webhook_admin)
    assert response.status_code == 200
    assert response.json_body == {"deliveries": [], "next_cursor": None}


def test_replaying_an_unknown_delivery_is_404(client, webhook_admin):
    response = client.http.post(
        "/admin/webhooks/01JD8X9K2B4C6D8E0F1G3H5J7K.booking.cancelled/replay",
        headers=webhook_admin,
    )
    assert response.status_code == 404
    assert error_of(response)["code"] == "delivery_not_found"


@pytest.mark.parametrize(
    "delivery_id",
    [
        "A" * 3000,
        "nope.booking.confirmed",
        "01JD8X9K2B4C6D8E0F1G3H5J7K",
        "01JD8X9K2B4C6D8E0F1G3H5J7K.booking.deleted",
        "01JD8X9K2B4C6D8E0F1G3H5J7K.booking.confirmed.x",
        "01JD8X9K2B4C6D8E0F1G3H5J7%C3%84.booking.confirmed",
    ],
)
def test_a_malformed_delivery_id_is_400_before_any_dynamodb_call(
    client, webhook_admin, delivery_id
):
    with count_dynamodb_calls() as calls:
        response = client.http.post(f"/admin/webhooks/{delivery_id}/replay", headers=webhook_admin)

    assert "delivery_id" in error_of(response, 400)["fields"]
    assert dict(calls) == {}


def test_replay_queues_a_skipped_delivery_and_the_retrier_sends_it(
    client, webhook_admin, stream_event, shifted_clock, request
):
    invoke_stream_handler(
        client, stream_event("booking_confirmed")
    )  # no CRM configured yet: skipped
    crm = request.getfixturevalue("crm")
    delivery_id = "01JBK0ANN0YOGA000000000001.booking.confirmed"

    response = client.http.post(f"/admin/webhooks/{delivery_id}/replay", headers=webhook_admin)

    assert response.status_code == 202
    assert response.json_body["state"] == "pending"
    shifted_clock.advance(timedelta(seconds=1))
    run_retrier(client)
    assert [d["webhook_id"] for d in crm.deliveries] == [delivery_id]
    listed = client.http.get("/admin/webhooks?state=delivered", headers=webhook_admin).json_body
    assert [d["id"] for d in listed["deliveries"]] == [delivery_id]


def test_replaying_a_delivery_being_sent_is_409(client, webhook_admin):
    now = "2026-11-01T00:00:00.000Z"
    models.WebhookDelivery(
        IN_FLIGHT,
        state="sending",
        next_attempt_at=now,
        payload="{}",
        retry_until=now,
        claim="someone",
        created_at=now,
        updated_at=now,
    ).save()
    response = client.http.post(f"/admin/webhooks/{IN_FLIGHT}/replay", headers=webhook_admin)
    assert response.status_code == 409
    assert error_of(response)["code"] == "delivery_in_flight"
