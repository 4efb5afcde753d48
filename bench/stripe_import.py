"""What calling Stripe costs the Lambda: the ``stripe`` package against plain ``requests``.

The app calls Stripe's API with ``requests`` (chalicelib/payments/stripe_api.py), which the
zip already ships for the CRM webhooks. This prints, side by side, what each would add:
the installed size of the package and the packages only it needs (what the zip would grow
by, unzipped), and the import time in a fresh interpreter, without bytecode as on Lambda (the
zip ships none and the code directory is read-only, so every cold start compiles it) and
with bytecode cached (the floor). Times are the importing process's CPU time, which a
busy machine disturbs less than the wall clock. ``requests`` is measured as if it were not
there yet, which is what it added when the CRM sender took it. Asserts nothing about speed.

    python -m bench.stripe_import
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = 7

_TIMED = """
import time
started = time.process_time()
import {module}
print(time.process_time() - started)
"""

# Each candidate's distribution and the ones only it brings (a requirement the other also
# needs is counted for both: each is weighed as if it were the only one in the zip).
CANDIDATES = {
    "stripe": (
        "stripe",
        "typing_extensions",
        "requests",
        "urllib3",
        "idna",
        "charset_normalizer",
        "certifi",
    ),
    "requests": ("requests", "urllib3", "idna", "charset_normalizer", "certifi"),
}


def installed_bytes(distribution: str) -> int:
    """The size of a distribution's installed files, bytecode caches left out (the zip has
    none)."""
    files = importlib.metadata.distribution(distribution).files or []
    return sum(
        path.locate().stat().st_size
        for path in files
        if "__pycache__" not in path.parts and Path(path.locate()).is_file()
    )


def top_level_paths(distribution: str) -> list[Path]:
    """The importable packages and modules a distribution installed (its top-level names)."""
    found: set[Path] = set()
    for path in importlib.metadata.distribution(distribution).files or []:
        top = path.parts[0]
        if top in ("..", "__pycache__") or top.endswith((".dist-info", ".data")):
            continue
        located = Path(path.locate())
        found.add(located.parents[len(path.parts) - 2] if len(path.parts) > 1 else located)
    return sorted(found)


def import_seconds(name: str, *, compiled: bool) -> float:
    """Median seconds to import ``name`` over RUNS fresh interpreters that see only the
    candidate's own packages copied beside them (and the standard library)."""
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for distribution in CANDIDATES[name]:
            for source in top_level_paths(distribution):
                target = Path(folder) / source.name
                if source.is_dir():
                    shutil.copytree(
                        source,
                        target,
                        ignore=shutil.ignore_patterns("__pycache__"),
                        dirs_exist_ok=True,
                    )
                else:
                    shutil.copyfile(source, target)
        command = [
            sys.executable,
            "-S",
            *([] if compiled else ["-B"]),
            "-c",
            _TIMED.format(module=name),
        ]
        environment = {**os.environ, "PYTHONPATH": folder}
        if compiled:
            subprocess.run(command, capture_output=True, check=True, cwd=folder, env=environment)
        for _ in range(RUNS):
            result = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=folder, env=environment
            )
            timings.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


def measure() -> dict[str, dict[str, float]]:
    return {
        name: {
            "megabytes": sum(installed_bytes(d) for d in distributions) / 1_000_000,
            "cold_ms": import_seconds(name, compiled=False) * 1000,
            "cached_ms": import_seconds(name, compiled=True) * 1000,
        }
        for name, distributions in CANDIDATES.items()
    }


def main() -> int:
    results = measure()
    print(f"Import CPU time in a fresh interpreter (median of {RUNS}); size installed")
    print(f"{'package':10} {'size':>10} {'import, no bytecode':>20} {'bytecode cached':>16}")
    for name, row in results.items():
        print(
            f"{name:10} {row['megabytes']:7.1f} MB {row['cold_ms']:17.0f} ms "
            f"{row['cached_ms']:13.0f} ms"
        )
    stripe, plain = results["stripe"], results["requests"]
    print(
        f"stripe adds {stripe['megabytes'] - plain['megabytes']:.1f} MB and "
        f"{stripe['cold_ms'] - plain['cold_ms']:.0f} ms of cold import on top of requests, "
        "which the zip ships anyway."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
