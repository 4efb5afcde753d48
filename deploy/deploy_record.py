"""The stage's deploy record: what `chalice deploy` made (``.chalice/deployed/<stage>.json``),
kept with the stage in SSM Parameter Store (``deploy_record_parameter``).

Chalice finds the API, the stream mapping and the schedules it made only through that file;
a machine without it (a teammate's clone, CI) would make a second API and be refused a second
mapping. So every deploy and destroy restores the stage's record before Chalice runs, and a
deploy saves it after, failed or not.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from chalice_config import CHALICE_DIR
from deploy.project import deploy_record_parameter


def path(stage: str) -> Path:
    """Where `chalice deploy` and `chalice delete` read and write the stage's record."""
    return CHALICE_DIR / "deployed" / f"{stage}.json"


def restore(ssm: Any, stage: str, file: Path | None = None) -> None:
    """Put the stage's deploy record where `chalice deploy` and `chalice delete` read it.

    The record kept with the stage (SSM) wins over this machine's file: another machine may
    have deployed since. Without one in SSM (a stage deployed before records were kept
    there, or a new stage) this machine's file, if any, stays and is saved after the deploy.
    """
    file = file or path(stage)
    name = deploy_record_parameter(stage)
    try:
        kept = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        if file.exists():
            print(f"    no deploy record in SSM yet: using this machine's {file.name}", flush=True)
        return
    record = json.loads(kept)
    if file.exists() and json.loads(file.read_text()) != record:
        print(f"    this machine's {file.name} differs: replaced by the record in {name}")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(record, indent=2) + "\n")


def save(ssm: Any, stage: str, file: Path | None = None) -> None:
    """Keep the stage's deploy record in SSM, so any machine's next deploy finds it."""
    file = file or path(stage)
    if not file.exists():
        return
    compact = json.dumps(json.loads(file.read_text()), separators=(",", ":"))
    ssm.put_parameter(
        Name=deploy_record_parameter(stage),
        Description="What chalice deploy made for this stage (make deploy keeps it here)",
        Value=compact,
        Type="String",
        # Standard parameters hold 4 KB; past that the record needs the advanced tier's 8 KB.
        Tier="Intelligent-Tiering",
        Overwrite=True,
    )


def delete(ssm: Any, stage: str) -> None:
    """Forget the stage's record once `chalice delete` has deleted what it names."""
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=deploy_record_parameter(stage))
