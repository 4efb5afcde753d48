"""`make deploy` and `make destroy` against a real account (botocore, the caller's credentials).

Why the data stack comes first: `chalice deploy` creates the stream handler's event source
mapping from the stream ARN given to ``@app.on_dynamodb_record`` when it imports app.py, so the
table and its stream must already exist, and `chalice deploy` (unlike `chalice package`) has no
template to put a table in. So a stage is two parts: CloudFormation stack ``ahoum-<stage>-data``
(tables from the models, the stream's dead-letter queue, the alarms and their topic, the API's
access log group), then Chalice's API and Lambdas, wired to the stream ARN read from that
stack's outputs. Chalice's API has no place for the stream mapping's failure handling, the
API's name, access log and throttle, or gateway responses; those are set on the deployed
resources right after.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
import botocore.session

from chalice_config import REPO_ROOT
from deploy import deploy_record, policies, propagation, resources
from deploy.packaging import DIST_DIR, chalice_command, chalice_environment, staged_project
from deploy.project import (
    PROTECTED_STAGES,
    DeployError,
    alarm_topic_name,
    api_name,
    api_throttling,
    api_waf_rate_limit,
    check_stage,
    data_stack_name,
    deploy_record_parameter,
    function_name,
    lambda_functions,
    log_retention_days,
    secret_parameter,
    set_stage_variable,
    stage_secrets,
    waf_stack_name,
)
from progress import step

API_GATEWAY_STAGE = resources.API_GATEWAY_STAGE
# Account-wide (one per region): the role API Gateway writes access logs with.
API_GATEWAY_LOGGING_STACK = "ahoum-bookings-apigateway-logging"


@dataclass(frozen=True)
class Account:
    partition: str
    region: str
    account_id: str


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
    names = sorted(stage_secrets(stage).values())
    missing = ssm.get_parameters(Names=names).get("InvalidParameters", []) if names else []
    if missing:
        commands = "\n".join(
            f"  aws ssm put-parameter --type SecureString --name {name} --value '…'"
            for name in sorted(missing)
        )
        raise DeployError(
            f"Create the stage's secrets first (docs/deploy.md, 'First deploy'):\n{commands}"
        )


# Stack states `make deploy` can update from.
UPDATABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
# States of a stack that holds nothing and can only be deleted: a failed first creation rolled
# back (ROLLBACK_COMPLETE), or a change set that created the stack but never ran (an import
# that failed leaves REVIEW_IN_PROGRESS).
EMPTY = frozenset({"ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"})
STACK_WAIT = {"Delay": 10, "MaxAttempts": 180}


def deploy_stack(
    cloudformation: Any,
    name: str,
    template: dict[str, Any],
    *,
    parameters: dict[str, str | None] | None = None,
    existing_tables: Callable[[list[str]], set[str]] = lambda names: set(),
    capabilities: tuple[str, ...] = (),
) -> dict[str, str]:
    """Bring stack ``name`` to ``template`` from whatever state it is in; return its outputs.

    ``parameters`` maps a template parameter to its value, or to None for "keep the value the
    stack has". ``existing_tables`` says which of the template's table names exist already:
    those outlived an earlier stack (prod's are retained) and are imported, not created.
    ``capabilities`` acknowledges what CloudFormation refuses to create or update without
    (``CAPABILITY_IAM`` for a template holding IAM resources).
    """
    parameters = parameters or {}
    acknowledged = {"Capabilities": list(capabilities)} if capabilities else {}
    stack = _describe(cloudformation, name)
    if stack and stack["StackStatus"] in EMPTY:
        step(
            f"Stack {name} is {stack['StackStatus']}: its first creation failed and it holds "
            "nothing (its events in the CloudFormation console say why). Deleting it to create "
            "it again."
        )
        cloudformation.delete_stack(StackName=name)
        _wait(cloudformation, "stack_delete_complete", name)
        stack = None
    if stack is None:
        retained = _tables_in(template, existing_tables)
        if not retained:
            cloudformation.create_stack(
                StackName=name,
                TemplateBody=json.dumps(template),
                Parameters=_parameter_values(parameters, previous=set()),
                **acknowledged,
            )
            _wait(cloudformation, "stack_create_complete", name)
            return _outputs(cloudformation, name)
        import_tables(cloudformation, name, template, retained)
        stack = _describe(cloudformation, name)
    status = stack["StackStatus"]
    if status not in UPDATABLE:
        if status.endswith("_IN_PROGRESS"):
            raise DeployError(
                f"Stack {name} is busy ({status}): wait until it is done, then run make deploy "
                "again."
            )
        raise DeployError(
            f"Stack {name} is {status}; make deploy cannot update it. Its events in the "
            "CloudFormation console say why; repair it there (for UPDATE_ROLLBACK_FAILED: "
            "'Continue update rollback'), then run make deploy again."
        )
    previous = {parameter["ParameterKey"] for parameter in stack.get("Parameters", [])}
    try:
        cloudformation.update_stack(
            StackName=name,
            TemplateBody=json.dumps(template),
            Parameters=_parameter_values(parameters, previous),
            **acknowledged,
        )
    except botocore.exceptions.ClientError as error:
        if "No updates are to be performed" not in str(error):
            raise
    else:
        _wait(cloudformation, "stack_update_complete", name)
    return _outputs(cloudformation, name)


def import_tables(
    cloudformation: Any, name: str, template: dict[str, Any], tables: dict[str, str]
) -> None:
    """Create stack ``name`` by importing the existing tables (logical id → table name).

    An import may neither create nor change anything else, so the change set's template holds
    the imported tables only; the update that follows adds the rest.
    """
    step(
        f"Tables of this stage exist already ({', '.join(sorted(tables.values()))}): "
        f"importing them into the new stack {name} instead of creating them"
    )
    resources = template["Resources"]
    change_set = f"import-{len(tables)}-tables"
    cloudformation.create_change_set(
        StackName=name,
        ChangeSetName=change_set,
        ChangeSetType="IMPORT",
        TemplateBody=json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {logical_id: resources[logical_id] for logical_id in tables},
            }
        ),
        ResourcesToImport=[
            {
                "ResourceType": "AWS::DynamoDB::Table",
                "LogicalResourceId": logical_id,
                "ResourceIdentifier": {"TableName": table_name},
            }
            for logical_id, table_name in sorted(tables.items())
        ],
    )
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(
            StackName=name, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120}
        )
    except botocore.exceptions.WaiterError as error:
        reason = cloudformation.describe_change_set(StackName=name, ChangeSetName=change_set).get(
            "StatusReason", str(error)
        )
        raise DeployError(
            f"CloudFormation would not import the existing tables into {name}: {reason}. "
            "Run make deploy again once that is fixed (the empty stack is deleted first)."
        ) from error
    cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
    _wait(cloudformation, "stack_import_complete", name)


def tables_that_exist(dynamodb: Any, names: list[str]) -> set[str]:
    """Which of the named tables exist (DescribeTable: the control plane, no item is read)."""
    found = set()
    for table_name in names:
        try:
            dynamodb.describe_table(TableName=table_name)
        except dynamodb.exceptions.ResourceNotFoundException:
            continue
        found.add(table_name)
    return found


def _tables_in(
    template: dict[str, Any], existing_tables: Callable[[list[str]], set[str]]
) -> dict[str, str]:
    named = {
        logical_id: resource["Properties"]["TableName"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }
    found = existing_tables(sorted(named.values()))
    return {logical_id: table for logical_id, table in named.items() if table in found}


def _parameter_values(
    parameters: dict[str, str | None], previous: set[str]
) -> list[dict[str, Any]]:
    values = []
    for key, value in sorted(parameters.items()):
        if value is None and key in previous:
            values.append({"ParameterKey": key, "UsePreviousValue": True})
        else:
            values.append({"ParameterKey": key, "ParameterValue": value or ""})
    return values


def _describe(cloudformation: Any, name: str) -> dict[str, Any] | None:
    try:
        return cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except botocore.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def _outputs(cloudformation: Any, name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def _wait(cloudformation: Any, waiter: str, name: str) -> None:
    try:
        cloudformation.get_waiter(waiter).wait(StackName=name, WaiterConfig=STACK_WAIT)
    except botocore.exceptions.WaiterError as error:
        raise DeployError(
            f"Stack {name} did not finish ({error}); its events in the CloudFormation console "
            "say why."
        ) from error


# Lambda refuses to update a mapping that is still being created or updated.
MAPPING_BUSY = frozenset({"Creating", "Enabling", "Updating"})
MAPPING_POLL_SECONDS = 5
MAPPING_POLLS = 60


def configure_stream_mapping(
    lambda_client: Any,
    uuid: str,
    dead_letter_queue_arn: str,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Give the stream mapping its failure handling, then check that it has it.

    Without ``ReportBatchItemFailures`` Lambda ignores the handler's ``batchItemFailures``
    and a reported record is never retried, so a mapping without it fails the deploy.
    """
    wanted = {
        **resources.STREAM_MAPPING_SETTINGS,
        "DestinationConfig": {"OnFailure": {"Destination": dead_letter_queue_arn}},
    }
    mapping = wait_for_mapping(lambda_client, uuid, sleep)
    if _missing_settings(mapping, dead_letter_queue_arn):
        lambda_client.update_event_source_mapping(UUID=uuid, **wanted)
        mapping = wait_for_mapping(lambda_client, uuid, sleep)
    missing = _missing_settings(mapping, dead_letter_queue_arn)
    if missing:
        raise DeployError(
            f"The stream mapping {uuid} still lacks {', '.join(missing)} after the update: "
            "failed records would not be retried or parked. Set them with `aws lambda "
            f"update-event-source-mapping --uuid {uuid} …` (see deploy/resources.py) or run "
            "make deploy again."
        )


def wait_for_mapping(
    lambda_client: Any, uuid: str, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """The mapping once it is Enabled; a DeployError when it does not get there in time."""
    for poll in range(MAPPING_POLLS):
        mapping = lambda_client.get_event_source_mapping(UUID=uuid)
        state = mapping["State"]
        if state == "Enabled":
            return mapping
        if state not in MAPPING_BUSY:
            raise DeployError(
                f"The stream mapping {uuid} is {state} "
                f"({mapping.get('StateTransitionReason', 'no reason given')}); enable it "
                f"(aws lambda update-event-source-mapping --uuid {uuid} --enabled) and run "
                "make deploy again."
            )
        if poll == 0:
            print(f"    waiting for the stream mapping to be Enabled (it is {state})", flush=True)
        sleep(MAPPING_POLL_SECONDS)
    raise DeployError(
        f"The stream mapping {uuid} was still {state} after "
        f"{MAPPING_POLLS * MAPPING_POLL_SECONDS} s; run make deploy again once "
        f"`aws lambda get-event-source-mapping --uuid {uuid}` says Enabled."
    )


def _missing_settings(mapping: dict[str, Any], dead_letter_queue_arn: str) -> list[str]:
    missing = [
        key for key, value in resources.STREAM_MAPPING_SETTINGS.items() if mapping.get(key) != value
    ]
    destination = mapping.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    if destination != dead_letter_queue_arn:
        missing.append("DestinationConfig.OnFailure")
    return missing


def use_json_logs(lambda_client: Any, stage: str) -> None:
    for function in lambda_functions():
        name = function_name(stage, function)
        # A function still applying chalice's update refuses another one until it is done.
        lambda_client.get_waiter("function_updated").wait(
            FunctionName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60}
        )
        lambda_client.update_function_configuration(
            FunctionName=name, LoggingConfig=resources.LOGGING_CONFIG
        )


# The logging role stack holds an IAM role: CloudFormation refuses it unacknowledged.
LOGGING_STACK_CAPABILITIES = ("CAPABILITY_IAM",)


def ensure_api_gateway_logging(
    apigateway: Any, cloudformation: Any, sleep: Callable[[float], Any] = time.sleep
) -> None:
    """Give API Gateway its CloudWatch Logs role when the account has none: access logging
    is refused without it. The role's stack first, then the account set to the role, once
    IAM lets API Gateway assume it."""
    if apigateway.get_account().get("cloudwatchRoleArn"):
        return
    step(
        "This account's API Gateway has no CloudWatch Logs role (access logs need one): "
        f"deploying stack {API_GATEWAY_LOGGING_STACK}, once per account and region"
    )
    outputs = deploy_stack(
        cloudformation,
        API_GATEWAY_LOGGING_STACK,
        resources.api_gateway_logging_template(),
        capabilities=LOGGING_STACK_CAPABILITIES,
    )
    set_api_gateway_logging_role(apigateway, outputs[resources.LOGGING_ROLE_OUTPUT], sleep)


def set_api_gateway_logging_role(
    apigateway: Any, role_arn: str, sleep: Callable[[float], Any] = time.sleep
) -> None:
    """Set the account's CloudWatch Logs role, retried while IAM propagates the new role
    (API Gateway refuses it as lacking permissions until then)."""
    propagation.retry_while_propagating(
        lambda: apigateway.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}]
        ),
        propagation.api_gateway_role_not_assumable_yet,
        "API Gateway's CloudWatch Logs role",
        sleep=sleep,
    )


