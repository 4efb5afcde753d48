"""`make deploy` / `make destroy`, offline: argument handling, the prod guard, and each AWS
step against botocore's Stubber (CloudFormation, SSM, Lambda, API Gateway — never DynamoDB)."""

import json
import os
import shutil

import botocore.exceptions
import botocore.session
import pytest
from botocore.stub import Stubber

from chalice_config import CONFIG_PATH, REPO_ROOT, stage_environment
from deploy import aws, deploy_record, policies, project, propagation, resources
from deploy.__main__ import main
from deploy.project import (
    DeployError,
    function_name,
    set_stage_variable,
)
from tests.support import strict_aws

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
    names = [
        "/ahoum-bookings/dev/crm-webhook-secret",
        "/ahoum-bookings/dev/jwt-secret",
        "/ahoum-bookings/dev/stripe-secret-key",
        "/ahoum-bookings/dev/stripe-webhook-secret",
    ]
    stubber.add_response(
        "get_parameters",
        {"Parameters": [], "InvalidParameters": [names[1]]},
        {"Names": names},
    )
    with stubber, pytest.raises(DeployError) as failure:
        aws.check_secrets(ssm, "dev")
    assert f"aws ssm put-parameter --type SecureString --name {names[1]}" in str(failure.value)
    assert names[0] not in str(failure.value)


