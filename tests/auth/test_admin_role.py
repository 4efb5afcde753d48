"""Admins are made by `python -m local.admin`, never through the API."""

from __future__ import annotations

import os
import subprocess
import sys

from local import admin
from local.dynamodb_local import free_port
from local.paths import REPO_ROOT
from tests.support.api import bearer, body, register


def _role(client, token: str) -> str:
    return body(client.http.get("/auth/me", headers=bearer(token)))["role"]


def _admin_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.admin", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_promote_makes_an_admin_at_once_and_demote_undoes_it(client, capsys):
    registered = body(register(client, email="Ann@Example.com"))
    token = registered["access_token"]

    assert admin.main(["promote", " ANN@example.com "]) == 0
    assert "ann@example.com" in capsys.readouterr().out
    assert _role(client, token) == "admin"  # the same token: roles are read per request

    assert admin.main(["demote", "ann@example.com"]) == 0
    assert _role(client, token) == "user"


def test_promoting_an_unknown_email_fails_and_says_so(capsys):
    assert admin.main(["promote", "nobody@example.com"]) == 1
    assert "No account" in capsys.readouterr().err


def test_the_documented_command_runs_as_a_module(client):
    token = body(register(client))["access_token"]
    result = _admin_cli("promote", "ann@example.com")
    assert result.returncode == 0, result.stderr
    assert "is now admin" in result.stdout
    assert _role(client, token) == "admin"


def test_unreachable_dynamodb_is_a_clear_message_not_a_traceback():
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = _admin_cli("promote", "ann@example.com", DYNAMODB_ENDPOINT=endpoint)
    assert result.returncode == 1
    assert endpoint in result.stderr and "make run" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_an_endpoint_it_looks_for_make_runs_dynamodb_on_its_port():
    port = free_port()
    environ = {name: value for name, value in os.environ.items() if name != "DYNAMODB_ENDPOINT"}
    result = subprocess.run(
        [sys.executable, "-m", "local.admin", "promote", "ann@example.com"],
        cwd=REPO_ROOT,
        env={**environ, "DYNAMODB_LOCAL_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"http://127.0.0.1:{port}" in result.stderr
