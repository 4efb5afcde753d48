"""Measure 4: cold start. The time to import ``app`` in a fresh interpreter (median of 10),
the heaviest imports (``python -X importtime``), and the deployment zip's size.
Goals: import ≤ 300 ms, zip ≤ 5 MB.

The import runs as on Lambda: from the unpacked deployment zip (built as `make package
STAGE=prod` builds it), with botocore from the environment as the Lambda runtime provides
it, the prod stage's variables (stand-in secrets, so no SSM call, which this machine cannot
make), and no bytecode cache, since the zip ships none and Lambda's code directory is
read-only: every module of the zip is compiled at every cold start. The same import with the
bytecode compiled ahead shows what that costs.

    python -m bench.cold_start
"""

from __future__ import annotations

import compileall
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from bench import cli
from bench.report import Table, median, ms, verdict
from local.paths import REPO_ROOT

NEEDS = cli.NOTHING
RUNS = 10
GOAL_SECONDS = 0.3
TOP_IMPORTS = 12
STAGE = "prod"
REGION = "us-east-1"
# Settings a benchmark may have put in this process's environment; the packaging and the
# import must see the stage's own.
_APP_SETTINGS = (
    "STAGE",
    "DATA_DIR",
    "DYNAMODB_ENDPOINT",
    "JWT_SECRET",
    "BCRYPT_ROUNDS",
    "CRM_WEBHOOK_URL",
    "CRM_WEBHOOK_SECRET",
    "BOOKINGS_STREAM_ARN",
)
_IMPORT_APP = (
    "import time; started = time.perf_counter(); import app; print(time.perf_counter() - started)"
)
_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \| +(\S+)$")


def run(_: None) -> list[Table]:
    return measure(RUNS)


def measure(runs: int) -> list[Table]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as scratch:
        zip_path = build_zip(Path(scratch) / "dist")
        task = Path(scratch) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
        packaged_imports, modules = _import_times(task, bytecode=False)
        as_packaged = [_import_seconds(task, bytecode=False) for _ in range(runs)]
        compileall.compile_dir(task, quiet=1)
        compiled_imports, _ = _import_times(task, bytecode=True)
        precompiled = [_import_seconds(task, bytecode=True) for _ in range(runs)]
        size = zip_path.stat().st_size

    starts = Table(
        f"4. Cold start: `import app` in a fresh interpreter ({runs} runs)",
        ["start", "median", "fastest", "slowest", "≤ 300 ms"],
    )
    for label, times in (
        ("as packaged (compiles the zip's modules)", as_packaged),
        ("bytecode compiled ahead", precompiled),
    ):
        best = median(times)
        starts.add(label, ms(best), ms(min(times)), ms(max(times)), verdict(best <= GOAL_SECONDS))
    starts.notes.append(
        "Not included: reading the secrets from SSM (one call at cold start on AWS)."
    )

    imports = Table(
        "4. Heaviest imports (`python -X importtime`, by top-level package)",
        ["package", "as packaged", "bytecode compiled ahead", "modules"],
    )
    for name, spent in packaged_imports.most_common(TOP_IMPORTS):
        imports.add(name, ms(spent), ms(compiled_imports[name]), modules[name])
    imports.notes.append(
        "Each module's own import time, added up per top-level package; one run each (rough, "
        "and `-X importtime` slows imports down a little)."
    )

    package = Table("4. Deployment zip (`make package STAGE=prod`)", ["zip", "size", "≤ 5 MB"])
    megabytes = size / 1024 / 1024
    package.add("deployment.zip", f"{megabytes:.2f} MB ({size:,} bytes)", verdict(megabytes <= 5))
    return [starts, imports, package]


def build_zip(out_dir: Path) -> Path:
    """The trimmed deployment zip, built by the deploy tooling as `make package` builds it."""
    result = subprocess.run(
        [sys.executable, "-m", "deploy", "package", "--stage", STAGE, "--out", str(out_dir)],
        cwd=REPO_ROOT,
        env=_clean_environment(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"packaging failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    # Found, not named: importing the packaging code would load the app's settings here.
    [zip_path] = out_dir.glob("*.zip")
    return zip_path


def _lambda_environment() -> dict[str, str]:
    from deploy.project import stage_environment, stand_ins

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **stage_environment(STAGE),
        **stand_ins(STAGE, REGION),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in _APP_SETTINGS}


def _python(*options: str) -> list[str]:
    # -I would drop the venv's site-packages (botocore); the task directory goes first on
    # sys.path as the code directory does on Lambda.
    return [sys.executable, *options, "-c"]


def _import_seconds(task: Path, bytecode: bool) -> float:
    options = () if bytecode else ("-B",)
    result = subprocess.run(
        [*_python(*options), _IMPORT_APP],
        cwd=task,
        env={**_lambda_environment(), "PYTHONPATH": str(task)},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def _import_times(task: Path, bytecode: bool) -> tuple[Counter[str], Counter[str]]:
    """Seconds and modules per top-level package, from one ``python -X importtime`` run.

    Each module's own time counts once, towards its top-level package: rows do not overlap.
    """
    options = ("-X", "importtime") if bytecode else ("-B", "-X", "importtime")
    result = subprocess.run(
        [*_python(*options), "import app"],
        cwd=task,
        env={**_lambda_environment(), "PYTHONPATH": str(task)},
        check=True,
        capture_output=True,
        text=True,
    )
    seconds: Counter[str] = Counter()
    modules: Counter[str] = Counter()
    for line in result.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            package = match[2].split(".")[0]
            seconds[package] += int(match[1]) / 1e6
            modules[package] += 1
    return seconds, modules


if __name__ == "__main__":
    sys.exit(cli.main(["cold_start"]))
