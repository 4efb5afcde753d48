"""Each Lambda imports what its work needs and nothing else, from its cold start through its
first invocation: all three load app.py, but only the API's requests validate (marshmallow),
only the document needs apispec, only a page needs Jinja2 and the dashboard, only the
webhook Lambdas send (requests, standardwebhooks), and marshmallow's email regex is compiled
where an email is validated. Measured in a fresh interpreter each, as a Lambda container
starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from local.paths import REPO_ROOT
from local.relay import scheduled_event
from tests.support.factories import headers_for, make_event, make_user
from tests.support.stream_records import recorded_event

WATCHED = (
    "marshmallow",
    "apispec",
    "jinja2",
    "requests",
    "standardwebhooks",
    "chalicelib.web.pages",
    "chalicelib.web.rendering",
)

_SCRIPT = textwrap.dedent(
    """
    import json
    import re
    import sys

    from chalice.test import Client

    import app

    kind, payload = sys.argv[1], json.loads(sys.argv[2])
    with Client(app.app, stage_name="test", project_dir=sys.argv[3]) as client:
        if kind == "http":
            method = getattr(client.http, payload.get("method", "get"))
            answer = method(
                payload["path"], headers=payload["headers"], body=payload.get("body", "")
            ).status_code
        else:
            answer = client.lambda_.invoke(kind, payload).payload
    loaded = [name for name in json.loads(sys.argv[4]) if name in sys.modules]
    validate = sys.modules.get("marshmallow.validate")
    email_regex = validate and vars(validate.Email)["DOMAIN_REGEX"]
    compiled = isinstance(email_regex, re.Pattern)
    print(json.dumps({"answer": answer, "loaded": loaded, "email_regex_compiled": compiled}))
    """
)


def _cold_start(kind: str, payload: dict) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            kind,
            json.dumps(payload),
            str(REPO_ROOT),
            json.dumps(WATCHED),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_stream_lambda_loads_no_schemas_documentation_or_dashboard():
    # No CRM is configured in the suite, so nothing is sent either.
    found = _cold_start("on_booking_change", recorded_event("bookings_batch"))

    assert found["answer"] == {"batchItemFailures": []}
    assert found["loaded"] == []


def test_the_retry_lambda_loads_no_schemas_documentation_or_dashboard():
    found = _cold_start("retry_webhooks", scheduled_event())

    assert set(found["answer"]) == {"delivered", "pending", "failed", "skipped", "disabled"}
    assert found["loaded"] == []


@pytest.mark.parametrize(
    ("path", "loaded"),
    [
        ("/health", []),
        ("/events/", ["marshmallow"]),
        ("/openapi.json", ["marshmallow", "apispec"]),
        ("/login", ["jinja2", "chalicelib.web.pages", "chalicelib.web.rendering"]),
    ],
)
def test_the_api_lambda_loads_what_its_first_request_uses_and_never_the_sender(path, loaded):
    make_event()
    found = _cold_start("http", {"path": path, "headers": headers_for(make_user())})

    assert found["answer"] == 200
    assert found["loaded"] == loaded


def test_marshmallow_compiles_its_email_regex_only_once_an_email_is_validated():
    make_event()
    listed = _cold_start("http", {"path": "/events/", "headers": headers_for(make_user())})
    logged_in = _cold_start(
        "http",
        {
            "method": "post",
            "path": "/auth/login",
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"email": "nobody@example.com", "password": "wrong"}),
        },
    )

    assert (listed["answer"], listed["email_regex_compiled"]) == (200, False)
    assert (logged_in["answer"], logged_in["email_regex_compiled"]) == (401, True)
