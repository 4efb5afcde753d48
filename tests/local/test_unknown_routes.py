"""`make run`'s API server (local/api_server.py) over real HTTP: an unknown route is the JSON
404, whatever credentials come with it."""

import pytest
import requests

from tests.support.errors import error_of

CREDENTIALS = {
    "a Bearer token": b"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2VjcmV0LXNpZ25hdHVyZQ",
    "a non-ASCII Bearer token": "Bearer ünïcode-sëcret".encode("latin-1"),
    "Basic credentials": b"Basic YW5uOnMzY3JldA==",
    "an AWS signature": b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/execute-api",
}


@pytest.mark.parametrize("credential", list(CREDENTIALS))
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_unknown_path_with_credentials_is_the_json_404_and_echoes_none(
    live_server, method, credential
):
    authorization = CREDENTIALS[credential]
    response = requests.request(
        method, f"{live_server}/no/such/route", headers={"Authorization": authorization}, timeout=10
    )

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "not_found"
    secret = authorization.split(b" ", 1)[1]
    assert secret not in response.content
    assert b"Authorization" not in response.content
