"""CloudFormation for what the Lambdas stand on: the tables (from the PynamoDB models), the
bookings stream's dead-letter queue, the alarms, their SNS topic and the dashboard
(deploy/monitoring.py), the API's access log group, the stream mapping's settings and the
gateway responses.

Used twice: as the stage's own data stack before `chalice deploy` (``data_stack_template``),
and merged into the single template of `chalice package` (``deploy.packaging``).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import dynamodb, models
from deploy.monitoring import ALARM_TOPIC, API_GATEWAY_STAGE, alarms, dashboard
from deploy.project import (
    PROTECTED_STAGES,
    access_log_group_name,
    alarm_topic_name,
    camel_case,
    dead_letter_queue_name,
    log_retention_days,
)

# Named here too: the deploy and the packaging read them from this module.
__all__ = ["ALARM_TOPIC", "API_GATEWAY_STAGE", "camel_case"]

BOOKINGS_TABLE = "BookingsTable"
DEAD_LETTER_QUEUE = "BookingStreamDeadLetterQueue"
STREAM_ARN_OUTPUT = "BookingsStreamArn"
DEAD_LETTER_QUEUE_ARN_OUTPUT = "BookingStreamDeadLetterQueueArn"
ALARM_TOPIC_OUTPUT = "AlarmTopicArn"
ACCESS_LOG_GROUP = "ApiAccessLogGroup"
ACCESS_LOG_GROUP_OUTPUT = "ApiAccessLogGroupArn"
DASHBOARD = "Dashboard"
# The deploy parameter (`make deploy ALARM_EMAIL=…`) that subscribes an address to the alarms.
ALARM_EMAIL_PARAMETER = "AlarmEmail"
_HAS_ALARM_EMAIL = "HasAlarmEmail"

# One JSON object per request in the API's access log; numbers unquoted so Logs Insights can
# compute with them ($context.status and responseLatency are always set). "path" is the route
# (/calendar/{feed_token}), never the URL: a calendar feed's URL carries its secret.
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"method":"$context.httpMethod","path":"$context.resourcePath","status":$context.status,'
    '"latencyMs":$context.responseLatency,"integrationLatencyMs":"$context.integrationLatency",'
    '"responseLength":"$context.responseLength","requestTime":"$context.requestTime"}'
)

# How Lambda reads the bookings stream. The handler turns CRM failures into pending delivery
# rows itself, so a batch fails only when DynamoDB or the code does: report the failed record
# (not the whole batch), split a failing batch to find it, give up after a few tries, and
# park the batch's coordinates in the dead-letter queue while the stream (24 h retention)
# still holds the records for a replay.
STREAM_MAPPING_SETTINGS: dict[str, Any] = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    "MaximumRecordAgeInSeconds": 6 * 60 * 60,
}

# Lambda's own lines (START/END/REPORT, uncaught errors) as JSON carrying the requestId, next to
# the app's JSON lines, so one Logs Insights query reads both.
LOGGING_CONFIG = {"LogFormat": "JSON"}

# Messages wait 14 days (SQS's maximum) for someone to look at them.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60


def table_logical_id(short_name: str) -> str:
    return camel_case(short_name) + "Table"


def table_resources(stage: str) -> dict[str, dict[str, Any]]:
    """One ``AWS::DynamoDB::Table`` per model, from the same description local tables use."""
    protected = stage in PROTECTED_STAGES
    resources = {}
    for short_name, model in models.TABLES.items():
        definition = dynamodb.table_definition(model)
        properties: dict[str, Any] = {
            **definition,
            "TableName": f"ahoum-{stage}-{short_name}",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": protected,
        }
        stream = properties.pop("StreamSpecification", None)
        if stream:
            # CloudFormation spells it without StreamEnabled: a view type means "on".
            properties["StreamSpecification"] = {"StreamViewType": stream["StreamViewType"]}
        ttl = dynamodb.ttl_attribute(model)
        if ttl:
            properties["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
        retention = "Retain" if protected else "Delete"
        resources[table_logical_id(short_name)] = {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": retention,
            "UpdateReplacePolicy": retention,
            "Properties": properties,
        }
    return resources


def dead_letter_queue(stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": dead_letter_queue_name(stage),
            "MessageRetentionPeriod": DEAD_LETTER_RETENTION_SECONDS,
            "SqsManagedSseEnabled": True,
        },
    }


def alarm_topic(stage: str) -> dict[str, dict[str, Any]]:
    """The one SNS topic every alarm notifies, and the e-mail subscription when one is given."""
    return {
        ALARM_TOPIC: {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": alarm_topic_name(stage)},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": _HAS_ALARM_EMAIL,
            "Properties": {
                "Protocol": "email",
                "Endpoint": {"Ref": ALARM_EMAIL_PARAMETER},
                "TopicArn": {"Ref": ALARM_TOPIC},
            },
        },
    }


def access_log_group(stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": access_log_group_name(stage),
            "RetentionInDays": log_retention_days(),
        },
    }


def data_resources(stage: str) -> dict[str, dict[str, Any]]:
    return {
        **table_resources(stage),
        DEAD_LETTER_QUEUE: dead_letter_queue(stage),
        **alarm_topic(stage),
        **alarms(stage),
        DASHBOARD: dashboard(stage),
        ACCESS_LOG_GROUP: access_log_group(stage),
    }


def data_parameters() -> dict[str, Any]:
    """The template's Parameters and Conditions (the alarm e-mail address)."""
    return {
        "Parameters": {
            ALARM_EMAIL_PARAMETER: {
                "Type": "String",
                "Default": "",
                "AllowedPattern": r"^$|^[^@\s]+@[^@\s]+$",
                "Description": "Address the alarms e-mail (empty: no subscription).",
            }
        },
        "Conditions": {
            _HAS_ALARM_EMAIL: {"Fn::Not": [{"Fn::Equals": [{"Ref": ALARM_EMAIL_PARAMETER}, ""]}]}
        },
    }


