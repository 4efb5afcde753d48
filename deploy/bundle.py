"""The Lambda deployment zip: trim what the runtime already has, then measure and inspect it.

pynamodb declares botocore, so Chalice packs botocore (and what it pulls in) although every
Lambda Python runtime ships boto3/botocore: ``trim`` drops those distributions, file by file
as their wheel's RECORD lists them.

    python -m deploy.bundle dist/prod/deployment.zip     # prints the size and the contents
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from local.paths import REPO_ROOT

MAX_BYTES = 5 * 1024 * 1024

# boto3's family as the Lambda Python runtime ships it; nothing in requirements.txt needs
# them except pynamodb's botocore and icalendar's python-dateutil, which the runtime's copy
# serves. (urllib3 stays: requests needs it, in its own version.)
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six"}
)

# Project folders that are not the app: Chalice ships app.py, chalicelib/ and vendor/ only.
NOT_SHIPPED = frozenset({"tests", "local", "deploy", "bench", "node_modules", ".chalice"})

_DIST_INFO = re.compile(r"^(?P<name>[^/]+?)-[^/-]+\.dist-info/RECORD$")


@dataclass(frozen=True)
class Report:
    size_bytes: int
    top_level: frozenset[str]
    distributions: frozenset[str]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dev_requirements(path: Path = REPO_ROOT / "requirements-dev.txt") -> frozenset[str]:
    """Distributions named in requirements-dev.txt (the runtime ones come in through -r)."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(normalize(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0]))
    return frozenset(names)


def trim(zip_path: Path) -> list[str]:
    """Rewrite the zip without the runtime-provided distributions; return what was dropped."""
    with zipfile.ZipFile(zip_path) as archive:
        doomed = _files_of(archive, RUNTIME_PROVIDED)
        if not doomed:
            return []
        with (
            tempfile.NamedTemporaryFile(dir=zip_path.parent, delete=False) as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as trimmed,
        ):
            for info in archive.infolist():
                if info.filename not in doomed:
                    trimmed.writestr(info, archive.read(info.filename))
    shutil.move(handle.name, zip_path)
    return sorted({name.split("/", 1)[0] for name in doomed})


def inspect(zip_path: Path) -> Report:
    """Size and contents, and what is wrong with them for a Lambda deployment package."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        distributions = frozenset(
            normalize(match["name"]) for name in names if (match := _DIST_INFO.match(name))
        )
    top_level = frozenset(name.split("/", 1)[0] for name in names)
    size = zip_path.stat().st_size
    problems = []
    if size > MAX_BYTES:
        problems.append(f"{size:,} bytes is over the {MAX_BYTES:,} byte budget")
    for name in sorted(distributions & RUNTIME_PROVIDED):
        problems.append(f"{name} is in the Lambda runtime already")
    for name in sorted(distributions & dev_requirements()):
        problems.append(f"{name} is a dev/test dependency")
    for name in sorted(top_level & (NOT_SHIPPED | {"botocore", "boto3"})):
        problems.append(f"{name}/ does not belong in the package")
    return Report(size, top_level, distributions, tuple(problems))


def _files_of(archive: zipfile.ZipFile, wanted: frozenset[str]) -> set[str]:
    files: set[str] = set()
    for name in archive.namelist():
        match = _DIST_INFO.match(name)
        if not match or normalize(match["name"]) not in wanted:
            continue
        record = archive.read(name).decode()
        files.update(row[0] for row in csv.reader(io.StringIO(record)) if row)
        files.add(name)
    present = set(archive.namelist())
    return files & present


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.bundle PATH/TO/deployment.zip", file=sys.stderr)
        return 2
    report = inspect(Path(argv[0]))
    print(f"{argv[0]}: {report.size_bytes:,} bytes ({report.size_bytes / 1024 / 1024:.2f} MB)")
    print(f"  budget: {MAX_BYTES:,} bytes")
    print(f"  distributions: {', '.join(sorted(report.distributions))}")
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
