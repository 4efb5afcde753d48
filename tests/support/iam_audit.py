"""pytest plugin: every AWS call a Lambda's code makes in the suite, held against its policy.

DynamoDB Local enforces no IAM, so a call the deployed role would refuse passes every test and
fails only on AWS. This plugin closes that gap. It wraps each Lambda's entry points — every
route's view (all served by ``api_handler``), ``on_booking_change`` and ``retry_webhooks`` —
with a context variable naming the Lambda, records each botocore operation made while one
runs, turns it into the IAM actions and resources AWS would check (a TransactWriteItems is a
PutItem/UpdateItem/ConditionCheckItem per item, a Query on an index is checked on the index),
and evaluates those against the Lambda's policy from ``.chalice/policies/`` rendered for the
test stage, with the conditions a statement puts on DynamoDB's condition keys (which attributes
a write names, ``dynamodb:Attributes``, and what it asks back, ``dynamodb:ReturnValues``).
A call the policy would deny fails the test that made it. Permissions no call used are written
to ``test-artifacts/iam-audit.md`` (a report, not a failure).

A process that is one Lambda (``LAMBDA_FUNCTION`` set, as the deploy tooling sets it for each
function) has all its calls attributed to that Lambda, the cold start's too: that is where the
settings read the Lambda's secrets from SSM, before any entry point runs.

Other calls outside an entry point (fixtures writing test data, a service called directly) are
not attributed to any Lambda and not checked; nor are calls in other processes (the live
server).
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import functools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.client
import pytest

from chalice_config import REPO_ROOT
from chalicelib.config import LAMBDA_FUNCTION

PARTITION, REGION, ACCOUNT = "aws", "us-east-1", "123456789012"
REPORT_PATH = REPO_ROOT / "test-artifacts" / "iam-audit.md"
# Statements the Lambda service uses for the function (reading the stream, parking a failed
# batch, writing logs) or that serve the cold start (secrets), not its entry point's code.
OUTSIDE_ENTRY_POINTS = frozenset(
    {
        "BookingStream",
        "ListStreams",
        "FailedBatchesToDeadLetterQueue",
        "OwnLogGroup",
        "OwnLogs",
        "SecretsAtColdStart",
    }
)
_TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}

_entry_point: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "lambda_entry_point", default=None
)


@dataclass(frozen=True)
class Request:
    """One IAM authorization AWS makes for a call: an action on a resource, and the values of
    the condition keys the call sets (``context``: key → value or list of values). The context
    is not part of what the request is: equal action and resource count as one in the report."""

    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Recorder:
    calls: dict[str, Counter[Request]] = field(default_factory=dict)
    denied: list[tuple[str, Request]] = field(default_factory=list)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record(self, function: str, requests: list[Request]) -> None:
        policy = self.policy(function)
        for request in requests:
            self.calls.setdefault(function, Counter())[request] += 1
            if not allowed(policy, request):
                self.denied.append((function, request))

    def policy(self, function: str) -> dict[str, Any]:
        if function not in self.policies:
            self.policies[function] = rendered_policy(function)
        return self.policies[function]

    def take_denied(self) -> list[tuple[str, Request]]:
        denied, self.denied = self.denied, []
        return denied


RECORDER = Recorder()


def rendered_policy(function: str) -> dict[str, Any]:
    """The Lambda's policy as `make deploy` would render it for the test stage's account."""
    from deploy import policies

    # The test stage, read from the environment as conftest sets it: the settings may be
    # loading at this moment (a cold start's SSM call is being recorded).
    stage = os.environ.get("STAGE", "test")
    return policies.for_account(
        function,
        stage,
        partition=PARTITION,
        region=REGION,
        account_id=ACCOUNT,
        stream_arn=table_arn(f"ahoum-{stage}-bookings") + "/stream/2026-01-01T00:00:00.000",
    )


# --- The evaluator ------------------------------------------------------------------------


def allowed(policy: dict[str, Any], request: Request) -> bool:
    """IAM's answer for an identity policy: some Allow matches and no Deny does."""
    matching = [s for s in policy["Statement"] if _matches(s, request)]
    return any(s["Effect"] == "Allow" for s in matching) and not any(
        s["Effect"] == "Deny" for s in matching
    )