def _stack(outputs=None, status="CREATE_COMPLETE", parameters=None):
    stack = {
        "StackName": "ahoum-dev-data",
        "CreationTime": "2026-01-01T00:00:00Z",
        "StackStatus": status,
    }
    if outputs:
        stack["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    if parameters:
        stack["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters]
    return {"Stacks": [stack]}


NO_STACK = "Stack with id ahoum-dev-data does not exist"
OUTPUTS = {resources.STREAM_ARN_OUTPUT: STREAM_ARN}


def _create(stubber, template, *, look_first=True):
    if look_first:
        stubber.add_client_error("describe_stacks", "ValidationError", NO_STACK)
    stubber.add_response(
        "create_stack",
        {"StackId": "id"},
        {"StackName": "ahoum-dev-data", "TemplateBody": json.dumps(template), "Parameters": []},
    )
    stubber.add_response("describe_stacks", _stack())  # the waiter's poll
    stubber.add_response("describe_stacks", _stack(OUTPUTS))


def test_a_new_data_stack_is_created_waited_for_and_its_outputs_returned():
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("dev")
    _create(stubber, template)
    with stubber:
        assert aws.deploy_stack(cloudformation, "ahoum-dev-data", template) == OUTPUTS
        stubber.assert_no_pending_responses()


def test_an_unchanged_data_stack_is_not_an_error():
    cloudformation, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stacks", _stack(OUTPUTS))
    stubber.add_client_error("update_stack", "ValidationError", "No updates are to be performed.")
    stubber.add_response("describe_stacks", _stack(OUTPUTS))
    with stubber:
        template = resources.data_stack_template("dev")
        assert aws.deploy_stack(cloudformation, "ahoum-dev-data", template) == OUTPUTS
        stubber.assert_no_pending_responses()


def test_a_stack_left_by_a_failed_first_creation_is_deleted_with_a_message_then_created(capsys):
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("dev")
    stubber.add_response("describe_stacks", _stack(status="ROLLBACK_COMPLETE"))
    stubber.add_response("delete_stack", {}, {"StackName": "ahoum-dev-data"})
    stubber.add_client_error("describe_stacks", "ValidationError", NO_STACK)  # the waiter
    _create(stubber, template, look_first=False)
    with stubber:
        assert aws.deploy_stack(cloudformation, "ahoum-dev-data", template) == OUTPUTS
        stubber.assert_no_pending_responses()
    said = capsys.readouterr().out
    assert "ROLLBACK_COMPLETE" in said and "Deleting it to create it again" in said


def _table_names(template):
    return {
        logical_id: resource["Properties"]["TableName"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def test_retained_prod_tables_are_imported_into_the_new_stack_then_the_rest_is_added(capsys):
    """make destroy STAGE=prod, then make deploy STAGE=prod: the tables outlived the stack
    (and here a first attempt had failed too, leaving ROLLBACK_COMPLETE behind)."""
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("prod")
    tables = _table_names(template)
    asked = []

    def existing_tables(names):
        asked.append(names)
        return set(names)  # every table was retained

    stubber.add_response("describe_stacks", _stack(status="ROLLBACK_COMPLETE"))
    stubber.add_response("delete_stack", {}, {"StackName": "ahoum-dev-data"})
    stubber.add_response("describe_stacks", _stack(status="DELETE_COMPLETE"))  # the waiter
    change_set = {"StackName": "ahoum-dev-data", "ChangeSetName": f"import-{len(tables)}-tables"}
    stubber.add_response(
        "create_change_set",
        {"Id": "cs-1", "StackId": "id"},
        {
            **change_set,
            "ChangeSetType": "IMPORT",
            "TemplateBody": json.dumps(
                {
                    "AWSTemplateFormatVersion": "2010-09-09",
                    "Resources": {key: template["Resources"][key] for key in tables},
                }
            ),
            "ResourcesToImport": [
                {
                    "ResourceType": "AWS::DynamoDB::Table",
                    "LogicalResourceId": logical_id,
                    "ResourceIdentifier": {"TableName": table_name},
                }
                for logical_id, table_name in sorted(tables.items())
            ],
        },
    )
    stubber.add_response(
        "describe_change_set", {"Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE"}
    )
    stubber.add_response("execute_change_set", {}, change_set)
    stubber.add_response("describe_stacks", _stack(status="IMPORT_COMPLETE"))  # the waiter
    stubber.add_response("describe_stacks", _stack(status="IMPORT_COMPLETE"))
    stubber.add_response(
        "update_stack",
        {"StackId": "id"},
        {"StackName": "ahoum-dev-data", "TemplateBody": json.dumps(template), "Parameters": []},
    )
    stubber.add_response("describe_stacks", _stack(status="UPDATE_COMPLETE"))  # the waiter
    stubber.add_response("describe_stacks", _stack(OUTPUTS, status="UPDATE_COMPLETE"))
    with stubber:
        outputs = aws.deploy_stack(
            cloudformation, "ahoum-dev-data", template, existing_tables=existing_tables
        )
        stubber.assert_no_pending_responses()
    assert outputs == OUTPUTS
    assert asked == [sorted(tables.values())]
    said = capsys.readouterr().out
    assert "importing them into the new stack" in said and "ahoum-prod-bookings" in said


def test_an_import_cloudformation_refuses_stops_with_its_reason():
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("prod")
    stubber.add_client_error("describe_stacks", "ValidationError", NO_STACK)
    stubber.add_response("create_change_set", {"Id": "cs-1", "StackId": "id"})
    failed = {
        "Status": "FAILED",
        "ExecutionStatus": "UNAVAILABLE",
        "StatusReason": "Resource ahoum-prod-users is in another stack",
    }
    stubber.add_response("describe_change_set", failed)  # the waiter sees FAILED
    stubber.add_response("describe_change_set", failed)
    with stubber, pytest.raises(DeployError, match="is in another stack"):
        aws.deploy_stack(
            cloudformation, "ahoum-dev-data", template, existing_tables=lambda names: {names[0]}
        )


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        ("UPDATE_IN_PROGRESS", "busy"),
        ("UPDATE_ROLLBACK_FAILED", "Continue update rollback"),
        ("DELETE_FAILED", "repair it there"),
    ],
)
def test_a_stack_in_a_state_deploy_cannot_update_stops_with_what_to_do(status, advice):
    cloudformation, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stacks", _stack(status=status))
    with stubber, pytest.raises(DeployError, match=advice):
        aws.deploy_stack(cloudformation, "ahoum-dev-data", resources.data_stack_template("dev"))


def _mapping(state, **settings):
    return {"UUID": MAPPING_UUID, "State": state, **settings}


MAPPING_SETTINGS = {
    **resources.STREAM_MAPPING_SETTINGS,
    "DestinationConfig": {"OnFailure": {"Destination": DLQ_ARN}},
}


def test_the_stream_mapping_is_updated_only_once_enabled_and_then_checked():
    lambda_client, stubber = stubbed("lambda")
    pauses = []
    uuid = {"UUID": MAPPING_UUID}
    stubber.add_response("get_event_source_mapping", _mapping("Creating"), uuid)
    stubber.add_response("get_event_source_mapping", _mapping("Enabled"), uuid)
    stubber.add_response(
        "update_event_source_mapping", _mapping("Updating"), {**uuid, **MAPPING_SETTINGS}
    )
    stubber.add_response("get_event_source_mapping", _mapping("Updating"), uuid)
    stubber.add_response("get_event_source_mapping", _mapping("Enabled", **MAPPING_SETTINGS), uuid)
    with stubber:
        aws.configure_stream_mapping(lambda_client, MAPPING_UUID, DLQ_ARN, sleep=pauses.append)
        stubber.assert_no_pending_responses()
    assert pauses == [aws.MAPPING_POLL_SECONDS, aws.MAPPING_POLL_SECONDS]


def test_a_mapping_that_has_its_settings_already_is_left_alone():
    lambda_client, stubber = stubbed("lambda")
    stubber.add_response("get_event_source_mapping", _mapping("Enabled", **MAPPING_SETTINGS))
    with stubber:
        aws.configure_stream_mapping(lambda_client, MAPPING_UUID, DLQ_ARN, sleep=None)
        stubber.assert_no_pending_responses()


def test_a_mapping_left_without_partial_failure_reporting_fails_the_deploy_loudly():
    lambda_client, stubber = stubbed("lambda")
    without = {k: v for k, v in MAPPING_SETTINGS.items() if k != "FunctionResponseTypes"}
    stubber.add_response("get_event_source_mapping", _mapping("Enabled"))
    stubber.add_response("update_event_source_mapping", _mapping("Updating"))
    stubber.add_response("get_event_source_mapping", _mapping("Enabled", **without))
    with stubber, pytest.raises(DeployError, match="still lacks FunctionResponseTypes"):
        aws.configure_stream_mapping(lambda_client, MAPPING_UUID, DLQ_ARN, sleep=None)


def test_a_mapping_that_never_becomes_enabled_stops_the_wait_with_a_message(monkeypatch, capsys):
    monkeypatch.setattr(aws, "MAPPING_POLLS", 3)
    lambda_client, stubber = stubbed("lambda")
    for _ in range(3):
        stubber.add_response("get_event_source_mapping", _mapping("Creating"))
    with stubber, pytest.raises(DeployError, match="still Creating after 15 s"):
        aws.wait_for_mapping(lambda_client, MAPPING_UUID, sleep=lambda seconds: None)
    assert "waiting for the stream mapping to be Enabled" in capsys.readouterr().out


def test_a_disabled_mapping_is_not_waited_for():
    lambda_client, stubber = stubbed("lambda")
    stubber.add_response(
        "get_event_source_mapping", _mapping("Disabled", StateTransitionReason="User action")
    )
    with stubber, pytest.raises(DeployError, match="is Disabled \\(User action\\)"):
        aws.wait_for_mapping(lambda_client, MAPPING_UUID, sleep=None)


def test_every_deployed_lambda_is_switched_to_json_logs_once_it_is_ready():
    lambda_client, stubber = stubbed("lambda")
    for name in (
        "ahoum-bookings-dev",
        "ahoum-bookings-dev-on_booking_change",
        "ahoum-bookings-dev-retry_webhooks",
        "ahoum-bookings-dev-send_reminders",
        "ahoum-bookings-dev-extend_series",
        "ahoum-bookings-dev-finish_event_changes",
        "ahoum-bookings-dev-settle_payments",
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
    before = json.loads(CONFIG_PATH.read_text())
    assert config["stages"]["prod"] == before["stages"]["prod"]
    del config["stages"]["dev"]["environment_variables"]["BOOKINGS_STREAM_ARN"]
    assert config["stages"]["dev"] == before["stages"]["dev"]


# Actions IAM cannot limit to a resource; a statement granting one stands alone, on '*'.
NO_RESOURCE_LEVEL = {"dynamodb:ListStreams"}


def dev_policy(function):
    """``function``'s policy rendered for the dev stage of one account, as a deploy does."""
    return policies.for_account(
        function,
        "dev",
        partition="aws",
        region="eu-west-1",
        account_id="123456789012",
        stream_arn=STREAM_ARN,
    )


# Every policy file, the reminder schedule's too (deployed once app.py declares it).
POLICY_SOURCES = sorted(path.stem for path in policies.SOURCE_DIR.glob("*.json"))


def test_policies_rendered_for_an_account_name_only_that_account_and_stage():
    for function in POLICY_SOURCES:
        policy = dev_policy(function)
        text = json.dumps(policy)
        assert "${" not in text and "ahoum-prod" not in text
        for statement in policy["Statement"]:
            # IAM's own elements only: no "Why" left.
            assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}
            if statement["Resource"] == "*":
                assert set(statement["Action"]) <= NO_RESOURCE_LEVEL
                continue
            for resource in (
                statement["Resource"]
                if isinstance(statement["Resource"], list)
                else [statement["Resource"]]
            ):
                assert resource.startswith("arn:aws:") and ":eu-west-1:123456789012:" in resource


def test_the_stream_handler_may_list_streams_which_lambda_checks_when_it_maps_the_stream():
    statements = dev_policy("on_booking_change")["Statement"]
    assert {
        "Sid": "ListStreams",
        "Effect": "Allow",
        "Action": ["dynamodb:ListStreams"],
        "Resource": "*",
    } in statements
    assert "Why" in json.dumps(policies.source("on_booking_change"))


def test_every_lambda_may_create_its_own_log_group_again_and_no_other():
    for function in POLICY_SOURCES:
        policy = dev_policy(function)
        groups = [
            statement["Resource"]
            for statement in policy["Statement"]
            if "logs:CreateLogGroup" in statement["Action"]
        ]
        assert groups == [
            f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/"
            f"{function_name('dev', function)}"
        ]


def test_the_deploy_tooling_does_not_import_the_dev_runner():
    import ast

    for path in sorted((REPO_ROOT / "deploy").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        assert not {name for name in imported if name.split(".")[0] == "local"}, path.name


def test_the_dev_runner_and_the_deploy_tooling_read_a_stage_the_same_way(monkeypatch):
    from local import api_server

    for name in stage_environment("local"):
        monkeypatch.delenv(name, raising=False)
    api_server.apply_stage_defaults("local")
    assert {name: os.environ[name] for name in stage_environment("local")} == stage_environment(
        "local"
    )


def test_a_redeploy_without_an_alarm_email_keeps_the_address_the_stack_has():
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("dev")
    stubber.add_response("describe_stacks", _stack(OUTPUTS, parameters=[("AlarmEmail", "a@b.c")]))
    stubber.add_response(
        "update_stack",
        {"StackId": "id"},
        {
            "StackName": "ahoum-dev-data",
            "TemplateBody": json.dumps(template),
            "Parameters": [{"ParameterKey": "AlarmEmail", "UsePreviousValue": True}],
        },
    )
    stubber.add_response("describe_stacks", _stack(OUTPUTS, status="UPDATE_COMPLETE"))
    stubber.add_response("describe_stacks", _stack(OUTPUTS, status="UPDATE_COMPLETE"))
    with stubber:
        aws.deploy_stack(
            cloudformation, "ahoum-dev-data", template, parameters={"AlarmEmail": None}
        )
        stubber.assert_no_pending_responses()


def test_a_first_deploy_without_an_alarm_email_subscribes_nobody():
    cloudformation, stubber = stubbed("cloudformation")
    template = resources.data_stack_template("dev")
    stubber.add_client_error("describe_stacks", "ValidationError", NO_STACK)
    stubber.add_response(
        "create_stack",
        {"StackId": "id"},
        {
            "StackName": "ahoum-dev-data",
            "TemplateBody": json.dumps(template),
            "Parameters": [{"ParameterKey": "AlarmEmail", "ParameterValue": ""}],
        },
    )
    stubber.add_response("describe_stacks", _stack())
    stubber.add_response("describe_stacks", _stack(OUTPUTS))
    with stubber:
        aws.deploy_stack(
            cloudformation, "ahoum-dev-data", template, parameters={"AlarmEmail": None}
        )
        stubber.assert_no_pending_responses()


def test_the_api_is_named_for_its_stage_and_gets_access_logs_and_the_stage_throttle():
    apigateway, stubber = stubbed("apigateway")
    log_group = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/ahoum-dev-access"
    stubber.add_response(
        "update_rest_api",
        {"id": "api-1"},
        {
            "restApiId": "api-1",
            "patchOperations": [{"op": "replace", "path": "/name", "value": "ahoum-bookings-dev"}],
        },
    )
    throttling = json.loads(CONFIG_PATH.read_text())["stages"]["dev"]["api_throttling"]
    stubber.add_response(
        "update_stage",
        {"stageName": "api"},
        {
            "restApiId": "api-1",
            "stageName": "api",
            "patchOperations": [
                {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": log_group},
                {
                    "op": "replace",
                    "path": "/accessLogSettings/format",
                    "value": resources.ACCESS_LOG_FORMAT,
                },
                {
                    "op": "replace",
                    "path": "/*/*/throttling/rateLimit",
                    "value": str(float(throttling["rate_limit"])),
                },
                {
                    "op": "replace",
                    "path": "/*/*/throttling/burstLimit",
                    "value": str(throttling["burst_limit"]),
                },
            ],
        },
    )
    with stubber:
        aws.configure_api(apigateway, "api-1", "dev", log_group + ":*")
        stubber.assert_no_pending_responses()


def test_an_account_whose_api_gateway_can_log_gets_no_extra_stack():
    apigateway, stubber = stubbed("apigateway")
    stubber.add_response("get_account", {"cloudwatchRoleArn": "arn:aws:iam::1:role/logs"})
    with stubber:
        aws.ensure_api_gateway_logging(apigateway, NoAws())
        stubber.assert_no_pending_responses()


LOGGING_ROLE = "arn:aws:iam::123456789012:role/ahoum-bookings-apigateway-logging-Role-1"
ROLE_NOT_READY = "The role ARN does not have required permissions set to API Gateway"


def _set_logging_role(stubber):
    stubber.add_response(
        "update_account",
        {"cloudwatchRoleArn": LOGGING_ROLE},
        {
            "patchOperations": [
                {"op": "replace", "path": "/cloudwatchRoleArn", "value": LOGGING_ROLE}
            ]
        },
    )


def test_an_account_without_api_gateway_logging_gets_its_role_stack_with_the_iam_capability(
    capsys,
):
    apigateway, api_stubber = stubbed("apigateway")
    cloudformation, stubber = stubbed("cloudformation")
    api_stubber.add_response("get_account", {})
    stubber.add_client_error("describe_stacks", "ValidationError", "does not exist")
    stubber.add_response(
        "create_stack",
        {"StackId": "id"},
        {
            "StackName": aws.API_GATEWAY_LOGGING_STACK,
            "TemplateBody": json.dumps(resources.api_gateway_logging_template()),
            "Parameters": [],
            "Capabilities": ["CAPABILITY_IAM"],
        },
    )
    stubber.add_response("describe_stacks", _stack())
    stubber.add_response("describe_stacks", _stack({resources.LOGGING_ROLE_OUTPUT: LOGGING_ROLE}))
    # The role is new: API Gateway refuses it until IAM has propagated it.
    api_stubber.add_client_error("update_account", "BadRequestException", ROLE_NOT_READY)
    _set_logging_role(api_stubber)
    pauses = []
    with api_stubber, stubber:
        aws.ensure_api_gateway_logging(apigateway, cloudformation, sleep=pauses.append)
        stubber.assert_no_pending_responses()
        api_stubber.assert_no_pending_responses()
    said = capsys.readouterr().out
    assert "no CloudWatch Logs role" in said
    assert "refused while IAM propagates" in said and "try 2 of 12" in said
    assert pauses == [propagation.DELAY_SECONDS]


def test_the_logging_stack_holds_the_role_only_and_asks_for_the_capability_aws_requires():
    template = resources.api_gateway_logging_template()
    assert {resource["Type"] for resource in template["Resources"].values()} == {"AWS::IAM::Role"}
    assert (strict_aws.required_capability(template),) == aws.LOGGING_STACK_CAPABILITIES


def test_an_api_gateway_role_that_never_becomes_assumable_stops_the_deploy_with_a_message():
    apigateway, stubber = stubbed("apigateway")
    for _ in range(propagation.ATTEMPTS):
        stubber.add_client_error("update_account", "BadRequestException", ROLE_NOT_READY)
    pauses = []
    with stubber, pytest.raises(DeployError, match="still refused after 12 tries over 55 s"):
        aws.set_api_gateway_logging_role(apigateway, LOGGING_ROLE, sleep=pauses.append)
    assert len(pauses) == propagation.ATTEMPTS - 1


def test_any_other_refusal_of_the_logging_role_is_not_retried():
    apigateway, stubber = stubbed("apigateway")
    stubber.add_client_error("update_account", "BadRequestException", "Invalid ARN")
    with stubber, pytest.raises(botocore.exceptions.ClientError, match="Invalid ARN"):
        aws.set_api_gateway_logging_role(apigateway, LOGGING_ROLE, sleep=None)


CANNOT_ACCESS_STREAM = (
    f"Cannot access stream {STREAM_ARN}. Please ensure the role can perform the GetRecords, "
    "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM."
)


def test_chalice_s_stream_mapping_is_retried_while_the_role_cannot_read_the_stream(
    monkeypatch, capsys
):
    from deploy.chalice_cli import retrying_stream_access

    monkeypatch.setattr(propagation, "DELAY_SECONDS", 0)
    lambda_client, stubber = stubbed("lambda")
    expected = {"EventSourceArn": STREAM_ARN, "FunctionName": "f"}
    stubber.add_client_error(
        "create_event_source_mapping",
        "InvalidParameterValueException",
        CANNOT_ACCESS_STREAM,
        expected_params=expected,
    )
    stubber.add_response(
        "create_event_source_mapping", {"UUID": MAPPING_UUID}, expected_params=expected
    )

    def chalice_create(client, event_source_arn, function_name):
        return lambda_client.create_event_source_mapping(
            EventSourceArn=event_source_arn, FunctionName=function_name
        )["UUID"]

    with stubber:
        created = retrying_stream_access(chalice_create)(object(), STREAM_ARN, "f")
        stubber.assert_no_pending_responses()
    assert created == MAPPING_UUID
    assert "The stream mapping: refused while IAM propagates" in capsys.readouterr().out


def test_a_stream_mapping_refused_for_another_reason_fails_at_once():
    from deploy.chalice_cli import retrying_stream_access

    lambda_client, stubber = stubbed("lambda")
    stubber.add_client_error(
        "create_event_source_mapping", "InvalidParameterValueException", "Invalid batch size"
    )

    def chalice_create(client):
        return lambda_client.create_event_source_mapping(EventSourceArn="a", FunctionName="f")

    with stubber, pytest.raises(botocore.exceptions.ClientError, match="Invalid batch size"):
        retrying_stream_access(chalice_create)(object())


DEPLOY_RECORD = {
    "schema_version": "2.0",
    "backend": "api",
    "resources": [
        {
            "name": "api_handler",
            "resource_type": "lambda_function",
            "lambda_arn": "arn:aws:lambda:eu-west-1:123456789012:function:ahoum-bookings-dev",
        },
        {
            "name": "on_booking_change",
            "resource_type": "lambda_function",
            "lambda_arn": (
                "arn:aws:lambda:eu-west-1:123456789012:function:"
                "ahoum-bookings-dev-on_booking_change"
            ),
        },
        {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "api-1"},
    ],
}


def test_every_deployed_function_s_own_log_group_gets_the_stage_retention():
    logs, stubber = stubbed("logs")
    deployed = {resource["name"]: resource for resource in DEPLOY_RECORD["resources"]}
    names = aws.deployed_function_names(deployed)
    assert names == ["ahoum-bookings-dev", "ahoum-bookings-dev-on_booking_change"]
    for name, exists in zip(names, (False, True), strict=True):
        group = {"logGroupName": f"/aws/lambda/{name}"}
        if exists:  # made by Chalice or an earlier deploy: given the retention all the same
            stubber.add_client_error(
                "create_log_group", "ResourceAlreadyExistsException", expected_params=group
            )
        else:
            stubber.add_response("create_log_group", {}, group)
        stubber.add_response("put_retention_policy", {}, {**group, "retentionInDays": 30})
    with stubber:
        aws.ensure_log_groups(logs, names, 30)
        stubber.assert_no_pending_responses()


RECORD_PARAMETER = "/ahoum-bookings/dev/deploy-record"


def test_the_stage_s_deploy_record_replaces_this_machine_s_before_chalice_runs(tmp_path, capsys):
    ssm, stubber = stubbed("ssm")
    path = tmp_path / "deployed" / "dev.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"resources": []}))  # an older deploy from this machine
    stubber.add_response(
        "get_parameter",
        {"Parameter": {"Name": RECORD_PARAMETER, "Value": json.dumps(DEPLOY_RECORD)}},
        {"Name": RECORD_PARAMETER},
    )
    with stubber:
        deploy_record.restore(ssm, "dev", path)
    assert json.loads(path.read_text()) == DEPLOY_RECORD
    assert f"replaced by the record in {RECORD_PARAMETER}" in capsys.readouterr().out


def test_a_fresh_checkout_gets_the_record_and_one_without_a_kept_record_keeps_its_own(tmp_path):
    ssm, stubber = stubbed("ssm")
    fresh = tmp_path / "fresh" / "deployed" / "dev.json"
    stubber.add_response(
        "get_parameter",
        {"Parameter": {"Name": RECORD_PARAMETER, "Value": json.dumps(DEPLOY_RECORD)}},
    )
    own = tmp_path / "own.json"
    own.write_text(json.dumps(DEPLOY_RECORD))
    stubber.add_client_error("get_parameter", "ParameterNotFound")
    with stubber:
        deploy_record.restore(ssm, "dev", fresh)
        deploy_record.restore(ssm, "dev", own)
    assert json.loads(fresh.read_text()) == DEPLOY_RECORD
    assert json.loads(own.read_text()) == DEPLOY_RECORD


def test_the_deploy_record_is_kept_in_the_stage_s_ssm_parameter_after_chalice_runs(tmp_path):
    ssm, stubber = stubbed("ssm")
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(DEPLOY_RECORD, indent=2))
    stubber.add_response(
        "put_parameter",
        {"Version": 2},
        {
            "Name": RECORD_PARAMETER,
            "Description": "What chalice deploy made for this stage (make deploy keeps it here)",
            "Value": json.dumps(DEPLOY_RECORD, separators=(",", ":")),
            "Type": "String",
            "Tier": "Intelligent-Tiering",
            "Overwrite": True,
        },
    )
    with stubber:
        deploy_record.save(ssm, "dev", path)
        deploy_record.save(ssm, "dev", tmp_path / "never-deployed.json")  # nothing to keep
        stubber.assert_no_pending_responses()


def test_destroy_forgets_the_record_and_a_stage_without_one_is_not_an_error():
    ssm, stubber = stubbed("ssm")
    stubber.add_response("delete_parameter", {}, {"Name": RECORD_PARAMETER})
    stubber.add_client_error("delete_parameter", "ParameterNotFound")
    with stubber:
        deploy_record.delete(ssm, "dev")
        deploy_record.delete(ssm, "dev")
        stubber.assert_no_pending_responses()


def test_no_lambda_may_read_the_deploy_record():
    for function in POLICY_SOURCES:
        assert "deploy-record" not in json.dumps(dev_policy(function)), function


def test_destroy_says_what_it_leaves_and_the_command_that_removes_each():
    text = aws.left_behind("prod", ["/aws/lambda/ahoum-bookings-prod"])
    assert "aws logs delete-log-group --log-group-name /aws/lambda/ahoum-bookings-prod" in text
    assert (
        "aws ssm delete-parameters --names /ahoum-bookings/prod/crm-webhook-secret "
        "/ahoum-bookings/prod/jwt-secret" in text
    )
    assert f"aws cloudformation delete-stack --stack-name {aws.API_GATEWAY_LOGGING_STACK}" in text
    assert "rm .chalice/deployed/prod.json" in text
    assert "/ahoum-bookings/prod/deploy-record, is deleted" in text
    assert "aws dynamodb delete-table" in text
    assert "delete-table" not in aws.left_behind("dev", [])
    assert "delete-log-group" not in aws.left_behind("dev", [])


def test_a_stage_without_a_throttle_is_refused_before_anything_is_deployed(tmp_path):
    from deploy.project import api_throttling

    config = json.loads(CONFIG_PATH.read_text())
    del config["stages"]["dev"]["api_throttling"]
    with pytest.raises(DeployError, match="api_throttling"):
        api_throttling("dev", config)


def test_the_deploy_ends_with_where_everything_is_and_how_to_read_deliveries():
    text = aws.summary(
        "dev", "https://abc.execute-api.eu-west-1.amazonaws.com/api/", "eu-west-1", None
    )
    assert "API:          https://abc.execute-api.eu-west-1.amazonaws.com/api/" in text
    assert "Dashboard:    https://abc.execute-api.eu-west-1.amazonaws.com/api/dashboard" in text
    assert "/ahoum-bookings/dev/crm-webhook-secret" in text
    assert "make deliveries STAGE=dev" in text
    assert "ALARM_EMAIL=" in text  # how to subscribe, since no address was given
    assert "confirm the subscription" in aws.summary("dev", "https://x/api/", "eu-west-1", "a@b.c")


def test_a_checkov_finding_not_in_checks_md_is_reported_and_so_is_a_fixed_one():
    from deploy import checks

    listed = checks.accepted()
    assert len(listed) >= 5 and all(row.reason for row in listed)
    log_group = checks.Finding("CKV_AWS_158", "AWS::Logs::LogGroup.ApiAccessLogGroup", "KMS")
    new = checks.Finding("CKV_AWS_999", "AWS::Logs::LogGroup.ApiAccessLogGroup", "new")
    assert checks.unlisted([log_group, new], listed) == [new]
    assert ("CKV_AWS_158", "AWS::Logs::LogGroup.*") in {(r.check_id, r.resources) for r in listed}
    stale = checks.stale([log_group], listed)
    assert all(row.check_id != "CKV_AWS_158" for row in stale) and len(stale) == len(listed) - 1


def test_the_api_gets_its_web_acl_in_a_stack_naming_the_api_chalice_made():
    cloudformation, stubber = stubbed("cloudformation")
    limit = json.loads(CONFIG_PATH.read_text())["stages"]["dev"]["api_waf"]
    template = resources.web_acl_template("dev", limit["requests_per_5_minutes_per_ip"])
    stubber.add_client_error("describe_stacks", "ValidationError", "does not exist")
    stubber.add_response(
        "create_stack",
        {"StackId": "id"},
        {
            "StackName": "ahoum-dev-waf",
            "TemplateBody": json.dumps(template),
            "Parameters": [{"ParameterKey": "RestApiId", "ParameterValue": "api1"}],
        },
    )
    stubber.add_response("describe_stacks", _stack())
    stubber.add_response("describe_stacks", _stack())
    with stubber:
        aws.protect_api(cloudformation, "dev", "api1")
        stubber.assert_no_pending_responses()


def test_a_stage_that_turns_its_web_acl_off_has_the_stack_deleted(monkeypatch):
    config = json.loads(CONFIG_PATH.read_text())
    config["stages"]["dev"]["api_waf"] = {"enabled": False}
    monkeypatch.setattr(project, "load_config", lambda: config)
    cloudformation, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stacks", _stack())
    stubber.add_response("delete_stack", {}, {"StackName": "ahoum-dev-waf"})
    stubber.add_client_error("describe_stacks", "ValidationError", "does not exist")
    with stubber:
        aws.protect_api(cloudformation, "dev", "api1")
        stubber.assert_no_pending_responses()


def test_a_checks_md_row_about_resources_a_stage_does_not_have_is_not_reported_fixed(tmp_path):
    from deploy import checks

    listed = checks.accepted()
    (waf_row,) = [row for row in listed if row.resources.startswith("AWS::WAFv2::WebACL.")]
    without_waf = tmp_path / "sam.json"
    without_waf.write_text(
        json.dumps({"Resources": {"AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {}}}})
    )
    present = checks.resources_in(without_waf)
    assert present == {"AWS::SNS::Topic.AlarmTopic"}
    assert waf_row not in checks.stale([], listed, present)
    with_waf = present | {waf_row.resources}
    assert waf_row in checks.stale([], listed, with_waf)  # there, and no finding: fixed
