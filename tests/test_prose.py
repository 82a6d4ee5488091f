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


# Counts in words are claims about the data ("seven accelerators") unless they name a fixed
# fact of the book's design; those are allowed here, everything else must be glued.
NUMBER_WORD = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?)\s+"
    r"([a-z-]+s)\b", re.I)
FIXED_COUNTS = {
    "three phases", "two clocks", "three kinds", "three routes", "two targets", "two ways",
    "three projects", "two faces", "three scenarios", "four scenarios", "two methods",
    "two phases", "three parts", "two numbers", "two questions", "four parts",
    # chapter 1: the four hyperscalers and the named sellers are fixed by the book's design;
    # "twelve months" is a fiscal year, "times four" a run-rate, the rest are rhetoric
    "four sides", "four companies", "four hyperscalers", "two companies", "three sellers",
    "twelve months", "four as", "two cautions", "three caveats", "three flows", "two holes",
    "two lines",
    # the rest of the book: the structure of an argument, a method or a formula
    "two things", "two chips", "two files", "three years", "two boundaries", "three times",
    "three as", "two readings", "two places", "two trends", "two fits", "two sides",
    "three clocks", "four inputs", "two ratios", "four builders",
    "five numbers", "four charts",  # the summary page's design
}
WORD_PAGES = PAGES
# A sourced figure spelled out ("nine to nine hundred times", "tenfold cheaper") is a typed
# number too: it must come from data or the registry and be glued.
FIGURE_WORD = re.compile(
    r"\b((?:two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|a hundred|"
    r"hundred)(?:fold|\s+times|\s+per\s*cent|\s+percent))\b(\s+[a-z]+)?", re.I)
FIXED_FIGURES = {"tenfold", "tenfold step", "tenfold steps", "tenfold increase",
                 "tenfold compute", "three times on"}  # a decade of compute; three runs


def counted_words(path: Path) -> list[str]:
    bad = []
    for n, line in prose_of(path):
        for m in NUMBER_WORD.finditer(line):
            phrase = f"{m.group(1)} {m.group(2)}".lower()
            if phrase not in FIXED_COUNTS:
                bad.append(f"{path.relative_to(ROOT)}:{n}: {phrase}")
        for m in FIGURE_WORD.finditer(line):
            phrase = " ".join(m.group(0).lower().split())
            if phrase not in FIXED_FIGURES:
                bad.append(f"{path.relative_to(ROOT)}:{n}: {phrase}")
    return bad


@pytest.mark.parametrize("path", WORD_PAGES, ids=[p.name for p in WORD_PAGES])
def test_no_data_dependent_counts_in_words(path: Path):
    assert counted_words(path) == []


def test_count_scanner_flags_a_data_count_and_spares_fixed_facts(tmp_path):
    page = ROOT / "book" / "_count_probe.md"
    try:
        page.write_text("# Probe\n\nWe compare seven accelerators in three phases.\n\n"
                        "Prices fall tenfold each year; each tenfold step costs more.\n")
        hits = counted_words(page)
        assert hits == ["book/_count_probe.md:3: seven accelerators",
                        "book/_count_probe.md:5: tenfold each"]
    finally:
        page.unlink()
