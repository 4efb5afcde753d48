"""What the API answers, for the OpenAPI document: marshmallow schemas of the services' dicts,
written in ``definitions`` and named here lazily (chalicelib.lazy), so that declaring an
operation's answer in a route module imports nothing until the document is built."""

from chalicelib import lazy

__getattr__ = lazy.names_of("chalicelib.openapi.answers.definitions")
