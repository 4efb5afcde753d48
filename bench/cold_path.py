"""Measure 4: the whole cold path, against its floor. A fresh interpreter imports the app
from the unpacked deployment zip (as Lambda does: the code directory first on sys.path, its
shipped bytecode) and answers its first invocation, against DynamoDB Local:

- the API Lambda: one authenticated ``GET /events/``, an API Gateway proxy event through
  Chalice's own handler (``app.app(event, context)``);
- the stream Lambda: one recorded batch (tests/webhooks/events/bookings_batch.json, with fresh
  booking ids each run) through ``app.on_booking_change``, its webhooks POSTed to a local
  CRM receiver;
- the floor, measured the same way: import Chalice, create its app, create the botocore
  DynamoDB client, run one raw Query: what any Chalice + DynamoDB Lambda pays.

Each is the median of 10 interpreters; the ratio is to the floor's median.
Goal: cold path ≤ 1.5x the floor for the API and the stream Lambda.

Every run also checks that each module imported from the zip came from its ``.pyc`` and
that nothing was compiled from source (``bench/lambda_cold.py`` counts the compiles). A
second table shows, per Lambda (the retrier too), the 10 top-level packages that took the
longest to import during that cold path (``python -X importtime``, one run each).

    python -m bench.cold_path
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import cli, cold_start
from bench.backend import own_backend
from bench.report import Table, median, ms, ratio, verdict
from local.crm_sink import CrmSink
from local.record_stream_events import EVENTS_DIR

NEEDS = cli.NOTHING
RUNS = 10
GOAL = 1.5
TOP_IMPORTS = 10
SCRIPT = (Path(__file__).with_name("lambda_cold.py")).read_text()
RECORDED_BATCH = EVENTS_DIR / "bookings_batch.json"
LAMBDAS = {"api": "API: GET /events/", "stream": "stream: one recorded batch"}
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \| +(\S+)$")


@dataclass
class Backend:
    """DynamoDB Local with the stage's tables, a CRM receiver, and what each Lambda is sent."""

    environment: dict[str, str]
    requests: dict[str, dict[str, Any]]
    crm: CrmSink


def run(_: None) -> list[Table]:
    return measure(RUNS)


def measure(runs: int) -> list[Table]:
    with (
        cold_start.packaged() as package,
        _backend() as backend,
        tempfile.TemporaryDirectory(prefix="bench-cold-path-") as scratch,
    ):
        results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in ("floor", *LAMBDAS)}
        # Interleaved, so load on the shared machine falls on every row alike.
        for n in range(runs):
            for mode in results:
                request = _request_for(backend, mode, n)
                results[mode].append(_cold(package, backend, mode, request, Path(scratch)))
        webhooks = len(backend.crm.deliveries)
        signed = sum(delivery["signature"] == "ok" for delivery in backend.crm.deliveries)
        imports = {
            mode: _import_times(package, backend, mode, Path(scratch))
            for mode in ("api", "stream", "retrier")
        }
    return [_path_table(results, runs, webhooks, signed), _imports_table(imports)]


def _path_table(
    results: dict[str, list[dict[str, Any]]], runs: int, webhooks: int, signed: int
) -> Table:
    table = Table(
        f"4. Cold path: a fresh interpreter's import and first invocation (median of {runs})",
        [
            "Lambda",
            "import",
            "first invocation",
            "cold path",
            "ratio to floor",
            "≤ 1.5x",
            "bytecode",
        ],
    )
    floor = median(
        result["import_seconds"] + result["invoke_seconds"] for result in results["floor"]
    )
    table.add(
        "floor: Chalice app + botocore client + one Query",
        "",
        "",
        ms(floor),
        ratio(1),
        "",
        "",
    )
    for mode, label in LAMBDAS.items():
        runs_of = results[mode]
        whole = median(result["import_seconds"] + result["invoke_seconds"] for result in runs_of)
        table.add(
            label,
            ms(median(result["import_seconds"] for result in runs_of)),
            ms(median(result["invoke_seconds"] for result in runs_of)),
            ms(whole),
            ratio(whole / floor),
            verdict(whole / floor <= GOAL),
            _bytecode(table, label, runs_of),
        )
        _check_answers(table, mode, runs_of)
    records = len(json.loads(RECORDED_BATCH.read_text())["Records"])
    if webhooks != signed or webhooks < runs:
        table.fail(f"the CRM received {webhooks} webhooks, {signed} with a valid signature")
    table.notes += [
        "Timed inside each interpreter, from before its first import to the handler's answer "
        "(the interpreter's own start and Lambda's runtime are the same for every row).",
        f"The stream batch holds {records} recorded records; the CRM receiver got {webhooks} "
        f"webhooks over the runs, {signed} correctly signed.",
        "bytecode: modules imported from the zip that came from their shipped .pyc, in every "
        "run, with none compiled from source.",
    ]
    return table


def _bytecode(table: Table, label: str, runs_of: list[dict[str, Any]]) -> str:
    compiled = sorted({path for result in runs_of for path in result["compiled_from_source"]})
    missing = [result for result in runs_of if result["from_pyc"] != result["task_modules"]]
    if compiled or missing:
        table.fail(f"{label}: compiled from source at a cold start: {compiled[:5]}")
    loaded = runs_of[0]
    return f"{loaded['from_pyc']} of {loaded['task_modules']} from .pyc"


