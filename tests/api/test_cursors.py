"""A cursor is opaque to clients but not secret: whatever is sent as one, a list answers its
own page or a 400 naming ``cursor``, never a DynamoDB error (a 500)."""

import base64
import json

import pytest

from chalicelib import models, pagination
from local.call_counter import count_dynamodb_calls
from tests.support.errors import error_of
from tests.support.factories import headers_for, make_admin

# Each list, with the attributes of its cursor and those the query pins.
LISTS = {
    "/events/": (
        pagination.key_names(models.Event, models.Event.upcoming),
        {"listing": "published"},
    ),
    "/admin/facilitators": (pagination.key_names(models.Facilitator), {}),
    "/admin/webhooks?state=pending": (
        pagination.key_names(models.WebhookDelivery, models.WebhookDelivery.due),
        {"state": "pending"},
    ),
}
GOOD_VALUE = "01JD8X9K2B4C6D8E0F1G3H5J7K"


def encode(values) -> str:
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def forged(names, pinned, **changes):
    values = {name: pinned.get(name, GOOD_VALUE) for name in names}
    return encode({**values, **changes})


def bad_cursors(names, pinned):
    free = [name for name in names if name not in pinned]
    yield "3000 characters", encode({name: "A" * 1500 for name in names})
    yield "far too long", "A" * 5000
    for name in free:
        yield f"{name} of 1100 bytes", forged(names, pinned, **{name: "A" * 1100})
        yield f"{name} of 600 two-byte characters", forged(names, pinned, **{name: "é" * 600})
        yield f"{name} a number", forged(names, pinned, **{name: 7})
        yield f"{name} an object", forged(names, pinned, **{name: {"S": "x"}})
        yield f"{name} empty", forged(names, pinned, **{name: ""})
        yield f"{name} with a control character", forged(names, pinned, **{name: "a\u0000b"})
    yield "an extra key", forged(names, pinned, extra="x")
    yield "not base64", "%%%"
    yield "base64 of garbage", base64.urlsafe_b64encode(b"\xff\xfe").decode()


CASES = [
    pytest.param(path, cursor, id=f"{path} {label}")
    for path, (names, pinned) in LISTS.items()
    for label, cursor in bad_cursors(names, pinned)
]


@pytest.mark.parametrize(("path", "cursor"), CASES)
def test_a_forged_cursor_is_400_before_any_query(client, path, cursor):
    headers = headers_for(make_admin())
    separator = "&" if "?" in path else "?"

    with count_dynamodb_calls() as calls:
        response = client.http.get(f"{path}{separator}cursor={cursor}", headers=headers)

    assert "cursor" in error_of(response, 400)["fields"]
    assert "Query" not in calls and "Scan" not in calls
