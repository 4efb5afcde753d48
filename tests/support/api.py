"""What a client of the auth API does, in one place for the auth tests."""

from __future__ import annotations

import json
from typing import Any

PASSWORD = "correct horse battery"


def post_json(client: Any, path: str, payload: Any, headers: dict[str, str] | None = None) -> Any:
    return client.http.post(
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def register(
    client: Any, email: str = "ann@example.com", password: str = PASSWORD, name: str = "Ann"
) -> Any:
    return post_json(client, "/auth/register", {"name": name, "email": email, "password": password})


def login(client: Any, email: str = "ann@example.com", password: str = PASSWORD) -> Any:
    return post_json(client, "/auth/login", {"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(response: Any) -> dict[str, Any]:
    return json.loads(response.body)
