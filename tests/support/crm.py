"""A stand-in CRM for the tests that follow a booking to its webhook."""

from __future__ import annotations

import pytest

CRM_TEST_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def serving_as_the_crm(monkeypatch, sink):
    """Point the app's webhooks at ``sink`` (started here, signing with CRM_TEST_SECRET)
    for one test; the sink is yielded, then stopped and the settings put back."""
    from chalicelib.config import get_settings

    sink.start()
    monkeypatch.setenv("CRM_WEBHOOK_URL", sink.url)
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", CRM_TEST_SECRET)
    get_settings.cache_clear()
    yield sink
    sink.stop()
    # monkeypatch restores the environment after this teardown; settings must follow it.
    monkeypatch.delenv("CRM_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("CRM_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def crm(monkeypatch):
    """A stand-in CRM on a free port; the app sends it webhooks signed with CRM_TEST_SECRET."""
    from local.crm_sink import CrmSink

    yield from serving_as_the_crm(monkeypatch, CrmSink(secret=CRM_TEST_SECRET, echo=False))
