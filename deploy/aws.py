"""`make deploy` and `make destroy` against a real account (botocore, the caller's credentials).

Why the data stack comes first: `chalice deploy` creates the stream handler's event source
mapping from the stream ARN given to ``@app.on_dynamodb_record`` when it imports app.py, so the
table and its stream must already exist, and `chalice deploy` (unlike `chalice package`) has no
template to put a table in. So a stage is two parts: CloudFormation stack ``ahoum-<stage>-data``
(tables from the models, the stream's dead-letter queue), then Chalice's API and Lambdas, wired
to the stream ARN read from that stack's outputs. Chalice's API has no place for the stream
mapping's failure handling or for gateway responses; both are set on the deployed resources
right after.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
import botocore.session

from deploy import policies, resources
from deploy.packaging import chalice_command, chalice_environment
from deploy.project import (
    CHALICE_DIR,
    FUNCTIONS,
    PROTECTED_STAGES,
    DeployError,
    check_stage,
    data_stack_name,
    function_name,
    set_stage_variable,
    stage_environment,
)
from local.paths import REPO_ROOT

SECRET_SETTINGS = ("JWT_SECRET_PARAM", "CRM_WEBHOOK_SECRET_PARAM")
API_GATEWAY_STAGE = "api"


@dataclass(frozen=True)
class Account:
    partition: str
    region: str
    account_id: str


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def whoami(session: botocore.session.Session) -> Account:
    region = session.get_config_variable("region")
    if not region:
        raise DeployError("No AWS region: export AWS_DEFAULT_REGION (or use a profile with one).")
    if session.get_credentials() is None:
        raise DeployError("No AWS credentials: export AWS_PROFILE or AWS_ACCESS_KEY_ID/…KEY.")
    arn = session.create_client("sts", region_name=region).get_caller_identity()["Arn"]
    _, partition, _, _, account_id, _ = arn.split(":", 5)
    return Account(partition=partition, region=region, account_id=account_id)


def check_secrets(ssm: Any, stage: str) -> None:
    """Fail before deploying anything when a secret parameter has not been created."""
    environment = stage_environment(stage)
    names = [environment[setting] for setting in SECRET_SETTINGS if environment.get(setting)]
    missing = ssm.get_parameters(Names=names).get("InvalidParameters", []) if names else []
    if missing:
        commands = "\n".join(
            f"  aws ssm put-parameter --type SecureString --name {name} --value '…'"
            for name in sorted(missing)
        )
        raise DeployError(
            f"Create the stage's secrets first (README, 'Deploy to AWS'):\n{commands}"
        )


def deploy_stack(cloudformation: Any, name: str, template: dict[str, Any]) -> dict[str, str]:
    """Create or update a stack, wait for it, and return its outputs."""
    body = json.dumps(template)
    waiter = "stack_create_complete"
    if _stack_exists(cloudformation, name):
        waiter = "stack_update_complete"
        try:
            cloudformation.update_stack(StackName=name, TemplateBody=body)
        except botocore.exceptions.ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
            waiter = None
    else:
        cloudformation.create_stack(StackName=name, TemplateBody=body)
    if waiter:
        try:
            cloudformation.get_waiter(waiter).wait(
                StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
            )
        except botocore.exceptions.WaiterError as error:
            raise DeployError(
                f"Stack {name} did not finish ({error}); its events in the CloudFormation "
                "console say why."
            ) from error
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def _stack_exists(cloudformation: Any, name: str) -> bool:
    try:
        cloudformation.describe_stacks(StackName=name)
    except botocore.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return False
        raise
    return True


def configure_stream_mapping(lambda_client: Any, uuid: str, dead_letter_queue_arn: str) -> None:
    lambda_client.update_event_source_mapping(
        UUID=uuid,
        **resources.STREAM_MAPPING_SETTINGS,
        DestinationConfig={"OnFailure": {"Destination": dead_letter_queue_arn}},
    )


def use_json_logs(lambda_client: Any, stage: str) -> None:
    for function in FUNCTIONS:
        name = function_name(stage, function)
        # A function still applying chalice's update refuses another one until it is done.
        lambda_client.get_waiter("function_updated").wait(
            FunctionName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        lambda_client.update_function_configuration(
            FunctionName=name, LoggingConfig=resources.LOGGING_CONFIG
        )


def apply_gateway_responses(apigateway: Any, rest_api_id: str) -> None:
    for response_type, response in resources.gateway_responses().items():
        apigateway.put_gateway_response(
            restApiId=rest_api_id, responseType=response_type, **response
        )
    # Gateway responses take effect with the API's next deployment.
    apigateway.create_deployment(restApiId=rest_api_id, stageName=API_GATEWAY_STAGE)


def deployed_resources(stage: str) -> dict[str, dict[str, Any]]:
    """What `chalice deploy` recorded in .chalice/deployed/<stage>.json, by resource name."""
    record = json.loads((CHALICE_DIR / "deployed" / f"{stage}.json").read_text())
    return {resource["name"]: resource for resource in record["resources"]}


def deploy(stage: str, session: botocore.session.Session | None = None) -> None:
    stage = check_stage(stage)
    session = session or botocore.session.get_session()
    account = whoami(session)
    client = _clients(session, account.region)
    step(f"Checking the {stage} secrets in SSM Parameter Store")
    check_secrets(client("ssm"), stage)
    stack = data_stack_name(stage)
    step(f"Deploying tables and the stream's dead-letter queue (stack {stack})")
    outputs = deploy_stack(client("cloudformation"), stack, resources.data_stack_template(stage))
    stream_arn = outputs[resources.STREAM_ARN_OUTPUT]
    set_stage_variable(stage, "BOOKINGS_STREAM_ARN", stream_arn)
    print(f"    bookings stream: {stream_arn} (written to .chalice/config.json)")
    rendered = {
        function: policies.for_account(
            function,
            stage,
            partition=account.partition,
            region=account.region,
            account_id=account.account_id,
            stream_arn=stream_arn,
        )
        for function in FUNCTIONS
    }
    policies.write(stage, rendered)
    step("Deploying the API and the Lambdas (chalice deploy)")
    subprocess.run(
        chalice_command("deploy", "--stage", stage),
        check=True,
        cwd=REPO_ROOT,
        env=chalice_environment(stage, account.region, stream_arn),
    )
    deployed = deployed_resources(stage)
    step("Configuring the stream mapping's failure handling, JSON logs, gateway responses")
    lambda_client = client("lambda")
    configure_stream_mapping(
        lambda_client,
        deployed["on_booking_change-dynamodb-event-source"]["event_uuid"],
        outputs[resources.DEAD_LETTER_QUEUE_ARN_OUTPUT],
    )
    use_json_logs(lambda_client, stage)
    rest_api = deployed["rest_api"]
    apply_gateway_responses(client("apigateway"), rest_api["rest_api_id"])
    step(f"Deployed {stage}: {rest_api['rest_api_url']}")


def destroy(
    stage: str,
    *,
    assume_yes: bool = False,
    allow_prod: bool = False,
    ask: Callable[[str], str] = input,
    session: botocore.session.Session | None = None,
) -> None:
    stage = check_stage(stage)
    protected = stage in PROTECTED_STAGES
    if protected and not allow_prod:
        raise DeployError(
            f"Refusing to destroy {stage!r}: pass --allow-prod (make destroy STAGE={stage} "
            "ALLOW_PROD=1) if you really mean it. Its tables are kept either way."
        )
    what = "API and Lambdas (tables are kept)" if protected else "API, Lambdas and tables"
    if not assume_yes:
        answer = ask(f"This deletes the {stage} stage's {what}. Type the stage name to go on: ")
        if answer.strip() != stage:
            raise DeployError("Not confirmed; nothing was deleted.")
    session = session or botocore.session.get_session()
    account = whoami(session)
    step(f"Deleting the {stage} API and Lambdas (chalice delete)")
    subprocess.run(
        chalice_command("delete", "--stage", stage),
        check=True,
        cwd=REPO_ROOT,
        env=chalice_environment(stage, account.region),
    )
    stack = data_stack_name(stage)
    step(f"Deleting stack {stack}")
    cloudformation = _clients(session, account.region)("cloudformation")
    cloudformation.delete_stack(StackName=stack)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
    )
    step(f"Destroyed {stage}" + (" (its tables are retained)" if protected else ""))


def _clients(session: botocore.session.Session, region: str) -> Callable[[str], Any]:
    return lambda service: session.create_client(service, region_name=region)
