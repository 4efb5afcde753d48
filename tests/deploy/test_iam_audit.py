"""The IAM audit (tests/support/iam_audit.py): the evaluator, the call → permission mapping, and the
recording of real calls made inside a Lambda's entry point."""

import pytest

from chalicelib import dynamodb, models
from tests.support import iam_audit
from tests.support.factories import headers_for, make_event, make_user
from tests.support.iam_audit import Request, allowed, requests_for, table_arn
from tests.support.stream_records import invoke_stream_handler, recorded_event

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": table_arn("t")},
        {
            "Effect": "Allow",
            "Action": ["dynamodb:Query"],
            "Resource": [table_arn("t") + "/index/*"],
        },
        {"Effect": "Allow", "Action": "logs:Put*", "Resource": "arn:aws:logs:*:*:log-group:g:*"},
        {"Effect": "Deny", "Action": "dynamodb:Query", "Resource": table_arn("t", "secret")},
    ],
}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (Request("dynamodb:GetItem", table_arn("t")), True),
        (Request("DynamoDB:getitem", table_arn("t")), True),  # actions ignore case
        (Request("dynamodb:GetItem", table_arn("T")), False),  # ARNs do not
        (Request("dynamodb:GetItem", table_arn("other")), False),
        (Request("dynamodb:PutItem", table_arn("t")), False),
        (Request("dynamodb:Query", table_arn("t")), False),  # the table is not its indexes
        (Request("dynamodb:Query", table_arn("t", "by_x")), True),
        (Request("dynamodb:Query", table_arn("t", "secret")), False),  # a Deny wins
        (Request("logs:PutLogEvents", "arn:aws:logs:r:1:log-group:g:log-stream:s"), True),
        (Request("logs:PutLogEvents", "arn:aws:logs:r:1:log-group:h:log-stream:s"), False),
    ],
)
def test_the_evaluator_reads_allow_deny_and_wildcards_as_iam_does(request_, expected):
    assert allowed(POLICY, request_) is expected


def test_a_transaction_is_checked_item_by_item_and_a_batch_table_by_table():
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "bookings"}},
            {"Update": {"TableName": "events"}},
            {"ConditionCheck": {"TableName": "revoked"}},
        ]
    }
    assert requests_for("dynamodb", "TransactWriteItems", transaction) == [
        Request("dynamodb:PutItem", table_arn("bookings")),
        Request("dynamodb:UpdateItem", table_arn("events")),
        Request("dynamodb:ConditionCheckItem", table_arn("revoked")),
    ]
    batch = {"RequestItems": {"users": {}, "events": {}}}
    assert requests_for("dynamodb", "BatchGetItem", batch) == [
        Request("dynamodb:BatchGetItem", table_arn("users")),
        Request("dynamodb:BatchGetItem", table_arn("events")),
    ]
    query = {"TableName": "events", "IndexName": "upcoming"}
    assert requests_for("dynamodb", "Query", query) == [
        Request("dynamodb:Query", table_arn("events", "upcoming"))
    ]
    (parameter,) = requests_for("ssm", "GetParameters", {"Names": ["/ahoum-bookings/x"]})
    assert parameter.resource.endswith(":parameter/ahoum-bookings/x")


def test_a_route_s_calls_are_recorded_for_the_api_lambda_and_allowed(client):
    make_event()
    before = iam_audit.RECORDER.calls.get("api_handler", {}).copy()
    response = client.http.get("/events", headers=headers_for(make_user()))
    assert response.status_code == 200
    after = iam_audit.RECORDER.calls["api_handler"]
    upcoming = Request("dynamodb:Query", table_arn("ahoum-test-events", "upcoming"))
    assert after[upcoming] == before.get(upcoming, 0) + 1
    assert iam_audit.RECORDER.denied == []


def test_the_stream_handler_s_calls_from_its_worker_threads_are_recorded_for_it(
    client, crm, configure
):
    """A batch of three bookings runs on three threads; each claim is still the stream
    Lambda's call, checked against its policy."""
    configure(STREAM_SEND_CONCURRENCY=8)
    before = iam_audit.RECORDER.calls.get("on_booking_change", {}).copy()
    answer = invoke_stream_handler(client, recorded_event("bookings_batch"))
    assert answer == {"batchItemFailures": []}
    after = iam_audit.RECORDER.calls["on_booking_change"]
    claim = Request("dynamodb:PutItem", table_arn("ahoum-test-webhook_deliveries"))
    assert after[claim] == before.get(claim, 0) + 3
    assert iam_audit.RECORDER.denied == []


def test_a_call_the_lambda_s_policy_lacks_is_recorded_as_denied():
    event = make_event()  # written outside any entry point: not checked
    assert iam_audit.RECORDER.denied == []
    with iam_audit.entry_point("retry_webhooks"):
        models.Event.get(event.event_id)  # the retrier may not read events
    denied = iam_audit.RECORDER.take_denied()  # taken, so this test itself passes
    assert denied == [
        ("retry_webhooks", Request("dynamodb:GetItem", table_arn("ahoum-test-events")))
    ]


