"""The stage's alarms and its CloudWatch dashboard, in the data stack (deploy/resources.py).

Each alarm notifies the stage's one SNS topic; the runbook (docs/deploy.md) says what each
means and what to do. The dashboard puts the same signals side by side: bookings, webhook
deliveries by outcome, the retrier's backlog, API latency and errors, the stream's lag.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import metrics, models
from deploy.project import (
    STREAM_FUNCTION,
    api_name,
    camel_case,
    dead_letter_queue_name,
    function_name,
    lambda_functions,
)

ALARM_TOPIC = "AlarmTopic"
API_GATEWAY_STAGE = "api"

# What each alarm watches. Thresholds are in the unit CloudWatch gives the metric.
STREAM_ITERATOR_AGE_LIMIT_MS = 5 * 60 * 1000
API_5XX_RATE_LIMIT = 0.05  # API Gateway's 5XXError averaged over requests is the 5xx rate
API_P99_LATENCY_LIMIT_MS = 3000
API_LATENCY_PERIODS = 2  # p99 over 3 s for 10 minutes: two 5-minute periods in a row
RETRIER_OLDEST_DUE_LIMIT_SECONDS = 15 * 60
ALARM_PERIOD_SECONDS = 300

# DynamoDB reports throttled requests and system errors per table *and operation* only, so a
# table's alarm adds up the operations the Lambdas' policies allow, and the transactions IAM
# authorizes by their items' actions (an alarm holds at most 10 metrics: these and their sum).
DYNAMODB_OPERATIONS = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
)


def _alarm_properties(stage: str, name: str, description: str) -> dict[str, Any]:
    return {
        "AlarmName": f"ahoum-{stage}-{name}",
        "AlarmDescription": description,
        "ComparisonOperator": "GreaterThanThreshold",
        # No data means nothing happened (no failed batch, no request): not an alarm.
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": ALARM_TOPIC}],
        "OKActions": [{"Ref": ALARM_TOPIC}],
    }


def _alarm(
    stage: str,
    name: str,
    description: str,
    metric: tuple[str, str, dict[str, Any]],
    statistic: str,
    threshold: float,
    evaluation_periods: int = 1,
) -> dict[str, Any]:
    namespace, metric_name, dimensions = metric
    # A percentile ("p99") is an extended statistic; CloudWatch takes it under its own key.
    statistic_key = "ExtendedStatistic" if statistic.startswith("p") else "Statistic"
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            **_alarm_properties(stage, name, description),
            "Namespace": namespace,
            "MetricName": metric_name,
            "Dimensions": _dimensions(dimensions),
            statistic_key: statistic,
            "Period": ALARM_PERIOD_SECONDS,
            "EvaluationPeriods": evaluation_periods,
            "Threshold": threshold,
        },
    }


def _table_operations_alarm(
    stage: str, name: str, description: str, table: str, metric: str
) -> dict[str, Any]:
    """An alarm on the sum of ``metric`` over the operations the app calls on ``table``."""
    queries: list[dict[str, Any]] = [
        {
            "Id": f"m{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/DynamoDB",
                    "MetricName": metric,
                    "Dimensions": _dimensions({"TableName": table, "Operation": operation}),
                },
                "Period": ALARM_PERIOD_SECONDS,
                "Stat": "Sum",
            },
            "ReturnData": False,
        }
        for index, operation in enumerate(DYNAMODB_OPERATIONS, start=1)
    ]
    queries.append(
        {"Id": "total", "Expression": "SUM(METRICS())", "Label": metric, "ReturnData": True}
    )
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            **_alarm_properties(stage, name, description),
            "Metrics": queries,
            "EvaluationPeriods": 1,
            "Threshold": 0,
        },
    }


def _dimensions(dimensions: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Name": key, "Value": value} for key, value in dimensions.items()]


def alarms(stage: str) -> dict[str, dict[str, Any]]:
    """The stage's alarms; the runbook says what each means and what to do."""
    stream_function = function_name(stage, STREAM_FUNCTION)
    api = {"ApiName": api_name(stage), "Stage": API_GATEWAY_STAGE}
    found = {
        "DeadLetterQueueAlarm": _alarm(
            stage,
            "stream-dead-letters",
            "Stream batches failed for good and were parked in the DLQ: replay them within "
            "24 h (runbook, Alarms).",
            (
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": dead_letter_queue_name(stage)},
            ),
            "Maximum",
            0,
        ),
        "WebhooksGivenUpAlarm": _alarm(
            stage,
            "webhooks-given-up",
            "A CRM delivery ran out of retries and is failed: fix the CRM, then replay it "
            "(runbook, Alarms).",
            (metrics.NAMESPACE, metrics.WEBHOOKS_GIVEN_UP, {"Stage": stage}),
            "Sum",
            0,
        ),
        "PaymentsMismatchedAlarm": _alarm(
            stage,
            "payments-mismatched",
            "Stripe reported a payment whose amount or currency is not its hold's: nothing was "
            "confirmed; look at the payment in Stripe (runbook, Alarms).",
            (metrics.NAMESPACE, metrics.PAYMENTS_MISMATCHED, {"Stage": stage}),
            "Sum",
            0,
        ),
        "RetrierBehindAlarm": _alarm(
            stage,
            "retrier-behind",
            "A CRM delivery has been due for more than 15 minutes: the CRM refuses or the "
            "retrier is not keeping up (runbook, Alarms).",
            (metrics.NAMESPACE, metrics.RETRIER_OLDEST_DUE_AGE, {"Stage": stage}),
            "Maximum",
            RETRIER_OLDEST_DUE_LIMIT_SECONDS,
        ),
        "RefundsStuckAlarm": _alarm(
            stage,
            "refunds-stuck",
            "A refund has been owed for over REFUND_STUCK_ALARM_MINUTES (60): Stripe is down or "
            "refuses it, or settle_payments is not running (runbook, Alarms).",
            (metrics.NAMESPACE, metrics.REFUNDS_STUCK, {"Stage": stage}),
            "Maximum",
            0,
        ),
        "RefundsRefusedAlarm": _alarm(
            stage,
            "refunds-refused",
            "Stripe refused a refund (4xx): it stays owed and is retried every minute until "
            "a person fixes the cause (runbook, Alarms).",
            (metrics.NAMESPACE, metrics.REFUNDS_REFUSED, {"Stage": stage}),
            "Sum",
            0,
        ),
        "StreamIteratorAgeAlarm": _alarm(
            stage,
            "stream-behind",
            "The stream handler is more than 5 minutes behind the bookings stream: webhooks are "
            "late and records near 24 h old would be lost (runbook, Alarms).",
            ("AWS/Lambda", "IteratorAge", {"FunctionName": stream_function}),
            "Maximum",
            STREAM_ITERATOR_AGE_LIMIT_MS,
        ),
        "Api5xxRateAlarm": _alarm(
            stage,
            "api-5xx",
            "More than 5 % of API requests answered 5xx over 5 minutes (runbook, Alarms).",
            ("AWS/ApiGateway", "5XXError", api),
            "Average",
            API_5XX_RATE_LIMIT,
        ),
        "ApiLatencyAlarm": _alarm(
            stage,
            "api-slow",
            "The API's 99th percentile latency stayed over 3 s for 10 minutes (runbook, Alarms).",
            ("AWS/ApiGateway", "Latency", api),
            "p99",
            API_P99_LATENCY_LIMIT_MS,
            evaluation_periods=API_LATENCY_PERIODS,
        ),
    }
    for function in lambda_functions():
        dimensions = {"FunctionName": function_name(stage, function)}
        label = function.replace("_", "-")
        found[camel_case(function) + "ErrorsAlarm"] = _alarm(
            stage,
            f"{label}-errors",
            f"The {function} Lambda failed (an uncaught error, a timeout or out of memory): "
            "its log group says which (runbook, Alarms).",
            ("AWS/Lambda", "Errors", dimensions),
            "Sum",
            0,
        )
        found[camel_case(function) + "ThrottlesAlarm"] = _alarm(
            stage,
            f"{label}-throttles",
            f"Lambda refused to run the {function} Lambda: the account's concurrency is used "
            "up (runbook, Alarms).",
            ("AWS/Lambda", "Throttles", dimensions),
            "Sum",
            0,
        )
    for short_name in models.TABLES:
        table = f"ahoum-{stage}-{short_name}"
        label = short_name.replace("_", "-")
        found[camel_case(short_name) + "ThrottledAlarm"] = _table_operations_alarm(
            stage,
            f"{label}-throttled",
            f"DynamoDB throttled requests to {table} (a hot key or a burst past the table's "
            "limits; runbook, Alarms).",
            table,
            "ThrottledRequests",
        )
        found[camel_case(short_name) + "SystemErrorsAlarm"] = _table_operations_alarm(
            stage,
            f"{label}-system-errors",
            f"DynamoDB answered 500 to requests on {table} (on AWS's side; runbook, Alarms).",
            table,
            "SystemErrors",
        )
    return found


