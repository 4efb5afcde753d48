"""Schemathesis against the API as `make run` serves it (local/api_server.py over HTTP, on
this session's DynamoDB Local), one test per operation of the OpenAPI document (the same
document the server answers /openapi.json with; test_document.py holds them equal).

Each operation gets the seeded demo data, a real token of a registered user (an admin's for
/admin/*), and a bounded number of generated requests; every answer must be free of 5xx and
conform to the document: status code, content type, headers and body schema. `make fuzz`
runs the same with many more examples (FUZZ_EXAMPLES) and fresh randomness.
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method

from app import app
from chalicelib import auth, openapi
from local import seed
from tests.conftest import empty_all_tables
from tests.support.api import PASSWORD
from tests.support.errors import error_of

pytestmark = pytest.mark.fuzz

# Bounded for `make test`; `make fuzz` raises it and drops the fixed seed.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ


@pytest.fixture
def api_url(live_server) -> str:
    """The API under Chalice's local HTTP server, on the test session's DynamoDB Local."""
    return live_server


def fresh_start(api_url: str) -> dict[str, str]:
    """Nothing but the seeded events, and a registered user and admin: their real tokens."""
    empty_all_tables()
    seed.seed()
    found = {}
    for role in ("user", "admin"):
        email = f"fuzz-{role}@example.com"
        response = requests.post(
            f"{api_url}/auth/register",
            json={"name": f"Fuzz {role}", "email": email, "password": PASSWORD},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        if role == "admin":
            auth.set_role(email, role)
        found[role] = response.json()["access_token"]
    return found


@pytest.fixture
def tokens(api_url) -> dict[str, str]:
    return fresh_start(api_url)


schema = schemathesis.openapi.from_dict(openapi.document(app))
# Chains are made of valid requests: the per-operation test sends the invalid ones, and in a
# chain the token added below would undo a step meant to go without one.
schema.config.phases.stateful.generation.update(modes=[GenerationMode.POSITIVE])

# Some valid-looking requests are refused by rules no JSON Schema can state: cursors are
# opaque, events start in the future, `from` is not after `to`.
EXCLUDED = [positive_data_acceptance]
# A documented path may also answer a method the document leaves out on purpose (POST /logout
# is the dashboard's button): there, another method is not expected to be 405.
_PATHS_WITH_BROWSER_METHODS = {path for path, _ in app.browser_routes}


def excluded_checks(case):
    if case.path in _PATHS_WITH_BROWSER_METHODS:
        return [*EXCLUDED, unsupported_method]
    return EXCLUDED


def call_options(case, api_url, tokens):
    role = "admin" if case.path.startswith("/admin/") else "user"
    return {
        "base_url": api_url,
        "headers": {"Authorization": f"Bearer {tokens[role]}"},
        "timeout": 10,
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case, api_url, tokens):
    case.call_and_validate(
        **call_options(case, api_url, tokens), excluded_checks=excluded_checks(case)
    )


def test_chains_of_operations_along_the_documents_links_answer_as_documented(api_url):
    """Stateful: book → cancel, create an event → change, list, unpublish it, and so on,
    with ids taken from earlier answers. Logging out is left out: it would end the chain.
    Each chain starts from the same data, so replaying one replays the same answers."""

    class Workflow(schema.exclude(operation_id=["logout", "logoutByLink"]).as_state_machine()):
        def setup(self):
            self.tokens = fresh_start(api_url)

        def get_call_kwargs(self, case):
            return call_options(case, api_url, self.tokens)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, excluded_checks=excluded_checks(case), transport_kwargs=kwargs
            )

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=10,
            deadline=None,
            derandomize=not LONG_RUN,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PUT"])
def test_a_method_no_route_declares_is_a_json_405_naming_the_allowed_ones(api_url, method):
    response = requests.request(method, f"{api_url}/health", timeout=10)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert error_of(response)["code"] == "method_not_allowed"
