"""Deployed secrets come from SSM Parameter Store SecureStrings, read once at cold start.

SSM is stubbed with botocore's Stubber (SSM is not DynamoDB; nothing here touches tables).
"""

import botocore.session
import pytest
from botocore.stub import Stubber

from chalicelib import config
from chalicelib.config import ConfigError, load_settings

JWT_PARAM = "/ahoum-bookings/prod/jwt-secret"
CRM_PARAM = "/ahoum-bookings/prod/crm-webhook-secret"
JWT_VALUE = "j" * 48
CRM_VALUE = "whsec_" + "c" * 32


def deployed_environment(tmp_path, **extra):
    return {
        "STAGE": "prod",
        "DATA_DIR": str(tmp_path),
        "BOOKINGS_STREAM_ARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/s",
        "JWT_SECRET_PARAM": JWT_PARAM,
        "CRM_WEBHOOK_SECRET_PARAM": CRM_PARAM,
        **extra,
    }


def parameter(name, value):
    return {"Name": name, "Type": "SecureString", "Value": value, "Version": 1}


@pytest.fixture
def ssm():
    client = botocore.session.get_session().create_client(
        "ssm",
        region_name="eu-west-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_parameters(stubber, found, invalid=()):
    response = {"Parameters": found}
    if invalid:
        response["InvalidParameters"] = list(invalid)
    stubber.add_response(
        "get_parameters",
        response,
        {"Names": sorted([JWT_PARAM, CRM_PARAM]), "WithDecryption": True},
    )


def test_both_secrets_come_from_their_parameters_in_one_decrypting_call(ssm, tmp_path):
    client, stubber = ssm
    expect_parameters(stubber, [parameter(JWT_PARAM, JWT_VALUE), parameter(CRM_PARAM, CRM_VALUE)])
    settings = load_settings(deployed_environment(tmp_path), ssm_client=client)
    assert settings.jwt_secret == JWT_VALUE
    assert settings.crm_webhook_secret == CRM_VALUE


def test_a_missing_parameter_stops_startup_and_names_it(ssm, tmp_path):
    client, stubber = ssm
    expect_parameters(stubber, [parameter(JWT_PARAM, JWT_VALUE)], invalid=[CRM_PARAM])
    with pytest.raises(ConfigError, match=CRM_PARAM) as failure:
        load_settings(deployed_environment(tmp_path), ssm_client=client)
    assert "SecureString" in str(failure.value)


def test_ssm_refusing_access_stops_startup(ssm, tmp_path):
    client, stubber = ssm
    stubber.add_client_error(
        "get_parameters", service_error_code="AccessDeniedException", http_status_code=400
    )
    with pytest.raises(ConfigError, match="Could not read SSM parameter"):
        load_settings(deployed_environment(tmp_path), ssm_client=client)


def test_a_short_jwt_secret_from_ssm_is_refused(ssm, tmp_path):
    client, stubber = ssm
    expect_parameters(stubber, [parameter(JWT_PARAM, "short"), parameter(CRM_PARAM, CRM_VALUE)])
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings(deployed_environment(tmp_path), ssm_client=client)


def test_plain_values_win_and_ssm_is_not_asked(ssm, tmp_path):
    client, _ = ssm  # no response queued: any SSM call would fail the test
    environment = deployed_environment(tmp_path, JWT_SECRET=JWT_VALUE, CRM_WEBHOOK_SECRET=CRM_VALUE)
    settings = load_settings(environment, ssm_client=client)
    assert (settings.jwt_secret, settings.crm_webhook_secret) == (JWT_VALUE, CRM_VALUE)


def test_secrets_are_read_once_per_container(ssm, tmp_path, monkeypatch):
    client, stubber = ssm
    expect_parameters(stubber, [parameter(JWT_PARAM, JWT_VALUE), parameter(CRM_PARAM, CRM_VALUE)])
    for name in ("JWT_SECRET", "CRM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in deployed_environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(config, "_ssm_client", lambda region: client)
    config.get_settings.cache_clear()
    try:
        first = config.get_settings()
        second = config.get_settings()  # a second SSM call would find no stubbed response
    finally:
        config.get_settings.cache_clear()
    assert first is second
    assert first.jwt_secret == JWT_VALUE


def test_a_webhook_lambda_asks_only_for_the_crm_secret_and_holds_no_jwt_key(ssm, tmp_path):
    client, stubber = ssm
    stubber.add_response(
        "get_parameters",
        {"Parameters": [parameter(CRM_PARAM, CRM_VALUE)]},
        {"Names": [CRM_PARAM], "WithDecryption": True},
    )
    environment = deployed_environment(tmp_path, LAMBDA_FUNCTION="retry_webhooks")
    settings = load_settings(environment, ssm_client=client)
    # A deployed stage without a JWT key is fine for a Lambda that never signs a token.
    assert settings.jwt_secret is None
    assert settings.crm_webhook_secret == CRM_VALUE


def test_the_api_lambda_asks_only_for_the_jwt_key(ssm, tmp_path):
    client, stubber = ssm
    stubber.add_response(
        "get_parameters",
        {"Parameters": [parameter(JWT_PARAM, JWT_VALUE)]},
        {"Names": [JWT_PARAM], "WithDecryption": True},
    )
    environment = deployed_environment(
        tmp_path, LAMBDA_FUNCTION="api_handler", CRM_WEBHOOK_SECRET="given-plainly-but-not-read"
    )
    settings = load_settings(environment, ssm_client=client)
    assert (settings.jwt_secret, settings.crm_webhook_secret) == (JWT_VALUE, None)


def test_the_api_lambda_of_a_deployed_stage_still_refuses_to_start_without_its_jwt_key(tmp_path):
    environment = deployed_environment(tmp_path, LAMBDA_FUNCTION="api_handler")
    del environment["JWT_SECRET_PARAM"]
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        load_settings(environment)


CHALICE_LOCAL = ["chalice", "--project-dir", ".", "local", "--port", "8000"]


@pytest.mark.parametrize(
    "argv",
    [
        ["chalice", "package", "out"],  # `chalice package`/`deploy` import the app too
        ["chalice", "deploy", "--stage", "dev"],
        ["pytest", "local"],  # not the chalice CLI: AWS_CHALICE_CLI_MODE unset below
    ],
)
def test_a_deployed_stage_outside_chalice_local_never_falls_back_to_a_generated_secret(
    argv, tmp_path, dynamodb_local
):
    environ = {"STAGE": "dev", "DATA_DIR": str(tmp_path), "BOOKINGS_STREAM_ARN": "arn:x"}
    if argv[0] == "chalice":
        environ["AWS_CHALICE_CLI_MODE"] = "true"
    environ["DYNAMODB_LOCAL_PORT"] = str(dynamodb_local.port)  # even with one running
    with pytest.raises(ConfigError, match="JWT_SECRET is not set for stage 'dev'"):
        load_settings(environ, argv=argv)
    assert not (tmp_path / "jwt_secret").exists()


def test_chalice_local_without_an_endpoint_runs_as_make_runs_api(tmp_path, dynamodb_local):
    settings = load_settings(
        {
            "AWS_CHALICE_CLI_MODE": "true",
            "STAGE": "dev",  # what `chalice local`'s default stage sets
            "DATA_DIR": str(tmp_path),
            "DYNAMODB_LOCAL_PORT": str(dynamodb_local.port),
            "JWT_SECRET_PARAM": JWT_PARAM,  # never read from SSM on this machine
        },
        argv=CHALICE_LOCAL,
    )
    assert settings.stage == "local" and settings.table_prefix == "ahoum-local-"
    assert settings.dynamodb_endpoint == f"http://127.0.0.1:{dynamodb_local.port}"
    assert settings.jwt_secret == (tmp_path / "jwt_secret").read_text().strip()
    assert settings.log_format == "text"


def test_chalice_local_with_an_endpoint_keeps_its_stage_and_its_rules(tmp_path):
    environ = {
        "AWS_CHALICE_CLI_MODE": "true",
        "STAGE": "dev",
        "DATA_DIR": str(tmp_path),
        "DYNAMODB_ENDPOINT": "http://127.0.0.1:1",
        "BOOKINGS_STREAM_ARN": "arn:x",
    }
    with pytest.raises(ConfigError, match="JWT_SECRET is not set"):
        load_settings(environ, argv=CHALICE_LOCAL)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["chalice", "local"], True),
        (["chalice", "--debug", "local", "--port", "8001"], True),
        (["chalice", "--project-dir", "local", "package", "out"], False),
        (["chalice", "package", "local"], False),
        (["chalice"], False),
    ],
)
def test_chalice_local_is_told_apart_by_its_command(argv, expected):
    assert config.is_chalice_local({"AWS_CHALICE_CLI_MODE": "true"}, argv) is expected
    assert config.is_chalice_local({}, argv) is False
