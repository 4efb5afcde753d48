"""The hand-written IAM policies in ``.chalice/policies/<function>.json``, rendered per stage.

Chalice's policy analyzer cannot see PynamoDB's calls, so ``autogen_policy`` is off and each
Lambda gets exactly the policy written for it. The files name resources the way CloudFormation's
``Fn::Sub`` does (``${AWS::Region}``, ``${AWS::AccountId}``, …) plus ``${Stage}`` and
``${BookingsStreamArn}``, and ``${OwnSecretParameters}`` for the SSM parameters of the
secrets the Lambda reads (``SECRET_READERS`` in chalicelib/config.py, so a secret is granted
where it is read and nowhere else); rendering fills those in, either for the packaged template (as
``Fn::Sub`` expressions CloudFormation resolves) or with the values of a real account (for
`chalice deploy`, which sends the policy as it is). A statement's ``Why`` says why it is
there (JSON has no comments); IAM knows no such key, so rendering drops it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from chalice_config import CHALICE_DIR
from chalicelib.config import secrets_read_by
from deploy.project import lambda_functions, policy_file, secret_parameter
from deploy.resources import BOOKINGS_TABLE

SOURCE_DIR = CHALICE_DIR / "policies"
STREAM_ARN = "${BookingsStreamArn}"
OWN_SECRET_PARAMETERS = "${OwnSecretParameters}"
_PARAMETER_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def source(function: str) -> dict[str, Any]:
    """The policy file with the Lambda's own secret parameters in place (still ``${Stage}``);
    a statement left with no parameter (a Lambda that reads no secret) is dropped."""
    policy = json.loads((SOURCE_DIR / f"{function}.json").read_text())
    parameters = [
        _PARAMETER_ARN + secret_parameter("${Stage}", secret)
        for secret in secrets_read_by(function)
    ]
    statements = []
    for statement in policy["Statement"]:
        if statement["Resource"] == OWN_SECRET_PARAMETERS:
            if not parameters:
                continue
            statement = {**statement, "Resource": parameters}
        statements.append(statement)
    return {**policy, "Statement": statements}


def for_template(function: str, stage: str) -> dict[str, Any]:
    """The policy with every resource as an ``Fn::Sub`` that CloudFormation resolves."""

    def render(resource: str) -> Any:
        resource = resource.replace("${Stage}", stage)
        if resource == STREAM_ARN:
            return {"Fn::GetAtt": [BOOKINGS_TABLE, "StreamArn"]}
        return {"Fn::Sub": resource} if "${" in resource else resource

    return _map_resources(source(function), render)


def for_account(
    function: str, stage: str, *, partition: str, region: str, account_id: str, stream_arn: str
) -> dict[str, Any]:
    """The policy with every resource spelled out for one account and region."""
    values = {
        "AWS::Partition": partition,
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "Stage": stage,
        "BookingsStreamArn": stream_arn,
    }

    def render(resource: str) -> str:
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], resource)

    return _map_resources(source(function), render)


def write(
    stage: str, rendered: dict[str, dict[str, Any]], chalice_dir: Path = CHALICE_DIR
) -> list[Path]:
    """Write each function's rendered policy where config.json's ``iam_policy_file`` points,
    inside ``chalice_dir`` (a project's ``.chalice``)."""
    paths = []
    for function in lambda_functions():
        path = chalice_dir / policy_file(stage, function)
        path.write_text(json.dumps(rendered[function], indent=2) + "\n")
        paths.append(path)
    return paths


def _map_resources(policy: dict[str, Any], render: Any) -> dict[str, Any]:
    statements = []
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        if isinstance(resources, list):
            rendered = [render(resource) for resource in resources]
        else:
            rendered = render(resources)
        kept = {key: value for key, value in statement.items() if key != "Why"}
        statements.append({**kept, "Resource": rendered})
    return {**policy, "Statement": statements}
