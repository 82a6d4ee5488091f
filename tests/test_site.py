"""The built book as readers and researchers get it: complete, offline, linked, re-executable.

These tests share one baseline build (the ``site`` fixture, built with -W -n, so any Sphinx
warning fails it) and look at it with a headless Chromium served from 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import pytest
from conftest import ROOT

pytestmark = pytest.mark.book

GENERATED = ROOT / "book" / "generated" / "baseline"


def _pages(site: Path) -> list[Path]:
    skip = {"genindex.html", "search.html"}
    return [p for p in sorted(site.rglob("*.html")) if p.name not in skip
            and "_static" not in p.parts and "_sources" not in p.parts]


def _glued_names() -> dict[str, str]:
    names = {}
    for nb_path in sorted(GENERATED.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                meta = out.get("metadata", {}).get("scrapbook")
                if meta:
                    names[meta["name"]] = nb_path.stem
    return names


def test_manifest_covers_every_glued_number(site: Path):
    manifest = json.loads((site / "results.json").read_text())
    recorded = {r["name"] for r in manifest["results"]}
    recorded |= {f"{n}_p5" for n in recorded} | {f"{n}_p95" for n in recorded}
    glued = _glued_names()
    assert len(glued) >= 20
    assert sorted(set(glued) - recorded) == []
    for r in manifest["results"]:
        assert r["unit"] and r["description"] and r["scenario"] == "baseline"
        if r["p5"] is not None:
            assert r["p5"] <= r["p95"]


def test_every_glue_reference_in_prose_exists():
    glued = _glued_names()
    refs = set()
    for page in list((ROOT / "book").glob("*.md")) + list((ROOT / "notebooks").glob("*.md")):
        for m in re.finditer(r"\{glue(?::\w+)?\}`(?:[\w./]+::)?([\w]+)", page.read_text()):
            refs.add(m.group(1))
    assert sorted(refs - set(glued)) == []


def test_at_least_twenty_charts_each_with_caption_and_alt(site: Path):
    total = 0
    for page in _pages(site):
        text = page.read_text()
        figs = re.findall(r'<figure class="aiboom-chart".*?</figure>', text, re.S)
        for fig in figs:
            assert "<figcaption>" in fig and 'aria-label="' in fig and "Source:" in fig
            assert '<noscript><img class="aiboom-chart-static"' in fig
        total += len(figs)
    assert total >= 20


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append((tag, a[key]))


def _parse(page: Path) -> _Refs:
    p = _Refs()
    p.feed(page.read_text(encoding="utf-8"))
    return p


def test_site_loads_nothing_from_other_hosts(site: Path):
    for page in _pages(site):
        for tag, ref in _parse(page).refs:
            if tag in {"script", "link", "img", "iframe", "source"}:
                assert not urlparse(ref).scheme.startswith("http"), f"{page}: {tag} {ref}"
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?https?://|@import\s+['\"]?https?://",
                             css.read_text(errors="replace")), css


def test_every_internal_link_and_anchor_resolves(site: Path):
    parsed = {page: _parse(page) for page in site.rglob("*.html")}
    broken = []
    for page, refs in parsed.items():
        if "_static" in page.parts:
            continue
        for _tag, ref in refs.refs:
            url = urlparse(ref)
            if url.scheme or ref.startswith(("mailto:", "data:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {ref}")
            elif url.fragment and target.suffix == ".html":
                ids = parsed.get(target) or _parse(target)
                if url.fragment not in ids.ids:
                    broken.append(f"{page.relative_to(site)} -> {ref} (no anchor)")
    assert broken == []
    report = json.loads((site / "external-links.json").read_text())
    assert all(u.startswith("http") for u in report)


def test_every_page_renders_its_charts_offline_in_chromium(site: Path, site_url: str,
                                                           chromium: str):
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
    problems, charts_seen = [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        for html in _pages(site):
            rel = html.relative_to(site).as_posix()
            page = browser.new_page()
            errors: list[str] = []
            foreign: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error"
                    else None)
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            page.on("request", lambda r, f=foreign: f.append(r.url)
                    if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
            page.goto(urljoin(site_url + "/", rel), wait_until="networkidle")
            n = page.locator("figure.aiboom-chart").count()
            if n:
                page.wait_for_function(
                    "n => document.querySelectorAll('figure.aiboom-chart .aiboom-chart-view "
                    "svg, figure.aiboom-chart .aiboom-chart-view canvas').length >= n", arg=n,
                    timeout=15000)
            charts_seen += n
            if errors:
                problems.append(f"{rel}: console errors {errors}")
            if foreign:
                problems.append(f"{rel}: requests left localhost {foreign}")
            page.close()
        browser.close()
    assert problems == []
    assert charts_seen >= 20


def test_executed_notebooks_reproduce_under_nbval(site: Path):
    notebooks = sorted(str(p) for p in GENERATED.glob("*.ipynb"))
    assert notebooks
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-sanitize-with",
         str(ROOT / "tests" / "nbval_sanitize.cfg"), "--rootdir", str(GENERATED),
         *notebooks], capture_output=True, text=True, cwd=ROOT, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-4000:]
