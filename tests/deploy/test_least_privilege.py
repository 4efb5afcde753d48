"""Each Lambda reads only its own secrets: the webhook Lambdas (which talk to the outside world)
can neither ask for nor be granted the key that signs users' tokens, and the API Lambda, which
signs no webhook, gets no webhook secret.

Checked three ways: the rendered policies (IAM would refuse another Lambda's parameter), the
environment each Lambda is deployed with (it names only its own parameters), and a cold start
of each Lambda against moto's parameter store holding every secret (the IAM audit records
the SSM call the settings make and holds it against that Lambda's policy).
"""

from datetime import timedelta

import pytest

from chalicelib import config, dynamodb, models
from chalicelib.config import LAMBDA_FUNCTION, SECRET_READERS, secrets_read_by
from deploy import policies, project
from deploy.project import function_environment, secret_parameter, staged_config
from tests.support import iam_audit
from tests.support.aws_emulator import Emulator
from tests.support.crm import CRM_TEST_SECRET
from tests.support.iam_audit import ACCOUNT, PARTITION, REGION, Request, allowed
from tests.support.stream_records import invoke_stream_handler, recorded_event, run_retrier

STAGES = ("dev", "prod")
WEBHOOK_LAMBDAS = ("on_booking_change", "retry_webhooks", "send_reminders")
POLICY_SOURCES = sorted(path.stem for path in policies.SOURCE_DIR.glob("*.json"))
TEST_STAGE = "test"
JWT_FROM_SSM = "jwt-from-the-parameter-store-" + "j" * 32


def parameter_arn(stage, secret):
    return f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter{secret_parameter(stage, secret)}"


def rendered(function, stage):
    return policies.for_account(
        function,
        stage,
        partition=PARTITION,
        region=REGION,
        account_id=ACCOUNT,
        stream_arn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/ahoum-{stage}-bookings/stream/s",
    )


def readable_parameters(policy):
    return {
        resource
        for statement in policy["Statement"]
        if any(action.startswith("ssm:") for action in statement["Action"])
        for resource in statement["Resource"]
    }


# --- What the policies allow ----------------------------------------------------------------


def test_the_secret_table_gives_the_jwt_key_to_the_api_only_and_the_crm_secret_to_the_rest():
    # The API also makes PaymentIntents and refunds and checks Stripe's webhooks.
    assert secrets_read_by("api_handler") == (
        "JWT_SECRET",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
    )
    for function in WEBHOOK_LAMBDAS:
        assert secrets_read_by(function) == ("CRM_WEBHOOK_SECRET",)
    # The payment job cancels expired holds' PaymentIntents; it checks no webhook.
    assert secrets_read_by("settle_payments") == ("STRIPE_SECRET_KEY",)
    assert set(secrets_read_by(None)) == set(SECRET_READERS)  # a process playing them all


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("function", POLICY_SOURCES)
def test_each_policy_grants_exactly_the_parameters_of_its_own_secrets(function, stage):
    policy = rendered(function, stage)
    own = {parameter_arn(stage, secret) for secret in secrets_read_by(function)}
    assert readable_parameters(policy) == own
    for secret in SECRET_READERS:
        for action in ("ssm:GetParameters", "ssm:GetParameter"):
            request = Request(action, parameter_arn(stage, secret))
            expected = secret in secrets_read_by(function) and action == "ssm:GetParameters"
            assert allowed(policy, request) is expected, (function, secret, action)


@pytest.mark.parametrize("function", WEBHOOK_LAMBDAS)
def test_no_webhook_lambda_may_read_the_jwt_key_of_any_stage(function):
    for stage in STAGES:
        policy = rendered(function, stage)
        for jwt_stage in STAGES:
            assert not allowed(
                policy, Request("ssm:GetParameters", parameter_arn(jwt_stage, "JWT_SECRET"))
            )


def test_a_lambda_that_reads_no_secret_gets_no_ssm_statement_at_all(monkeypatch):
    monkeypatch.setitem(SECRET_READERS, "CRM_WEBHOOK_SECRET", frozenset({"on_booking_change"}))
    policy = rendered("retry_webhooks", "dev")
    assert readable_parameters(policy) == set()
    assert "SecretsAtColdStart" not in {statement.get("Sid") for statement in policy["Statement"]}


