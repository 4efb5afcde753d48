"""What AWS refuses and moto lets through, refused in moto's server for the deploy rehearsal.

moto accepts a stack with IAM resources whatever its capabilities, any role for API Gateway's
account, and a second stream mapping for the same function and stream; and it has no IAM
propagation delay. Each of those let a deploy pass the rehearsal that a real account refuses,
so ``install`` wraps the moto methods concerned with AWS's own checks and messages:

- a stack holding IAM resources, created or updated without ``CAPABILITY_IAM`` (or
  ``CAPABILITY_NAMED_IAM`` when one of them is given a name): ``InsufficientCapabilities``;
- an ``AWS::ApiGateway::Account`` whose role is created in the same stack: the role is not
  assumable yet when the account is set, so the stack rolls back;
- API Gateway's account given a role that is missing, that API Gateway may not assume, or on
  the first try after the role was created (not propagated yet): ``BadRequestException``;
- the first stream mapping made for a function after its role's policy was written (not
  propagated yet): ``InvalidParameterValueException`` "Cannot access stream";
- a second mapping for the same function and stream: ``ResourceConflictException``.

The retention of each Lambda's log group is checked on moto's state after each deploy
(tests/deploy/test_rehearsal.py): AWS would create a missing group on the first invocation,
without retention, which moto never does.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway import models as apigateway_models
from moto.apigateway.exceptions import BadRequestException
from moto.awslambda import models as lambda_models
from moto.awslambda.exceptions import LambdaClientError
from moto.cloudformation import responses as cloudformation_responses
from moto.cloudformation.exceptions import CloudFormationError
from moto.iam import models as iam_models

# Names that make an IAM resource "named": AWS then asks for CAPABILITY_NAMED_IAM.
_IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
}
API_GATEWAY_ROLE_REFUSED = "The role ARN does not have required permissions set to API Gateway"


class InsufficientCapabilities(CloudFormationError):
    code = "InsufficientCapabilitiesException"


def required_capability(template: dict[str, Any]) -> str | None:
    """The capability AWS asks for before it creates or updates ``template``, if any."""
    iam = [
        resource
        for resource in template.get("Resources", {}).values()
        if resource.get("Type", "").startswith("AWS::IAM::")
    ]
    if not iam:
        return None
    for resource in iam:
        name = _IAM_NAME_PROPERTIES.get(resource["Type"])
        if name and name in resource.get("Properties", {}):
            return "CAPABILITY_NAMED_IAM"
    return "CAPABILITY_IAM"


def _check_capabilities(response: Any) -> None:
    body = response._get_param("TemplateBody")
    if not body:
        return
    needed = required_capability(json.loads(body))
    given = set(response._get_param("Capabilities", []) or [])
    if needed and needed not in given and not (needed == "CAPABILITY_IAM" and given):
        raise InsufficientCapabilities(f"Requires capabilities : [{needed}]")


def _account_with_own_role(template: dict[str, Any]) -> bool:
    resources = template.get("Resources", {})
    for resource in resources.values():
        if resource.get("Type") != "AWS::ApiGateway::Account":
            continue
        role = resource.get("Properties", {}).get("CloudWatchRoleArn")
        target = None
        if isinstance(role, dict):
            target = (role.get("Fn::GetAtt") or [None])[0] or role.get("Ref")
        if target in resources:
            return True
    return False


def _roll_back_an_account_with_its_own_role(response: Any, failed_status: str) -> None:
    body = response._get_param("TemplateBody")
    if not body or not _account_with_own_role(json.loads(body)):
        return
    stack = response.cloudformation_backend.get_stack(response._get_param("StackName"))
    stack._add_stack_event(
        "CREATE_FAILED", resource_status_reason=API_GATEWAY_ROLE_REFUSED + " (Service: ApiGateway)"
    )
    stack.status = failed_status


def _strict_stack_call(original: Any, failed_status: str) -> Any:
    def call(self: Any) -> Any:
        _check_capabilities(self)
        result = original(self)
        _roll_back_an_account_with_its_own_role(self, failed_status)
        return result

    return call


# Roles API Gateway has been offered once: a role is refused on its first offer, as a role
# created a moment ago is on AWS until IAM has propagated it.
_offered_to_api_gateway: set[str] = set()


def _strict_update_account(original: Any) -> Any:
    def update_account(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
        for operation in patch_operations:
            if operation["path"] != "/cloudwatchRoleArn":
                continue
            arn = operation["value"]
            iam = iam_models.iam_backends[self.account_id][self.partition]
            try:
                role = iam.get_role_by_arn(arn)
            except Exception as error:
                raise BadRequestException(API_GATEWAY_ROLE_REFUSED) from error
            if "apigateway.amazonaws.com" not in role.assume_role_policy_document:
                raise BadRequestException(API_GATEWAY_ROLE_REFUSED)
            if arn not in _offered_to_api_gateway:
                _offered_to_api_gateway.add(arn)
                raise BadRequestException(API_GATEWAY_ROLE_REFUSED)
        return original(self, patch_operations)

    return update_account


# Roles whose inline policy changed since Lambda last looked: the next mapping made for one of
# their functions is refused, as on AWS before the policy has propagated.
_unpropagated_policies: set[str] = set()


def _recording_put_role_policy(original: Any) -> Any:
    def put_role_policy(self: Any, role_name: str, policy_name: str, policy_json: str) -> None:
        original(self, role_name, policy_name, policy_json)
        _unpropagated_policies.add(role_name)

    return put_role_policy


def _strict_create_event_source_mapping(original: Any) -> Any:
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        function = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec["FunctionName"])
        source = spec["EventSourceArn"]
        for mapping in self._event_source_mappings.values():
            if mapping.function_arn == function.function_arn and mapping.event_source_arn == source:
                raise LambdaClientError(
                    "ResourceConflictException",
                    f"The event source arn ({source}) and function ({function.function_name}) "
                    "provided mapping already exists. Please update or delete the existing "
                    f"mapping with UUID {mapping.uuid}",
                )
        role_name = function.role.rsplit("/", 1)[-1]
        if role_name in _unpropagated_policies:
            _unpropagated_policies.discard(role_name)
            raise LambdaClientError(
                "InvalidParameterValueException",
                f"Cannot access stream {source}. Please ensure the role can perform the "
                "GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your "
                "stream in IAM.",
            )
        return original(self, spec)

    return create_event_source_mapping


def install() -> None:
    """Make this process's moto as strict as AWS on what the deploy does (see above)."""
    response = cloudformation_responses.CloudFormationResponse
    response.create_stack = _strict_stack_call(response.create_stack, "ROLLBACK_COMPLETE")
    response.update_stack = _strict_stack_call(response.update_stack, "UPDATE_ROLLBACK_COMPLETE")
    gateway = apigateway_models.APIGatewayBackend
    gateway.update_account = _strict_update_account(gateway.update_account)
    iam = iam_models.IAMBackend
    iam.put_role_policy = _recording_put_role_policy(iam.put_role_policy)
    backend = lambda_models.LambdaBackend
    backend.create_event_source_mapping = _strict_create_event_source_mapping(
        backend.create_event_source_mapping
    )
