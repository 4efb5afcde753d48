"""The kinds of row in the table of settings (``chalicelib.settings_table``): how each reads
its variable, checks it, and shows its default and bounds on the configuration page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(RuntimeError):
    """The environment cannot run this stage; the message says what to set."""


@dataclass(frozen=True)
class Number:
    """A whole number within bounds; ``scale`` turns the unit it is given in into the field's
    (KB into bytes, minutes into seconds)."""

    name: str
    default: int
    lowest: int
    highest: int
    meaning: str
    field: str | None = None
    scale: int = 1

    def read(self, environ: Mapping[str, str]) -> int:
        text = environ.get(self.name, str(self.default))
        try:
            number = int(text)
        except ValueError:
            raise ConfigError(f"{self.name} must be a whole number, got {text!r}") from None
        if not self.lowest <= number <= self.highest:
            raise ConfigError(
                f"{self.name} must be between {self.lowest} and {self.highest}, got {number}"
            )
        return number * self.scale

    @property
    def shown_default(self) -> str:
        return _shown(self.default)

    @property
    def shown_bounds(self) -> str:
        return f"{_shown(self.lowest)}–{_shown(self.highest)}"  # noqa: RUF001 (a range)


def _shown(number: int) -> str:
    # Grouped only when long: a port or a year reads better without commas.
    return f"{number:,}" if number >= 100_000 else str(number)


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    name: str
    default: str
    allowed: tuple[str, ...]
    meaning: str
    field: str | None = None

    def read(self, environ: Mapping[str, str]) -> str:
        value = environ.get(self.name, "").strip().lower() or self.default
        if value not in self.allowed:
            raise ConfigError(
                f"{self.name} must be one of {', '.join(self.allowed)}, got {value!r}"
            )
        return value

    @property
    def shown_default(self) -> str:
        return f"`{self.default}`"

    @property
    def shown_bounds(self) -> str:
        return ", ".join(f"`{value}`" for value in self.allowed)


@dataclass(frozen=True)
class Described:
    """A setting read by its own code (a secret, a URL, a path): only its page row is here."""

    name: str
    shown_default: str
    meaning: str
    shown_bounds: str = ""
    field: None = None


Row = Number | Choice | Described


@dataclass(frozen=True)
class Group:
    title: str
    rows: tuple[Row, ...]