def test_every_policy_file_names_tables_and_indexes_the_models_have():
    indexes = {
        short_name: {
            index["IndexName"]
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
            for index in dynamodb.table_definition(model).get(kind, [])
        }
        for short_name, model in models.TABLES.items()
    }
    for function in POLICY_SOURCES:
        for statement in rendered(function, "dev")["Statement"]:
            resources = statement["Resource"]
            for resource in resources if isinstance(resources, list) else [resources]:
                if ":table/" not in resource or "/stream/" in resource:
                    continue
                table, *index = resource.split(":table/ahoum-dev-", 1)[1].split("/index/")
                assert table in indexes, (function, resource)
                assert set(index) <= indexes[table], (function, resource)


# --- What each Lambda is deployed with -------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_each_lambda_s_environment_names_itself_and_only_its_own_parameters(stage):
    functions = staged_config(stage)["stages"][stage]["lambda_functions"]
    assert set(functions) >= set(project.lambda_functions())
    for function in project.lambda_functions():
        variables = functions[function]["environment_variables"]
        assert variables[LAMBDA_FUNCTION] == function
        named = {name for name in variables if name.endswith(config.PARAMETER_SUFFIX)}
        assert named == {secret + config.PARAMETER_SUFFIX for secret in secrets_read_by(function)}
        assert functions[function]["iam_policy_file"] == f"policy-{stage}-{function}.json"
    # The stage's own environment (every Lambda's) names no secret at all.
    shared = staged_config(stage)["stages"][stage]["environment_variables"]
    assert not [name for name in shared if "SECRET" in name]


def test_a_fourth_lambda_is_configured_by_its_name_alone(monkeypatch):
    declared = {**project.lambda_functions(), "send_reminders": "SendReminders"}
    monkeypatch.setattr(project, "lambda_functions", lambda: declared)
    reminders = staged_config("prod")["stages"]["prod"]["lambda_functions"]["send_reminders"]
    assert reminders["environment_variables"] == {
        LAMBDA_FUNCTION: "send_reminders",
        "CRM_WEBHOOK_SECRET_PARAM": "/ahoum-bookings/prod/crm-webhook-secret",
    }
    assert reminders["iam_policy_file"] == "policy-prod-send_reminders.json"
    # Its policy file is there already, and rendering it needs nothing more.
    assert readable_parameters(rendered("send_reminders", "prod")) == {
        parameter_arn("prod", "CRM_WEBHOOK_SECRET")
    }


# --- What each Lambda asks for when it starts ------------------------------------------------


@pytest.fixture(scope="module")
def parameter_store(tmp_path_factory):
    """moto's SSM holding every secret of the test stage, as a deployed stage's account does."""
    emulator = Emulator(tmp_path_factory.mktemp("parameter-store"))
    values = {
        "JWT_SECRET": JWT_FROM_SSM,
        "CRM_WEBHOOK_SECRET": CRM_TEST_SECRET,
        "STRIPE_SECRET_KEY": "sk_test_from_ssm",
        "STRIPE_WEBHOOK_SECRET": "whsec_from_ssm",
    }
    assert set(values) == set(SECRET_READERS)
    for secret, value in values.items():
        emulator.client("ssm").put_parameter(
            Name=secret_parameter(TEST_STAGE, secret), Value=value, Type="SecureString"
        )
    yield emulator
    emulator.stop()


@pytest.fixture
def cold_start(monkeypatch, parameter_store):
    """Start the settings as one Lambda would: only its deployed environment names secrets,
    and they come from the parameter store. The test's own plain secrets are taken away."""

    def start(function):
        for secret in SECRET_READERS:
            monkeypatch.delenv(secret, raising=False)
        for name, value in function_environment(TEST_STAGE, function).items():
            monkeypatch.setenv(name, value)
        # A Lambda has its role's credentials; moto takes any.
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", parameter_store.endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "stand-in")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stand-in")
        config.get_settings.cache_clear()
        return config.get_settings()

    yield start
    # monkeypatch puts the environment back after this; the settings are read again then.
    config.get_settings.cache_clear()


def ssm_requests(function):
    return {
        request.resource.split(":parameter", 1)[1]
        for request in iam_audit.RECORDER.calls.get(function, {})
        if request.action.startswith("ssm:")
    }


@pytest.mark.parametrize("function", ["on_booking_change", "retry_webhooks"])
def test_a_webhook_lambda_s_cold_start_never_asks_for_the_jwt_key(function, cold_start):
    settings = cold_start(function)
    assert settings.jwt_secret is None
    assert settings.crm_webhook_secret == CRM_TEST_SECRET
    assert ssm_requests(function) == {secret_parameter(TEST_STAGE, "CRM_WEBHOOK_SECRET")}
    assert iam_audit.RECORDER.denied == []


