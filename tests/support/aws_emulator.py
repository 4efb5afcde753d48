"""moto's server mode as the AWS control plane for the deploy rehearsal, on 127.0.0.1.

    python -m tests.support.aws_emulator PORT

moto 5.2 imports a REST API only from an OpenAPI 3 document with an ``info.description``;
Chalice sends Swagger 2.0 without one. The two requests differ in the version key only for
what moto models (paths and methods), so this launcher relabels the document before moto
reads it; nothing else of moto is changed. Only for the control plane: the app's own tests
run on DynamoDB Local.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.apigateway import models
from moto.server import main


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


if __name__ == "__main__":
    models.APIGatewayBackend.import_rest_api = import_rest_api
    models.APIGatewayBackend.put_rest_api = put_rest_api
    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
