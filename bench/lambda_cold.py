"""One Lambda cold start, run by ``bench/cold_path.py`` in a fresh interpreter whose working
directory and first ``sys.path`` entry are the unpacked deployment zip, as Lambda's code
directory is. Never imported by the benchmarks: it must import nothing of theirs.

    python -c "$(cat bench/lambda_cold.py)" MODE REQUEST.json

MODE is ``floor`` (import Chalice, make an app, make a botocore DynamoDB client, run one raw
Query: what any Chalice + DynamoDB Lambda pays), or ``api``, ``stream`` or ``retrier``
(``import app``, then the first invocation of that Lambda's handler with the request's
event). Prints one JSON line: the seconds spent importing and invoking, what the handler
answered, and how the task's modules were loaded (from their ``.pyc``, or compiled).
"""

import importlib.machinery
import json
import os
import sys
import time


class LambdaContext:
    """The attributes of the context the Lambda runtime passes a handler."""

    function_name = "cold-path"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:cold-path"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/cold-path"
    log_stream_name = "cold-path"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


def main(mode: str, request_path: str) -> None:
    with open(request_path) as handle:
        request = json.load(handle)
    compiled = _count_compiles()
    started = time.perf_counter()
    if mode == "floor":
        answer = _floor(request)
        imported = started
    else:
        import app

        imported = time.perf_counter()
        handler = {"api": app.app, "stream": app.on_booking_change, "retrier": app.retry_webhooks}
        answer = handler[mode](request["event"], LambdaContext())
    finished = time.perf_counter()
    task = os.getcwd() + os.sep
    sources = [
        module
        for module in list(sys.modules.values())
        if (getattr(module, "__file__", None) or "").startswith(task)
        and module.__file__.endswith(".py")
    ]
    print(
        json.dumps(
            {
                "import_seconds": imported - started,
                "invoke_seconds": finished - imported,
                "answer": answer,
                "task_modules": len(sources),
                "from_pyc": sum(
                    bool(module.__cached__) and os.path.exists(module.__cached__)
                    for module in sources
                ),
                "compiled_from_source": sorted(path for path in compiled if path.startswith(task)),
            },
            default=str,
        )
    )


def _floor(request: dict) -> dict:
    from chalice import Chalice

    Chalice(app_name="floor")
    import botocore.session

    client = botocore.session.get_session().create_client("dynamodb", **request["client"])
    return {"Count": client.query(**request["query"])["Count"]}


def _count_compiles() -> list[str]:
    """Every path the import system compiles from source from now on: a module loaded
    from its ``.pyc`` never reaches ``source_to_code``."""
    compiled: list[str] = []
    loader = importlib.machinery.SourceFileLoader
    original = loader.source_to_code

    def source_to_code(self, data, path, *, _optimize=-1):
        compiled.append(str(path))
        return original(self, data, path, _optimize=_optimize)

    loader.source_to_code = source_to_code
    return compiled


if __name__ == "__main__":
    main(*sys.argv[1:])