def _widget(title: str, metrics_: list[list[Any]], *, stat: str, x: int, y: int) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "view": "timeSeries",
            "region": "${AWS::Region}",
            "stat": stat,
            "period": ALARM_PERIOD_SECONDS,
            "metrics": metrics_,
        },
    }


def dashboard_body(stage: str) -> dict[str, Any]:
    """The dashboard's widgets (``${AWS::Region}`` is filled in by CloudFormation)."""
    own = [metrics.NAMESPACE]
    api = ["ApiName", api_name(stage), "Stage", API_GATEWAY_STAGE]
    in_stage = ["Stage", stage]
    return {
        "widgets": [
            _widget(
                "Bookings",
                [
                    [*own, metrics.BOOKINGS_CONFIRMED, *in_stage],
                    [*own, metrics.BOOKINGS_WAITLISTED, *in_stage],
                    [*own, metrics.BOOKINGS_CANCELLED, *in_stage],
                ],
                stat="Sum",
                x=0,
                y=0,
            ),
            _widget(
                "CRM deliveries by outcome",
                [
                    [*own, metrics.WEBHOOKS_SENT, *in_stage, {"label": "delivered"}],
                    [*own, metrics.WEBHOOKS_FAILED, *in_stage, {"label": "attempt failed"}],
                    [*own, metrics.WEBHOOKS_GIVEN_UP, *in_stage, {"label": "given up"}],
                ],
                stat="Sum",
                x=12,
                y=0,
            ),
            _widget(
                "Retrier backlog",
                [
                    [*own, metrics.RETRIER_BACKLOG, *in_stage, {"label": "due deliveries"}],
                    [
                        *own,
                        metrics.RETRIER_OLDEST_DUE_AGE,
                        *in_stage,
                        {"label": "oldest due (s)", "yAxis": "right"},
                    ],
                ],
                stat="Maximum",
                x=0,
                y=6,
            ),
            _widget(
                "API latency (ms)",
                [
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p50", "label": "p50"}],
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p99", "label": "p99"}],
                ],
                stat="p99",
                x=12,
                y=6,
            ),
            _widget(
                "API answers: 4xx and 5xx",
                [
                    ["AWS/ApiGateway", "Count", *api, {"label": "requests"}],
                    ["AWS/ApiGateway", "4XXError", *api, {"label": "4xx"}],
                    ["AWS/ApiGateway", "5XXError", *api, {"label": "5xx"}],
                ],
                stat="Sum",
                x=0,
                y=12,
            ),
            _widget(
                "Bookings stream: iterator age (ms)",
                [
                    [
                        "AWS/Lambda",
                        "IteratorAge",
                        "FunctionName",
                        function_name(stage, STREAM_FUNCTION),
                    ]
                ],
                stat="Maximum",
                x=12,
                y=12,
            ),
        ]
    }


def dashboard(stage: str) -> dict[str, Any]:
    """The stage's CloudWatch dashboard, ``ahoum-<stage>``."""
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": f"ahoum-{stage}",
            "DashboardBody": {"Fn::Sub": json.dumps(dashboard_body(stage))},
        },
    }
