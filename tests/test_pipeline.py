"""The pipeline end to end on a one-notebook book: build, cache, atomic swap, errors."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

FAILING = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# Broken

```{code-cell} ipython3
:tags: [parameters]
scenario_file = None
```

```{code-cell} ipython3
x = 1
```

```{code-cell} ipython3
raise RuntimeError("deliberate failure for the test")
```
"""


def test_build_writes_site_manifest_and_local_charts(minibook: Path):
    proc = run_cli("build", root=minibook)
    assert proc.returncode == 0, proc.stderr
    html = minibook / "_build" / "html"
    # Progress per notebook: name and elapsed seconds.
    assert "[1/1] 01_demo.md" in proc.stdout and " s" in proc.stdout
    manifest = json.loads((html / "results.json").read_text())
    assert manifest["scenario"]["name"] == "baseline"
    price = {r["name"]: r for r in manifest["results"]}["price"]
    assert price["value"] == 2.0 and price["unit"] == "USD/GPU-hour"
    # The intro pastes a number glued in another notebook.
    intro = (html / "book" / "intro.html").read_text()
    assert '<span class="pasted-text">2.00</span>' in intro
    chapter = (html / "book" / "generated" / "01_demo.html").read_text()
    assert "vega-bundle.js" in chapter and (html / "_static" / "vega-bundle.js").stat().st_size \
        > 100_000
    assert "cdn.jsdelivr" not in chapter and "<noscript><img" in chapter


def _build(minibook: Path, *args: str) -> str:
    proc = run_cli("build", *args, root=minibook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _rendered(stdout: str) -> bool:
    """Whether a build rendered the site (else it said the site was up to date)."""
    if "rendering with Jupyter Book" in stdout:
        assert "up to date" not in stdout
        return True
    assert "is up to date: built from the same inputs, nothing rendered" in stdout
    return False


def test_second_build_executes_and_renders_nothing(minibook: Path):
    assert _rendered(_build(minibook))
    again = _build(minibook)
    assert "cached" in again and " s\n" not in again.split("up to date")[0]
    assert not _rendered(again)


def test_any_changed_input_renders_the_site_again(minibook: Path):
    html = minibook / "_build" / "html"
    _build(minibook)
    # A book page.
    intro = minibook / "book" / "intro.md"
    intro.write_text(intro.read_text() + "\nOne more sentence.\n")
    out = _build(minibook)
    assert _rendered(out) and "cached" in out
    assert "One more sentence." in (html / "book" / "intro.html").read_text()
    assert not _rendered(_build(minibook))
    # A file of the site deleted, or changed.
    (html / "external-links.json").unlink()
    assert _rendered(_build(minibook)) and (html / "external-links.json").is_file()
    page = html / "book" / "intro.html"
    page.write_text(page.read_text().replace("One more sentence.", "Edited by hand."))
    assert _rendered(_build(minibook)) and "One more sentence." in page.read_text()
    # The configuration, and a forced build.
    config = minibook / "_config.yml"
    config.write_text(config.read_text() + "\n# a comment\n")
    assert _rendered(_build(minibook))
    forced = _build(minibook, "--force")
    assert _rendered(forced) and "cached" not in forced
    # A value of the scenario: the notebook runs again, and the page says the new number.
    scenario = minibook / "data" / "scenarios" / "baseline.yaml"
    scenario.write_text(scenario.read_text().replace(
        "overrides: {}", "overrides: {h100_usd_per_gpu_hour: 3.0}"))
    out = _build(minibook)
    assert _rendered(out) and "cached" not in out
    price = {r["name"]: r for r in json.loads((html / "results.json").read_text())["results"]}
    assert price["price"]["value"] == 3.0
    assert not _rendered(_build(minibook))


def test_failing_notebook_names_cell_and_keeps_previous_site(minibook: Path):
    assert run_cli("build", root=minibook).returncode == 0
    index = minibook / "_build" / "html" / "book" / "intro.html"
    before = index.read_bytes()
    (minibook / "notebooks" / "02_broken.md").write_text(FAILING)
    proc = run_cli("build", root=minibook)
    assert proc.returncode == 1
    assert "notebooks/02_broken.md" in proc.stderr
    assert "cell 4 ('raise RuntimeError" in proc.stderr and "deliberate failure" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert index.read_bytes() == before
    assert not [p for p in (minibook / "_build").iterdir() if "aiboom-stage" in p.name]


def test_bad_scenario_stops_before_anything_runs(minibook: Path, tmp_path: Path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\ntitle: Typo\noverides: {}\n")
    proc = run_cli("build", "--scenario", str(bad), root=minibook)
    assert proc.returncode == 2
    assert "typo.yaml:3" in proc.stderr and "did you mean 'overrides'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (minibook / "_build").exists()


def test_execute_one_notebook(minibook: Path):
    proc = run_cli("execute", "01_demo", root=minibook)
    assert proc.returncode == 0, proc.stderr
    assert (minibook / "book" / "generated" / "baseline" / "01_demo.ipynb").exists()


def test_results_and_every_page_say_what_computed_them(minibook: Path):
    proc = run_cli("build", root=minibook)
    assert proc.returncode == 0, proc.stderr
    html = minibook / "_build" / "html"
    manifest = json.loads((html / "results.json").read_text())
    assert manifest["backend"] == "numpy" and "NumPy" in manifest["device"]
    assert manifest["source"]["version"] and manifest["source"]["commit"] == "unknown"
    pages = sorted(html.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text()
        if "<footer" in text:
            assert "aiboom-colophon" in text and "on the CPU (the canonical build)" in text, page


def test_cache_key_follows_the_backend(monkeypatch):
    from aiboom import backend
    from aiboom.build import cache_key, notebook_templates
    from aiboom.scenarios import load_scenario

    template, scenario = notebook_templates()[0], load_scenario()
    cpu = cache_key(template, scenario)
    monkeypatch.setattr(backend, "provenance", lambda name=None: {
        "backend": "cupy", "device": "GPU 0 (NVIDIA H200), CuPy 14.2.0"})
    assert cache_key(template, scenario) != cpu


def test_pdf_build_serves_the_book_and_never_overwrites_a_foreign_file(minibook: Path):
    target = minibook / "_build" / "book.pdf"
    proc = run_cli("build", "--pdf", str(target), root=minibook)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = minibook / "_build" / "html"
    assert target.read_bytes()[:5] == b"%PDF-"
    assert (html / "book.pdf").read_bytes() == target.read_bytes()
    facts = (html / "_static" / "aiboom-build.js").read_text()
    assert '"pdf": "book.pdf"' in facts  # the download button serves the file
    # Rebuilding over aiboom's own PDF is fine (the site is up to date, the copy is made
    # again); a build without --pdf renders a site without it, and --pdf after it prints.
    target.unlink()
    assert not _rendered(_build(minibook, "--pdf", str(target)))
    assert target.read_bytes() == (html / "book.pdf").read_bytes()
    assert _rendered(_build(minibook)) and not (html / "book.pdf").exists()
    assert _rendered(_build(minibook, "--pdf", str(target))) and (html / "book.pdf").is_file()
    mine = minibook / "mine.pdf"
    mine.write_bytes(b"%PDF-1.4 the reader's own file")
    refused = run_cli("build", "--pdf", str(mine), root=minibook)
    assert refused.returncode == 2 and "mine.pdf" in refused.stderr
    assert mine.read_bytes() == b"%PDF-1.4 the reader's own file"
