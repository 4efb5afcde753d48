"""Whatever arrives as a body, the auth endpoints answer a 4xx JSON error, never a 5xx."""

from __future__ import annotations

import json

import pytest

from tests.support.api import PASSWORD
from tests.support.errors import error_of

JSON = {"Content-Type": "application/json"}
GOOD = {
    "/auth/register": {"name": "Ann", "email": "ann@example.com", "password": PASSWORD},
    "/auth/login": {"email": "ann@example.com", "password": PASSWORD},
}


MISSING = object()
_LOGIN = json.dumps(GOOD["/auth/login"]).encode()

# label: (raw body, Content-Type, status). Each fails before any field is looked at.
RAW_BODIES = {
    "empty body": (b"", "application/json", 400),
    "whitespace body": (b"  \n ", "application/json", 400),
    "not json": (b"email=ann@example.com&password=x", "application/json", 400),
    "truncated json": (_LOGIN[:-3], "application/json", 400),
    "invalid utf-8": (b'{"email": "\xff\xfe"}', "application/json", 400),
    "raw nul byte": (_LOGIN.replace(b"example", b"exa\x00mple"), "application/json", 400),
    "deeply nested": (b"[" * 30_000 + b"]" * 30_000, "application/json", 400),
    "json null": (b"null", "application/json", 400),
    "json array": (b"[]", "application/json", 400),
    "array of the object": (b"[" + _LOGIN + b"]", "application/json", 400),
    "json string": (b'"ann@example.com"', "application/json", 400),
    "json number": (b"42", "application/json", 400),
    "form encoded": (b"email=a%40b.c", "application/x-www-form-urlencoded", 415),
    "text/plain": (_LOGIN, "text/plain", 415),
    "1 MB body": (b'{"email": "' + b"a" * (1024 * 1024) + b'"}', "application/json", 413),
}

# label: (changes to a good body, the field the error names). Each answers 400.
BAD_FIELDS = {
    "no email": ({"email": MISSING}, "email"),
    "no password": ({"password": MISSING}, "password"),
    "null email": ({"email": None}, "email"),
    "null password": ({"password": None}, "password"),
    "numeric email": ({"email": 42}, "email"),
    "boolean password": ({"password": True}, "password"),
    "numeric password": ({"password": 12345678}, "password"),
    "array password": ({"password": [PASSWORD]}, "password"),
    "operator in email": ({"email": {"$ne": None}}, "email"),
    "operator in password": ({"password": {"$gt": ""}}, "password"),
    "invalid email": ({"email": "ann.example.com"}, "email"),
    "email with inner space": ({"email": "ann @example.com"}, "email"),
    "empty email": ({"email": ""}, "email"),
    "email too long": ({"email": "a" * 250 + "@x.io"}, "email"),
    "nul in email": ({"email": "ann\u0000@example.com"}, "email"),
    "quoted control email": ({"email": '"\u0001"@example.com'}, "email"),
    "nul in password": ({"password": "secret\u0000password"}, "password"),
    "lone surrogate password": ({"password": "\ud800" * 9}, "password"),
    "empty password": ({"password": ""}, "password"),
    "129 char password": ({"password": "p" * 129}, "password"),
    "unknown field": ({"remember_me": True}, "remember_me"),
    "smuggled role": ({"role": "admin"}, "role"),
}

BAD_REGISTER_FIELDS = {
    "no name": ({"name": MISSING}, "name"),
    "null name": ({"name": None}, "name"),
    "numeric name": ({"name": 7}, "name"),
    "object name": ({"name": {"first": "Ann"}}, "name"),
    "empty name": ({"name": ""}, "name"),
    "blank name": ({"name": "   "}, "name"),
    "101 char name": ({"name": "n" * 101}, "name"),
    "nul in name": ({"name": "Ann\u0000"}, "name"),
    "newline in name": ({"name": "Ann\nAdmin"}, "name"),
    "lone surrogate name": ({"name": "\udfff"}, "name"),
    "bidi override in name": ({"name": "\u202eAdmin"}, "name"),
    "zero-width space in name": ({"name": "Ad\u200bmin"}, "name"),
    "private use in name": ({"name": "Ann \uf8ff"}, "name"),
    "zero-width space after an email": ({"email": "alice@ex.com\u200b"}, "email"),
    "zero-width joiner in an email's local part": ({"email": "al\u200dice@ex.com"}, "email"),
    "bidi override in an email": ({"email": "\u202ealice@ex.com"}, "email"),
    "private use in an email": ({"email": "alice@ex\uf8ff.com"}, "email"),
    "unassigned in an email": ({"email": "alice@ex.com\U0010fffe"}, "email"),
    "unassigned in name": ({"name": "Ann \U0010fffe"}, "name"),
    "7 char password": ({"password": "p" * 7}, "password"),
}


@pytest.mark.parametrize("path", list(GOOD))
@pytest.mark.parametrize("case", list(RAW_BODIES))
def test_unusable_body_is_a_4xx_json_error(client, path, case):
    raw, content_type, status = RAW_BODIES[case]
    response = client.http.post(path, body=raw, headers={"Content-Type": content_type})
    error_of(response, status)


@pytest.mark.parametrize(
    ("path", "case"),
    [("/auth/register", case) for case in {**BAD_FIELDS, **BAD_REGISTER_FIELDS}]
    + [("/auth/login", case) for case in BAD_FIELDS],
)
def test_bad_field_is_a_400_naming_the_field(client, path, case):
    changes, field = {**BAD_FIELDS, **BAD_REGISTER_FIELDS}[case]
    payload = {**GOOD[path], **changes}
    raw = json.dumps({name: value for name, value in payload.items() if value is not MISSING})
    error = error_of(client.http.post(path, body=raw.encode(), headers=JSON), 400)
    assert error["code"] == "validation_failed"
    assert all(isinstance(message, str) for message in error["fields"][field])


@pytest.mark.parametrize("path", list(GOOD))
def test_every_missing_field_is_named_at_once(client, path):
    response = client.http.post(path, body=b"{}", headers=JSON)
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == set(GOOD[path])


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_content_type_with_parameters_or_other_case_is_accepted(client, content_type):
    response = client.http.post(
        "/auth/register",
        body=json.dumps(GOOD["/auth/register"]).encode(),
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 201, response.body
