"""Register, log in, who am I, log out: the contract the old Flask app's clients rely on."""

from __future__ import annotations

import threading

import bcrypt
import jwt
import pytest

from chalicelib import models
from local.call_counter import count_dynamodb_calls
from tests.support.api import PASSWORD, bearer, body, login, post_json, register
from tests.support.errors import error_of


def test_register_is_201_with_a_working_token_and_the_user(client):
    response = register(client, email="ann@example.com", name="Ann")
    assert response.status_code == 201
    registered = body(response)
    assert set(registered) == {"msg", "access_token", "user"}
    assert registered["msg"] == "User registered"
    assert set(registered["user"]) == {"id", "name", "email"}
    assert registered["user"]["name"] == "Ann"
    assert registered["user"]["email"] == "ann@example.com"

    me = client.http.get("/auth/me", headers=bearer(registered["access_token"]))
    assert me.status_code == 200
    assert body(me) == {**registered["user"], "role": "user"}


def test_name_is_trimmed_and_unicode_names_are_kept(client):
    response = register(client, name="  Zoë 山田 🧘  ")
    assert response.status_code == 201
    assert body(response)["user"]["name"] == "Zoë 山田 🧘"


def test_same_email_in_another_case_or_with_spaces_is_409_email_taken(client):
    assert register(client, email="Ann@X.com").status_code == 201
    for email in (" ann@x.com", "ANN@X.COM ", "ann@x.com"):
        response = register(client, email=email, password="another password")
        assert response.status_code == 409, email
        assert error_of(response)["code"] == "email_taken"


def test_an_email_s_unicode_domain_is_stored_in_its_idna_form_and_is_one_account(client):
    response = register(client, email="Ann@Exämple.com")
    assert response.status_code == 201
    assert body(response)["user"]["email"] == "ann@xn--exmple-cua.com"
    again = register(client, email="ann@xn--exmple-cua.com", password="another password")
    assert error_of(again, 409)["code"] == "email_taken"
    assert login(client, email="ANN@exämple.com").status_code == 200


def test_login_matches_the_email_whatever_its_case_or_spacing(client):
    register(client, email="Ann@Example.com")
    response = login(client, email="  aNN@example.COM ")
    assert response.status_code == 200
    token = body(response)
    assert set(token) == {"access_token", "token_type", "expires_in"}
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    me = client.http.get("/auth/me", headers=bearer(token["access_token"]))
    assert body(me)["email"] == "ann@example.com"


def test_token_carries_the_documented_claims_for_one_hour(client):
    register(client)
    token = body(login(client))["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"sub", "jti", "iat", "exp", "iss", "aud"}
    assert claims["exp"] - claims["iat"] == 3600


def test_a_token_lives_as_long_as_the_token_lifetime_setting_says(client, configure):
    configure(TOKEN_LIFETIME_MINUTES=15)
    register(client)
    answer = body(login(client))
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert answer["expires_in"] == claims["exp"] - claims["iat"] == 15 * 60


def test_wrong_password_and_unknown_email_get_the_same_401(client):
    register(client)
    wrong_password = login(client, password="not the password")
    unknown_email = login(client, email="nobody@example.com")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong_password.body == unknown_email.body
    assert error_of(wrong_password)["code"] == "invalid_credentials"


def test_unknown_email_still_spends_one_bcrypt_check_of_the_real_cost(client, monkeypatch):
    register(client)
    stored_cost = models.Credential.get("ann@example.com").password_hash.split("$")[2]
    checks = []
    real_checkpw = bcrypt.checkpw

    def spying_checkpw(password, hashed):
        checks.append(hashed.decode().split("$")[2])
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spying_checkpw)
    login(client, password="not the password")
    login(client, email="nobody@example.com")
    assert checks == [stored_cost, stored_cost]


def test_long_passwords_sharing_their_first_72_bytes_are_not_interchangeable(client):
    first = "p" * 72 + "-first"
    second = "p" * 72 + "-second"
    assert register(client, password=first).status_code == 201
    assert login(client, password=first).status_code == 200
    assert login(client, password=second).status_code == 401
    assert login(client, password="p" * 72).status_code == 401


def test_a_128_character_multibyte_password_works(client):
    password = "é" * 128  # 256 UTF-8 bytes
    assert register(client, password=password).status_code == 201
    assert login(client, password=password).status_code == 200
    assert login(client, password="é" * 127).status_code == 401


