"""`make package STAGE=prod`: one CloudFormation template (tables, API, Lambdas, stream
mapping, schedule) and a trimmed zip, for pipelines that deploy templates themselves.

Chalice builds the API and the Lambdas; ``merge_template`` adds the data layer (tables, DLQ,
alarms, access log group) and what Chalice cannot express: the stream mapping's failure
handling, fixed function names, the API's name, access log, throttle, web ACL and gateway
responses, and the stream ARN taken from the table in the same template.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from chalice_config import CHALICE_DIR, REPO_ROOT
from deploy import bundle, policies, resources
from deploy.project import (
    STREAM_FUNCTION,
    api_name,
    api_throttling,
    api_waf_rate_limit,
    function_name,
    lambda_functions,
    staged_config,
    stand_ins,
)

DIST_DIR = REPO_ROOT / "dist"
TEMPLATE_NAME = "sam.json"
ZIP_NAME = "deployment.zip"
_STREAM_ARN = {"Fn::GetAtt": [resources.BOOKINGS_TABLE, "StreamArn"]}


def merge_template(stage: str) -> dict[str, Any]:
    """What `chalice package --merge-template` lays over Chalice's own template."""
    logical_ids = lambda_functions()
    functions: dict[str, Any] = {
        logical_id: {
            "Properties": {
                "FunctionName": function_name(stage, function),
                "LoggingConfig": resources.LOGGING_CONFIG,
                "Environment": {"Variables": {"BOOKINGS_STREAM_ARN": _STREAM_ARN}},
            }
        }
        for function, logical_id in logical_ids.items()
    }
    log_groups = {
        resources.camel_case(function) + "LogGroup": {
            # Chalice names the API's log group after a resource that does not exist
            # (${ApiHandler}); the fixed function names make every log group's name plain.
            "Properties": {"LogGroupName": f"/aws/lambda/{function_name(stage, function)}"}
        }
        for function in logical_ids
    }
    stream_handler = logical_ids[STREAM_FUNCTION]
    functions[stream_handler]["Properties"]["Events"] = {
        stream_handler + "DynamodbEventSource": {
            "Properties": {
                "Stream": _STREAM_ARN,
                **resources.STREAM_MAPPING_SETTINGS,
                "DestinationConfig": {
                    "OnFailure": {
                        "Type": "SQS",
                        "Destination": {"Fn::GetAtt": [resources.DEAD_LETTER_QUEUE, "Arn"]},
                    }
                },
            }
        }
    }
    throttling = api_throttling(stage)
    return {
        **resources.data_parameters(),
        "Resources": {
            **resources.data_resources(stage),
            **functions,
            **log_groups,
            **_web_acl(stage),
            "RestAPI": {
                "Properties": {
                    "Name": api_name(stage),
                    "DefinitionBody": {
                        # Chalice's document calls every stage's API after the app.
                        "info": {"title": api_name(stage)},
                        "x-amazon-apigateway-gateway-responses": resources.gateway_responses(),
                    },
                    "AccessLogSetting": {
                        "DestinationArn": {"Fn::GetAtt": [resources.ACCESS_LOG_GROUP, "Arn"]},
                        "Format": resources.ACCESS_LOG_FORMAT,
                    },
                    "MethodSettings": [
                        {
                            "ResourcePath": "/*",
                            "HttpMethod": "*",
                            "ThrottlingRateLimit": throttling["rate_limit"],
                            "ThrottlingBurstLimit": throttling["burst_limit"],
                        }
                    ],
                }
            },
        },
        "Outputs": {
            "DeadLetterQueueName": {
                "Value": {"Fn::GetAtt": [resources.DEAD_LETTER_QUEUE, "QueueName"]}
            },
        },
    }


def _web_acl(stage: str) -> dict[str, Any]:
    """The stage's web ACL on the template's own API and stage, when the stage has one."""
    rate_limit = api_waf_rate_limit(stage)
    if rate_limit is None:
        return {}
    # SAM resolves RestAPI.Stage to the stage it generates, so the association waits for it.
    return resources.web_acl(
        stage, rate_limit, resources.api_stage_arn("RestAPI", "${RestAPI.Stage}")
    )


def chalice_environment(stage: str, region: str, stream_arn: str | None = None) -> dict[str, str]:
    """The environment for a `chalice package`/`deploy`/`delete` process (see ``stand_ins``);
    it runs in a staged project, so the repository goes on its path for ``deploy.chalice_cli``."""
    environment = {
        **os.environ,
        **stand_ins(stage, region),
        "AWS_DEFAULT_REGION": region,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    if stream_arn:
        environment["BOOKINGS_STREAM_ARN"] = stream_arn
    return environment


def chalice_command(*args: str, project_dir: Path = REPO_ROOT) -> list[str]:
    """Chalice's command line with the deployment zip finished (``deploy.chalice_cli``)."""
    return [sys.executable, "-m", "deploy.chalice_cli", "--project-dir", str(project_dir), *args]


# What `chalice package`/`deploy` read from a project: the app, its requirements and .chalice/.
_PROJECT_FILES = ("app.py", "chalicelib", "requirements.txt")


def staged_project(
    stage: str, out_dir: Path, rendered: dict[str, dict[str, Any]], *, keeps_state: bool = False
) -> Path:
    """A project directory for `chalice package` or `deploy`, under ``out_dir``: links to the
    app and its requirements, ``staged_config`` as its config.json, the ``rendered`` policies
    (the template's ``Fn::Sub`` ones, or an account's), and a link to the repository's cache of
    built dependencies. ``keeps_state`` links ``.chalice/deployed`` to the repository's, where
    `chalice deploy` records what it made (and redeploys and `chalice delete` find it).

    The repository's config.json and policy sources stay as they are, and nothing rendered is
    left beside them for a plain `chalice deploy` to send.
    """
    project = out_dir / "project"
    chalice_dir = project / ".chalice"
    chalice_dir.mkdir(parents=True, exist_ok=True)
    links = {name: REPO_ROOT / name for name in _PROJECT_FILES}
    links[".chalice/deployments"] = CHALICE_DIR / "deployments"
    if keeps_state:
        links[".chalice/deployed"] = CHALICE_DIR / "deployed"
    for name, target in links.items():
        if name.startswith(".chalice/"):
            target.mkdir(exist_ok=True)
        link = project / name
        if not link.is_symlink():
            link.symlink_to(target)
    (chalice_dir / "config.json").write_text(json.dumps(staged_config(stage), indent=2) + "\n")
    policies.write(stage, rendered, chalice_dir)
    return project


def package(stage: str, out_dir: Path, region: str = "us-east-1") -> bundle.Report:
    """Write ``sam.json`` and a trimmed ``deployment.zip`` into ``out_dir``."""
    out_dir = out_dir.resolve()
    rendered = {fn: policies.for_template(fn, stage) for fn in lambda_functions()}
    project = staged_project(stage, out_dir, rendered)
    merge_path = out_dir / "merge.json"
    merge_path.write_text(json.dumps(merge_template(stage), indent=2) + "\n")
    command = chalice_command(
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(merge_path),
        str(out_dir),
        project_dir=project,
    )
    # Packaging needs no credentials: never let botocore ask the instance-metadata service.
    environment = {**chalice_environment(stage, region), "AWS_EC2_METADATA_DISABLED": "true"}
    subprocess.run(command, check=True, env=environment, cwd=project)
    merge_path.unlink()
    return bundle.inspect(out_dir / ZIP_NAME)
