"""The API's documentation: the OpenAPI document and the /docs page that shows it.

- ``builder``: the OpenAPI 3.1 document, built from the operations the routes declare;
- ``answers``: marshmallow schemas of what the API answers (the document's response schemas);
- ``examples``: the document's examples, taken from the seeded demo data;
- ``docs_page``: Swagger UI over the document, served from the API's own files.

``python -m chalicelib.openapi PATH`` writes the document to a file (`make openapi`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.api import BookingsApp


# The builder (apispec, the answers' schemas) is imported by the first request for the
# document, not by every Lambda that loads app.py.


def document(app: BookingsApp) -> dict[str, Any]:
    """The OpenAPI document of ``app``'s operations, a fresh copy each call (tools such as
    schemathesis edit theirs)."""
    from chalicelib.openapi import builder

    return builder.document(app)


def write(app: BookingsApp, path: Path) -> None:
    from chalicelib.openapi import builder

    builder.write(app, path)
