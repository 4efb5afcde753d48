"""Run measures by name, each in the environment it needs, started once per group.

Every measure module has ``NEEDS`` (which environment) and ``run(environment) ->
list[Table]`` at the benchmark's sizes. The exit status is 1 when any table holds a
correctness failure, never because a number is slow.

Measure modules import the app's code (and ``bench.data``, which does) inside their
functions only: importing chalicelib loads its settings, which must wait until the
environment has pointed them at the benchmark's own DynamoDB Local.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import time
import traceback
from collections.abc import Iterator
from typing import Any

from bench.report import Table

NOTHING = "nothing"
IN_PROCESS = "in process"
RUNNER = "make run"

# The order `make bench` runs them: cold start first, while nothing else is running.
# The reminders run before scaling, whose 100,000 events would fill their 24-hour window.
MEASURES = (
    "cold_start",
    "cold_path",
    "rush",
    "calls",
    "overhead",
    "reminders",
    "scaling",
    "keep_alive",
    "concurrency",
    "webhook_latency",
    "waitlist_race",
    "event_changes",
    "payments",
)


def run(names: list[str]) -> list[Table]:
    """Run the named measures in MEASURES order, printing each table as it is made.

    A measure that crashes (or whose environment does not start) becomes a failed table, and
    the others still run.
    """
    modules = [importlib.import_module(f"bench.{name}") for name in MEASURES if name in names]
    tables: list[Table] = []
    for needs, group in itertools.groupby(modules, key=lambda module: module.NEEDS):
        try:
            with _environment(needs) as environment:
                for module in group:
                    tables += _run_one(module, environment)
        except Exception as error:
            tables.append(_crashed(f"the {needs} environment", error))
    return tables


def _run_one(module: Any, environment: Any) -> list[Table]:
    started = time.monotonic()
    print(f"==> {module.__name__} ({module.NEEDS})", flush=True)
    try:
        tables = module.run(environment)
    except Exception as error:
        tables = [_crashed(module.__name__, error)]
    for table in tables:
        print(table.render(), flush=True)
    print(f"    ({time.monotonic() - started:.0f} s)\n", flush=True)
    return tables


def _crashed(what: str, error: Exception) -> Table:
    traceback.print_exception(error)
    table = Table(f"{what} crashed", ["error"])
    table.add(repr(error))
    table.fail(f"{what} raised {error!r}")
    return table


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(MEASURES))
    if unknown:
        print(f"unknown measure(s) {', '.join(unknown)}; choose from {', '.join(MEASURES)}")
        return 2
    return exit_status(run(names))


def exit_status(tables: list[Table]) -> int:
    failures = [f"{table.title}: {failure}" for table in tables for failure in table.failures]
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


@contextlib.contextmanager
def _environment(needs: str) -> Iterator[Any]:
    if needs == IN_PROCESS:
        from bench import in_process

        with in_process.started() as app:
            yield app
    elif needs == RUNNER:
        from bench import runner

        with runner.started() as server:
            yield server
    else:
        yield None