def test_a_permission_no_call_used_is_reported_but_the_stream_and_log_grants_are_not():
    unused = iam_audit.unused_permissions("on_booking_change")
    sids = {sid for sid, _, _ in unused}
    assert not sids & iam_audit.OUTSIDE_ENTRY_POINTS
    assert all(action.startswith("dynamodb:") for _, action, _ in unused)


def test_a_test_whose_entry_point_made_a_denied_call_fails_naming_it():
    hook = iam_audit.pytest_runtest_call(item=None)
    next(hook)  # the test starts
    iam_audit.RECORDER.denied.append(
        ("retry_webhooks", Request("dynamodb:PutItem", table_arn("ahoum-test-events")))
    )
    with pytest.raises(AssertionError, match="retry_webhooks: dynamodb:PutItem on arn:aws"):
        hook.send(None)  # the test's body returned
    assert iam_audit.RECORDER.denied == []


USERS = table_arn("ahoum-test-users")
FEED_HASH_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "dynamodb:UpdateItem",
            "Resource": USERS,
            "Condition": {
                "ForAllValues:StringEquals": {
                    "dynamodb:Attributes": ["user_id", "calendar_feed_hash"]
                },
                "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE", "UPDATED_NEW"]},
            },
        }
    ],
}


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"dynamodb:Attributes": ["user_id", "calendar_feed_hash"]}, True),
        ({"dynamodb:Attributes": ["calendar_feed_hash"], "dynamodb:ReturnValues": "NONE"}, True),
        ({"dynamodb:Attributes": ["user_id", "role"]}, False),
        ({"dynamodb:Attributes": ["user_id", "calendar_feed_hash", "role"]}, False),
        (
            {"dynamodb:Attributes": ["calendar_feed_hash"], "dynamodb:ReturnValues": "ALL_NEW"},
            False,
        ),
        ({"DynamoDB:attributes": ["Role"]}, False),  # keys ignore case, values do not
    ],
)
def test_the_evaluator_holds_a_write_s_attributes_and_return_values_to_the_condition(
    context, expected
):
    assert allowed(FEED_HASH_ONLY, Request("dynamodb:UpdateItem", USERS, context)) is expected


def test_a_condition_the_evaluator_does_not_know_fails_loudly_instead_of_passing():
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "dynamodb:UpdateItem",
                "Resource": USERS,
                "Condition": {"StringLike": {"dynamodb:Attributes": ["calendar_*"]}},
            }
        ]
    }
    with pytest.raises(ValueError, match="StringLike"):
        allowed(policy, Request("dynamodb:UpdateItem", USERS, {"dynamodb:Attributes": ["x"]}))


def test_a_write_s_attributes_are_its_key_what_it_sets_and_what_its_condition_reads():
    update = {
        "TableName": "ahoum-test-users",
        "Key": {"user_id": {"S": "u1"}},
        "UpdateExpression": "SET #0 = :0, #1.#2 = if_not_exists(#1.#2, :1) REMOVE #3[0]",
        "ConditionExpression": "attribute_exists (#4) AND size(#0) < :2",
        "ExpressionAttributeNames": {"#0": "a", "#1": "b", "#2": "nested", "#3": "c", "#4": "d"},
        "ReturnValues": "ALL_NEW",
    }
    (request,) = requests_for("dynamodb", "UpdateItem", update)
    assert request.context == {
        "dynamodb:Attributes": ["a", "b", "c", "d", "user_id"],
        "dynamodb:ReturnValues": "ALL_NEW",
    }
    in_a_transaction = {key: value for key, value in update.items() if key != "ReturnValues"}
    transaction = {"TransactItems": [{"Update": in_a_transaction}]}
    (in_transaction,) = requests_for("dynamodb", "TransactWriteItems", transaction)
    assert in_transaction.context["dynamodb:Attributes"] == ["a", "b", "c", "d", "user_id"]


def test_the_api_s_own_updates_of_a_user_pass_its_attribute_condition(client):
    user = make_user()
    before = iam_audit.RECORDER.calls.get("api_handler", {}).copy()
    created = client.http.post("/auth/calendar-feed", headers=headers_for(user))
    assert created.status_code == 201
    stopped = client.http.delete("/auth/calendar-feed", headers=headers_for(user))
    assert stopped.status_code == 200
    assert iam_audit.RECORDER.denied == []
    update = Request("dynamodb:UpdateItem", USERS)
    assert iam_audit.RECORDER.calls["api_handler"][update] == before.get(update, 0) + 2


def test_an_update_of_a_user_s_role_from_the_api_is_refused_by_the_audit():
    user = make_user()
    with iam_audit.entry_point("api_handler"):
        dynamodb.update_blind(
            models.User(user.user_id),
            [models.User.role.set("admin")],
            condition=models.User.user_id.exists(),
        )
        # PynamoDB's own update asks for the whole item back: refused too, even for the hash.
        models.User(user.user_id).update(actions=[models.User.calendar_feed_hash.set("h")])
    denied = iam_audit.RECORDER.take_denied()  # taken, so this test itself passes
    assert denied == [("api_handler", Request("dynamodb:UpdateItem", USERS))] * 2
    assert denied[0][1].context["dynamodb:Attributes"] == ["role", "user_id"]
    assert denied[1][1].context["dynamodb:ReturnValues"] == "ALL_NEW"