def ensure_log_groups(logs: Any, function_names: list[str], retention_days: int) -> None:
    """Every function's own log group, made before its first call, with the stage's retention.

    Lambda writes to ``/aws/lambda/<FunctionName>`` and creates a missing one on the first
    call, with no retention. Chalice makes its log groups under the names it gives functions
    before the deploy renames the API's, so the API's real group would be Lambda's.
    """
    for name in function_names:
        group = f"/aws/lambda/{name}"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=retention_days)


def deployed_function_names(deployed: dict[str, dict[str, Any]]) -> list[str]:
    """The Lambda functions a deploy record holds, by their names in AWS."""
    return sorted(
        resource["lambda_arn"].split(":")[6]
        for resource in deployed.values()
        if resource.get("resource_type") == "lambda_function"
    )


def configure_api(apigateway: Any, rest_api_id: str, stage: str, access_log_group_arn: str) -> None:
    """Name the API after its stage, and give its stage access logs and a throttle."""
    apigateway.update_rest_api(
        restApiId=rest_api_id,
        patchOperations=[{"op": "replace", "path": "/name", "value": api_name(stage)}],
    )
    throttling = api_throttling(stage)
    apigateway.update_stage(
        restApiId=rest_api_id,
        stageName=API_GATEWAY_STAGE,
        patchOperations=[
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                # A log group's Arn attribute ends in ':*'; API Gateway wants the group itself.
                "value": access_log_group_arn.removesuffix(":*"),
            },
            {
                "op": "replace",
                "path": "/accessLogSettings/format",
                "value": resources.ACCESS_LOG_FORMAT,
            },
            {
                "op": "replace",
                "path": "/*/*/throttling/rateLimit",
                "value": str(throttling["rate_limit"]),
            },
            {
                "op": "replace",
                "path": "/*/*/throttling/burstLimit",
                "value": str(throttling["burst_limit"]),
            },
        ],
    )


