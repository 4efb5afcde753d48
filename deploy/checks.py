"""Checkov on the packaged template, held against the findings ``deploy/CHECKS.md`` accepts.

    python -m deploy.checks dist/prod/sam.json      # make package runs it

checkov lives in a virtualenv of its own (``.venv-checkov``, made by ``make deps``): it pins
an old boto3, which would downgrade the botocore the app and Chalice use.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from chalice_config import REPO_ROOT

CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
ACCEPTED_PATH = Path(__file__).with_name("CHECKS.md")
_ROW = re.compile(r"^\|\s*(CKV\w+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$")


@dataclass(frozen=True)
class Finding:
    check_id: str
    resource: str
    name: str


@dataclass(frozen=True)
class Accepted:
    check_id: str
    resources: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.check_id == self.check_id and fnmatch.fnmatchcase(
            finding.resource, self.resources
        )


def findings(template: Path) -> list[Finding]:
    """checkov's failed checks on a CloudFormation template, offline."""
    if not CHECKOV.exists():
        raise RuntimeError(
            f"checkov is not installed: run `make deps` (it makes {CHECKOV.parent.parent.name})"
        )
    result = subprocess.run(
        [
            str(CHECKOV),
            "--file",
            str(template),
            "--framework",
            "cloudformation",
            "--output",
            "json",
            "--quiet",
            # Offline: no guideline links or severities from the vendor's service.
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode not in (0, 1):  # 1 = some check failed
        raise RuntimeError(f"checkov failed ({result.returncode}): {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    if report["summary"]["parsing_errors"]:
        raise RuntimeError(f"checkov could not parse {template}")
    return [
        Finding(check["check_id"], check["resource"], check["check_name"])
        for check in report["results"]["failed_checks"]
    ]


def accepted(path: Path = ACCEPTED_PATH) -> list[Accepted]:
    rows = []
    for line in path.read_text().splitlines():
        match = _ROW.match(line.strip())
        if match:
            rows.append(Accepted(*match.groups()))
    return rows


def unlisted(found: list[Finding], listed: list[Accepted]) -> list[Finding]:
    return [finding for finding in found if not any(row.covers(finding) for row in listed)]


def stale(
    found: list[Finding], listed: list[Accepted], present: set[str] | None = None
) -> list[Accepted]:
    """Rows that no finding needs any more: what they excused has been fixed. Given the
    template's resources (``present``, as ``Type.LogicalId``), a row about resources the
    template does not have (a stage that turns its web ACL off) is not stale: nothing of it
    was fixed, and another stage's template needs it."""
    return [
        row
        for row in listed
        if not any(row.covers(finding) for finding in found)
        and (present is None or any(fnmatch.fnmatchcase(name, row.resources) for name in present))
    ]


def resources_in(template: Path) -> set[str]:
    """The template's resources as checkov names them: ``Type.LogicalId``."""
    resources = json.loads(template.read_text())["Resources"]
    return {f"{resource['Type']}.{logical_id}" for logical_id, resource in resources.items()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.checks dist/<stage>/sam.json", file=sys.stderr)
        return 2
    found = findings(Path(argv[0]))
    listed = accepted()
    new, old = unlisted(found, listed), stale(found, listed, resources_in(Path(argv[0])))
    for finding in new:
        print(f"checkov: {finding.check_id} {finding.resource}: {finding.name}")
    for row in old:
        print(f"checkov: {row.check_id} {row.resources} is listed in deploy/CHECKS.md but fixed")
    if new or old:
        print("checkov: fix each finding, or list it with its reason in deploy/CHECKS.md")
        return 1
    print(f"checkov: {argv[0]}: {len(found)} findings, each listed in deploy/CHECKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
