"""The built book as readers and researchers get it: complete, offline, linked, re-executable.

These tests share one baseline build (the ``site`` fixture, built with -W -n, so any Sphinx
warning fails it) and look at it with a headless Chromium served from 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import nbformat
import pytest
from conftest import ROOT

from aiboom.results import BASES, inconsistencies, read_results

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
                # Glued charts (pasted on the summary page) are figures, not numbers.
                chart = any(k.endswith("text/html") for k in out.get("data", {}))
                if meta and not chart:
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
        assert r["quantity"] and r["subject"] and r["basis"] in BASES, r["name"]
        if r["p5"] is not None:
            assert r["p5"] <= r["p95"]


def test_one_quantity_has_one_value_across_the_book(site: Path):
    """Two records of the same quantity, subject and basis state the same number."""
    manifest = json.loads((site / "results.json").read_text())
    rows = manifest["results"]
    assert inconsistencies(rows) == []
    shared = Counter((r["quantity"], r["basis"], r["subject"]) for r in rows)
    assert sum(n > 1 for n in shared.values()) >= 5  # chapters really do share quantities


@pytest.mark.slow
def test_another_scenario_states_each_quantity_once(tmp_path: Path):
    """A forked scenario's chapters agree with each other too: the Monte Carlo chapters,
    executed for the bear scenario, state each shared quantity with one value."""
    from conftest import run_cli

    rows = []
    for name in ("02_serving_costs", "04_where_is_the_money", "05_what_comes_next",
                 "06_what_must_be_true", "08_answer"):
        proc = run_cli("execute", name, "--scenario", "data/scenarios/bear.yaml",
                       "--out", str(tmp_path))
        assert proc.returncode == 0, proc.stderr[-2000:]
        rows += [r for f in tmp_path.rglob(f"{name}.results.jsonl") for r in read_results(f)]
    assert len({r["name"] for r in rows}) > 100
    assert sum(n > 1 for n in Counter(
        (r["quantity"], r["basis"], r["subject"]) for r in rows).values()) >= 5
    assert inconsistencies(rows) == []


INTRO_BASES = {"data": {"data"}, "fitted to data": {"data"}, "Monte Carlo median": {"median"},
               "central inputs": {"central"}}


def test_intro_key_results_state_each_numbers_basis(site: Path):
    """The introduction's table says how each number was obtained, as its record does."""
    records = {r["name"]: r for r in json.loads((site / "results.json").read_text())["results"]}
    rows = [line for line in (ROOT / "book" / "intro.md").read_text().splitlines()
            if line.startswith("| ") and "glue:text" in line]
    assert len(rows) >= 10
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        name = re.search(r"::(\w+):", cells[1]).group(1)
        assert records[name]["basis"] in INTRO_BASES[cells[2]], (name, cells[2])


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


def _chart_specs(site: Path) -> list[tuple[str, dict]]:
    """(page, Vega-Lite spec) of every chart of the site."""
    out = []
    for page in _pages(site):
        for payload in re.findall(
                r'<script type="application/json" class="aiboom-chart-spec">(.*?)</script>',
                page.read_text(), re.S):
            out.append((page.name, json.loads(payload.replace("<\\/", "</"))))
    return out


#: Charts whose source names aiboom but which draw no cost curve, and why (caption prefix).
NOT_COST_CURVES = {
    "Headline results by scenario": "re-plots the recorded results of each scenario's build",
    "Capital expenditure of the four largest": "filed capex and guidance, summed by company",
    "Money spent on AI infrastructure": "filed capex and revenues, summed for one year",
}


