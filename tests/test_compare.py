"""Changing one assumption changes the book; scenarios compare from their manifests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from aiboom import compare


def _write_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "pricey.yaml"
    path.write_text("name: pricey\ntitle: Pricey GPUs\noverrides:\n"
                    "  h100_usd_per_gpu_hour: 4.0\n")
    return path


def _values(site: Path) -> dict[str, float]:
    manifest = json.loads((site / "results.json").read_text())
    return {r["name"]: r["value"] for r in manifest["results"]}


def _chart_specs(page: Path) -> list[str]:
    return re.findall(r'<script type="application/json" class="aiboom-chart-spec">(.*?)</script>',
                      page.read_text(), re.S)


@pytest.mark.slow
def test_changing_an_assumption_changes_glued_numbers_and_charts(tmp_path: Path):
    base_out, new_out = tmp_path / "base", tmp_path / "pricey"
    proc = run_cli("build", "--only", "02_serving", "--out", str(base_out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = run_cli("build", "--only", "02_serving", "--scenario",
                   str(_write_scenario(tmp_path)), "--out", str(new_out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    base, new = _values(base_out), _values(new_out)
    # The GPU-hour price doubles, so the cost of a query doubles; other facts stay put.
    assert new["serve_usd_per_query_mix"] == pytest.approx(2 * base["serve_usd_per_query_mix"],
                                                           rel=1e-9)
    assert new["serve_price_usd_month"] == base["serve_price_usd_month"]
    page = "book/generated/02_serving_costs.html"
    base_html, new_html = (d / page for d in (base_out, new_out))
    assert _chart_specs(base_html) != _chart_specs(new_html)
    glued = re.findall(r'<span class="pasted-text">([^<]*)</span>', new_html.read_text())
    assert glued != re.findall(r'<span class="pasted-text">([^<]*)</span>',
                               base_html.read_text())


def test_comparison_frame_and_files(tmp_path: Path):
    manifests = [
        {"scenario": {"name": n, "title": n.title()}, "results": [
            {"name": "cost", "description": "cost per query", "unit": "USD", "value": v,
             "p5": v / 2, "p95": v * 2}]} for n, v in (("a", 1.0), ("b", 3.0))]
    frame = compare.comparison_frame(manifests, ["cost"])
    assert list(frame["value"]) == [1.0, 3.0]
    wide = compare.wide_table(frame)
    assert list(wide.columns) == ["Result", "Unit", "Basis", "A", "B"]
    assert list(wide.iloc[0]) == ["cost per query", "USD", "", "1.00", "3.00"]
    out = compare.write_comparison(manifests, tmp_path / "cmp", ["cost"])
    html = (out / "index.html").read_text()
    assert "vega-bundle.js" in html and "cdn" not in html and html.count("aiboom-chart") >= 1
    assert json.loads((out / "comparison.json").read_text())["results"][1]["value"] == 3.0
    with pytest.raises(KeyError, match="missing"):
        compare.comparison_frame(manifests, ["nope"])


@pytest.mark.book
def test_headline_results_are_the_numbers_their_chapters_record(site: Path):
    """The scenarios page computes each headline result as its chapter does: the same row,
    to the last bit, under the scenario the book was built for."""
    assert len(compare.HEADLINE_KEYS) >= 5
    manifest = json.loads((site / "results.json").read_text())
    recorded = {r["name"]: r for r in manifest["results"]}
    headline = compare.scenario_manifest(ROOT / "data" / "scenarios" / "baseline.yaml")
    assert [r["name"] for r in headline["results"]] == list(compare.HEADLINE_KEYS)
    for row in headline["results"]:
        assert row["notebook"] in compare.HEADLINE_NOTEBOOKS, row["name"]
        assert row == recorded[row["name"]]
    assert headline["scenario"] == manifest["scenario"]


@pytest.mark.slow
def test_compare_cli_reads_manifests(tmp_path: Path):
    scenarios = [ROOT / "data" / "scenarios" / "baseline.yaml", _write_scenario(tmp_path)]
    proc = run_cli("compare", *map(str, scenarios), "--out", str(tmp_path / "cmp"),
                   timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    frame = json.loads((tmp_path / "cmp" / "comparison.json").read_text())["results"]
    assert {r["scenario"] for r in frame} == {"baseline", "pricey"}


def test_scenario_table_names_results_rounds_and_says_never():
    def manifest(name, payback, cost):
        return {"scenario": {"name": name, "title": name.title()}, "results": [
            {"name": "money_payback_genai", "description": "median payback", "unit": "months",
             "quantity": "payback_months", "basis": "median", "value": payback,
             "p5": None, "p95": None},
            {"name": "serve_usd_per_query_mix_cents", "description": "cost", "unit": "c",
             "quantity": "usd_per_query", "basis": "median", "value": cost,
             "p5": cost / 2, "p95": cost * 2}]}
    frame = compare.comparison_frame(
        [manifest("base", 40.71, 0.48974), manifest("bear", compare.PAYBACK_HORIZON_MONTHS,
                                                      1.861)],
        ["money_payback_genai", "serve_usd_per_query_mix_cents"])
    wide = compare.wide_table(frame).set_index("Result")
    payback = wide.loc["Payback of a generative-AI project"]
    assert payback["Basis"] == "Monte Carlo median" and payback["Unit"] == "months"
    assert payback["Base"] == "40.7" and payback["Bear"].startswith("never")
    assert list(wide.loc["Cost of an average chatbot query", ["Base", "Bear"]]) == \
        ["0.490", "1.86"]
    spec = compare.chart_small_multiples(frame).to_dict()
    assert len(spec["concat"]) == 2 and spec["columns"] == 2
    alt_text = compare.small_multiples_alt(frame)
    assert "Bear never" in alt_text and "money_payback" not in alt_text