def data_stack_template(stage: str) -> dict[str, Any]:
    """The stage's data stack, deployed before `chalice deploy` needs the stream ARN."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Ahoum Bookings ({stage}): tables, the stream's DLQ, alarms, access logs",
        **data_parameters(),
        "Resources": data_resources(stage),
        "Outputs": {
            STREAM_ARN_OUTPUT: {"Value": {"Fn::GetAtt": [BOOKINGS_TABLE, "StreamArn"]}},
            DEAD_LETTER_QUEUE_ARN_OUTPUT: {"Value": {"Fn::GetAtt": [DEAD_LETTER_QUEUE, "Arn"]}},
            ALARM_TOPIC_OUTPUT: {"Value": {"Ref": ALARM_TOPIC}},
            ACCESS_LOG_GROUP_OUTPUT: {"Value": {"Fn::GetAtt": [ACCESS_LOG_GROUP, "Arn"]}},
        },
    }


# The logging role stack's output: the role the deploy then gives API Gateway's account.
LOGGING_ROLE_OUTPUT = "ApiGatewayLogsRoleArn"


def api_gateway_logging_template() -> dict[str, Any]:
    """The role that lets API Gateway write logs, for an account-wide setting (one per region)
    that access logging needs, so it has a stack of its own, outside any stage.

    The stack holds the role only: an ``AWS::ApiGateway::Account`` beside it is set while the
    new role is not yet assumable and fails the stack; the deploy sets the account itself,
    retrying until IAM has propagated the role (``deploy.aws.set_api_gateway_logging_role``).
    """
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "API Gateway's CloudWatch Logs role for this account and region",
        "Resources": {
            "ApiGatewayLogsRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "apigateway.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": [
                        {
                            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                            "AmazonAPIGatewayPushToCloudWatchLogs"
                        }
                    ],
                },
            },
        },
        "Outputs": {LOGGING_ROLE_OUTPUT: {"Value": {"Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}}},
    }


# API Gateway's own answers, by response type: (status, code, message). Every message is fixed
# text: API Gateway's own (``$context.error.message``) can quote the request, and for a Bearer
# token sent to an unknown route it quotes the whole Authorization header.
_GATEWAY_NOT_FOUND = (404, "not_found", "No such route; see the README for the API.")
_GATEWAY_FORBIDDEN = (403, "forbidden", "This request is not allowed.")
_GATEWAY_ANSWERS: dict[str, tuple[int | None, str, str]] = {
    # An unknown route: API Gateway asks for AWS credentials ("Missing Authentication Token"),
    # or, when an Authorization header came, finds no valid AWS signature in it ("...requires
    # 'Credential'...", "...expired"). No route of this API takes AWS signatures, so each of
    # these only ever means "no such route".
    "MISSING_AUTHENTICATION_TOKEN": _GATEWAY_NOT_FOUND,
    "INVALID_SIGNATURE": _GATEWAY_NOT_FOUND,
    "EXPIRED_TOKEN": _GATEWAY_NOT_FOUND,
    "RESOURCE_NOT_FOUND": _GATEWAY_NOT_FOUND,
    "THROTTLED": (429, "too_many_requests", "Too many requests; wait Retry-After seconds."),
    "QUOTA_EXCEEDED": (429, "too_many_requests", "This client's request quota is used up."),
    "ACCESS_DENIED": _GATEWAY_FORBIDDEN,
    "WAF_FILTERED": _GATEWAY_FORBIDDEN,
    "INVALID_API_KEY": _GATEWAY_FORBIDDEN,
    "UNAUTHORIZED": (401, "unauthorized", "Send a valid Bearer token."),
    "REQUEST_TOO_LARGE": (413, "payload_too_large", "The request is too large."),
    "UNSUPPORTED_MEDIA_TYPE": (415, "unsupported_media_type", "Send the body as application/json."),
    # Any other 4xx or 5xx keeps the status code API Gateway gives it.
    "DEFAULT_4XX": (None, "bad_request", "API Gateway refused the request."),
    "DEFAULT_5XX": (None, "internal_error", "Something went wrong on our side."),
}
# A throttled client may try again once the stage's token bucket refills, within a second at
# every stage's rate (API Gateway can only send a fixed value).
THROTTLED_RETRY_AFTER_SECONDS = 1
# What the app sends with every JSON answer, so the gateway's own are no more cacheable.
_GATEWAY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def gateway_responses() -> dict[str, dict[str, Any]]:
    """API Gateway's own answers (unknown route, throttling, a crashed Lambda) in the project's
    JSON error shape, each with its status and code; an unknown route is a 404, not API
    Gateway's 403. A 5xx carries the request id, as the app's own 500 does."""
    found = {}
    for response_type, (status, code, message) in _GATEWAY_ANSWERS.items():
        error = {"code": code, "message": message}
        if response_type == "DEFAULT_5XX":
            error["request_id"] = "$context.requestId"
        headers = dict(_GATEWAY_HEADERS)
        if response_type == "THROTTLED":
            headers["Retry-After"] = str(THROTTLED_RETRY_AFTER_SECONDS)
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        response: dict[str, Any] = {
            "responseParameters": {
                f"gatewayresponse.header.{name}": f"'{value}'" for name, value in headers.items()
            },
            "responseTemplates": {"application/json": json.dumps({"error": error})},
        }
        if status is not None:
            response["statusCode"] = str(status)
        found[response_type] = response
    return found


WEB_ACL = "ApiWebAcl"
WEB_ACL_ASSOCIATION = "ApiWebAclAssociation"
PER_IP_RATE_RULE = "per-ip-rate-limit"
# The waf stack's parameter: the REST API `chalice deploy` made.
REST_API_ID_PARAMETER = "RestApiId"


def _waf_visibility(metric_name: str) -> dict[str, Any]:
    return {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": True,
        "MetricName": metric_name,
    }


def web_acl(stage: str, rate_limit: int, api_stage_arn: Any) -> dict[str, dict[str, Any]]:
    """An AWS WAF web ACL on the API stage ``api_stage_arn`` that blocks a client address
    sending more than ``rate_limit`` requests in 5 minutes, until its rate falls below the
    limit. API Gateway answers a blocked request with its WAF_FILTERED response (403)."""
    return {
        WEB_ACL: {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": f"ahoum-{stage}-api",
                "Description": f"Ahoum Bookings {stage}, a per-address rate limit on the API",
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "Rules": [
                    {
                        "Name": PER_IP_RATE_RULE,
                        "Priority": 0,
                        "Action": {"Block": {}},
                        "Statement": {
                            "RateBasedStatement": {"Limit": rate_limit, "AggregateKeyType": "IP"}
                        },
                        "VisibilityConfig": _waf_visibility(f"ahoum-{stage}-{PER_IP_RATE_RULE}"),
                    }
                ],
                "VisibilityConfig": _waf_visibility(f"ahoum-{stage}-api"),
            },
        },
        WEB_ACL_ASSOCIATION: {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "ResourceArn": api_stage_arn,
                "WebACLArn": {"Fn::GetAtt": [WEB_ACL, "Arn"]},
            },
        },
    }


def api_stage_arn(rest_api_id: str, stage_name: str) -> dict[str, str]:
    """The API stage's ARN as WAF names it, from ``Fn::Sub`` names of the API id and stage."""
    return {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
        f"${{{rest_api_id}}}/stages/{stage_name}"
    }


def web_acl_template(stage: str, rate_limit: int) -> dict[str, Any]:
    """The stage's waf stack for `make deploy`: deployed once `chalice deploy` has made the API
    (its id is a parameter), and deleted before the API is."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Ahoum Bookings ({stage}): AWS WAF's per-address rate limit on the API",
        "Parameters": {
            REST_API_ID_PARAMETER: {
                "Type": "String",
                "AllowedPattern": "^[a-z0-9]+$",
                "Description": "The id of the REST API chalice deploy made for this stage.",
            }
        },
        "Resources": web_acl(
            stage, rate_limit, api_stage_arn(REST_API_ID_PARAMETER, API_GATEWAY_STAGE)
        ),
    }
