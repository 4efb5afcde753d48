"""`make deliveries`: a stage's webhook deliveries read through the admin API over HTTP
(here the app served by the live server, on this run's DynamoDB Local)."""

from deploy import deliveries
from tests.support.api import post_json
from tests.support.factories import headers_for, make_admin, make_user
from tests.support.stream_records import invoke_stream_handler, recorded_event

RECORDED = ("booking_confirmed", "booking_cancelled")


def record_skipped_deliveries(client):
    # No CRM_WEBHOOK_URL in the test session: each change is recorded as `skipped`.
    for name in RECORDED:
        invoke_stream_handler(client, recorded_event(name))


def admin_token():
    return headers_for(make_admin())["Authorization"].split(" ", 1)[1]


def test_the_deliveries_of_a_state_are_listed_one_line_each(client, live_server, capsys):
    record_skipped_deliveries(client)
    capsys.readouterr()  # the handler's own log lines
    argv = ["--stage", "dev", "--url", live_server, "--state", "skipped"]
    assert deliveries.main(argv, environ={"ADMIN_TOKEN": admin_token()}) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RECORDED) + 1
    assert {line.split()[2] for line in lines[:-1]} == {"booking.confirmed", "booking.cancelled"}
    assert all(line.split()[1] == "skipped" for line in lines[:-1])
    assert lines[-1].startswith("2 skipped deliveries on dev")


def test_the_listing_follows_the_cursor_up_to_the_limit(client, live_server):
    record_skipped_deliveries(client)
    token = admin_token()
    found = list(deliveries.deliveries(live_server, token, "skipped", limit=1))
    assert len(found) == 1
    assert len(list(deliveries.deliveries(live_server, token, "skipped", limit=50))) == 2


def test_an_admin_can_log_in_by_email_and_password(client, live_server):
    email, password = "ops@example.com", "correct horse battery staple"
    post_json(client, "/auth/register", {"name": "Ops", "email": email, "password": password})
    from chalicelib import auth

    auth.set_role(email, "admin")
    token = deliveries.admin_token(
        live_server, {"ADMIN_EMAIL": email}, ask_password=lambda prompt: password
    )
    assert list(deliveries.deliveries(live_server, token, "failed", limit=5)) == []


def test_without_credentials_it_says_what_to_set(live_server, capsys):
    assert deliveries.main(["--stage", "dev", "--url", live_server], environ={}) == 1
    assert "ADMIN_TOKEN" in capsys.readouterr().err


def test_a_plain_users_token_is_refused_with_the_apis_answer(live_server, capsys):
    token = headers_for(make_user())["Authorization"].split(" ", 1)[1]
    argv = ["--stage", "dev", "--url", live_server]
    assert deliveries.main(argv, environ={"ADMIN_TOKEN": token}) == 1
    assert "answered 403" in capsys.readouterr().err


def test_a_stage_not_deployed_from_here_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(deliveries, "CHALICE_DIR", tmp_path)
    assert deliveries.main(["--stage", "dev"], environ={"ADMIN_TOKEN": "t"}) == 1
    assert "'dev' is not deployed from here" in capsys.readouterr().err
