"""The service's own operations: health, the OpenAPI document and its /docs page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import health, openapi
from chalicelib.api import Routes
from chalicelib.openapi import docs_page, examples
from chalicelib.operations import PUBLIC, Answer

if TYPE_CHECKING:
    from chalicelib.openapi.answers import definitions as answers
else:
    from chalicelib.openapi import answers

routes = Routes()


@routes.route(
    "/health",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="Is the API able to serve?",
    answer=Answer(200, "DynamoDB answers.", answers.Health, examples.HEALTH),
)
def get_health():
    return health.check()


@routes.route(
    "/openapi.json",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="This document",
    answer=Answer(200, "The OpenAPI document."),
    stored=False,
    operation_id="getOpenApiDocument",
)
def openapi_document():
    return openapi.document(routes.app)


@routes.route(
    "/docs",
    "GET",
    access=PUBLIC,
    tag="Service",
    summary="Interactive documentation (Swagger UI) of this document",
    answer=Answer(200, "An HTML page; it loads only files of this API.", media_type="text/html"),
    stored=False,
)
def get_docs(request):
    return docs_page.page(request.context.get("path", ""))


@routes.route("/docs/{asset}", "GET", browser_only="the scripts and styles of the /docs page")
def docs_asset(asset):
    return docs_page.asset(asset)
