import dataclasses
import json
import time

import pytest

from chalicelib import dynamodb
from chalicelib.config import get_settings
from local.dynamodb_local import DynamoDBLocal
from tests.support.errors import error_of
from tests.support.factories import headers_for, make_user


def test_health_reports_ok_when_dynamodb_answers(client):
    response = client.http.get("/health")
    assert response.status_code == 200
    assert json.loads(response.body) == {"status": "ok", "dynamodb": "ok"}


@pytest.fixture
def restartable_dynamodb(tmp_path):
    """A second DynamoDB Local on disk, so its data survives a stop and start."""
    spare = DynamoDBLocal(db_path=tmp_path / "dynamodb")
    spare.start()
    dynamodb.bind(dataclasses.replace(get_settings(), dynamodb_endpoint=spare.endpoint))
    dynamodb.create_tables()
    yield spare
    spare.stop()
    dynamodb.bind(get_settings())


@pytest.mark.parametrize("path", ["/health", "/events/"])
def test_outage_gives_fast_503_json_then_recovers_after_restart(client, restartable_dynamodb, path):
    headers = headers_for(make_user())
    assert client.http.get(path, headers=headers).status_code == 200

    restartable_dynamodb.stop()
    started = time.monotonic()
    response = client.http.get(path, headers=headers)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.body
    assert elapsed < 5, f"{path} took {elapsed:.1f}s to fail"
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert error_of(response)["code"] == "service_unavailable"

    restartable_dynamodb.start()
    assert client.http.get(path, headers=headers).status_code == 200
