"""What a measure hands back: a small table, notes, and any correctness failure.

Tables render as Markdown with padded columns, so the same text reads well in a terminal and
in ``bench/RESULTS.md``. A *failure* is a broken guarantee (a 5xx, a duplicate, a budget
breach) and makes the run exit non-zero; a slow number is only ever a note.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def render(self) -> str:
        widths = [
            max(len(text) for text in [name, *(row[i] for row in self.rows)])
            for i, name in enumerate(self.columns)
        ]

        def line(cells: Iterable[str]) -> str:
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

        lines = [f"### {self.title}", "", line(self.columns)]
        lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        lines += [line(row) for row in self.rows]
        if self.notes or self.failures:
            lines.append("")
        lines += [f"- {note}" for note in self.notes]
        lines += [f"- **FAIL**: {failure}" for failure in self.failures]
        return "\n".join(lines) + "\n"


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: Iterable[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95 = p95): a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def latency_cells(latencies: list[float]) -> tuple[int, str, str, str]:
    """How many, and their median, 95th percentile and slowest, in milliseconds."""
    return (
        len(latencies),
        ms(median(latencies)),
        ms(percentile(latencies, 0.95)),
        ms(max(latencies)),
    )


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def verdict(ok: bool) -> str:
    """For a goal on speed: never a failure, only whether it was met."""
    return "met" if ok else "missed"
