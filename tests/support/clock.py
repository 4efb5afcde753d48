"""The app's clock under the tests' control: moved forward instead of sleeping, or held still
where an answer counts seconds exactly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock


class ShiftedClock:
    """The real clock plus an offset that tests move forward; once frozen, one moment that
    stands still until moved."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen_at: datetime | None = None

    def __call__(self) -> datetime:
        if self.frozen_at is not None:
            return self.frozen_at
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if self.frozen_at is not None:
            self.frozen_at += delta
        else:
            self.offset += delta

    def freeze(self, at: datetime | None = None) -> None:
        """Stand still at ``at`` (by default, the moment it is now)."""
        self.frozen_at = at if at is not None else self()


@pytest.fixture
def shifted_clock() -> Iterator[ShiftedClock]:
    shifted = ShiftedClock()
    clock.set_clock(shifted)
    yield shifted
    clock.set_clock(None)