def summary(stage: str, rest_api_url: str, region: str, alarm_email: str | None) -> str:
    """What `make deploy` prints last: where things are and how to look at them."""
    secret = secret_parameter(stage, "CRM_WEBHOOK_SECRET")
    base = rest_api_url.rstrip("/")
    alarms = (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#alarmsV2:?search=ahoum-{stage}-"
    )
    if alarm_email:
        notify = f"e-mailed to {alarm_email} (confirm the subscription e-mail AWS sends)"
    else:
        notify = (
            f"topic {alarm_topic_name(stage)}; no new address given (make deploy "
            f"STAGE={stage} ALARM_EMAIL=you@example.com subscribes one)"
        )
    return "\n".join(
        [
            f"Deployed {stage}:",
            f"  API:          {base}/",
            f"  Dashboard:    {base}/dashboard",
            f"  API docs:     {base}/docs",
            f"  Alarms:       {alarms}",
            f"                {notify}",
            f"  CRM secret:   SSM parameter {secret} (aws ssm get-parameter --with-decryption "
            f"--name {secret})",
            f"  Deliveries:   make deliveries STAGE={stage} [STATE=failed] (an admin's token "
            "in ADMIN_TOKEN, or ADMIN_EMAIL and a password prompt)",
        ]
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
    record = json.loads(deploy_record.path(stage).read_text())
    return {resource["name"]: resource for resource in record["resources"]}


def deploy_app(
    stage: str, account: Account, stream_arn: str, ssm: Any
) -> dict[str, dict[str, Any]]:
    """`chalice deploy` of the API and the Lambdas with the account's rendered policies, from
    the stage's deploy record and back into it; returns the record's resources by name."""
    rendered = {
        function: policies.for_account(
            function,
            stage,
            partition=account.partition,
            region=account.region,
            account_id=account.account_id,
            stream_arn=stream_arn,
        )
        for function in lambda_functions()
    }
    project = staged_project(stage, DIST_DIR / f"deploy-{stage}", rendered, keeps_state=True)
    step(f"Reading the stage's deploy record (SSM parameter {deploy_record_parameter(stage)})")
    deploy_record.restore(ssm, stage)
    step("Deploying the API and the Lambdas (chalice deploy, the zip of make package)")
    try:
        subprocess.run(
            chalice_command("deploy", "--stage", stage, project_dir=project),
            check=True,
            cwd=project,
            env=chalice_environment(stage, account.region, stream_arn),
        )
    finally:
        # A failed deploy records what it made too: the next one, from any machine, updates it.
        deploy_record.save(ssm, stage)
    return deployed_resources(stage)


def deploy(
    stage: str,
    session: botocore.session.Session | None = None,
    *,
    alarm_email: str | None = None,
) -> None:
    """``alarm_email`` subscribes an address to the alarms; None keeps the stack's."""
    stage = check_stage(stage)
    api_throttling(stage)  # a stage without a throttle stops here, before anything changes
    session = session or botocore.session.get_session()
    account = whoami(session)
    client = _clients(session, account.region)
    step(f"Checking the {stage} secrets in SSM Parameter Store")
    check_secrets(client("ssm"), stage)
    stack = data_stack_name(stage)
    step(f"Deploying tables, the stream's dead-letter queue, alarms, access logs (stack {stack})")
    dynamodb = client("dynamodb")
    outputs = deploy_stack(
        client("cloudformation"),
        stack,
        resources.data_stack_template(stage),
        parameters={resources.ALARM_EMAIL_PARAMETER: alarm_email},
        existing_tables=lambda names: tables_that_exist(dynamodb, names),
    )
    stream_arn = outputs[resources.STREAM_ARN_OUTPUT]
    set_stage_variable(stage, "BOOKINGS_STREAM_ARN", stream_arn)
    print(f"    bookings stream: {stream_arn} (written to .chalice/config.json)")
    apigateway = client("apigateway")
    ensure_api_gateway_logging(apigateway, client("cloudformation"))
    deployed = deploy_app(stage, account, stream_arn, client("ssm"))
    step("Giving every Lambda's log group the stage's retention")
    ensure_log_groups(client("logs"), deployed_function_names(deployed), log_retention_days())
    step("Configuring the stream mapping's failure handling, JSON logs, gateway responses")
    lambda_client = client("lambda")
    configure_stream_mapping(
        lambda_client,
        deployed["on_booking_change-dynamodb-event-source"]["event_uuid"],
        outputs[resources.DEAD_LETTER_QUEUE_ARN_OUTPUT],
    )
    use_json_logs(lambda_client, stage)
    rest_api = deployed["rest_api"]
    step("Configuring the API: its name, access logs, throttle")
    configure_api(
        apigateway, rest_api["rest_api_id"], stage, outputs[resources.ACCESS_LOG_GROUP_OUTPUT]
    )
    apply_gateway_responses(apigateway, rest_api["rest_api_id"])
    protect_api(client("cloudformation"), stage, rest_api["rest_api_id"])
    print(summary(stage, rest_api["rest_api_url"], account.region, alarm_email), flush=True)


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
    client = _clients(session, account.region)
    ssm = client("ssm")
    # chalice delete finds what to delete in the record, whichever machine deployed it.
    deploy_record.restore(ssm, stage)
    remove_web_acl(client("cloudformation"), stage)
    step(f"Deleting the {stage} API and Lambdas (chalice delete)")
    subprocess.run(
        chalice_command("delete", "--stage", stage),
        check=True,
        cwd=REPO_ROOT,
        env=chalice_environment(stage, account.region),
    )
    deploy_record.delete(ssm, stage)
    stack = data_stack_name(stage)
    step(f"Deleting stack {stack}")
    cloudformation = client("cloudformation")
    cloudformation.delete_stack(StackName=stack)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 180}
    )
    step(f"Destroyed {stage}" + (" (its tables are retained)" if protected else ""))
    print(left_behind(stage, remaining_log_groups(client("logs"), stage)), flush=True)


