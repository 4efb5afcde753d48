"""A CRM URL may carry a credential (`?api_key=…`, `user:password@`): it never reaches a
delivery's stored error, a log line or an admin's answer."""

import pytest

from chalicelib import clock, models
from chalicelib.redaction import without_credentials
from chalicelib.webhooks import deliveries
from tests.support.stream_records import invoke_stream_handler

SECRETS = ("s3cret-key", "crm-user", "crm-pass", "frag")


@pytest.fixture
def secret_crm_url(crm, configure):
    """The CRM's URL with credentials in it; the CRM itself is down."""
    crm.stop()
    url = f"http://crm-user:crm-pass@127.0.0.1:{crm.port}/webhooks?api_key=s3cret-key&v=2#frag"
    configure(CRM_WEBHOOK_URL=url)
    return url


def test_a_failed_post_keeps_and_logs_its_error_without_the_urls_credentials(
    client, secret_crm_url, stream_event, webhook_admin, log_output
):
    invoke_stream_handler(client, stream_event("booking_confirmed"))

    [row] = list(models.WebhookDelivery.scan())
    assert "ConnectionError" in row.last_error
    assert "/webhooks?[redacted]" in row.last_error
    listed = client.http.get("/admin/webhooks?state=pending", headers=webhook_admin).body.decode()
    for secret in SECRETS:
        assert secret not in row.last_error
        assert all(secret not in (attempt.error or "") for attempt in row.history)
        assert secret not in listed
        assert secret not in log_output.getvalue()
    assert "webhook attempt" in log_output.getvalue()


def test_an_error_stored_before_is_shown_to_admins_redacted(client, webhook_admin):
    now = "2026-11-01T00:00:00.000Z"
    leaked = "ConnectionError: http://crm-user:crm-pass@crm.example/hook?api_key=s3cret-key"
    row = models.WebhookDelivery(
        "01JD8X9K2B4C6D8E0F1G3H5J7K.booking.confirmed",
        payload="{}",
        attempts=1,
        last_error=leaked,
        history=[models.DeliveryAttempt(at=now, status=None, error=leaked)],
        retry_until=now,
        created_at=now,
        updated_at=now,
    )
    deliveries.enter(row, models.FAILED, clock.now())
    row.save()

    listed = client.http.get("/admin/webhooks?state=failed", headers=webhook_admin).json_body
    [delivery] = listed["deliveries"]
    assert delivery["last_error"] == "ConnectionError: http://crm.example/hook?[redacted]"
    assert delivery["history"][0]["error"] == delivery["last_error"]


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("https://u:p@crm.example:8443/a/b?k=v#f", "https://crm.example:8443/a/b?[redacted]"),
        ("see https://crm.example/x?token=abc.", "see https://crm.example/x?[redacted]."),
        ("'http://u@h/p'", "'http://h/p'"),
        ("Max retries exceeded with url: /hook?api_key=s (Caused", "url: /hook?[redacted] (Caused"),
        ("HTTP 500: is it down?", "HTTP 500: is it down?"),
        ("https://crm.example/plain", "https://crm.example/plain"),
        ("HTTP 502: <a href='/x?k=v'>", "HTTP 502: <a href='/x?[redacted]'>"),
    ],
)
def test_urls_lose_their_userinfo_query_and_fragment(text, redacted):
    assert without_credentials(text).endswith(redacted)
