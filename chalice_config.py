"""The Chalice project's ``.chalice/config.json``: where it is, and what a stage's Lambdas see.

Chalice gives every Lambda of a stage the config's global ``environment_variables`` overlaid
with the stage's own (and then the function's own, which the deploy tooling adds to the copy
it deploys: ``deploy.project.staged_config``). The dev runner (``local/``, which fills its
environment from the ``local`` stage) and the deploy tooling (``deploy/``, and ``bench/``
through it) both need that merge, so it is written here once. Dev tooling only: Chalice
ships ``app.py`` and ``chalicelib/``, never this module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent
CHALICE_DIR = REPO_ROOT / ".chalice"
CONFIG_PATH = CHALICE_DIR / "config.json"


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def stage_environment(stage: str, config: dict[str, Any] | None = None) -> dict[str, str]:
    """The environment variables every Lambda of the stage gets (global, then the stage's)."""
    config = config or load_config()
    return {
        **config.get("environment_variables", {}),
        **config["stages"][stage].get("environment_variables", {}),
    }
