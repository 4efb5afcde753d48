"""Measure 4: cold start. The time to import ``app`` in a fresh interpreter (median of 10)
and the deployment zip's size. Goals: import ≤ 300 ms, zip ≤ 5 MB.

The import runs as on Lambda: from the unpacked deployment zip (built as `make package
STAGE=prod` builds it), with nothing else on ``sys.path`` but the standard library and what
the Lambda runtime provides (boto3, botocore and their dependencies, from this
environment; never the rest of the dev environment, which would not be there), the prod
stage's variables (stand-in secrets, so no SSM call, which this machine cannot
make), and the zip's own bytecode (Lambda's code directory is read-only: what the zip does
not ship compiled is compiled again at every cold start). The same import from the zip's
sources alone shows what the shipped bytecode saves.

    python -m bench.cold_start
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from bench import cli
from bench.report import Table, median, ms, verdict
from local.paths import REPO_ROOT

NEEDS = cli.NOTHING
RUNS = 10
GOAL_SECONDS = 0.3
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
# The import names of what the Lambda Python runtime provides (deploy.bundle.RUNTIME_PROVIDED).
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six")
_IMPORT_APP = (
    "import time; started = time.perf_counter(); import app; print(time.perf_counter() - started)"
)


@dataclasses.dataclass(frozen=True)
class Package:
    zip_path: Path
    task: Path  # the zip unpacked, as in Lambda's code directory
    runtime: Path  # what the Lambda runtime adds to sys.path
    size_bytes: int
    sources: int
    sources_with_bytecode: int


def run(_: None) -> list[Table]:
    return measure(RUNS)


def measure(runs: int) -> list[Table]:
    with packaged() as package:
        shipped = [_import_seconds(package) for _ in range(runs)]
        sources_only = _sources_only(package.task)
        from_sources = [_import_seconds(package, sources_only) for _ in range(runs)]

    starts = Table(
        f"4. Cold start: `import app` in a fresh interpreter ({runs} runs)",
        ["start", "median", "fastest", "slowest", "≤ 300 ms"],
    )
    for label, times in (
        ("as packaged (the zip's bytecode)", shipped),
        ("from the zip's sources alone (compiles them)", from_sources),
    ):
        best = median(times)
        starts.add(label, ms(best), ms(min(times)), ms(max(times)), verdict(best <= GOAL_SECONDS))
    starts.notes.append(
        "Not included: reading the secrets from SSM (one call at cold start on AWS)."
    )

    size = Table(
        "4. Deployment zip (`make package STAGE=prod`)", ["zip", "size", "bytecode", "≤ 5 MB"]
    )
    megabytes = package.size_bytes / 1024 / 1024
    size.add(
        "deployment.zip",
        f"{megabytes:.2f} MB ({package.size_bytes:,} bytes)",
        f"{package.sources_with_bytecode} of {package.sources} modules (unchecked-hash)",
        verdict(megabytes <= 5),
    )
    return [starts, size]


@contextlib.contextmanager
def packaged() -> Iterator[Package]:
    """The deployment zip, built as `make package` builds it, and unpacked."""
    from deploy import bundle

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as scratch:
        zip_path = build_zip(Path(scratch) / "dist")
        task = Path(scratch) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
        runtime = runtime_provided(Path(scratch) / "runtime")
        report = bundle.inspect(zip_path)
        yield Package(
            zip_path,
            task,
            runtime,
            report.size_bytes,
            report.sources,
            report.sources_with_bytecode,
        )


def runtime_provided(directory: Path) -> Path:
    """A directory holding (links to) this environment's copies of what the runtime has."""
    directory.mkdir()
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        found = origin.parent if spec.submodule_search_locations else origin
        (directory / found.name).symlink_to(found)
    return directory


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


def lambda_environment(package: Package, task: Path | None = None) -> dict[str, str]:
    """What a Lambda of the stage sees: its variables, its code directory first on sys.path,
    then the runtime's packages."""
    from deploy.project import stage_environment, stand_ins

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **stage_environment(STAGE),
        **stand_ins(STAGE, REGION),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONPATH": os.pathsep.join([str(task or package.task), str(package.runtime)]),
    }


def python(*options: str) -> list[str]:
    # -S: no site-packages of this environment; PYTHONPATH holds the zip and the runtime's.
    return [sys.executable, "-S", *options, "-c"]


def _clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in _APP_SETTINGS}


def _sources_only(task: Path) -> Path:
    copy = task.with_name("sources-only")
    shutil.copytree(task, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


def _import_seconds(package: Package, sources_only: Path | None = None) -> float:
    # -B for the sources: nothing may write the bytecode the next run would then use.
    options = ("-B",) if sources_only else ()
    task = sources_only or package.task
    result = subprocess.run(
        [*python(*options), _IMPORT_APP],
        cwd=task,
        env=lambda_environment(package, task),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(cli.main(["cold_start"]))
