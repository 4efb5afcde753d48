"""Deploy rehearsal: `make deploy` → `make deploy` → `make deploy` from a fresh checkout →
`make destroy` → `make deploy` for dev, and prod's destroy → deploy, run as a user runs them
against moto's server mode (the AWS control plane on 127.0.0.1, reached through
``AWS_ENDPOINT_URL`` with stand-in credentials), made as strict as AWS where a deploy has met
AWS's refusals (tests/support/strict_aws.py: IAM capabilities, API Gateway's logging role,
IAM propagation before a stream mapping, one mapping per stream and function). After each
deploy, every Lambda's log group must exist with the stage's retention.

The commands run in a copy of the project, since a deploy writes `.chalice/config.json` and
`.chalice/deployed/`. What moto does not model is checked elsewhere: alarms, the dashboard and
the e-mail subscription (moto's CloudFormation accepts and skips them; the packaged-template
tests check them), access logs and throttling on the API stage, the Lambdas' JSON log format
(moto keeps none of them; the Stubber tests check the exact calls), CloudFormation resource
import (moto has no IMPORT change sets; the recorded-client test of the state machine drives
it), and IAM propagation's real delays (the emulator refuses the first try; the Stubber tests
check the bounded retries and the message when they run out). Lambda creating a missing log
group on a first call is not emulated (moto runs no function): the retention check after each
deploy stands for it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from chalice_config import REPO_ROOT
from chalicelib import models
from chalicelib.config import secrets_read_by
from deploy import bundle, policies, resources
from deploy.bundle import FINISHED_SUFFIX
from deploy.project import (
    deploy_record_parameter,
    function_environment,
    function_name,
    lambda_functions,
    log_retention_days,
    waf_stack_name,
)
from tests.support.aws_emulator import Emulator

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
ALARM_EMAIL = "ops@example.com"
_PROJECT_FILES = (
    "app.py",
    "chalice_config.py",
    "progress.py",
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-checkov.txt",
    "Makefile",
    "package.json",
    "package-lock.json",
)
_PROJECT_FOLDERS = ("chalicelib", "deploy")


def copy_project(target: Path) -> Path:
    """The project as a clone has it, with the shared virtualenv and node_modules linked."""
    for name in _PROJECT_FILES:
        shutil.copy2(REPO_ROOT / name, target / name)
    for name in _PROJECT_FOLDERS:
        shutil.copytree(
            REPO_ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    chalice_dir = target / ".chalice"
    chalice_dir.mkdir()
    shutil.copy2(REPO_ROOT / ".chalice" / "config.json", chalice_dir / "config.json")
    shutil.copytree(REPO_ROOT / ".chalice" / "policies", chalice_dir / "policies")
    # Chalice's cache of built dependencies, shared with `make package`.
    (REPO_ROOT / ".chalice" / "deployments").mkdir(exist_ok=True)
    (chalice_dir / "deployments").symlink_to(REPO_ROOT / ".chalice" / "deployments")
    for name in (".venv", "node_modules"):
        (target / name).symlink_to((REPO_ROOT / name).resolve())
    return target


def observe(emulator: Emulator, stage: str) -> dict:
    """What exists for the stage, as the AWS APIs describe it."""
    cloudformation = emulator.client("cloudformation")
    dynamodb = emulator.client("dynamodb")
    lambda_client = emulator.client("lambda")
    iam = emulator.client("iam")
    stacks = {
        stack["StackName"]: stack for stack in cloudformation.describe_stacks().get("Stacks", [])
    }
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        if name.startswith(f"ahoum-{stage}-"):
            table = dynamodb.describe_table(TableName=name)["Table"]
            tables[name] = {
                "stream": table.get("StreamSpecification", {}).get("StreamViewType"),
                "deletion_protection": table.get("DeletionProtectionEnabled", False),
                "stream_arn": table.get("LatestStreamArn"),
            }
    functions = {
        function["FunctionName"]: function
        for function in lambda_client.list_functions()["Functions"]
        if function["FunctionName"].startswith(f"ahoum-bookings-{stage}")
    }
    mappings = [
        mapping
        for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]
        if mapping["FunctionArn"].endswith(f":{function_name(stage, 'on_booking_change')}")
    ]
    role_policies = {}
    for function in lambda_functions():
        role = f"ahoum-bookings-{stage}-{function}"
        try:
            names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        except iam.exceptions.NoSuchEntityException:
            continue
        role_policies[function] = [
            iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"] for name in names
        ]
    rest_apis = [
        api
        for api in emulator.client("apigateway").get_rest_apis()["items"]
        if api["name"].startswith("ahoum-bookings")
    ]
    log_groups = {
        group["logGroupName"]: group.get("retentionInDays")
        for page in emulator.client("logs")
        .get_paginator("describe_log_groups")
        .paginate(logGroupNamePrefix="/aws/lambda/ahoum-bookings-")
        for group in page["logGroups"]
    }
    ssm = emulator.client("ssm")
    try:
        record = ssm.get_parameter(Name=deploy_record_parameter(stage))["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        record = None
    topics = emulator.client("sns").list_topics()["Topics"]
    queues = (
        emulator.client("sqs").list_queues(QueueNamePrefix=f"ahoum-{stage}-").get("QueueUrls", [])
    )
    return {
        "stack": stacks.get(f"ahoum-{stage}-data"),
        "waf_stack": stacks.get(waf_stack_name(stage)),
        "tables": tables,
        "functions": functions,
        "mappings": mappings,
        "role_policies": role_policies,
        "apis": [api["name"] for api in rest_apis],
        "api_ids": {api["name"]: api["id"] for api in rest_apis},
        "log_groups": log_groups,
        "deploy_record": record,
        "topics": [topic["TopicArn"].rsplit(":", 1)[1] for topic in topics],
        "queues": [url.rsplit("/", 1)[1] for url in queues],
    }


def assert_every_lambda_logs_with_retention(state: dict, step: str) -> None:
    """Each function's own log group (the one Lambda writes to) exists before its first call
    with the stage's retention: Lambda would create a missing one on that call, with none."""
    for name in state["functions"]:
        group = f"/aws/lambda/{name}"
        assert state["log_groups"].get(group) == log_retention_days(), (
            f"{step}: {group} has retention {state['log_groups'].get(group)!r}"
        )


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rehearsal")
    project = copy_project(workdir)
    (workdir / "fresh-checkout").mkdir()
    emulator = Emulator(workdir)
    try:
        ssm = emulator.client("ssm")
        for stage in ("dev", "prod"):
            for secret in (
                "jwt-secret",
                "crm-webhook-secret",
                "stripe-secret-key",
                "stripe-webhook-secret",
            ):
                ssm.put_parameter(
                    Name=f"/ahoum-bookings/{stage}/{secret}",
                    Value="s" * 48,
                    Type="SecureString",
                )

        def make(*args: str, answer: str, where: Path) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["make", "--no-print-directory", *args],
                cwd=where,
                env=emulator.environment,
                input=answer,
                capture_output=True,
                text=True,
                timeout=300,
            )

        # A teammate's clone, or CI's: no .chalice/deployed/ of its own.
        fresh_checkout = copy_project(workdir / "fresh-checkout")
        steps = {}
        for step, args, answer, where in [
            ("first deploy", ("deploy", "STAGE=dev", f"ALARM_EMAIL={ALARM_EMAIL}"), "", project),
            ("redeploy", ("deploy", "STAGE=dev"), "", project),
            ("deploy from a fresh checkout", ("deploy", "STAGE=dev"), "", fresh_checkout),
            ("destroy", ("destroy", "STAGE=dev"), "dev\n", project),
            ("deploy after destroy", ("deploy", "STAGE=dev"), "", project),
            ("prod deploy", ("deploy", "STAGE=prod"), "", project),
            ("prod destroy", ("destroy", "STAGE=prod", "ALLOW_PROD=1"), "prod\n", project),
        ]:
            result = make(*args, answer=answer, where=where)
            assert result.returncode == 0, f"{step}:\n{result.stdout}\n{result.stderr}"
            stage = "prod" if "prod" in step else "dev"
            state = observe(emulator, stage)
            if "deploy" in step:
                assert_every_lambda_logs_with_retention(state, step)
            steps[step] = {"output": result.stdout, "state": state}
        # moto has no IMPORT change sets: this deploy fails after asking for one.
        steps["prod deploy after destroy"] = {
            "output": make("deploy", "STAGE=prod", answer="", where=project).stdout,
            "change_sets": emulator.client("cloudformation")
            .list_change_sets(StackName="ahoum-prod-data")
            .get("Summaries", []),
        }
        yield steps
    finally:
        emulator.stop()