def test_every_model_chart_names_a_tested_kernel(site: Path):
    """Every chart that shows the aiboom model carries the kernels that computed its tables
    (``usermeta.aiboom.computed_by``, from :meth:`aiboom.backend.Backend.frame`), each of them
    proved by ``test_kernel_routing`` to compute through the backend switch, on the backend
    that ``results.json`` names."""
    from test_kernel_routing import KERNELS

    backend = json.loads((site / "results.json").read_text())["backend"]
    untagged, untested, charts = [], set(), 0
    for page, spec in _chart_specs(site):
        meta = spec.get("usermeta", {}).get("aiboom", {})
        if "aiboom" not in meta.get("source", "") or any(
                meta["caption"].startswith(c) for c in NOT_COST_CURVES):
            continue
        charts += 1
        computed = meta.get("computed_by")
        if not computed:
            untagged.append(f"{page}: {meta['caption'][:70]}")
            continue
        assert computed["backend"] == backend, (page, meta["caption"][:70])
        untested |= set(computed["kernels"]) - set(KERNELS)
    assert charts >= 30
    assert not untagged, "model charts drawn from no backend kernel:\n" + "\n".join(untagged)
    assert not untested, f"kernels without a routing test: {sorted(untested)}"


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


def test_every_chart_has_a_data_table_and_the_site_ships_data(site: Path):
    for page in _pages(site):
        for fig in re.findall(r'<figure class="aiboom-chart".*?</figure>', page.read_text(),
                              re.S):
            assert re.search(r'<figure class="aiboom-chart" id="chart-[a-z0-9-]+"', fig)
            assert '<details class="aiboom-chart-data"><summary>Data table</summary>' in fig
            assert '<th scope="col">' in fig and "<td" in fig
            assert '<script type="application/json" class="aiboom-chart-spec">' in fig
    for table in (ROOT / "data").glob("*.csv"):
        assert (site / "data" / table.name).read_bytes() == table.read_bytes()
        assert (site / "data" / f"{table.stem}.meta.yml").exists()
    appendix = (site / "book" / "generated" / "91_data.html").read_text()
    assert 'href="../../data/capex.csv"' in appendix
    assert 'href="../../data/capex.meta.yml"' in appendix
    manifest = {r["name"] for r in json.loads((site / "results.json").read_text())["results"]}
    linked = set()
    for page in _pages(site):
        for href in re.findall(r'<a class="[^"]*aiboom-glued[^"]*" href="([^"]+)"',
                               page.read_text()):
            url = urlparse(href)
            assert (page.parent / url.path).resolve() == (site / "results.json").resolve()
            linked.add(re.sub(r"_p(5|95)$", "", url.fragment))
    assert len(linked) >= 20 and sorted(linked - manifest) == []
    build = (site / "_static" / "aiboom-build.js").read_text()
    assert build.startswith("window.AIBOOM_BUILD = ") and '"commit"' in build


_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
_FIT = """() => {
  const figs = Array.from(document.querySelectorAll('figure.aiboom-chart'));
  const bad = [];
  for (const f of figs) {
    const svg = f.querySelector('.aiboom-chart-view svg');
    if (!svg) { bad.push(f.id + ': not drawn'); continue; }
    if (!svg.getAttribute('aria-label')) bad.push(f.id + ': the SVG has no aria-label');
    const drawn = parseFloat(svg.getAttribute('width'));
    const column = f.parentElement.getBoundingClientRect().width;
    const box = f.getBoundingClientRect();
    if (drawn > f.clientWidth + 1) bad.push(`${f.id}: ${drawn}px in a ${f.clientWidth}px figure`);
    if (box.width > column + 1) bad.push(`${f.id}: figure ${box.width}px, column ${column}px`);
    if (box.right > window.innerWidth + 1) bad.push(`${f.id}: ends at ${box.right}px`);
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    bad.push(`page scrolls sideways: ${doc.scrollWidth}px > ${window.innerWidth}px`);
  return bad;
}"""
_AXIS_FILL = """() => Array.from(document.querySelectorAll(
  'figure.aiboom-chart .role-axis-label text')).slice(0, 40).map(t => t.getAttribute('fill'))"""


