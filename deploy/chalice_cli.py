"""Chalice's command line, with every deployment zip it builds finished by ``bundle.finish``.

    python -m deploy.chalice_cli --project-dir DIR deploy --stage dev

`chalice deploy` and `chalice package` both build the Lambda zip with Chalice's
``LambdaDeploymentPackager`` (and `deploy` re-injects app.py and chalicelib/ from the working
tree, stale ``__pycache__`` included); neither has a hook for what happens to the zip next.
This entry point wraps that one method, so whichever command runs, the zip it uploads or
writes is the trimmed one with unchecked-hash bytecode. Chalice's own cache of the built zip
is left as Chalice made it (``finish`` writes beside it).

It also retries the stream mapping's creation while Lambda cannot read the stream yet: Chalice
creates the mapping right after the new role's policy, and retries only the IAM messages it
knows, not Lambda's "Cannot access stream", which a first deploy meets until IAM propagates.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalice.awsclient import TypedAWSClient
from chalice.cli import main
from chalice.deploy.packager import LambdaDeploymentPackager

from deploy import bundle, propagation


def finishing(build: Callable[..., str]) -> Callable[..., str]:
    """``create_deployment_package`` that answers the finished zip instead of Chalice's."""

    @functools.wraps(build)
    def create_deployment_package(self: Any, project_dir: str, python_version: str) -> str:
        return str(bundle.finish(Path(build(self, project_dir, python_version))))

    return create_deployment_package


def retrying_stream_access(create: Callable[..., str]) -> Callable[..., str]:
    """``create_lambda_event_source`` tried again while the role cannot read the stream yet."""

    @functools.wraps(create)
    def create_lambda_event_source(self: Any, *args: Any, **kwargs: Any) -> str:
        return propagation.retry_while_propagating(
            lambda: create(self, *args, **kwargs),
            propagation.stream_not_accessible_yet,
            "The stream mapping",
        )

    return create_lambda_event_source


if __name__ == "__main__":
    LambdaDeploymentPackager.create_deployment_package = finishing(
        LambdaDeploymentPackager.create_deployment_package
    )
    TypedAWSClient.create_lambda_event_source = retrying_stream_access(
        TypedAWSClient.create_lambda_event_source
    )
    sys.exit(main())
