"""docs/configuration.md, made from the table of settings (``chalicelib.settings_table``):
one table per group, each row's variable, default, bounds and meaning. ``make docs`` (or
``python -m chalicelib.config docs/configuration.md``) writes it; a test fails when the page
and the table differ."""

from __future__ import annotations

from chalicelib.setting_rows import Row
from chalicelib.settings_table import GROUPS

PAGE_INTRO = """\
# Configuration

Read once, in `chalicelib/config.py`, from the environment. Variables set in the environment of
`make run` win over the `local` stage's defaults in `.chalice/config.json`. A number outside its
bounds, or a word not among those allowed, stops the start with a message naming the variable.

Plain `chalice local` (any stage) with no `DYNAMODB_ENDPOINT` runs as `make run`'s API does: the
`local` stage's tables and the secrets generated in `DATA_DIR`, on the DynamoDB Local that
`make run` or `make db` started on `DYNAMODB_LOCAL_PORT`; with none there it stops at once,
saying so. Deployed stages never fall back to a generated secret.

This page is made from the table in `chalicelib/settings_table.py`
(`make docs`; a test fails when they differ).
"""


def configuration_page() -> str:
    """docs/configuration.md: one table per group of settings."""
    parts = [PAGE_INTRO]
    for group in GROUPS:
        parts.append(f"\n## {group.title}\n\n")
        parts.append("| variable | default | bounds | meaning |\n|---|---|---|---|\n")
        parts.extend(_table_line(row) for row in group.rows)
    return "".join(parts)


def _table_line(row: Row) -> str:
    cells = (f"`{row.name}`", row.shown_default, row.shown_bounds, row.meaning)
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|\n"