def _luminance(colour: str) -> float:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    r, g, b = (int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_charts_fit_their_column_in_light_and_dark(site: Path, site_url: str, chromium: str,
                                                   width: int):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=_ARGS)
        for html in _pages(site):
            if 'class="aiboom-chart"' not in html.read_text():
                continue
            rel = html.relative_to(site).as_posix()
            page = browser.new_page(viewport={"width": width, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            page.goto(urljoin(site_url + "/", rel), wait_until="networkidle")
            n = page.locator("figure.aiboom-chart").count()
            page.wait_for_function(
                "n => document.querySelectorAll('figure.aiboom-chart.aiboom-chart-ready')"
                ".length >= n", arg=n, timeout=30000)
            problems += [f"{rel} @{width} light: {b}" for b in page.evaluate(_FIT)]
            light = page.evaluate(_AXIS_FILL)
            page.evaluate("document.documentElement.setAttribute('data-theme', 'dark');"
                          "document.documentElement.setAttribute('data-mode', 'dark')")
            page.wait_for_function(
                "n => document.querySelectorAll('figure.aiboom-chart.aiboom-chart-dark')"
                ".length >= n", arg=n, timeout=30000)
            problems += [f"{rel} @{width} dark: {b}" for b in page.evaluate(_FIT)]
            dark = page.evaluate(_AXIS_FILL)
            if light and dark:
                assert max(map(_luminance, light)) < 0.35, (rel, light[:3])
                assert min(map(_luminance, dark)) > 0.6, (rel, dark[:3])
            problems += [f"{rel}: {e}" for e in errors]
            page.close()
        browser.close()
    assert problems == []


def test_chart_actions_work_offline(site: Path, site_url: str, chromium: str):
    import csv
    import io

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=_ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280,
                                                                        "height": 900})
        page = context.new_page()
        foreign: list[str] = []
        page.on("request", lambda r: foreign.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.goto(site_url + "/book/generated/01_capex_surge.html", wait_until="networkidle")
        fig = page.locator("figure.aiboom-chart").first
        page.wait_for_function("document.querySelector('figure.aiboom-chart.aiboom-chart-ready')")
        fig_id = fig.get_attribute("id")
        number = fig.locator("figcaption a.aiboom-fig-num")
        assert re.fullmatch(r"Figure \d+(\.\d+)?\.", number.inner_text())
        assert number.get_attribute("href") == f"#{fig_id}"
        spec = json.loads(fig.locator("script.aiboom-chart-spec").text_content())
        tables = {json.dumps(rows, sort_keys=True): rows for rows in spec["datasets"].values()}
        n_rows = sum(len(rows) for rows in tables.values())

        with page.expect_download() as dl:
            fig.get_by_role("button", name="Data (CSV)").click()
        assert dl.value.suggested_filename == f"{fig_id}.csv"
        text = Path(dl.value.path()).read_text(encoding="utf-8")
        comments = [line for line in text.splitlines() if line.startswith("#")]
        assert any(line.startswith("# Source: ") for line in comments)
        assert any("version" in line and "commit" in line for line in comments)
        rows = list(csv.reader(io.StringIO("\n".join(
            line for line in text.splitlines() if not line.startswith("#")))))
        header, body = rows[0], rows[1:]
        assert len(header) >= 2 and len(body) == n_rows
        assert any("US$" in h or "billion" in h for h in header), header

        with page.expect_download() as dl:
            fig.get_by_role("button", name="SVG").click()
        svg = Path(dl.value.path()).read_text(encoding="utf-8")
        assert dl.value.suggested_filename.endswith(".svg") and svg.lstrip().startswith("<svg")
        with page.expect_download() as dl:
            fig.get_by_role("button", name="PNG").click()
        assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        fig.get_by_role("button", name="Cite").click()
        cite = fig.locator(".aiboom-cite")
        assert cite.is_visible()
        build = page.evaluate("window.AIBOOM_BUILD")
        bibtex = cite.locator("pre").inner_text()
        assert bibtex.startswith("@misc{") and build["commit"] in bibtex
        plain = cite.locator("p").inner_text()
        assert build["version"] in plain and build["date"] in plain and f"#{fig_id}" in plain
        assert foreign == []
        context.close()
        browser.close()


def test_no_page_shows_latex_escapes(site: Path):
    """Dollar signs and other escapes in references.bib reach the reader as plain text."""
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        assert "\\$" not in text and "\\&amp;" not in text, page.relative_to(site)
