"""The Lambda deployment zip: trim what the runtime already has, ship bytecode, then measure
and inspect it.

pynamodb declares botocore, so Chalice packs botocore (and what it pulls in) although every
Lambda Python runtime ships boto3/botocore: ``trim`` drops those distributions, file by file
as their wheel's RECORD lists them.

Chalice zips sources only (plus whatever ``chalicelib/__pycache__`` the working tree holds),
and Lambda's code directory is read-only, so every cold start compiled every module of the
zip again. ``compile_bytecode`` replaces any bytecode in the zip with a ``.pyc`` per source,
compiled here for the runtime's Python and marked unchecked-hash: the import system loads it
without looking at the source's mtime (which unzipping changes) or hashing the source.

``finish`` does both; ``deploy.chalice_cli`` runs it on every zip Chalice builds, so
`make deploy` uploads the same zip `make package` writes.

    python -m deploy.bundle dist/prod/deployment.zip     # prints the size and the contents
"""

from __future__ import annotations

import csv
import importlib.util
import io
import py_compile
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chalice_config import REPO_ROOT
from deploy.project import DeployError

MAX_BYTES = 5 * 1024 * 1024

# The Lambda runtime the stages run (Chalice names it after the Python that packages them);
# bytecode only loads in the minor version that wrote it.
LAMBDA_PYTHON = (3, 13)

# boto3's family as the Lambda Python runtime ships it; nothing in requirements.txt needs
# them except pynamodb's botocore and icalendar's python-dateutil, which the runtime's copy
# serves. (urllib3 stays: requests needs it, in its own version.)
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six"}
)

# Project folders that are not the app: Chalice ships app.py, chalicelib/ and vendor/ only.
NOT_SHIPPED = frozenset({"tests", "local", "deploy", "bench", "node_modules", ".chalice"})

# Distributions a shipped one declares but no Lambda needs. requests loads a character
# detector when imported, only to guess the encoding of a response that names none; the
# webhook sender decodes the CRM's answers itself (UTF-8), so the detector would cost every
# webhook Lambda ~10-15 ms of its cold start and the zip ~0.3 MB for nothing. Without it
# requests falls back to UTF-8 (chalicelib/webhooks/sender.py silences the warning it gives).
UNUSED_DISTRIBUTIONS = frozenset({"charset-normalizer"})

# Folders inside shipped distributions that no Lambda imports: icalendar's own test suite is
# about 0.7 MB of the zip once compiled, which would push it past the 5 MB budget.
UNUSED_FOLDERS = ("icalendar/tests/",)

FINISHED_SUFFIX = ".lambda.zip"

_DIST_INFO = re.compile(r"^(?P<name>[^/]+?)-[^/-]+\.dist-info/RECORD$")


@dataclass(frozen=True)
class Report:
    size_bytes: int
    top_level: frozenset[str]
    distributions: frozenset[str]
    sources: int
    sources_with_bytecode: int  # an unchecked-hash .pyc for this Python where imports look
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


def finish(built: Path) -> Path:
    """The Lambda zip made from the zip Chalice built (which stays as Chalice's cache):
    trimmed and with bytecode, beside it as ``<name>.lambda.zip``; returns its path."""
    finished = built.with_name(built.stem + FINISHED_SUFFIX)
    # Built in a scratch file and renamed, so a concurrent run never reads half a zip.
    with tempfile.NamedTemporaryFile(dir=built.parent, suffix=".zip", delete=False) as handle:
        scratch = Path(handle.name)
    try:
        shutil.copyfile(built, scratch)
        dropped = trim(scratch)
        if dropped:
            print(f"Dropped what the Lambda runtime provides: {', '.join(dropped)}", flush=True)
        compiled = compile_bytecode(scratch)
        print(f"Compiled {compiled} modules to unchecked-hash bytecode", flush=True)
        scratch.chmod(built.stat().st_mode)
        scratch.replace(finished)
    finally:
        scratch.unlink(missing_ok=True)
    return finished


def trim(zip_path: Path) -> list[str]:
    """Rewrite the zip without the runtime-provided and unused distributions and the unused
    folders of shipped ones; return what was dropped."""
    with zipfile.ZipFile(zip_path) as archive:
        provided = _files_of(archive, RUNTIME_PROVIDED | UNUSED_DISTRIBUTIONS)
        unused = {name for name in archive.namelist() if name.startswith(UNUSED_FOLDERS)}
    doomed = provided | unused
    if not doomed:
        return []

    def without_them(info: zipfile.ZipInfo, data: bytes) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
        if info.filename not in doomed:
            yield info, data

    _rewrite(zip_path, without_them)
    dropped = {name.split("/", 1)[0] for name in provided}
    dropped |= {folder for folder in UNUSED_FOLDERS if any(n.startswith(folder) for n in unused)}
    return sorted(dropped)


