"""What an EMF metric costs at cold start: Powertools' ``Metrics`` against chalicelib/metrics.py.

Each run is a fresh interpreter that imports one of the two and formats one metric line, timed
inside the process (interpreter start-up is the same for both and left out). As on Lambda, the
candidate's files come without bytecode (copied into a folder with no ``__pycache__``, run
with ``-B``): the zip ships none and Lambda's code directory is read-only, so every cold start
compiles them, while the standard library's bytecode is there as in the runtime. The same with
the bytecode cached shows the floor. Prints medians and the ratio; asserts nothing about speed.

    python -m bench.metrics_import
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from chalice_config import REPO_ROOT

RUNS = 9

_TIMED = """
import time
started = time.perf_counter()
{body}
print(time.perf_counter() - started)
"""

CANDIDATES = {
    "aws-lambda-powertools Metrics": """
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
metrics = Metrics(namespace="AhoumBookings", service="bookings")
metrics.add_dimension(name="Stage", value="prod")
metrics.add_metric(name="BookingsConfirmed", unit=MetricUnit.Count, value=1)
line = metrics.serialize_metric_set()
""",
    "chalicelib/metrics.py": """
import json
from chalicelib import metrics
line = json.dumps(metrics.document(metrics.BOOKINGS_CONFIRMED, 1, "prod", 0))
""",
}


# What each candidate ships in the zip (Powertools needs typing_extensions; jmespath, its other
# requirement, is in the Lambda runtime already).
SHIPPED = (
    "aws_lambda_powertools",
    "typing_extensions",
    "chalicelib/__init__.py",
    "chalicelib/metrics.py",
)


def _source_of(name: str) -> Path:
    if name.startswith("chalicelib/"):
        return REPO_ROOT / name
    spec = importlib.util.find_spec(name)
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin


def _copy_without_bytecode(target: Path) -> None:
    for name in SHIPPED:
        source, destination = _source_of(name), target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, destination.with_name(source.name))


def measure(body: str, *, compiled: bool) -> float:
    """Median seconds over RUNS fresh interpreters."""
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        _copy_without_bytecode(Path(folder))
        command = [sys.executable, *([] if compiled else ["-B"]), "-c", _TIMED.format(body=body)]
        environment = {**os.environ, "PYTHONPATH": folder}
        for _ in range(RUNS):
            result = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=folder, env=environment
            )
            timings.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


def main() -> int:
    print(f"Import + format one EMF line, median of {RUNS} fresh interpreters")
    print(f"{'candidate':32} {'no bytecode (Lambda)':>22} {'bytecode cached':>16}")
    results = {}
    for name, body in CANDIDATES.items():
        cold = measure(body, compiled=False)
        warm = measure(body, compiled=True)
        results[name] = cold
        print(f"{name:32} {cold * 1000:19.1f} ms {warm * 1000:13.1f} ms")
    powertools, own = results.values()
    print(f"Powertools costs {powertools / own:.0f}x the small formatter at a cold start.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
