"""The API as a client sees it, over either transport the benchmarks use.

In process, requests go through Chalice's test client (API Gateway's event, the route, the
response) with no socket; over HTTP they go to `make run`'s server. Either way a request is
``send(method, path, body, headers) -> Answer``, and ``user_flow`` is the journey every
measure times: register → log in → list events → book → my bookings → cancel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

PASSWORD = "bench-password-1"

REGISTER = "register"
LOGIN = "login"
LIST = "list events"
BOOK = "book"
MINE = "my bookings"
CANCEL = "cancel"
STEPS = (REGISTER, LOGIN, LIST, BOOK, MINE, CANCEL)
# Beyond the flow: a full event's waiting list.
JOIN = "join waitlist"
CANCEL_PROMOTING = "cancel with promotion"
CREATE_SERIES = "create a 12-date series"
# Beyond the flow: a series.
BOOK_SERIES = "book a 12-date drop-in series"
MOVE = "move"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


Send = Callable[[str, str, Any, dict[str, str]], Answer]
# Runs one step's request and returns its answer: the place a measure counts or times it.
Watch = Callable[[str, Callable[[], Answer]], Answer]


def in_process(client: Any) -> Send:
    """Requests through a ``chalice.test.Client``."""

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        encoded = json.dumps(body).encode() if body is not None else b""
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        response = client.http.request(method, path, headers=headers, body=encoded)
        return Answer(response.status_code, response.json_body)

    return send


def over_http(base_url: str, session: requests.Session, timeout: float = 30) -> Send:
    """Requests to a running server, e.g. `make run`'s."""

    def send(method: str, path: str, body: Any, headers: dict[str, str]) -> Answer:
        response = session.request(
            method, base_url + path, json=body, headers=headers, timeout=timeout
        )
        try:
            parsed = response.json()
        except ValueError:
            parsed = response.text
        return Answer(response.status_code, parsed)

    return send


class Api:
    def __init__(self, send: Send) -> None:
        self._send = send

    def register(self, email: str, name: str = "Bench User") -> Answer:
        body = {"name": name, "email": email, "password": PASSWORD}
        return self._send("POST", "/auth/register", body, {})

    def login(self, email: str) -> Answer:
        return self._send("POST", "/auth/login", {"email": email, "password": PASSWORD}, {})

    def list_events(self, token: str, limit: int = 50) -> Answer:
        return self._send("GET", f"/events/?limit={limit}", None, _bearer(token))

    def book(self, token: str, event_id: str) -> Answer:
        return self._send("POST", "/bookings/", {"event_id": event_id}, _bearer(token))

    def my_bookings(self, token: str) -> Answer:
        return self._send("GET", "/bookings/my", None, _bearer(token))

    def join_waitlist(self, token: str, event_id: str) -> Answer:
        return self._send("POST", f"/events/{event_id}/waitlist", None, _bearer(token))

    def cancel(self, token: str, booking_id: str) -> Answer:
        return self._send("DELETE", f"/bookings/{booking_id}", None, _bearer(token))

    def create_series(self, token: str, series: dict[str, Any]) -> Answer:
        return self._send("POST", "/admin/series", series, _bearer(token))

    def book_series(self, token: str, series_id: str) -> Answer:
        return self._send("POST", f"/series/{series_id}/bookings", {}, _bearer(token))

    def move(self, token: str, booking_id: str, event_id: str) -> Answer:
        body = {"event_id": event_id}
        return self._send("POST", f"/bookings/{booking_id}/move", body, _bearer(token))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def just_send(step: str, request: Callable[[], Answer]) -> Answer:
    return request()


def user_flow(
    api: Api, email: str, event_id: str, watch: Watch = just_send, cancel: bool = True
) -> dict[str, Answer]:
    """A new user's journey, step by step, as far as it can go; every answer by step name.

    A refused booking (the event is full) is an answer like any other: the flow still looks
    at its bookings, and there is nothing to cancel.
    """
    answers: dict[str, Answer] = {}
    answers[REGISTER] = watch(REGISTER, lambda: api.register(email))
    answers[LOGIN] = watch(LOGIN, lambda: api.login(email))
    if answers[LOGIN].status != 200:
        return answers
    token = answers[LOGIN].body["access_token"]
    answers[LIST] = watch(LIST, lambda: api.list_events(token))
    answers[BOOK] = watch(BOOK, lambda: api.book(token, event_id))
    answers[MINE] = watch(MINE, lambda: api.my_bookings(token))
    if cancel and answers[BOOK].status == 201:
        booking_id = answers[BOOK].body["booking_id"]
        answers[CANCEL] = watch(CANCEL, lambda: api.cancel(token, booking_id))
    return answers