def remaining_log_groups(logs: Any, stage: str) -> list[str]:
    """The stage's Lambda log groups still there: each function's own, and the one Chalice
    names after the API function before the deploy renames it (chalice delete leaves them)."""
    prefix = f"/aws/lambda/{function_name(stage, 'api_handler')}"
    names = {function_name(stage, function) for function in lambda_functions()}
    names |= {
        f"{function_name(stage, 'api_handler')}-{function}" for function in lambda_functions()
    }
    return sorted(
        group["logGroupName"]
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix)
        for group in page["logGroups"]
        if group["logGroupName"].removeprefix("/aws/lambda/") in names
    )


def left_behind(stage: str, log_groups: list[str]) -> str:
    """What `make destroy` leaves, on purpose, and the command that removes each."""
    secrets = " ".join(sorted(stage_secrets(stage).values()))
    lines = [f"Left in place (remove each only once the {stage} stage is gone for good):"]
    if log_groups:
        lines.append("  Log groups (logs stay readable after a destroy; they expire by retention):")
        lines += [f"    aws logs delete-log-group --log-group-name {group}" for group in log_groups]
    lines += [
        "  Secrets (a new deploy of the stage reads them again):",
        f"    aws ssm delete-parameters --names {secrets}",
        f"  This machine's copy of the deploy record (the one in SSM, "
        f"{deploy_record_parameter(stage)}, is deleted):",
        f"    rm {deploy_record.path(stage).relative_to(REPO_ROOT)}",
        f"  API Gateway's logging role, account-wide (stack {API_GATEWAY_LOGGING_STACK}): keep it "
        "while any API of this account and region writes logs; else clear the role in API "
        "Gateway's Settings (console), then",
        f"    aws cloudformation delete-stack --stack-name {API_GATEWAY_LOGGING_STACK}",
    ]
    if stage in PROTECTED_STAGES:
        lines += [
            "  Tables (retained with deletion protection; the next deploy imports them): turn "
            "protection off, then",
            f"    aws dynamodb delete-table --table-name ahoum-{stage}-<table>",
        ]
    return "\n".join(lines)


