"""Every way a token can be wrong is a 401 JSON with `WWW-Authenticate: Bearer`."""

from __future__ import annotations

import base64
import json
import time
import warnings

import jwt
import pytest
from jwt.warnings import InsecureKeyLengthWarning
from ulid import ULID

from chalicelib import auth, models
from chalicelib.config import get_settings
from tests.support.api import bearer, body, register
from tests.support.errors import error_of
from tests.support.factories import make_user

PROTECTED = ["/auth/me", "/events/"]
USER_ID = "01JTOKENUSER00000000000000"


@pytest.fixture
def user():
    return make_user(user_id=USER_ID).user_id


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "sub": USER_ID,
        "jti": str(ULID()),
        "iat": now,
        "exp": now + 3600,
        "iss": auth.TOKEN_ISSUER,
        "aud": auth.TOKEN_AUDIENCE,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _signed(claims=None, key=None, algorithm="HS256", headers=None):
    return jwt.encode(
        _claims() if claims is None else claims,
        key or get_settings().jwt_secret,
        algorithm=algorithm,
        headers=headers,
    )


def _signed_hs512() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return _signed(algorithm="HS512")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(alg: str) -> str:
    return f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(_claims())}."


def _tampered() -> str:
    header, _, signature = _signed().split(".")
    return f"{header}.{_b64(_claims(sub='01JSOMEONEELSE000000000000'))}.{signature}"


BAD_AUTHORIZATION = {
    "no header": None,
    "empty header": "",
    "scheme only": "Bearer",
    "scheme and spaces": "Bearer    ",
    "basic scheme": "Basic YW5uOnBhc3N3b3Jk",
    "no space": "Bearer" + "x" * 20,
    "not a jwt": "Bearer not-a-jwt",
    "three garbage parts": "Bearer a.b.c",
    "non-ascii": "Bearer ü.ö.ä",
    "alg none": lambda: "Bearer " + _unsigned("none"),
    "alg None": lambda: "Bearer " + _unsigned("None"),
    "alg HS512 with the right key": lambda: "Bearer " + _signed_hs512(),
    "wrong key": lambda: "Bearer " + _signed(key="another-secret-" + "y" * 40),
    "tampered payload": lambda: "Bearer " + _tampered(),
    "signature stripped": lambda: "Bearer " + _signed().rsplit(".", 1)[0] + ".",
    "wrong iss": lambda: "Bearer " + _signed(_claims(iss="someone-else")),
    "wrong aud": lambda: "Bearer " + _signed(_claims(aud="another-api")),
    "no aud": lambda: "Bearer " + _signed(_claims(aud=None)),
    "no jti": lambda: "Bearer " + _signed(_claims(jti=None)),
    "no exp": lambda: "Bearer " + _signed(_claims(exp=None)),
    "no sub": lambda: "Bearer " + _signed(_claims(sub=None)),
    "numeric sub": lambda: "Bearer " + _signed(_claims(sub=12345)),
    "empty sub": lambda: "Bearer " + _signed(_claims(sub="")),
    "list sub": lambda: "Bearer " + _signed(_claims(sub=[USER_ID])),
    "huge sub": lambda: "Bearer " + _signed(_claims(sub="A" * 3000)),
    "sub not an id": lambda: "Bearer " + _signed(_claims(sub="ann")),
    "empty jti": lambda: "Bearer " + _signed(_claims(jti="")),
    "numeric jti": lambda: "Bearer " + _signed(_claims(jti=42)),
    "object jti": lambda: "Bearer " + _signed(_claims(jti={"id": 1})),
    "huge jti": lambda: "Bearer " + _signed(_claims(jti="j" * 3000)),
    "numeric string exp": lambda: "Bearer " + _signed(_claims(exp=str(int(time.time()) + 60))),
    "expired": lambda: "Bearer " + _signed(_claims(iat=int(time.time()) - 7200, exp=1)),
    "issued in the future": lambda: "Bearer " + _signed(_claims(iat=int(time.time()) + 600)),
    "not before the future": lambda: "Bearer " + _signed(_claims(nbf=int(time.time()) + 600)),
    "unknown user": lambda: "Bearer " + _signed(_claims(sub="01JNOBODY00000000000000000")),
}


def _assert_401_json(response):
    assert error_of(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize("case", list(BAD_AUTHORIZATION))
def test_bad_token_is_401_json_with_www_authenticate(client, user, path, case):
    value = BAD_AUTHORIZATION[case]
    value = value() if callable(value) else value
    headers = {} if value is None else {"Authorization": value}
    _assert_401_json(client.http.get(path, headers=headers))


@pytest.mark.parametrize("path", PROTECTED)
def test_a_good_token_passes(client, user, path):
    assert client.http.get(path, headers=bearer(_signed())).status_code == 200


@pytest.mark.parametrize("path", PROTECTED)
def test_revoked_token_is_401(client, user, path):
    token = _signed()
    assert client.http.get("/logout", headers=bearer(token)).status_code == 200
    _assert_401_json(client.http.get(path, headers=bearer(token)))


@pytest.mark.parametrize("path", PROTECTED)
def test_token_of_a_deleted_user_is_401(client, path):
    registered = body(register(client))
    models.User(registered["user"]["id"]).delete()
    _assert_401_json(client.http.get(path, headers=bearer(registered["access_token"])))


def test_scheme_is_case_insensitive(client, user):
    response = client.http.get("/auth/me", headers={"Authorization": f"bearer {_signed()}"})
    assert response.status_code == 200


def test_logging_out_an_expired_token_is_200(client, user):
    expired = _signed(_claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600))
    response = client.http.post("/auth/logout", headers=bearer(expired))
    assert response.status_code == 200


CLAIM_CASES = [case for case in BAD_AUTHORIZATION if " sub" in case or " jti" in case]


@pytest.mark.parametrize("case", CLAIM_CASES)
def test_logging_out_a_token_with_malformed_claims_is_200(client, user, case):
    response = client.http.post(
        "/auth/logout", headers={"Authorization": BAD_AUTHORIZATION[case]()}
    )
    assert (response.status_code, body(response)) == (200, {"msg": "Logged out"})
