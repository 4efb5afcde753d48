"""The rehearsal's moto refuses what AWS refuses of a deploy (tests/support/strict_aws.py), so a
deploy that passes the rehearsal is not refused by a real account for these reasons."""

import io
import json
import zipfile

import botocore.exceptions
import pytest

from tests.support.aws_emulator import Emulator

TRUST_API_GATEWAY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emulator = Emulator(tmp_path_factory.mktemp("strict"))
    yield emulator
    emulator.stop()


def role_template(**properties):
    return json.dumps(
        {
            "Resources": {
                "Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {"AssumeRolePolicyDocument": TRUST_API_GATEWAY, **properties},
                }
            }
        }
    )


def refusal(call):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        call()
    return refused.value.response["Error"]


def test_a_stack_with_iam_resources_needs_the_iam_capability(emulator):
    cloudformation = emulator.client("cloudformation")
    error = refusal(
        lambda: cloudformation.create_stack(StackName="no-capability", TemplateBody=role_template())
    )
    assert error["Code"] == "InsufficientCapabilitiesException"
    assert error["Message"] == "Requires capabilities : [CAPABILITY_IAM]"
    named = role_template(RoleName="named")
    error = refusal(
        lambda: cloudformation.create_stack(
            StackName="named", TemplateBody=named, Capabilities=["CAPABILITY_IAM"]
        )
    )
    assert error["Message"] == "Requires capabilities : [CAPABILITY_NAMED_IAM]"
    cloudformation.create_stack(
        StackName="acknowledged", TemplateBody=role_template(), Capabilities=["CAPABILITY_IAM"]
    )
    error = refusal(
        lambda: cloudformation.update_stack(
            StackName="acknowledged", TemplateBody=role_template(Path="/other/")
        )
    )
    assert error["Code"] == "InsufficientCapabilitiesException"


def test_an_api_gateway_account_set_to_a_role_of_its_own_stack_rolls_the_stack_back(emulator):
    cloudformation = emulator.client("cloudformation")
    template = json.loads(role_template())
    template["Resources"]["Account"] = {
        "Type": "AWS::ApiGateway::Account",
        "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
    }
    cloudformation.create_stack(
        StackName="account", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"]
    )
    (stack,) = cloudformation.describe_stacks(StackName="account")["Stacks"]
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"


def test_api_gateway_takes_a_new_logging_role_only_once_it_has_propagated(emulator):
    iam, apigateway = emulator.client("iam"), emulator.client("apigateway")
    role = iam.create_role(RoleName="logs", AssumeRolePolicyDocument=json.dumps(TRUST_API_GATEWAY))
    other = iam.create_role(
        RoleName="lambda-only",
        AssumeRolePolicyDocument=json.dumps(TRUST_API_GATEWAY).replace("apigateway", "lambda"),
    )

    def offer(arn):
        return apigateway.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}]
        )

    for arn in (role["Role"]["Arn"], other["Role"]["Arn"], other["Role"]["Arn"]):
        error = refusal(lambda arn=arn: offer(arn))
        assert error["Code"] == "BadRequestException"
        assert "role ARN does not have required permissions" in error["Message"]
    assert offer(role["Role"]["Arn"])["cloudwatchRoleArn"] == role["Role"]["Arn"]


def test_a_stream_mapping_waits_for_the_role_s_policy_and_is_made_once(emulator):
    dynamodb, iam, lambda_client = (
        emulator.client(service) for service in ("dynamodb", "iam", "lambda")
    )
    table = dynamodb.create_table(
        TableName="streamed",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    stream_arn = table["TableDescription"]["LatestStreamArn"]
    role = iam.create_role(
        RoleName="handler",
        AssumeRolePolicyDocument=json.dumps(TRUST_API_GATEWAY).replace("apigateway", "lambda"),
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    lambda_client.create_function(
        FunctionName="handler",
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
    )
    read_stream = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetRecords", "Resource": stream_arn}],
    }
    iam.put_role_policy(
        RoleName="handler", PolicyName="stream", PolicyDocument=json.dumps(read_stream)
    )

    def create():
        return lambda_client.create_event_source_mapping(
            EventSourceArn=stream_arn, FunctionName="handler", StartingPosition="LATEST"
        )

    error = refusal(create)
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"].startswith(f"Cannot access stream {stream_arn}.")
    mapping = create()
    error = refusal(create)
    assert error["Code"] == "ResourceConflictException"
    assert mapping["UUID"] in error["Message"]
