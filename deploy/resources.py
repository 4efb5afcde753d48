"""CloudFormation for what the Lambdas stand on: the tables (from the PynamoDB models), the
bookings stream's dead-letter queue, the stream mapping's settings and the gateway responses.

Used twice: as the stage's own data stack before `chalice deploy` (``data_stack_template``),
and merged into the single template of `chalice package` (``deploy.packaging``).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import dynamodb, models
from deploy.project import PROTECTED_STAGES, dead_letter_queue_name

BOOKINGS_TABLE = "BookingsTable"
DEAD_LETTER_QUEUE = "BookingStreamDeadLetterQueue"
STREAM_ARN_OUTPUT = "BookingsStreamArn"
DEAD_LETTER_QUEUE_ARN_OUTPUT = "BookingStreamDeadLetterQueueArn"

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

_NOT_FOUND = {
    "error": {"code": "not_found", "message": "No such route; see the README for the API."}
}


def table_logical_id(short_name: str) -> str:
    return "".join(part.capitalize() for part in short_name.split("_")) + "Table"


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


def data_resources(stage: str) -> dict[str, dict[str, Any]]:
    return {**table_resources(stage), DEAD_LETTER_QUEUE: dead_letter_queue(stage)}


def data_stack_template(stage: str) -> dict[str, Any]:
    """The stage's data stack, deployed before `chalice deploy` needs the stream ARN."""
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Ahoum Bookings ({stage}): DynamoDB tables and the stream's DLQ",
        "Resources": data_resources(stage),
        "Outputs": {
            STREAM_ARN_OUTPUT: {"Value": {"Fn::GetAtt": [BOOKINGS_TABLE, "StreamArn"]}},
            DEAD_LETTER_QUEUE_ARN_OUTPUT: {"Value": {"Fn::GetAtt": [DEAD_LETTER_QUEUE, "Arn"]}},
        },
    }


def gateway_responses() -> dict[str, dict[str, Any]]:
    """API Gateway's own answers (unknown route, throttling, a crashed Lambda) in the project's
    JSON error shape; an unknown route is a 404, not API Gateway's 403."""
    return {
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": "404",
            "responseTemplates": {"application/json": json.dumps(_NOT_FOUND)},
        },
        "DEFAULT_4XX": {"responseTemplates": {"application/json": _error_template("bad_request")}},
        "DEFAULT_5XX": {
            "responseTemplates": {"application/json": _error_template("internal_error")}
        },
    }


def _error_template(code: str) -> str:
    # $context.error.messageString arrives already quoted as a JSON string.
    return (
        f'{{"error": {{"code": "{code}", "message": $context.error.messageString, '
        '"request_id": "$context.requestId"}}'
    )