def _check_answers(table: Table, mode: str, runs_of: list[dict[str, Any]]) -> None:
    for result in runs_of:
        answer = result["answer"]
        if mode == "api" and answer.get("statusCode") != 200:
            table.fail(f"GET /events/ answered {answer.get('statusCode')}: {answer.get('body')}")
        if mode == "stream" and answer.get("batchItemFailures"):
            table.fail(f"the stream handler reported failed records: {answer}")


def _imports_table(imports: dict[str, Counter[str]]) -> Table:
    table = Table(
        "4. Heaviest imports per Lambda during its cold path (`python -X importtime`)",
        ["#", "API (GET /events/)", "stream (one batch)", "retrier (one run)"],
    )
    tops = {mode: seconds.most_common(TOP_IMPORTS) for mode, seconds in imports.items()}
    for rank in range(TOP_IMPORTS):
        cells = [
            f"{top[rank][0]} {ms(top[rank][1])}" if rank < len(top) else "" for top in tops.values()
        ]
        table.add(rank + 1, *cells)
    table.add(
        "all",
        *(f"{ms(sum(seconds.values()))} in all" for seconds in imports.values()),
    )
    table.notes.append(
        "Each module's own import time, added up per top-level package, over the whole cold "
        "path (import and first invocation); one run each, and `-X importtime` slows imports "
        "a little."
    )
    return table


@contextlib.contextmanager
def _backend() -> Iterator[Backend]:
    """DynamoDB Local with the prod stage's tables, an event and a user with a token."""
    from bench.settings import app_pointed_at
    from deploy.project import stand_ins

    settings = stand_ins(cold_start.STAGE, cold_start.REGION)
    with own_backend(settings, prefix="bench-cold-path-data-") as own:
        with app_pointed_at(own.environment):
            from bench import data
            from chalicelib import models
            from chalicelib.dynamodb import create_tables

            create_tables()
            data.new_event(capacity=10)
            token = data.new_user_token()
            events_table = models.Event.Meta.table_name
        requests = _requests(token, own.dynamodb_endpoint, events_table)
        yield Backend(own.environment, requests, own.crm)


def _requests(token: str, endpoint: str, events_table: str) -> dict[str, dict[str, Any]]:
    return {
        "floor": {
            "client": {
                "region_name": cold_start.REGION,
                "endpoint_url": endpoint,
                "aws_access_key_id": "local",
                "aws_secret_access_key": "local",
            },
            "query": {
                "TableName": events_table,
                "IndexName": "upcoming",
                "KeyConditionExpression": "listing = :published",
                "ExpressionAttributeValues": {":published": {"S": "published"}},
                "Limit": 50,
            },
        },
        "api": {"event": _api_gateway_event("GET", "/events", "/events/", token)},
        "stream": {"event": json.loads(RECORDED_BATCH.read_text())},
        "retrier": {"event": _scheduled_event()},
    }


def _request_for(backend: Backend, mode: str, run: int) -> dict[str, Any]:
    request = backend.requests[mode]
    if mode != "stream":
        return request
    # Fresh booking ids: a delivery already claimed by an earlier run would post nothing.
    batch = copy.deepcopy(request)
    for n, record in enumerate(batch["event"]["Records"]):
        for image in ("NewImage", "OldImage"):
            if image in record["dynamodb"]:
                record["dynamodb"][image]["booking_id"] = {"S": f"01COLDPATH{run:08d}{n:08d}"}
    return batch


def _api_gateway_event(method: str, resource: str, path: str, token: str) -> dict[str, Any]:
    """A REST API proxy event as API Gateway sends it (the fields Chalice reads)."""
    headers = {
        "accept": "application/json",
        "authorization": f"Bearer {token}",
        "host": "example.execute-api.us-east-1.amazonaws.com",
        "user-agent": "bench-cold-path",
    }
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": "c0ld-pa7h",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "bench-cold-path"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def _scheduled_event() -> dict[str, Any]:
    return {
        "version": "0",
        "id": "00000000-0000-4000-8000-000000000000",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": "2026-12-01T00:00:00Z",
        "region": cold_start.REGION,
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/retry-webhooks"],
        "detail": {},
    }


def _cold(
    package: cold_start.Package, backend: Backend, mode: str, request: dict[str, Any], scratch: Path
) -> dict[str, Any]:
    """One cold path in a fresh interpreter: what ``bench/lambda_cold.py`` reports."""
    result = _interpreter(package, backend, mode, request, scratch)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _import_times(
    package: cold_start.Package, backend: Backend, mode: str, scratch: Path
) -> Counter[str]:
    """Seconds per top-level package, from one ``python -X importtime`` cold path."""
    request = _request_for(backend, mode, run=RUNS + 1)
    result = _interpreter(package, backend, mode, request, scratch, "-X", "importtime")
    seconds: Counter[str] = Counter()
    for line in result.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            seconds[match[2].split(".")[0]] += int(match[1]) / 1e6
    return seconds


def _interpreter(
    package: cold_start.Package,
    backend: Backend,
    mode: str,
    request: dict[str, Any],
    scratch: Path,
    *options: str,
) -> subprocess.CompletedProcess[str]:
    request_path = scratch / f"{mode}.json"
    request_path.write_text(json.dumps(request))
    result = subprocess.run(
        [*cold_start.python(*options), SCRIPT, mode, str(request_path)],
        cwd=package.task,
        env={**cold_start.lambda_environment(package), **backend.environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the {mode} cold path failed:\n{result.stderr[-3000:]}")
    return result


if __name__ == "__main__":
    sys.exit(cli.main(["cold_path"]))
