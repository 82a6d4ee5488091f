"""The book as one PDF: the built site's pages in table-of-contents order, printed offline.

Each page's article is taken from the built HTML, its charts replaced by the static SVG that
vl-convert drew at build time (vector, so sharp at any zoom), its code cells, data tables and
navigation removed, its ids prefixed by the page so that cross-references between chapters
become links inside the PDF. A title page, a table of contents and print CSS are added, and the
local Chromium (the one the browser tests use) prints the document, with MathJax served from the
site's own ``_static`` folder by a server on 127.0.0.1: nothing is downloaded.
"""

from __future__ import annotations

import functools
import html as html_lib
import http.server
import json
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from aiboom import paths
from aiboom.errors import BuildError

#: Browsers tried in order when no path is given (Debian's package first).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-center { content: counter(page); font: 9pt sans-serif; color: #555; } }
@page :first { @bottom-center { content: none; } }
html { font: 10.5pt/1.45 "DejaVu Serif", Georgia, serif; color: #111; }
body { margin: 0; }
h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, sans-serif; line-height: 1.2;
                 break-after: avoid; }
h1 { font-size: 20pt; margin: 0 0 10pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; }
h3 { font-size: 12pt; margin: 12pt 0 4pt; }
section.aiboom-page { break-before: page; }
a { color: #1a4d8f; text-decoration: none; }
figure.aiboom-chart { break-inside: avoid; margin: 10pt 0 14pt; }
figure.aiboom-chart img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figure.aiboom-chart figcaption { font-size: 9pt; color: #333; margin-top: 4pt; }
.aiboom-source { font-style: italic; color: #555; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 8pt 0; break-inside: auto; }
th, td { border-bottom: 0.5pt solid #bbb; padding: 2pt 5pt; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; }
.admonition { border-left: 3pt solid #1a4d8f; background: #f3f6fa; padding: 4pt 10pt;
              margin: 8pt 0; break-inside: avoid; }
.admonition-title { font-weight: bold; margin: 2pt 0; }
pre, code { font: 8.5pt "DejaVu Sans Mono", monospace; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 6pt; }
.aiboom-title { break-after: page; padding-top: 60mm; text-align: center; }
.aiboom-title h1 { font-size: 30pt; }
.aiboom-title p { font-family: "DejaVu Sans", Helvetica, sans-serif; color: #333; }
nav.aiboom-toc ol { list-style: none; padding-left: 0; }
nav.aiboom-toc li { margin: 3pt 0; }
nav.aiboom-toc li.part { font-weight: bold; margin-top: 10pt; }
.math { break-inside: avoid; }
"""

#: Elements that belong to the screen, not to paper (CSS selectors).
SCREEN_ONLY = (
    "a.headerlink", "div.cell_input", "details.hide", "div.aiboom-chart-view",
    "details.aiboom-chart-data", "script", "button", ".toggle-details", ".aiboom-chart-actions",
    "div.prev-next-area", "footer", "nav",
)


def toc_pages(toc_path: Path | None = None) -> list[tuple[str | None, str]]:
    """(part caption, document path without suffix) in reading order, from ``_toc.yml``."""
    toc = yaml.safe_load((toc_path or paths.BOOK / "_toc.yml").read_text(encoding="utf-8"))
    pages: list[tuple[str | None, str]] = [(None, toc["root"])]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append((part.get("caption"), chapter["file"]))
    return pages


def _slug(doc: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", doc.lower()).strip("-")


def _page_article(site: Path, doc: str):
    from bs4 import BeautifulSoup

    page = site / f"{doc}.html"
    if not page.is_file():
        raise BuildError(f"the PDF needs {page}, which the build did not write")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article", class_="bd-article")
    if article is None:
        raise BuildError(f"{page}: no <article class='bd-article'> to print")
    return article


def _print_article(article, doc: str, site: Path) -> None:
    """Make one page's article fit for paper, in place."""
    for noscript in article.find_all("noscript"):
        img = noscript.find("img")
        if img is not None:
            noscript.replace_with(img)
        else:
            noscript.decompose()
    for selector in SCREEN_ONLY:
        for node in article.select(selector):
            node.decompose()
    slug = _slug(doc)
    for node in article.find_all(id=True):
        node["id"] = f"{slug}--{node['id']}"
    here = (site / doc).parent
    for a in article.find_all("a", href=True):
        href = a["href"]
        if re.match(r"^[a-z]+:", href):
            continue
        target, _, fragment = href.partition("#")
        if not target:
            a["href"] = f"#{slug}--{fragment}" if fragment else f"#{slug}"
            continue
        resolved = (here / target).resolve()
        try:
            rel = resolved.relative_to(site.resolve()).with_suffix("").as_posix()
        except ValueError:
            continue
        if (site / f"{rel}.html").is_file():
            other = _slug(rel)
            a["href"] = f"#{other}--{fragment}" if fragment else f"#{other}"
        else:
            a["href"] = (here / target).resolve().as_uri()
    for img in article.find_all("img", src=True):
        if not img["src"].startswith("data:"):
            img["src"] = (here / img["src"]).resolve().as_uri()


def print_document(site: Path, *, toc_path: Path | None = None) -> str:
    """The single HTML document the PDF is printed from.

    Parameters
    ----------
    site : Path
        A built site (``aiboom build``'s output folder).
    toc_path : Path, optional
        The table of contents (default ``book/_toc.yml``).
    """
    facts = {}
    build_js = site / "_static" / "aiboom-build.js"
    if build_js.is_file():
        text = build_js.read_text(encoding="utf-8")
        facts = json.loads(text[text.index("{"):text.rindex("}") + 1])
    title = facts.get("title", "The AI boom, in numbers")
    colophon = ", ".join(f"{k} {facts[k]}" for k in ("version", "commit", "date", "scenario")
                         if facts.get(k))
    toc_items, bodies, last_part = [], [], None
    for part, doc in toc_pages(toc_path):
        article = _page_article(site, doc)
        _print_article(article, doc, site)
        heading = article.find("h1")
        name = heading.get_text(" ", strip=True) if heading else doc
        if part and part != last_part:
            toc_items.append(f'<li class="part">{html_lib.escape(part)}</li>')
            last_part = part
        toc_items.append(f'<li><a href="#{_slug(doc)}">{html_lib.escape(name)}</a></li>')
        bodies.append(f'<section class="aiboom-page" id="{_slug(doc)}">'
                      f"{article.decode_contents()}</section>")
    mathjax = (site / "_static" / "mathjax" / "tex-chtml.js").resolve()
    # The same MathJax settings as the site: only elements marked as math are typeset.
    math_script = ('<script>window.MathJax = {"options": {"processHtmlClass": '
                   '"tex2jax_process|mathjax_process|math|output_area"}}</script>'
                   f'<script defer src="{mathjax.as_uri()}"></script>'
                   if mathjax.is_file() else "")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html_lib.escape(title)}</title><style>{PRINT_CSS}</style>{math_script}"
        "</head><body>"
        f'<div class="aiboom-title"><h1>{html_lib.escape(title)}</h1>'
        f"<p>{html_lib.escape(colophon)}</p>"
        "<p>Every number and chart in this book is computed from its data and scenario "
        "when the book is built.</p></div>"
        f'<nav class="aiboom-toc"><h1>Contents</h1><ol>{"".join(toc_items)}</ol></nav>'
        f'{"".join(bodies)}</body></html>'
    )


def find_chromium(explicit: str | None = None) -> str:
    """Path of a Chromium-family browser to print with, or :class:`BuildError`."""
    for name in ((explicit,) if explicit else CHROMIUM_NAMES):
        found = shutil.which(name) if name else None
        if found:
            return found
    raise BuildError("the PDF is printed by Chromium, and none was found "
                     f"(tried {', '.join(CHROMIUM_NAMES)}); install Debian's 'chromium'")


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (MathJax's fonts load over http, not file://)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def write_pdf(site: Path, out: Path, *, chromium: str | None = None,
              timeout_s: float = 300.0) -> Path:
    """Print the built ``site`` to ``out`` (A4, vector charts, contents, references).

    The document is assembled by :func:`print_document`, written beside the site, served on
    127.0.0.1 and printed by headless Chromium with background networking off.
    Returns ``out``; raises :class:`BuildError` when Chromium fails or writes nothing.
    """
    browser = find_chromium(chromium)
    site = Path(site).resolve()
    document = print_document(site)
    with tempfile.TemporaryDirectory(prefix="aiboom-pdf-") as tmp:
        folder = Path(tmp)
        (folder / "site").symlink_to(site, target_is_directory=True)
        # file:// URIs of the site become paths under the local server's "site/" folder.
        document = document.replace(site.as_uri(), "site")
        (folder / "book.html").write_text(document, encoding="utf-8")
        target = folder / "book.pdf"
        with _serve(folder) as url:
            cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-first-run", "--no-pdf-header-footer", "--generate-pdf-document-outline",
                   "--run-all-compositor-stages-before-draw", "--virtual-time-budget=30000",
                   f"--user-data-dir={folder / 'profile'}",
                   f"--print-to-pdf={target}", f"{url}/book.html"]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
            except subprocess.TimeoutExpired as exc:
                raise BuildError(f"Chromium did not finish printing within {timeout_s:.0f} s"
                                 ) from exc
        if not target.is_file() or target.stat().st_size == 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-10:])
            raise BuildError(f"Chromium wrote no PDF (exit {proc.returncode}):\n{tail}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, out)
    return out