def test_the_api_lambda_s_cold_start_reads_the_jwt_key_and_no_webhook_secret(cold_start):
    settings = cold_start("api_handler")
    assert settings.jwt_secret == JWT_FROM_SSM
    assert settings.crm_webhook_secret is None
    assert (settings.stripe_secret_key, settings.stripe_webhook_secret) == (
        "sk_test_from_ssm",
        "whsec_from_ssm",
    )
    assert ssm_requests("api_handler") == {
        secret_parameter(TEST_STAGE, secret)
        for secret in ("JWT_SECRET", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
    }


def test_the_stream_and_retry_paths_run_without_the_jwt_key(client, crm, cold_start, shifted_clock):
    settings = cold_start("on_booking_change")
    assert settings.jwt_secret is None  # anything on the path that needed it would fail here
    crm.stop()
    answer = invoke_stream_handler(client, recorded_event("booking_confirmed"))
    assert answer == {"batchItemFailures": []}  # the delivery is left pending
    crm.start()
    assert cold_start("retry_webhooks").jwt_secret is None
    shifted_clock.advance(timedelta(minutes=2))
    assert run_retrier(client)["delivered"] == 1
    # The CRM verified the signature: made with the secret the cold start read from SSM.
    assert len(crm.deliveries) == 1


def test_a_lambda_asking_for_another_s_secret_is_refused_by_the_audit(cold_start, monkeypatch):
    # A settings loader that ignored which Lambda it runs in would ask for every secret.
    monkeypatch.setattr(config, "secrets_read_by", lambda function: tuple(SECRET_READERS))
    monkeypatch.setenv("JWT_SECRET_PARAM", secret_parameter(TEST_STAGE, "JWT_SECRET"))
    monkeypatch.setattr(iam_audit.RECORDER, "calls", {})  # the suite's report keeps real calls
    cold_start("on_booking_change")
    denied = iam_audit.RECORDER.take_denied()  # taken, so this test itself passes
    assert denied == [
        ("on_booking_change", Request("ssm:GetParameters", parameter_arn(TEST_STAGE, "JWT_SECRET")))
    ]


# --- What each Lambda may do with the tables --------------------------------------------------

# Grants the IAM audit found no call for (test-artifacts/iam-audit.md after the suite), removed.
UNUSED_GRANTS = [
    ("api_handler", "dynamodb:ConditionCheckItem", "events"),
    ("api_handler", "dynamodb:ConditionCheckItem", "revoked_tokens"),
    (
        "api_handler",
        "dynamodb:Query",
        "bookings",
    ),  # its indexes only: the base table is read by key
    *[(function, "dynamodb:GetItem", "webhook_deliveries") for function in WEBHOOK_LAMBDAS],
]


@pytest.mark.parametrize(("function", "action", "table"), UNUSED_GRANTS)
def test_no_lambda_is_granted_a_table_action_its_code_never_makes(function, action, table):
    policy = rendered(function, "dev")
    assert not allowed(policy, Request(action, iam_audit.table_arn(f"ahoum-dev-{table}")))


def test_the_api_queries_the_bookings_indexes_it_reads():
    policy = rendered("api_handler", "dev")
    for index in ("by_booking_id", "by_event", "by_user_created"):
        arn = iam_audit.table_arn("ahoum-dev-bookings", index)
        assert allowed(policy, Request("dynamodb:Query", arn)), index


def user_update(*attributes, return_values=None):
    context = {"dynamodb:Attributes": list(attributes)}
    if return_values:
        context["dynamodb:ReturnValues"] = return_values
    return Request("dynamodb:UpdateItem", iam_audit.table_arn("ahoum-dev-users"), context)


def test_the_api_may_update_a_user_s_calendar_feed_hash_and_never_their_role():
    policy = rendered("api_handler", "dev")
    assert allowed(policy, user_update("user_id", "calendar_feed_hash", return_values="NONE"))
    assert not allowed(policy, user_update("user_id", "role", return_values="NONE"))
    assert not allowed(policy, user_update("user_id", "calendar_feed_hash", "role"))
    # The whole item back would let the API read through an update what it may not name.
    assert not allowed(
        policy, user_update("user_id", "calendar_feed_hash", return_values="ALL_NEW")
    )
