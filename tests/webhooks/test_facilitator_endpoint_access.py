"""Who may set a facilitator's endpoint (an admin, that facilitator; anyone else is refused as
a stranger is), that its secret is shown once and never again, and where it may point: on a
deployed stage only https to public addresses, checked when set and before each POST."""

import json

import pytest

from chalicelib import models
from chalicelib.webhooks import endpoints, retry_due_deliveries
from chalicelib.webhooks.destinations import refusal
from local.crm_sink import CrmSink
from tests.support.factories import headers_for, make_admin, make_facilitator, make_user

JSON = {"Content-Type": "application/json"}


def facilitator_account(facilitator):
    user = make_user(role=models.ROLE_FACILITATOR, name="Fay")
    user.facilitator_id = facilitator.facilitator_id
    user.save()
    return user


def calls(facilitator_id):
    """Each endpoint route, as (method, path, body)."""
    root = f"/admin/facilitators/{facilitator_id}/webhook"
    return [
        ("PUT", root, json.dumps({"url": "http://127.0.0.1:9/hooks"})),
        ("POST", f"{root}/rotate", None),
        ("POST", f"{root}/test", None),
    ]


def send(client, method, path, body, headers):
    return client.http.request(method, path, body=body, headers={**headers, **JSON})


def test_an_admin_and_the_facilitator_may_use_it_anyone_else_is_refused_as_a_stranger(client):
    facilitator, another = make_facilitator(), make_facilitator("Bob")
    own = headers_for(facilitator_account(facilitator))
    other = headers_for(facilitator_account(another))
    stranger = headers_for(make_user(name="Sam"))
    # How an admin-only route with this id answers a stranger, and the other facilitator.
    admin_route = f"/admin/facilitators/{facilitator.facilitator_id}"
    as_stranger = client.http.get(admin_route, headers=stranger)
    assert client.http.get(admin_route, headers=other).body == as_stranger.body

    for method, path, body in calls(facilitator.facilitator_id):
        for refused in (other, stranger):
            answer = send(client, method, path, body, refused)
            assert (answer.status_code, answer.body) == (403, as_stranger.body), path
        # Refused before the body is looked at, as an admin-only route does.
        assert send(client, method, path, "{", other).status_code == 403
        assert send(client, method, path, body, {}).status_code == 401
    for headers in (own, headers_for(make_admin())):
        for method, path, body in calls(facilitator.facilitator_id):
            assert send(client, method, path, body, headers).status_code in (200, 202), path


def test_the_secret_is_answered_once_and_never_shown_again(client, log_output):
    facilitator = make_facilitator()
    admin = headers_for(make_admin())
    root = f"/admin/facilitators/{facilitator.facilitator_id}/webhook"
    put = send(client, "PUT", root, json.dumps({"url": "http://127.0.0.1:9/h"}), admin)
    rotated = send(client, "POST", f"{root}/rotate", None, admin)
    tested = send(client, "POST", f"{root}/test", None, admin)
    secrets = {put.json_body["secret"], rotated.json_body["secret"]}
    assert all(secret.startswith("whsec_") for secret in secrets) and len(secrets) == 2
    retry_due_deliveries()  # the test delivery's attempt is logged (port 9 refuses it)

    later = [
        tested.body,
        client.http.get(f"/admin/facilitators/{facilitator.facilitator_id}", headers=admin).body,
        client.http.get("/admin/facilitators", headers=admin).body,
        client.http.get("/admin/webhooks?state=pending", headers=admin).body,
        json.dumps(endpoints.endpoint_view(facilitator.facilitator_id)).encode(),
        log_output.getvalue().encode(),
    ]
    assert b"webhook attempt" in later[-1]
    for seen in later:
        for secret in secrets:
            assert secret.encode() not in seen


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hooks",  # public, but not https
        "https://10.1.2.3/hooks",  # private
        "https://127.0.0.1/hooks",  # loopback
        "https://localhost/hooks",
        "https://169.254.169.254/latest/meta-data",  # link-local: the instance metadata
        "https://[::1]/hooks",
        "https://[::ffff:192.168.0.1]/hooks",  # a private IPv4 address written as IPv6
        "https://[fd00::1]/hooks",  # unique local
        "https://100.64.0.1/hooks",  # carrier-grade NAT: not global
        "https://user:pw@93.184.215.14/hooks",
    ],
)
def test_a_deployed_stage_refuses_what_is_not_https_to_a_public_address(url):
    assert refusal(url, deployed=True) is not None
    assert refusal("https://93.184.215.14/hooks", deployed=True) is None


def test_local_stages_take_a_sink_on_this_machine():
    assert refusal("http://127.0.0.1:8002/webhooks", deployed=False) is None


@pytest.fixture
def deployed_stage(configure):
    """The settings of a deployed stage (the tables stay bound to this DynamoDB Local)."""
    return lambda: configure(
        STAGE="prod", BOOKINGS_STREAM_ARN="arn:aws:dynamodb:x", CRM_WEBHOOK_SECRET="whsec_x"
    )


def test_a_deployed_stage_refuses_a_private_url_when_set_naming_url(client, deployed_stage):
    facilitator = make_facilitator()
    deployed_stage()
    answer = send(
        client,
        "PUT",
        f"/admin/facilitators/{facilitator.facilitator_id}/webhook",
        json.dumps({"url": "https://169.254.169.254/latest"}),
        headers_for(make_admin()),
    )
    assert answer.status_code == 400
    assert list(answer.json_body["error"]["fields"]) == ["url"]
    assert models.Facilitator.get(facilitator.facilitator_id).webhook_url is None


def test_a_deployed_stage_checks_again_before_each_post_and_logs_the_refusal(
    client, deployed_stage, log_output
):
    sink = CrmSink(echo=False).start()
    try:
        facilitator = make_facilitator()
        endpoints.set_url(facilitator.facilitator_id, sink.url)  # the local stage takes it
        deployed_stage()
        endpoints.send_test(facilitator.facilitator_id)
        retry_due_deliveries()
    finally:
        sink.stop()

    assert sink.deliveries == []
    [row] = models.WebhookDelivery.due.query(models.PENDING)
    assert row.last_error.startswith("destination refused")
    assert "webhook destination refused" in log_output.getvalue()