def _matches(statement: dict[str, Any], request: Request, *, conditions: bool = True) -> bool:
    actions = _as_list(statement["Action"])
    resources = _as_list(statement["Resource"])
    # Actions compare case-insensitively, resources (ARNs) case-sensitively; both take * and ?.
    return (
        any(fnmatch.fnmatch(request.action.lower(), a.lower()) for a in actions)
        and any(fnmatch.fnmatchcase(request.resource, r) for r in resources)
        and (not conditions or conditions_hold(statement.get("Condition", {}), request.context))
    )


_SET_QUALIFIERS = ("", "ForAllValues", "ForAnyValue")


def conditions_hold(conditions: dict[str, Any], context: Mapping[str, Any]) -> bool:
    """A statement's Condition block against a request's condition keys, as IAM reads it: every
    operator's every key must hold. Only the string-equality operators are known here; any
    other fails loudly rather than being read as a pass."""
    values_by_key = {key.lower(): value for key, value in context.items()}
    for operator, tests in conditions.items():
        qualifier, _, test = operator.rpartition(":")
        if_exists = test.endswith("IfExists")
        if test.removesuffix("IfExists") != "StringEquals" or qualifier not in _SET_QUALIFIERS:
            raise ValueError(f"The IAM audit cannot evaluate {operator!r}: teach conditions_hold")
        for key, wanted in tests.items():
            wanted = set(_as_list(wanted))
            if key.lower() not in values_by_key:
                # IfExists passes on a missing key; so does ForAllValues (no value is outside).
                if if_exists or qualifier == "ForAllValues":
                    continue
                return False
            given = set(_as_list(values_by_key[key.lower()]))
            if qualifier == "ForAllValues":
                holds = given <= wanted
            elif qualifier == "ForAnyValue":
                holds = bool(given & wanted)
            else:
                holds = len(given) == 1 and given <= wanted
            if not holds:
                return False
    return True


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


# --- Calls → what IAM checks ---------------------------------------------------------------


