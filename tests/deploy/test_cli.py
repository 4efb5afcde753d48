"""`make deploy` / `make destroy`, offline: argument handling, the prod guard, and each AWS
step against botocore's Stubber (CloudFormation, SSM, Lambda, API Gateway — never DynamoDB)."""

import json
import os
import shutil

import botocore.session
import pytest
from botocore.stub import Stubber

from deploy import aws, policies, resources
from deploy.__main__ import main
from deploy.project import CONFIG_PATH, FUNCTIONS, DeployError, set_stage_variable

STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/ahoum-dev-bookings/stream/2026-01-01"
MAPPING_UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:ahoum-dev-booking-stream-dlq"


@pytest.fixture(autouse=True)
def own_environment():
    # The CLI sets its own process's environment; keep that out of the other tests.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


class NoAws:
    """A session that fails the test if any step reaches for AWS."""

    def __getattr__(self, name):
        raise AssertionError(f"AWS was touched ({name})")


def stubbed(service):
    client = botocore.session.get_session().create_client(
        service, region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    return client, Stubber(client)


def test_destroying_prod_without_the_flag_is_refused_before_anything_happens():
    with pytest.raises(DeployError, match="--allow-prod"):
        aws.destroy("prod", assume_yes=True, session=NoAws())


def test_make_destroy_for_prod_exits_non_zero_with_the_reason(capsys):
    assert main(["destroy", "--stage", "prod"]) == 1
    assert "ALLOW_PROD=1" in capsys.readouterr().err


def test_destroy_asks_for_the_stage_name_and_stops_on_anything_else():
    prompts = []

    def answer(prompt):
        prompts.append(prompt)
        return "yes"

    with pytest.raises(DeployError, match="Not confirmed"):
        aws.destroy("dev", ask=answer, session=NoAws())
    assert "tables" in prompts[0] and "dev" in prompts[0]


def test_destroying_prod_with_the_flag_still_asks_and_says_tables_are_kept():
    prompts = []
    with pytest.raises(DeployError, match="Not confirmed"):
        aws.destroy("prod", allow_prod=True, ask=lambda p: prompts.append(p) or "", session=NoAws())
    assert "tables are kept" in prompts[0]


@pytest.mark.parametrize("command", ["deploy", "destroy", "package"])
@pytest.mark.parametrize("stage", ["local", "test", "staging"])
def test_only_configured_aws_stages_are_accepted(command, stage, capsys):
    assert main([command, "--stage", stage]) == 1
    assert "choose one of dev, prod" in capsys.readouterr().err


def test_deploy_without_credentials_says_what_to_set(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask the metadata service
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with pytest.raises(DeployError, match="No AWS credentials"):
        aws.deploy("dev", session=botocore.session.Session())


def test_a_missing_secret_parameter_stops_the_deploy_with_the_command_to_create_it():
    ssm, stubber = stubbed("ssm")
    names = ["/ahoum-bookings/dev/jwt-secret", "/ahoum-bookings/dev/crm-webhook-secret"]
    stubber.add_response(
        "get_parameters",
        {"Parameters": [], "InvalidParameters": [names[1]]},
        {"Names": names},
    )
    with stubber, pytest.raises(DeployError) as failure:
        aws.check_secrets(ssm, "dev")
    assert f"aws ssm put-parameter --type SecureString --name {names[1]}" in str(failure.value)
    assert names[0] not in str(failure.value)


def _stack(outputs=None):
    stack = {
        "StackName": "ahoum-dev-data",
        "CreationTime": "2026-01-01T00:00:00Z",
        "StackStatus": "CREATE_COMPLETE",
    }
    if outputs:
        stack["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    return {"Stacks": [stack]}


def test_a_new_data_stack_is_created_waited_for_and_its_outputs_returned():
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("dev")
    stubber.add_client_error(
        "describe_stacks", "ValidationError", "Stack with id ahoum-dev-data does not exist"
    )
    stubber.add_response(
        "create_stack",
        {"StackId": "id"},
        {"StackName": "ahoum-dev-data", "TemplateBody": json.dumps(template)},
    )
    stubber.add_response("describe_stacks", _stack())  # the waiter's poll
    outputs = {resources.STREAM_ARN_OUTPUT: STREAM_ARN}
    stubber.add_response("describe_stacks", _stack(outputs))
    with stubber:
        assert aws.deploy_stack(cloudformation, "ahoum-dev-data", template) == outputs
        stubber.assert_no_pending_responses()


def test_an_unchanged_data_stack_is_not_an_error():
    cloudformation, stubber = stubbed("cloudformation")
    outputs = {resources.STREAM_ARN_OUTPUT: STREAM_ARN}
    stubber.add_response("describe_stacks", _stack(outputs))
    stubber.add_client_error("update_stack", "ValidationError", "No updates are to be performed.")
    stubber.add_response("describe_stacks", _stack(outputs))
    with stubber:
        template = resources.data_stack_template("dev")
        assert aws.deploy_stack(cloudformation, "ahoum-dev-data", template) == outputs
        stubber.assert_no_pending_responses()


def test_the_deployed_stream_mapping_gets_the_templates_failure_handling():
    lambda_client, stubber = stubbed("lambda")
    stubber.add_response(
        "update_event_source_mapping",
        {"UUID": MAPPING_UUID},
        {
            "UUID": MAPPING_UUID,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": resources.STREAM_MAPPING_SETTINGS["MaximumRetryAttempts"],
            "MaximumRecordAgeInSeconds": resources.STREAM_MAPPING_SETTINGS[
                "MaximumRecordAgeInSeconds"
            ],
            "DestinationConfig": {"OnFailure": {"Destination": DLQ_ARN}},
        },
    )
    with stubber:
        aws.configure_stream_mapping(lambda_client, MAPPING_UUID, DLQ_ARN)
        stubber.assert_no_pending_responses()


def test_every_deployed_lambda_is_switched_to_json_logs_once_it_is_ready():
    lambda_client, stubber = stubbed("lambda")
    for name in (
        "ahoum-bookings-dev",
        "ahoum-bookings-dev-on_booking_change",
        "ahoum-bookings-dev-retry_webhooks",
        "ahoum-bookings-dev-send_reminders",
    ):
        stubber.add_response(
            "get_function_configuration", {"LastUpdateStatus": "Successful"}, {"FunctionName": name}
        )
        stubber.add_response(
            "update_function_configuration",
            {"FunctionName": name},
            {"FunctionName": name, "LoggingConfig": {"LogFormat": "JSON"}},
        )
    with stubber:
        aws.use_json_logs(lambda_client, "dev")
        stubber.assert_no_pending_responses()


def test_gateway_responses_are_put_then_the_api_is_redeployed_so_they_take_effect():
    apigateway, stubber = stubbed("apigateway")
    for response_type, response in resources.gateway_responses().items():
        stubber.add_response(
            "put_gateway_response",
            {"responseType": response_type},
            {"restApiId": "api-1", "responseType": response_type, **response},
        )
    stubber.add_response(
        "create_deployment", {"id": "d-1"}, {"restApiId": "api-1", "stageName": "api"}
    )
    with stubber:
        aws.apply_gateway_responses(apigateway, "api-1")
        stubber.assert_no_pending_responses()


def test_the_stream_arn_from_the_data_stack_lands_in_the_stage_config_only(tmp_path):
    config_copy = tmp_path / "config.json"
    shutil.copy(CONFIG_PATH, config_copy)
    set_stage_variable("dev", "BOOKINGS_STREAM_ARN", STREAM_ARN, path=config_copy)
    config = json.loads(config_copy.read_text())
    assert config["stages"]["dev"]["environment_variables"]["BOOKINGS_STREAM_ARN"] == STREAM_ARN
    assert "BOOKINGS_STREAM_ARN" not in config["stages"]["prod"]["environment_variables"]
    assert (
        config["stages"]["dev"]["lambda_functions"]
        == json.loads(CONFIG_PATH.read_text())["stages"]["dev"]["lambda_functions"]
    )


def test_policies_rendered_for_an_account_name_only_that_account_and_stage():
    for function in FUNCTIONS:
        policy = policies.for_account(
            function,
            "dev",
            partition="aws",
            region="eu-west-1",
            account_id="123456789012",
            stream_arn=STREAM_ARN,
        )
        text = json.dumps(policy)
        assert "${" not in text and "ahoum-prod" not in text
        for statement in policy["Statement"]:
            for resource in (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            ):
                assert resource.startswith("arn:aws:") and ":eu-west-1:123456789012:" in resource