def expected_policy(stage: str, function: str, stream_arn: str) -> dict:
    return policies.for_account(
        function,
        stage,
        partition="aws",
        region=REGION,
        account_id=ACCOUNT,
        stream_arn=stream_arn,
    )


def assert_stage_is_deployed(state: dict, stage: str) -> None:
    stack = state["stack"]
    assert stack["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
    assert set(state["tables"]) == {f"ahoum-{stage}-{name}" for name in models.TABLES}
    bookings = state["tables"][f"ahoum-{stage}-bookings"]
    assert bookings["stream"] == "NEW_AND_OLD_IMAGES"
    stream_arn = outputs[resources.STREAM_ARN_OUTPUT]
    assert stream_arn == bookings["stream_arn"]
    assert set(state["functions"]) == {function_name(stage, f) for f in lambda_functions()}
    for function in lambda_functions():
        variables = state["functions"][function_name(stage, function)]["Environment"]["Variables"]
        assert variables["BOOKINGS_STREAM_ARN"] == stream_arn
        assert "JWT_SECRET" not in variables
        # Each Lambda knows which it is and names only its own secrets' parameters.
        assert function_environment(stage, function).items() <= variables.items()
        assert {name for name in variables if name.endswith("_PARAM")} == {
            secret + "_PARAM" for secret in secrets_read_by(function)
        }
    (mapping,) = state["mappings"]  # one mapping, on this stack's stream
    assert mapping["EventSourceArn"] == stream_arn and mapping["State"] == "Enabled"
    for setting, value in resources.STREAM_MAPPING_SETTINGS.items():
        assert mapping[setting] == value, setting
    assert (
        mapping["DestinationConfig"]["OnFailure"]["Destination"]
        == (outputs[resources.DEAD_LETTER_QUEUE_ARN_OUTPUT])
    )
    for function in lambda_functions():
        assert state["role_policies"][function] == [expected_policy(stage, function, stream_arn)], (
            function
        )
    # One API per stage, renamed for it: a deploy that lost track of it would make another.
    assert state["apis"].count(f"ahoum-bookings-{stage}") == 1
    assert "ahoum-bookings" not in state["apis"]
    # The web ACL's stack names this stage's API (moto accepts and skips the WAF resources
    # themselves; the packaged-template tests check them).
    waf_stack = state["waf_stack"]
    assert waf_stack["StackStatus"] in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
    assert {p["ParameterKey"]: p["ParameterValue"] for p in waf_stack["Parameters"]} == {
        resources.REST_API_ID_PARAMETER: state["api_ids"][f"ahoum-bookings-{stage}"]
    }
    assert f"ahoum-{stage}-alarms" in state["topics"]
    assert state["queues"] == [f"ahoum-{stage}-booking-stream-dlq"]


def test_a_first_deploy_builds_the_whole_stage_and_says_where_it_is(rehearsal):
    step = rehearsal["first deploy"]
    assert_stage_is_deployed(step["state"], "dev")
    parameters = {
        p["ParameterKey"]: p["ParameterValue"] for p in step["state"]["stack"]["Parameters"]
    }
    assert parameters == {"AlarmEmail": ALARM_EMAIL}
    for line in ("API:", "Dashboard:", "/ahoum-bookings/dev/crm-webhook-secret", "make deliveries"):
        assert line in step["output"]


def test_a_first_deploy_waits_for_iam_to_propagate_the_roles_it_just_made(rehearsal):
    output = rehearsal["first deploy"]["output"]
    # The account-wide logging role exists, and API Gateway took it, before Chalice ran.
    assert output.index("API Gateway's CloudWatch Logs role: refused while IAM propagates") < (
        output.index("(chalice deploy")
    )
    assert "The stream mapping: refused while IAM propagates" in output
    assert "CloudWatch Logs role" not in rehearsal["redeploy"]["output"]  # once per account


def code_sha256(path: Path) -> str:
    """A zip's digest as Lambda reports it (CodeSha256: base64 of the SHA-256)."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def test_chalice_deploy_uploads_the_trimmed_zip_with_bytecode_as_make_package_writes_it(
    rehearsal,
):
    functions = rehearsal["first deploy"]["state"]["functions"].values()
    (uploaded,) = {function["CodeSha256"] for function in functions}  # one zip for all
    finished = {
        code_sha256(path): path
        for path in (REPO_ROOT / ".chalice" / "deployments").glob(f"*{FINISHED_SUFFIX}")
    }
    assert uploaded in finished, "the uploaded zip is not one deploy.bundle.finish wrote"
    report = bundle.inspect(finished[uploaded])
    assert report.ok, report.problems
    assert report.sources_with_bytecode == report.sources > 0
    assert "Compiled" in rehearsal["first deploy"]["output"]


def test_a_redeploy_changes_nothing_and_keeps_the_alarm_address(rehearsal):
    first, second = rehearsal["first deploy"]["state"], rehearsal["redeploy"]["state"]
    assert_stage_is_deployed(second, "dev")
    assert second["stack"]["StackId"] == first["stack"]["StackId"]
    assert {name: f["FunctionArn"] for name, f in second["functions"].items()} == {
        name: f["FunctionArn"] for name, f in first["functions"].items()
    }
    assert second["mappings"][0]["UUID"] == first["mappings"][0]["UUID"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in second["stack"]["Parameters"]}
    assert parameters == {"AlarmEmail": ALARM_EMAIL}


def test_the_deploy_record_is_kept_with_the_stage_within_ssm_s_size_limit(rehearsal):
    record = rehearsal["first deploy"]["state"]["deploy_record"]
    names = {resource["name"] for resource in json.loads(record)["resources"]}
    assert {"rest_api", "on_booking_change-dynamodb-event-source", *lambda_functions()} <= names
    assert len(record.encode()) <= 8192  # an advanced parameter's limit (standard: 4096)


def test_destroy_says_what_it_leaves_and_how_to_remove_each(rehearsal):
    step = rehearsal["destroy"]
    assert step["state"]["deploy_record"] is None
    left = step["output"][step["output"].index("Left in place") :]
    assert step["state"]["log_groups"]  # the Lambdas' log groups outlive chalice delete
    for group in step["state"]["log_groups"]:
        assert f"aws logs delete-log-group --log-group-name {group}" in left
    for command in ("aws ssm delete-parameters", "rm .chalice/deployed/dev.json"):
        assert command in left
    assert "aws cloudformation delete-stack --stack-name ahoum-bookings-apigateway-logging" in left


def test_destroying_dev_removes_its_functions_stack_and_tables(rehearsal):
    state = rehearsal["destroy"]["state"]
    assert state["stack"] is None and state["waf_stack"] is None
    assert state["tables"] == {} and state["functions"] == {} and state["mappings"] == []
    assert state["role_policies"] == {} and state["queues"] == []
    assert "ahoum-bookings-dev" not in state["apis"]


def test_a_deploy_after_destroy_builds_the_stage_again_on_the_new_stream(rehearsal):
    before = rehearsal["first deploy"]["state"]["tables"]["ahoum-dev-bookings"]["stream_arn"]
    state = rehearsal["deploy after destroy"]["state"]
    assert_stage_is_deployed(state, "dev")
    assert state["mappings"][0]["EventSourceArn"] != before


def test_destroying_prod_keeps_its_tables_protected_and_the_next_deploy_imports_them(rehearsal):
    assert_stage_is_deployed(rehearsal["prod deploy"]["state"], "prod")
    state = rehearsal["prod destroy"]["state"]
    assert state["stack"] is None and state["waf_stack"] is None and state["functions"] == {}
    assert set(state["tables"]) == {f"ahoum-prod-{name}" for name in models.TABLES}
    assert all(table["deletion_protection"] for table in state["tables"].values())
    after = rehearsal["prod deploy after destroy"]
    assert "importing them into the new stack ahoum-prod-data" in after["output"]
    assert [change_set["ChangeSetName"] for change_set in after["change_sets"]] == [
        f"import-{len(models.TABLES)}-tables"
    ]


def test_a_deploy_from_a_fresh_checkout_finds_the_stage_s_api_functions_and_mapping(rehearsal):
    first = rehearsal["first deploy"]["state"]
    fresh = rehearsal["deploy from a fresh checkout"]["state"]
    assert_stage_is_deployed(fresh, "dev")
    assert fresh["apis"] == first["apis"]
    assert fresh["mappings"][0]["UUID"] == first["mappings"][0]["UUID"]
    assert {name: f["FunctionArn"] for name, f in fresh["functions"].items()} == {
        name: f["FunctionArn"] for name, f in first["functions"].items()
    }