def table_arn(table: str, index: str | None = None) -> str:
    arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def requests_for(service: str, operation: str, params: dict[str, Any]) -> list[Request]:
    if service == "dynamodb":
        return _dynamodb_requests(operation, params)
    if service == "ssm" and operation == "GetParameters":
        return [
            Request(
                "ssm:GetParameters",
                f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}",
            )
            for name in params["Names"]
        ]
    if service == "sqs" and "QueueUrl" in params:
        queue = params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]
        return [Request(f"sqs:{operation}", f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{queue}")]
    return [Request(f"{service}:{operation}", "*")]


def _dynamodb_requests(operation: str, params: dict[str, Any]) -> list[Request]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            action = _TRANSACT_ITEM_ACTIONS[kind]
            found.append(
                Request(
                    f"dynamodb:{action}",
                    table_arn(body["TableName"]),
                    _dynamodb_context(action, body),
                )
            )
        return found
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [
            Request(f"dynamodb:{operation}", table_arn(table)) for table in params["RequestItems"]
        ]
    if "TableName" in params:
        return [
            Request(
                f"dynamodb:{operation}",
                table_arn(params["TableName"], params.get("IndexName")),
                _dynamodb_context(operation, params),
            )
        ]
    return [Request(f"dynamodb:{operation}", "*")]


# Words of DynamoDB's expression grammar, as opposed to attribute names.
_EXPRESSION_WORDS = frozenset(
    {
        "set",
        "remove",
        "add",
        "delete",
        "and",
        "or",
        "not",
        "between",
        "in",
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "size",
        "if_not_exists",
        "list_append",
    }
)
# A name at the top of a path: a #placeholder or a bare name, not after '.' (a nested name),
# ':' (a value placeholder) or inside another word.
_TOP_LEVEL_NAME = re.compile(r"(?<![\w.#:])(#\w+|[A-Za-z_]\w*)")


def _dynamodb_context(action: str, params: dict[str, Any]) -> dict[str, Any]:
    """The condition keys a write sets: ``dynamodb:Attributes`` (the top-level attribute names
    it names: the key, what it writes, what its condition reads) and ``dynamodb:ReturnValues``."""
    if action not in ("UpdateItem", "PutItem"):
        return {}
    placeholders = params.get("ExpressionAttributeNames", {})
    names = set(params.get("Key", {})) | set(params.get("Item", {}))
    for expression in (params.get("UpdateExpression"), params.get("ConditionExpression")):
        for token in _TOP_LEVEL_NAME.findall(expression or ""):
            if token.startswith("#"):
                names.add(placeholders[token])
            elif token.lower() not in _EXPRESSION_WORDS:
                names.add(token)
    context: dict[str, Any] = {"dynamodb:Attributes": sorted(names)}
    if "ReturnValues" in params:
        context["dynamodb:ReturnValues"] = params["ReturnValues"]
    return context


# --- Wiring into botocore and the app --------------------------------------------------------


@contextlib.contextmanager
def entry_point(function: str) -> Iterator[None]:
    token = _entry_point.set(function)
    try:
        yield
    finally:
        _entry_point.reset(token)


def _attributed(function: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(handler, "_iam_audit", None):
        return handler

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        with entry_point(function):
            return handler(*args, **kwargs)

    run._iam_audit = function  # type: ignore[attr-defined]
    return run


def attribute_entry_points(app: Any) -> None:
    """Wrap the app's handlers: routes belong to api_handler, event handlers to themselves."""
    for methods in app.routes.values():
        for route in methods.values():
            route.view_function = _attributed("api_handler", route.view_function)
    for name, handler in app.handler_map.items():
        if hasattr(handler, "func"):  # an event source: its own Lambda
            handler.func = _attributed(name, handler.func)
            handler.handler = None  # rebuilt from func at the next call


_original_make_api_call = botocore.client.BaseClient._make_api_call


def _recording_make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    function = _entry_point.get() or os.environ.get(LAMBDA_FUNCTION)
    if function:
        service = self.meta.service_model.endpoint_prefix
        RECORDER.record(function, requests_for(service, operation_name, api_params))
    return _original_make_api_call(self, operation_name, api_params)


# --- pytest hooks --------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    botocore.client.BaseClient._make_api_call = _recording_make_api_call


def pytest_unconfigure(config: pytest.Config) -> None:
    botocore.client.BaseClient._make_api_call = _original_make_api_call
    if RECORDER.calls:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        path = REPORT_PATH.with_stem(f"{REPORT_PATH.stem}-{worker}") if worker else REPORT_PATH
        write_report(path)


@pytest.fixture(scope="session", autouse=True)
def _iam_audit_entry_points() -> None:
    from app import app

    attribute_entry_points(app)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    RECORDER.take_denied()  # what fixtures' setup did is judged with its own test
    result = yield
    denied = RECORDER.take_denied()
    if denied:
        lines = "\n".join(
            f"  {function}: {request.action} on {request.resource}" for function, request in denied
        )
        raise AssertionError(
            "The deployed policy would refuse these calls (.chalice/policies/<function>.json):\n"
            + lines
        )
    return result


# --- The report ----------------------------------------------------------------------------


def unused_permissions(function: str) -> list[tuple[str, str, str]]:
    """(sid, action, resource) granted to the function's entry points that no call used."""
    used = RECORDER.calls.get(function, Counter())
    unused = []
    for statement in RECORDER.policy(function)["Statement"]:
        if statement.get("Sid") in OUTSIDE_ENTRY_POINTS or statement["Effect"] != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            for resource in _as_list(statement["Resource"]):
                single = {**statement, "Action": action, "Resource": resource}
                # Used = some call had this action on this resource; the report does not
                # judge conditions (a call they refuse fails its test already).
                if not any(_matches(single, request, conditions=False) for request in used):
                    unused.append((statement.get("Sid", "?"), action, resource))
    return unused


def write_report(path: Path) -> None:
    lines = [
        "# IAM audit of the test suite",
        "",
        "Calls each Lambda's entry points made (checked against its policy), and permissions "
        "no call used. Statements the Lambda service or the cold start use "
        f"({', '.join(sorted(OUTSIDE_ENTRY_POINTS))}) are not expected here.",
    ]
    from deploy.project import lambda_functions

    for function in sorted({*RECORDER.calls, *lambda_functions()}):
        calls = RECORDER.calls.get(function, Counter())
        lines += ["", f"## {function}", "", "| calls | action | resource |", "|---|---|---|"]
        lines += [
            f"| {count} | {request.action} | {request.resource} |"
            for request, count in sorted(
                calls.items(), key=lambda item: (item[0].action, item[0].resource)
            )
        ]
        unused = unused_permissions(function)
        lines += ["", "Never used:" if unused else "Every permission was used."]
        lines += [f"- {action} on {resource} ({sid})" for sid, action, resource in unused]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
