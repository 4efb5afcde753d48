"""`make package STAGE=prod`: one CloudFormation template (tables, API, Lambdas, stream
mapping, schedule) and a trimmed zip, for pipelines that deploy templates themselves.

Chalice builds the API and the Lambdas; ``merge_template`` adds the data layer and what
Chalice cannot express: the stream mapping's failure handling, fixed function names, the
gateway responses, and the stream ARN taken from the table in the same template.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy import bundle, policies, resources
from deploy.project import FUNCTIONS, STREAM_FUNCTION, function_name, stand_ins
from local.paths import REPO_ROOT

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
        _camel(function) + "LogGroup": {
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
    return {
        "Resources": {
            **resources.data_resources(stage),
            **functions,
            **log_groups,
            "RestAPI": {
                "Properties": {
                    "DefinitionBody": {
                        "x-amazon-apigateway-gateway-responses": resources.gateway_responses()
                    }
                }
            },
        },
        "Outputs": {
            "DeadLetterQueueName": {
                "Value": {"Fn::GetAtt": [resources.DEAD_LETTER_QUEUE, "QueueName"]}
            },
        },
    }


def _camel(function: str) -> str:
    return "".join(part.capitalize() for part in function.split("_"))


def chalice_environment(stage: str, region: str, stream_arn: str | None = None) -> dict[str, str]:
    """The environment for a `chalice package`/`deploy`/`delete` process (see ``stand_ins``)."""
    environment = {**os.environ, **stand_ins(stage, region), "AWS_DEFAULT_REGION": region}
    if stream_arn:
        environment["BOOKINGS_STREAM_ARN"] = stream_arn
    return environment


def chalice_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("chalice")), "--project-dir", str(REPO_ROOT), *args]


def package(stage: str, out_dir: Path, region: str = "us-east-1") -> bundle.Report:
    """Write ``sam.json`` and a trimmed ``deployment.zip`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    policies.write(stage, {fn: policies.for_template(fn, stage) for fn in FUNCTIONS})
    merge_path = out_dir / "merge.json"
    merge_path.write_text(json.dumps(merge_template(stage), indent=2) + "\n")
    command = chalice_command(
        "package", "--stage", stage, "--merge-template", str(merge_path), str(out_dir)
    )
    # Packaging needs no credentials: never let botocore ask the instance-metadata service.
    environment = {**chalice_environment(stage, region), "AWS_EC2_METADATA_DISABLED": "true"}
    subprocess.run(command, check=True, env=environment, cwd=REPO_ROOT)
    merge_path.unlink()
    dropped = bundle.trim(out_dir / ZIP_NAME)
    if dropped:
        print(f"Dropped what the Lambda runtime provides: {', '.join(dropped)}")
    compiled = bundle.compile_bytecode(out_dir / ZIP_NAME)
    print(f"Compiled {compiled} modules to unchecked-hash bytecode")
    return bundle.inspect(out_dir / ZIP_NAME)
