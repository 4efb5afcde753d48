"""Classes and modules named now and imported on first use, so that naming one costs no
import.

All three Lambdas load app.py and its route modules, whose declarations name the
marshmallow schemas of every body, query and answer, and whose views call the dashboard. The
stream handler and the retrier validate nothing and render nothing, and the API validates
only once a request arrives: with the schemas named through ``Reference`` and the
dashboard's modules through ``Module``, marshmallow (~30 ms of a cold start, most of it its
email regex), apispec and the dashboard load only where they are used.

A package of definitions exposes them with ``__getattr__ = lazy.names_of(<module>)``: each
CamelCase name becomes a ``Reference`` to that class, any other public name is looked up in
the module at once (importing it). A reference stands in for its class wherever the routes'
declarations and the code that reads them use one: called (a schema instance), subclassed,
and in ``isinstance``; ``resolve`` turns it into the class for code that needs the class
itself (apispec). A name that the module lacks fails on first use, which the OpenAPI
document's test reaches for every declared schema.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any


class Reference:
    """The class ``name`` of ``module``, imported the first time it is used."""

    __slots__ = ("_target", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._target: Any = None

    def resolve(self) -> Any:
        if self._target is None:
            self._target = getattr(importlib.import_module(self.module), self.name)
        return self._target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        # Special names are looked up by protocols (copy, pickle, inspect) that must not
        # import the module by asking.
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(self.resolve(), attribute)

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (self.resolve(),)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.resolve())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.resolve())

    def __repr__(self) -> str:
        return f"<{self.module}.{self.name}, imported on first use>"


class Module:
    """The module ``name``, imported the first time one of its attributes is used or set.

    It stands in for the module in the namespace that named it; ``import`` elsewhere gives
    the module itself, and both see the same attributes."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(importlib.import_module(self._name), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name}, imported on first use>"


def resolve(value: Any) -> Any:
    """The class behind a reference; anything else as it is."""
    return value.resolve() if isinstance(value, Reference) else value


def names_of(module: str) -> Callable[[str], Any]:
    """A package's ``__getattr__`` that names the classes of ``module`` lazily."""

    @functools.cache
    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name[0].isupper() and not name.isupper():
            return Reference(module, name)
        try:
            return getattr(importlib.import_module(module), name)
        except AttributeError:
            raise AttributeError(f"{module} has no attribute {name!r}") from None

    return __getattr__
