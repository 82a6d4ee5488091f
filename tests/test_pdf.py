"""The book as a PDF: every page of the table of contents, every chart as a vector drawing."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aiboom import pdf

pytestmark = pytest.mark.book


def _words(text: str) -> str:
    """Lower-case words, ligatures unfolded, so that PDF text compares with HTML text."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(re.sub(r"[^\w$%]+", " ", text).split()).lower()


def _starts_with(page: str, title: str) -> bool:
    """Whether a PDF page begins with ``title`` (after its page number)."""
    return re.sub(r"^\d+ ", "", _words(page)).startswith(title)


@pytest.fixture(scope="module")
def printed(site: Path, tmp_path_factory) -> tuple[str, list[str], object]:
    pypdf = pytest.importorskip("pypdf")
    out = pdf.write_pdf(site, tmp_path_factory.mktemp("pdf") / "book.pdf")
    reader = pypdf.PdfReader(str(out))
    pages = [p.extract_text() or "" for p in reader.pages]
    return pdf.print_document(site), pages, reader


def test_pdf_has_every_chapter_in_order_with_contents_and_outline(site: Path, printed):
    _, pages, reader = printed
    text = _words(" ".join(pages))
    titles = []
    for _, doc in pdf.toc_pages():
        soup = BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
        h1 = soup.find("article", class_="bd-article").find("h1")
        titles.append(_words(h1.get_text(" ", strip=True)))
    # Each page of the table of contents starts a new PDF page, in reading order.
    at = 1
    for title in titles:
        found = next((i for i in range(at + 1, len(pages)) if _starts_with(pages[i], title)),
                     None)
        assert found is not None, f"no PDF page after page {at + 1} starts with {title!r}"
        at = found
    assert len(reader.outline) >= len(titles)
    assert "references" in text and "cahn" in text  # the bibliography is printed
    assert len(pages) > 3 * len(titles)


def test_every_chart_is_printed_as_a_vector_drawing_with_its_caption(printed):
    document, pages, _ = printed
    soup = BeautifulSoup(document, "html.parser")
    figures = soup.select("figure.aiboom-chart")
    assert len(figures) >= 20
    text = _words(" ".join(pages))
    for fig in figures:
        img = fig.find("img")
        assert img is not None and img["src"].startswith("data:image/svg+xml;base64,")
        caption = _words(fig.select_one(".aiboom-caption").get_text())
        assert caption[:60] in text, caption[:60]
    # Nothing interactive or hidden reaches paper.
    assert not soup.select("script.aiboom-chart-spec, div.cell_input, details.aiboom-chart-data")
