"""Fixtures of the webhook tests: recorded stream events, and an admin to list deliveries."""

from __future__ import annotations

import pytest

from tests.support.factories import headers_for, make_admin
from tests.support.stream_records import recorded_event


@pytest.fixture
def stream_event():
    """A recorded DynamoDB Local stream event by name, as Lambda sends it."""
    return recorded_event


@pytest.fixture
def webhook_admin():
    """Authorization headers of an admin, for the /admin/webhooks endpoints."""
    return headers_for(make_admin())
