"""The OpenAPI document: generated from the routes' declarations, valid, served as
generated, and with examples that are the seed data and fit their schemas."""

import json
import re
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openapi_spec_validator import validate

from chalicelib import auth, ids, openapi, operations
from chalicelib.openapi import examples
from local import seed
from local.paths import REPO_ROOT
from tests.support.api import bearer, body
from tests.support.errors import error_in
from tests.support.factories import make_facilitator, make_facilitator_account

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def document():
    from app import app

    return openapi.document(app)


def documented_operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_api_serves_the_generated_document(client, document):
    response = client.http.get("/openapi.json")

    assert response.status_code == 200
    assert body(response) == json.loads(json.dumps(document))


def test_committed_openapi_json_is_the_generated_document(document):
    committed = json.loads((REPO_ROOT / "openapi.json").read_text())

    assert committed == json.loads(json.dumps(document)), "run `make openapi` and commit it"


def test_make_openapi_command_writes_the_document(tmp_path, document):
    target = tmp_path / "openapi.json"

    subprocess.run(
        [sys.executable, "-m", "chalicelib.openapi", str(target)], cwd=REPO_ROOT, check=True
    )

    assert json.loads(target.read_text()) == json.loads(json.dumps(document))


def test_request_bodies_and_answers_refuse_fields_they_do_not_name(document):
    # Mass assignment: a body cannot carry `role` or `seats_taken`; an answer cannot carry
    # anything the document does not show (schemathesis checks real answers against this).
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        assert schema["additionalProperties"] is False, name
    for path, method, operation in documented_operations(document):
        if "requestBody" in operation:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.startswith("#/components/schemas/"), (method, path)


def test_protected_operations_take_a_bearer_token_and_document_401(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, method, operation in documented_operations(document):
        requirements = operation["security"]
        if {"bearerAuth": []} in requirements and {} not in requirements:
            assert "401" in operation["responses"], (method, path)
        if path.startswith("/admin/"):
            assert requirements == [{"bearerAuth": []}], (method, path)
            assert "403" in operation["responses"], (method, path)


def test_document_covers_every_status_the_api_answers(document):
    statuses = {
        status
        for _, _, operation in documented_operations(document)
        for status in operation["responses"]
    }

    assert {"200", "201", "400", "401", "403", "404", "409", "413", "415", "429", "503"} <= statuses


def test_every_error_answer_has_the_one_error_shape(document):
    error_ref = {"$ref": "#/components/schemas/Error"}
    responses = document["components"]["responses"]
    for path, method, operation in documented_operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            if "$ref" in response:
                response = responses[response["$ref"].rsplit("/", 1)[1]]
            content = response["content"]["application/json"]
            assert content["schema"] == error_ref, (method, path, status)
            for code, shown in content["examples"].items():
                assert error_in(shown["value"])["code"] == code


def test_links_lead_to_operations_and_their_path_parameters(document):
    operations = {op["operationId"]: op for _, _, op in documented_operations(document)}
    linked = 0
    for _, _, operation in documented_operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                target = operations[link["operationId"]]
                path_parameters = {p["name"] for p in target["parameters"] if p["in"] == "path"}
                assert set(link["parameters"]) == path_parameters, link
                assert all(
                    value.startswith("$response.body#/") for value in link["parameters"].values()
                )
                linked += 1
    assert linked >= 9


def examples_with_schemas(document):
    """Every example in the document, with the schema it illustrates."""
    responses = document["components"]["responses"]
    for path, method, operation in documented_operations(document):
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                yield f"{where} {parameter['name']}", parameter["schema"], parameter["example"]
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]["application/json"]
            yield f"{where} body", content["schema"], content["example"]
        for status, response in operation["responses"].items():
            response = responses.get(response.get("$ref", "").rsplit("/", 1)[-1], response)
            content = response["content"].get("application/json", {})
            shown = [content["example"]] if "example" in content else []
            shown += [item["value"] for item in content.get("examples", {}).values()]
            for value in shown:
                yield f"{where} {status}", content["schema"], value


def test_every_example_fits_the_schema_it_illustrates(document):
    checked = 0
    for where, schema, value in examples_with_schemas(document):
        validator = jsonschema.Draft202012Validator(
            {**schema, "components": document["components"]},
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        problems = [error.message for error in validator.iter_errors(value)]
        assert not problems, (where, problems)
        checked += 1
    assert checked > 60


def test_successful_answers_show_an_example(document):
    for path, method, operation in documented_operations(document):
        for status, response in operation["responses"].items():
            content = response.get("content", {}).get("application/json")
            if status.startswith("2") and content and path != "/openapi.json":
                assert "example" in content, (method, path, status)


def test_examples_are_the_seeded_demo_data():
    seeded_events = {event.event_id: event for event in seed.EVENTS}
    for shown in examples.EVENTS:
        seeded = seeded_events[shown["id"]]
        assert (shown["name"], shown["description"], shown["kind"]) == (
            seeded.name,
            seeded.description,
            seeded.kind,
        )
        assert (shown["timezone"], shown["capacity"]) == (seeded.timezone, seeded.capacity)
        assert shown["facilitator"] == {
            "id": seeded.facilitator.facilitator_id,
            "name": seeded.facilitator.name,
            "crm_id": seeded.facilitator.crm_id,
        }
    seeded_facilitators = {f.facilitator_id: f for f in seed.FACILITATORS}
    for shown in (examples.ALICE, examples.BOB):
        seeded = seeded_facilitators[shown["id"]]
        assert (shown["name"], shown["crm_id"]) == (seeded.name, seeded.crm_id)
    assert examples.PATH_IDS["event_id"] in seeded_events
    assert examples.PATH_IDS["facilitator_id"] in seeded_facilitators


@given(st.text(min_size=20, max_size=30) | st.from_regex(operations.ID_PATTERN, fullmatch=True))
@example("0" * 24 + "ß")  # upper-cases to 26 characters
@example("01m8cwnee3vmjkht3v6v0g8s0g")
@example("81M8CWNEE3VMJKHT3V6V0G8S0G")
def test_documented_id_pattern_is_exactly_what_the_api_accepts(text):
    assert (re.fullmatch(operations.ID_PATTERN, text) is not None) == (
        ids.normalize(text) is not None
    )


def test_a_facilitator_s_account_answer_fits_the_document(document, client):
    account = make_facilitator_account(make_facilitator(name="Alice"))
    answer = body(client.http.get("/auth/me", headers=bearer(auth.issue_token(account.user_id))))
    schema = document["paths"]["/auth/me"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
    assert answer["role"] == "facilitator"
    assert [error.message for error in validator.iter_errors(answer)] == []
