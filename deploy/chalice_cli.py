"""Chalice's command line, with every deployment zip it builds finished by ``bundle.finish``.

    python -m deploy.chalice_cli --project-dir DIR deploy --stage dev

`chalice deploy` and `chalice package` both build the Lambda zip with Chalice's
``LambdaDeploymentPackager`` (and `deploy` re-injects app.py and chalicelib/ from the working
tree, stale ``__pycache__`` included); neither has a hook for what happens to the zip next.
This entry point wraps that one method, so whichever command runs, the zip it uploads or
writes is the trimmed one with unchecked-hash bytecode. Chalice's own cache of the built zip
is left as Chalice made it (``finish`` writes beside it).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalice.cli import main
from chalice.deploy.packager import LambdaDeploymentPackager

from deploy import bundle


def finishing(build: Callable[..., str]) -> Callable[..., str]:
    """``create_deployment_package`` that answers the finished zip instead of Chalice's."""

    @functools.wraps(build)
    def create_deployment_package(self: Any, project_dir: str, python_version: str) -> str:
        return str(bundle.finish(Path(build(self, project_dir, python_version))))

    return create_deployment_package


if __name__ == "__main__":
    LambdaDeploymentPackager.create_deployment_package = finishing(
        LambdaDeploymentPackager.create_deployment_package
    )
    sys.exit(main())
