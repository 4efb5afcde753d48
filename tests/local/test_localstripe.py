"""localstripe as `make run` starts it: on 127.0.0.1 only, keeping its objects in a state
file of its own across restarts (not the one system-wide file every localstripe rewrites)."""

from __future__ import annotations

import socket

import requests

from local.stripe_local import SECRET_KEY, LocalStripe


def _create_intent(server: LocalStripe) -> str:
    response = requests.post(
        f"{server.url}/v1/payment_intents",
        data={"amount": 1500, "currency": "eur"},
        auth=(SECRET_KEY, ""),
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["id"]


def _knows(server: LocalStripe, intent_id: str) -> bool:
    response = requests.get(
        f"{server.url}/v1/payment_intents/{intent_id}", auth=(SECRET_KEY, ""), timeout=5
    )
    return response.status_code == 200


def test_what_localstripe_made_is_there_after_a_restart(tmp_path):
    state = tmp_path / "localstripe.pickle"
    server = LocalStripe(state_file=state)
    server.start()
    try:
        intent_id = _create_intent(server)
    finally:
        server.stop()
    assert state.exists()

    again = LocalStripe(state_file=state)
    again.start()
    try:
        assert _knows(again, intent_id)
    finally:
        again.stop()


def test_a_torn_state_file_starts_empty_instead_of_failing(tmp_path):
    state = tmp_path / "localstripe.pickle"
    state.write_bytes(b"\x80\x05torn")
    server = LocalStripe(state_file=state)
    server.start()
    try:
        assert not _knows(server, "pi_missing")
        _create_intent(server)  # and it keeps working, writing a whole file again
    finally:
        server.stop()


def test_it_listens_on_127_0_0_1_only():
    server = LocalStripe()
    server.start()
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            assert sock.connect_ex(("::1", server.port)) != 0
    finally:
        server.stop()
