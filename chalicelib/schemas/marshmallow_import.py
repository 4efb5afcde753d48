"""marshmallow, imported with its email regex compiled when an email is first validated.

``marshmallow.validate`` compiles ``Email.DOMAIN_REGEX`` in its class body, and every schema
imports that module (``marshmallow.fields`` does). The pattern spans U+00A1 to U+FFFF
case-insensitively, which Python's regex compiler expands one character at a time: ~25 ms, most
of marshmallow's import, paid by every API cold start although only register and login
validate an email. Imported before marshmallow (``definitions`` does so first), this module
gives the classes of that module a stand-in for each pattern their bodies compile, which
compiles it on first use and puts the pattern in its place.

Only compiles called from ``marshmallow.validate``'s own code, and only while it is being
imported, are deferred: other modules, other threads and every later compile get
``re.compile`` itself. If marshmallow was imported already (a tool imported it first), this
does nothing and the regex is simply compiled as usual.
"""

from __future__ import annotations

import re
import sys
from typing import Any

_MODULE = "marshmallow.validate"
_compile = re.compile


class _CompiledOnFirstUse:
    """Stands in for a compiled pattern held by a class: the first read of that attribute
    compiles the pattern and puts it in the stand-in's place."""

    __slots__ = ("_flags", "_name", "_pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self._pattern = pattern
        self._flags = flags

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: Any, owner: type) -> re.Pattern[str]:
        compiled = _compile(self._pattern, self._flags)
        setattr(owner, self._name, compiled)
        return compiled


def _compile_deferring_validate(pattern: Any, flags: int = 0) -> Any:
    if sys._getframe(1).f_globals.get("__name__") == _MODULE:
        return _CompiledOnFirstUse(pattern, flags)
    return _compile(pattern, flags)


if _MODULE not in sys.modules:
    re.compile = _compile_deferring_validate
    try:
        import marshmallow.validate  # noqa: F401
    finally:
        re.compile = _compile
