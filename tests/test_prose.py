"""Prose carries no typed-in numbers: every figure in the text is glued from computation.

Markdown in book/*.md and in the notebook templates is scanned after removing what is not
prose: code (fenced and inline), roles such as {glue:text}`...` and {cite:p}`...`, math, link
targets, labels and comments. What remains may hold digits only as four-digit years.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
from conftest import ROOT

YEAR = re.compile(r"\b(19|20)\d{2}s?\b")
STRIP = [
    re.compile(r"^---\n.*?\n---\n", re.S),            # front matter
    re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M),  # fenced code and directives
    re.compile(r"<!--.*?-->", re.S),                   # comments
    re.compile(r"\$\$.*?\$\$", re.S),                  # display math
    re.compile(r"\$[^$\n]+\$"),                         # inline math
    re.compile(r"\{[\w:.-]+\}`[^`]*`"),                 # roles: glue, cite, doc, ref, eq
    re.compile(r"`[^`\n]*`"),                           # inline code
    re.compile(r"\]\([^)]*\)"),                         # link targets
    re.compile(r"^\([\w-]+\)=\s*$", re.M),              # MyST labels
    re.compile(r"^:[\w-]+:.*$", re.M),                  # directive options
]


def prose_of(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the markdown prose in a page or notebook template."""
    if path.parent.name == "notebooks":
        nb = jupytext.read(path)
        text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    for pattern in STRIP:
        text = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return list(enumerate(text.splitlines(), start=1))


def typed_numbers(path: Path) -> list[str]:
    bad = []
    for n, line in prose_of(path):
        cleaned = YEAR.sub("", line)
        if re.search(r"\d", cleaned):
            bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    return bad


PAGES = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "notebooks").glob("*.md"))


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_no_typed_numbers_in_prose(path: Path):
    assert typed_numbers(path) == []


def test_scanner_catches_a_typed_number_and_spares_the_rest():
    page = ROOT / "book" / "_scanner_probe.md"
    try:
        page.write_text("# Probe\n\nIn 2025 capex reached 400 billion.\n\nGlued "
                        "{glue:text}`capex_total:,.0f`, cited {cite:p}`cahn2024`, math $6ND$ "
                        "and `code 42` in the 2020s.\n")
        hits = typed_numbers(page)
        assert len(hits) == 1 and hits[0].startswith("book/_scanner_probe.md:3:")
        assert "400 billion" in hits[0]
    finally:
        page.unlink()