def protect_api(cloudformation: Any, stage: str, rest_api_id: str) -> None:
    """Put the stage's web ACL (its per-address rate limit) on the API `chalice deploy` made,
    in a stack of its own; a stage that turns it off has that stack removed."""
    rate_limit = api_waf_rate_limit(stage)
    if rate_limit is None:
        remove_web_acl(cloudformation, stage)
        return
    stack = waf_stack_name(stage)
    step(f"Limiting each client address to {rate_limit} requests per 5 minutes (stack {stack})")
    deploy_stack(
        cloudformation,
        stack,
        resources.web_acl_template(stage, rate_limit),
        parameters={resources.REST_API_ID_PARAMETER: rest_api_id},
    )


def remove_web_acl(cloudformation: Any, stage: str) -> None:
    """Delete the stage's waf stack, if there is one: before its API goes, so the association
    is removed while the stage it names still exists."""
    stack = waf_stack_name(stage)
    if _describe(cloudformation, stack) is None:
        return
    step(f"Deleting the API's web ACL (stack {stack})")
    cloudformation.delete_stack(StackName=stack)
    _wait(cloudformation, "stack_delete_complete", stack)


def _clients(session: botocore.session.Session, region: str) -> Callable[[str], Any]:
    return lambda service: session.create_client(service, region_name=region)
