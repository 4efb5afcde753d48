"""The API's documentation: the OpenAPI document and the /docs page that shows it.

- ``document``: the OpenAPI 3.1 document, built from the operations app.py's routes declare;
- ``answers``: marshmallow schemas of what the API answers (the document's response schemas);
- ``examples``: the document's examples, taken from the seeded demo data;
- ``docs_page``: Swagger UI over the document, served from the API's own files.

``python -m chalicelib.openapi PATH`` writes the document to a file (`make openapi`).
"""

from chalicelib.openapi.document import document, write

__all__ = ["document", "write"]
