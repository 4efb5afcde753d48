"""moto's server mode as the AWS control plane on 127.0.0.1: the deploy rehearsal's account,
and the parameter store a Lambda's cold start reads its secrets from (``Emulator``).

    python -m tests.support.aws_emulator PORT

moto 5.2 imports a REST API only from an OpenAPI 3 document with an ``info.description``;
Chalice sends Swagger 2.0 without one. The two requests differ in the version key only for
what moto models (paths and methods), so this launcher relabels the document before moto
reads it. ``tests.support.strict_aws`` makes it refuse what AWS refuses of a deploy. Only for
the control plane: the app's own tests run on DynamoDB Local.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import requests
from moto.apigateway import models
from moto.server import main

from chalice_config import REPO_ROOT
from local.dynamodb_local import free_port
from tests.support import strict_aws

REGION = "us-east-1"


def _as_openapi_3(document: dict[str, Any]) -> dict[str, Any]:
    document = dict(document)
    if "swagger" in document:
        del document["swagger"]
        document["openapi"] = "3.0.1"
    document["info"] = {"description": "", **document.get("info", {})}
    return document


_import_rest_api = models.APIGatewayBackend.import_rest_api
_put_rest_api = models.APIGatewayBackend.put_rest_api


def import_rest_api(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
    return _import_rest_api(self, _as_openapi_3(api_doc), fail_on_warnings)


def put_rest_api(
    self: Any,
    function_id: str,
    api_doc: dict[str, Any],
    fail_on_warnings: bool,
    mode: str = "merge",
) -> Any:
    return _put_rest_api(self, function_id, _as_openapi_3(api_doc), fail_on_warnings, mode)


# The test session's app settings and any real AWS identity stay out of the commands.
_NOT_PASSED = (
    "STAGE",
    "JWT_SECRET",
    "CRM_WEBHOOK_SECRET",
    "CRM_WEBHOOK_URL",
    "DYNAMODB_ENDPOINT",
    "BOOKINGS_STREAM_ARN",
    "DATA_DIR",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
)


class Emulator:
    """moto's server on a free port: ``environment`` for a command that should reach it
    (stand-in credentials, nothing of the test session's app), ``client(service)`` for a
    test that looks at what it holds."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = (workdir / "moto.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.aws_emulator", str(self.port)],
            cwd=REPO_ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.environment = {
            **{k: v for k, v in os.environ.items() if k not in _NOT_PASSED},
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "stand-in",
            "AWS_SECRET_ACCESS_KEY": "stand-in",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-credentials"),
            "AWS_CONFIG_FILE": str(workdir / "no-config"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self._wait()
        session = botocore.session.Session()
        self.client = lambda service: session.create_client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="stand-in",
            aws_secret_access_key="stand-in",
        )

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("moto's server exited; see its log")
            try:
                requests.get(f"{self.endpoint}/moto-api/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        pytest.fail("moto's server did not answer within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


if __name__ == "__main__":
    models.APIGatewayBackend.import_rest_api = import_rest_api
    models.APIGatewayBackend.put_rest_api = put_rest_api
    strict_aws.install()
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