def compile_bytecode(zip_path: Path, python: tuple[int, ...] = sys.version_info[:2]) -> int:
    """Replace the zip's bytecode with an unchecked-hash ``.pyc`` beside every ``.py``
    (in its ``__pycache__``, where the import system looks); return how many were written.

    Refuses on any Python but the runtime's: its bytecode would be ignored on Lambda.
    """
    if tuple(python) != LAMBDA_PYTHON:
        wanted = ".".join(map(str, LAMBDA_PYTHON))
        raise DeployError(
            f"Packaging runs on Python {'.'.join(map(str, python))}, but the Lambdas run "
            f"Python {wanted}, which cannot load its bytecode: run it with Python {wanted} "
            "(make recreates .venv with it when .venv runs another Python)."
        )
    compiled = 0
    scratch = Path(tempfile.mkdtemp(prefix="bytecode-"))

    def with_bytecode(
        info: zipfile.ZipInfo, data: bytes
    ) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
        nonlocal compiled
        if is_bytecode(info.filename):
            return  # compiled elsewhere, maybe from other sources: never shipped as found
        yield info, data
        if info.filename.endswith(".py"):
            compiled += 1
            yield _pyc_entry(info), _compiled(info.filename, data, scratch)

    try:
        _rewrite(zip_path, with_bytecode)
    finally:
        shutil.rmtree(scratch)
    return compiled


def is_bytecode(name: str) -> bool:
    return name.endswith((".pyc", ".pyo")) or "__pycache__/" in name


def pyc_path(source: str) -> str:
    """Where the import system looks for a source's bytecode: ``a/b.py`` →
    ``a/__pycache__/b.cpython-313.pyc``."""
    return importlib.util.cache_from_source(source)


def _compiled(name: str, source: bytes, scratch: Path) -> bytes:
    source_path = scratch / "source.py"
    source_path.write_bytes(source)
    try:
        written = py_compile.compile(
            str(source_path),
            cfile=str(scratch / "source.pyc"),
            dfile=name,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError as error:
        raise DeployError(f"{name} in the zip does not compile: {error.msg}") from error
    return Path(written).read_bytes()


def _pyc_entry(source: zipfile.ZipInfo) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(pyc_path(source.filename), date_time=source.date_time)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = source.external_attr
    return entry


def _rewrite(
    zip_path: Path,
    entries_for: Callable[[zipfile.ZipInfo, bytes], Iterator[tuple[zipfile.ZipInfo, bytes]]],
) -> None:
    """Rewrite the zip entry by entry: each old entry becomes what ``entries_for`` yields."""
    with (
        zipfile.ZipFile(zip_path) as archive,
        tempfile.NamedTemporaryFile(dir=zip_path.parent, delete=False) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as rewritten,
    ):
        for info in archive.infolist():
            for entry, data in entries_for(info, archive.read(info.filename)):
                rewritten.writestr(entry, data)
    shutil.move(handle.name, zip_path)


def inspect(zip_path: Path) -> Report:
    """Size and contents, and what is wrong with them for a Lambda deployment package."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        distributions = frozenset(
            normalize(match["name"]) for name in names if (match := _DIST_INFO.match(name))
        )
        sources = [name for name in names if name.endswith(".py")]
        with_bytecode = sum(_has_unchecked_bytecode(archive, source) for source in sources)
    top_level = frozenset(name.split("/", 1)[0] for name in names)
    size = zip_path.stat().st_size
    problems = []
    if size > MAX_BYTES:
        problems.append(f"{size:,} bytes is over the {MAX_BYTES:,} byte budget")
    for name in sorted(distributions & RUNTIME_PROVIDED):
        problems.append(f"{name} is in the Lambda runtime already")
    for name in sorted(distributions & UNUSED_DISTRIBUTIONS):
        problems.append(f"{name} is used by no Lambda")
    for name in sorted(distributions & dev_requirements()):
        problems.append(f"{name} is a dev/test dependency")
    for name in sorted(top_level & (NOT_SHIPPED | {"botocore", "boto3"})):
        problems.append(f"{name}/ does not belong in the package")
    return Report(size, top_level, distributions, len(sources), with_bytecode, tuple(problems))


def _has_unchecked_bytecode(archive: zipfile.ZipFile, source: str) -> bool:
    """PEP 552's header: magic, flags (bit 0 hash-based, bit 1 check the source), hash."""
    try:
        header = archive.open(pyc_path(source)).read(16)
    except KeyError:
        return False
    flags = int.from_bytes(header[4:8], "little")
    return header[:4] == importlib.util.MAGIC_NUMBER and flags == 0b01


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
    print(
        f"  bytecode: {report.sources_with_bytecode} of {report.sources} modules (unchecked-hash)"
    )
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
