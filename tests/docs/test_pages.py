"""The README stays a five-minute read that starts with the two commands, and no link in it or
in docs/ leads nowhere: the detail lives on docs/ pages, so a moved section must not strand a
link to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from local.paths import REPO_ROOT

README = REPO_ROOT / "README.md"
PAGES = sorted((REPO_ROOT / "docs").glob("*.md"))
README_MAX_BYTES = 12 * 1024
FIRST_SCREEN_LINES = 25

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(markdown: str) -> str:
    """The text outside code blocks and code spans, where a `[x](y)` is a real link."""
    return _CODE_SPAN.sub("", _FENCE.sub("", markdown))


def _anchors(markdown: str) -> set[str]:
    """The heading anchors GitHub makes: lower case, punctuation dropped, spaces to hyphens,
    a repeated heading numbered from -1."""
    anchors: set[str] = set()
    for heading in _HEADING.findall(_FENCE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        candidate, number = slug, 0
        while candidate in anchors:
            number += 1
            candidate = f"{slug}-{number}"
        anchors.add(candidate)
    return anchors


def _relative_links(page: Path) -> list[str]:
    targets = _LINK.findall(_prose(page.read_text()))
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


def _broken_links(page: Path) -> list[str]:
    broken = []
    for target in _relative_links(page):
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif (
            fragment and resolved.suffix == ".md" and fragment not in _anchors(resolved.read_text())
        ):
            broken.append(f"{target}: no such heading")
    return broken


def test_readme_is_at_most_12_kb():
    assert len(README.read_bytes()) <= README_MAX_BYTES


def test_readme_shows_both_commands_on_its_first_screen():
    first_screen = "\n".join(README.read_text().splitlines()[:FIRST_SCREEN_LINES])
    assert re.search(r"^make run\b", first_screen, re.MULTILINE)
    assert re.search(r"^make test\b", first_screen, re.MULTILINE)


def test_readme_links_every_docs_page():
    linked = {
        (README.parent / target.partition("#")[0]).resolve() for target in _relative_links(README)
    }
    assert [page.name for page in PAGES if page.resolve() not in linked] == []


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: page.name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    assert _broken_links(page) == []


def test_a_link_to_a_missing_file_or_heading_is_caught(tmp_path):
    (tmp_path / "there.md").write_text("# Title\n\n## Checks that run offline, in `make test`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md#checks-that-run-offline-in-make-test) [gone](gone.md) "
        "[lost](there.md#nowhere) `[code](not-a-link.md)` [web](https://example.com)\n"
        "```\n[block](not-a-link-either.md)\n```\n"
    )
    assert _broken_links(page) == ["gone.md: no such file", "there.md#nowhere: no such heading"]