def test_role_is_user_and_cannot_be_chosen_at_registration(client):
    response = post_json(
        client,
        "/auth/register",
        {"name": "Eve", "email": "eve@example.com", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 400
    assert "role" in error_of(response)["fields"]
    assert login(client, "eve@example.com").status_code == 401  # no account was made
    token = body(register(client, email="eve@example.com"))["access_token"]
    assert body(client.http.get("/auth/me", headers=bearer(token)))["role"] == "user"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/logout"), ("POST", "/auth/logout")], ids=["get", "post"]
)
def test_logout_revokes_the_token_everywhere(client, method, path):
    token = body(register(client))["access_token"]
    other_session = body(login(client))["access_token"]

    response = client.http.request(method, path, headers=bearer(token))
    assert response.status_code == 200
    assert body(response) == {"msg": "Logged out"}

    for protected in ("/auth/me", "/events/"):
        revoked = client.http.get(protected, headers=bearer(token))
        assert revoked.status_code == 401, protected
        assert revoked.headers["WWW-Authenticate"].startswith("Bearer")
        assert "revoked" in error_of(revoked)["message"]
    assert client.http.get("/auth/me", headers=bearer(other_session)).status_code == 200
    fresh = body(login(client))["access_token"]
    assert client.http.get("/auth/me", headers=bearer(fresh)).status_code == 200


@pytest.mark.parametrize("path", ["/logout", "/auth/logout"])
def test_logging_out_twice_or_without_a_valid_token_is_200(client, path):
    method = "GET" if path == "/logout" else "POST"
    token = body(register(client))["access_token"]
    for headers in (
        bearer(token),
        bearer(token),
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic YW5uOnB3"},
    ):
        response = client.http.request(method, path, headers=headers)
        assert response.status_code == 200, headers
        assert body(response) == {"msg": "Logged out"}


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_logout_accepts_whatever_body_a_form_or_curl_sends(client, content_type):
    token = body(register(client))["access_token"]
    response = client.http.post(
        "/auth/logout", body=b"", headers={**bearer(token), "Content-Type": content_type}
    )
    assert response.status_code == 200
    assert client.http.get("/auth/me", headers=bearer(token)).status_code == 401


def test_requests_cost_the_budgeted_dynamodb_calls(client):
    with count_dynamodb_calls() as calls:
        token = body(register(client))["access_token"]
    assert calls == {"UpdateItem": 1, "TransactWriteItems": 1}  # the address's count, the account
    with count_dynamodb_calls() as calls:
        assert login(client).status_code == 200
    # Count the attempt; read the credentials; clear the count and remember the address.
    assert calls == {"TransactWriteItems": 1, "BatchGetItem": 1, "BatchWriteItem": 1}
    with count_dynamodb_calls() as calls:
        assert client.http.get("/auth/me", headers=bearer(token)).status_code == 200
    assert calls == {"BatchGetItem": 1}
    with count_dynamodb_calls() as calls:
        assert client.http.get("/logout", headers=bearer(token)).status_code == 200
    assert calls == {"PutItem": 1}


def test_no_response_or_log_line_contains_the_password_or_its_hash(client, log_output):
    secret = "Unmistakable-Pa55phrase"
    responses = [
        register(client, password=secret),
        register(client, password=secret),
        register(client, email="not-an-email", password=secret),
        register(client, email="bob@example.com", password=secret + "x" * 200),
        login(client, password=secret),
        login(client, password=secret + "!"),
        login(client, email="nobody@example.com", password=secret),
        post_json(client, "/auth/login", {"email": "ann@example.com", "password": [secret]}),
    ]
    token = body(responses[4])["access_token"]
    responses.append(client.http.get("/auth/me", headers=bearer(token)))
    responses.append(client.http.get("/logout", headers=bearer(token)))
    stored_hash = models.Credential.get("ann@example.com").password_hash

    assert [r.status_code for r in responses] == [201, 409, 400, 400, 200, 401, 401, 400, 200, 200]
    seen = "".join(r.body.decode() + repr(r.headers) for r in responses) + log_output.getvalue()
    assert log_output.getvalue().count('"message": "request"') == len(responses)
    assert secret not in seen
    assert stored_hash not in seen
    assert stored_hash[7:29] not in seen  # not even the salt


def test_twenty_simultaneous_registrations_of_one_email_make_exactly_one_account(
    concurrent_client,
):
    spellings = ["race@example.com", "Race@Example.com", " RACE@EXAMPLE.COM", "race@EXAMPLE.com "]
    attempts = [(spellings[i % len(spellings)], f"password-number-{i}") for i in range(20)]
    start = threading.Barrier(len(attempts))
    results: dict[int, object] = {}

    def attempt(index: int) -> None:
        email, password = attempts[index]
        start.wait()
        results[index] = register(concurrent_client, email=email, password=password)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(response.status_code for response in results.values())
    assert statuses == [201] + [409] * 19
    losers = [i for i, r in results.items() if r.status_code == 409]
    assert all(error_of(results[i])["code"] == "email_taken" for i in losers)
    assert models.User.count() == 1

    (winner,) = [i for i, r in results.items() if r.status_code == 201]
    winner_token = body(results[winner])["access_token"]
    assert body(concurrent_client.http.get("/auth/me", headers=bearer(winner_token)))["email"] == (
        "race@example.com"
    )
    assert login(concurrent_client, "race@example.com", attempts[winner][1]).status_code == 200
    for loser in losers[:3]:
        assert login(concurrent_client, "race@example.com", attempts[loser][1]).status_code == 401
