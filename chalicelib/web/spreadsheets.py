"""CSV files that a spreadsheet opens as text: every field quoted, and no part of a cell that
a spreadsheet could read as a formula.

A spreadsheet runs a cell starting with ``= + - @`` (or a tab or carriage return) as a
formula. Quoting alone does not settle it: Excel in a locale whose list separator is ``;``
splits ``Ann;-2+3;@SUM(1)`` into three cells and runs the last two. So each formula character
at the start of a cell, or after a ``;``, ``,``, tab or ``|`` inside it (spaces between
allowed), gets a ``'`` before it, which spreadsheets read as "this is text".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

_RUNS_AS_FORMULA = re.compile(r"(^|[;,\t|])(\s*)([=+\-@\t\r])")


def cell(value: str) -> str:
    """``value`` as text a spreadsheet shows, never runs, however it splits the line."""
    return _RUNS_AS_FORMULA.sub(lambda found: f"{found[1]}{found[2]}'{found[3]}", value)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A CSV document: the header, then each row, every field quoted and made safe."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
