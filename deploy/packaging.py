"""`make package STAGE=prod`: one CloudFormation template (tables, API, Lambdas, stream
mapping, schedule) and a trimmed zip, for pipelines that deploy templates themselves.

Chalice builds the API and the Lambdas; ``merge_template`` adds the data layer (tables, DLQ,
alarms, access log group) and what Chalice cannot express: the stream mapping's failure
handling, fixed function names, the API's name, access log, throttle and gateway responses,
and the stream ARN taken from the table in the same template.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from chalice_config import CHALICE_DIR, CONFIG_PATH, REPO_ROOT
from deploy import bundle, policies, resources
from deploy.project import (
    FUNCTIONS,
    STREAM_FUNCTION,
    api_name,
    api_throttling,
    function_name,
    stand_ins,
)

DIST_DIR = REPO_ROOT / "dist"
TEMPLATE_NAME = "sam.json"
ZIP_NAME = "deployment.zip"
_STREAM_EVENT = FUNCTIONS[STREAM_FUNCTION] + "DynamodbEventSource"
_STREAM_ARN = {"Fn::GetAtt": [resources.BOOKINGS_TABLE, "StreamArn"]}


def merge_template(stage: str) -> dict[str, Any]:
    """What `chalice package --merge-template` lays over Chalice's own template."""
    functions: dict[str, Any] = {
        logical_id: {
            "Properties": {
                "FunctionName": function_name(stage, function),
                "LoggingConfig": resources.LOGGING_CONFIG,
                "Environment": {"Variables": {"BOOKINGS_STREAM_ARN": _STREAM_ARN}},
            }
        }
        for function, logical_id in FUNCTIONS.items()
    }
    log_groups = {
        resources.camel_case(function) + "LogGroup": {
            # Chalice names the API's log group after a resource that does not exist
            # (${ApiHandler}); the fixed function names make every log group's name plain.
            "Properties": {"LogGroupName": f"/aws/lambda/{function_name(stage, function)}"}
        }
        for function in FUNCTIONS
    }
    functions[FUNCTIONS[STREAM_FUNCTION]]["Properties"]["Events"] = {
        _STREAM_EVENT: {
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


def chalice_environment(stage: str, region: str, stream_arn: str | None = None) -> dict[str, str]:
    """The environment for a `chalice package`/`deploy`/`delete` process (see ``stand_ins``)."""
    environment = {**os.environ, **stand_ins(stage, region), "AWS_DEFAULT_REGION": region}
    if stream_arn:
        environment["BOOKINGS_STREAM_ARN"] = stream_arn
    return environment


def chalice_command(*args: str, project_dir: Path = REPO_ROOT) -> list[str]:
    return [
        str(Path(sys.executable).with_name("chalice")),
        "--project-dir",
        str(project_dir),
        *args,
    ]


# What `chalice package` reads from a project: the app, its requirements and .chalice/.
_PROJECT_FILES = ("app.py", "chalicelib", "requirements.txt")


def staged_project(stage: str, out_dir: Path) -> Path:
    """A project directory for `chalice package` whose ``.chalice/`` holds the template's
    policies (``Fn::Sub`` expressions).

    config.json names one policy file per stage and function, and `chalice deploy` sends that
    file to IAM as it is; rendering the template's policies there would leave CloudFormation
    functions for the next plain `chalice deploy`. So packaging gets a project of its own under
    ``out_dir``: links to the app and its requirements, a copy of config.json, the template's
    policies, and a link to the repository's cache of built dependencies.
    """
    project = out_dir / "project"
    chalice_dir = project / ".chalice"
    chalice_dir.mkdir(parents=True, exist_ok=True)
    (CHALICE_DIR / "deployments").mkdir(exist_ok=True)
    links = {name: REPO_ROOT / name for name in _PROJECT_FILES}
    links[".chalice/deployments"] = CHALICE_DIR / "deployments"
    for name, target in links.items():
        link = project / name
        if not link.is_symlink():
            link.symlink_to(target)
    shutil.copyfile(CONFIG_PATH, chalice_dir / "config.json")
    policies.write(stage, {fn: policies.for_template(fn, stage) for fn in FUNCTIONS}, chalice_dir)
    return project


def package(stage: str, out_dir: Path, region: str = "us-east-1") -> bundle.Report:
    """Write ``sam.json`` and a trimmed ``deployment.zip`` into ``out_dir``."""
    out_dir = out_dir.resolve()
    project = staged_project(stage, out_dir)
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
    dropped = bundle.trim(out_dir / ZIP_NAME)
    if dropped:
        print(f"Dropped what the Lambda runtime provides: {', '.join(dropped)}")
    compiled = bundle.compile_bytecode(out_dir / ZIP_NAME)
    print(f"Compiled {compiled} modules to unchecked-hash bytecode")
    return bundle.inspect(out_dir / ZIP_NAME)
