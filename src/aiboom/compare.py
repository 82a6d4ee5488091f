"""Scenarios side by side: headline results read from each scenario's results manifest.

:func:`scenario_manifest` executes (or takes from the cache) the chapter notebooks that produce
the headline results for one scenario and returns the same manifest a full build writes to
``results.json``. :func:`comparison_frame` lines the headline numbers up; ``aiboom compare``
writes them as CSV, JSON and an offline HTML page with charts.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from aiboom import charts, outputs, paths
from aiboom.build import execute_notebook, manifest, notebook_templates
from aiboom.scenarios import load_scenario

#: Notebooks whose results feed the comparison (the chapters of the three phases and outlook).
HEADLINE_NOTEBOOKS: tuple[str, ...] = (
    "01_capex_surge", "02_serving_costs", "04_where_is_the_money", "05_what_comes_next",
)
#: Result names shown in the comparison, in order. Each must be recorded by one of the
#: notebooks above (tests/test_compare.py checks that against the built manifest).
HEADLINE_KEYS: tuple[str, ...] = (
    "capex_cahn_latest_gap_usd_bn", "serve_usd_per_query_mix_cents", "serve_wh_mix",
    "money_payback_genai", "money_payback_agentic", "money_subsidy_usd_bn_month",
    "money_cleanup_added_months", "next_small_ratio",
)


def scenario_manifest(path: str | Path, *, log=print) -> dict:
    """Manifest of the headline notebooks for one scenario, executing only what changed."""
    scenario = load_scenario(path)
    executed = []
    for template in notebook_templates():
        if template.stem in HEADLINE_NOTEBOOKS:
            ex = execute_notebook(template, scenario, paths.BOOK / "generated" / scenario.name)
            log(f"  {scenario.name:<14} {template.stem:<26} "
                f"{'cached' if ex.cached else f'{ex.seconds:.1f} s'}")
            executed.append(ex)
    return manifest(scenario, executed)


def own_scenarios_sentence(own: Sequence) -> str:
    """A sentence naming the scenario files a fork added beside the shipped ones ('' if none).

    ``own`` holds :class:`aiboom.scenarios.Scenario` objects whose ``shipped`` is False.
    """
    if not own:
        return ""
    names = [f"{s.title} ({s.name}.yaml)" for s in own]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    files = "file" if len(names) == 1 else "files"
    return (f"This build also compares this fork's own scenario {files}: {listed}; they are "
            "labelled as such below and are not part of the published book.")


def comparison_frame(manifests: Sequence[dict], keys: Sequence[str] = HEADLINE_KEYS
                     ) -> pd.DataFrame:
    """Tidy table: one row per scenario and headline result (value, p5, p95, unit)."""
    rows = []
    for m in manifests:
        by_name = {r["name"]: r for r in m["results"]}
        for key in keys or list(by_name):
            r = by_name.get(key)
            if r is None:
                raise KeyError(f"result {key!r} missing from scenario {m['scenario']['name']}")
            rows.append({"scenario": m["scenario"]["name"], "title": m["scenario"]["title"],
                         "name": key, "description": r["description"], "unit": r["unit"],
                         "value": r["value"], "p5": r["p5"], "p95": r["p95"]})
    return pd.DataFrame(rows)


def wide_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per result, one column per scenario (central values)."""
    wide = frame.pivot_table(index=["name", "description", "unit"], columns="scenario",
                             values="value", aggfunc="first", sort=False)
    return wide.reset_index()


def chart_result(frame: pd.DataFrame, key: str):
    """Bars (with ninety per cent intervals where known) of one result across scenarios."""
    import altair as alt

    sub = frame[frame["name"] == key]
    unit, desc = sub["unit"].iloc[0], sub["description"].iloc[0]
    base = alt.Chart(sub).encode(y=alt.Y("title:N", title=None, sort=list(sub["title"])))
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=f"{desc} ({unit})"),
        tooltip=[alt.Tooltip("title:N", title="Scenario"),
                 alt.Tooltip("value:Q", title=desc, format=",.4g"),
                 alt.Tooltip("p5:Q", title="5th percentile", format=",.4g"),
                 alt.Tooltip("p95:Q", title="95th percentile", format=",.4g")])
    layers = [bars]
    if sub["p5"].notna().any():
        layers.append(base.mark_rule(color="#333").encode(x="p5:Q", x2="p95:Q"))
    return alt.layer(*layers).properties(height=40 * len(sub) + 20)


def write_comparison(manifests: Sequence[dict], out: str | Path,
                     keys: Sequence[str] = HEADLINE_KEYS) -> Path:
    """Write ``comparison.csv``, ``comparison.json`` and an offline ``index.html`` to ``out``.

    ``out`` is replaced as a whole, and only when aiboom created it
    (:func:`aiboom.outputs.claim_folder`); the files are staged beside it first.
    """
    target = outputs.claim_folder(out)
    frame = comparison_frame(manifests, keys)
    with outputs.stage_folder(target) as stage:
        folder = stage / "comparison"
        folder.mkdir()
        _write_comparison_files(manifests, frame, folder)
        outputs.swap_in(folder, target, kind="comparison")
    return target


def _write_comparison_files(manifests: Sequence[dict], frame: pd.DataFrame, out: Path) -> None:
    frame.to_csv(out / "comparison.csv", index=False)
    (out / "comparison.json").write_text(json.dumps(
        {"scenarios": [m["scenario"] for m in manifests],
         "results": frame.to_dict(orient="records")}, indent=1, sort_keys=True) + "\n")
    head = "".join(charts.write_page_assets(out))
    figures = []
    for key in dict.fromkeys(frame["name"]):
        sub = frame[frame["name"] == key]
        chart = charts.figure(chart_result(frame, key), caption=sub["description"].iloc[0],
                              source="aiboom results manifests of each scenario",
                              alt_text=f"{sub['description'].iloc[0]} by scenario")
        figures.append(charts.render_html(chart.to_dict())["text/html"])
    from aiboom.tables import html_table

    table = html_table(wide_table(frame), numeric=tuple(frame["scenario"].unique()))
    titles = ", ".join(html.escape(m["scenario"]["title"]) for m in manifests)
    (out / "index.html").write_text(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
        f"content=\"width=device-width, initial-scale=1\"><title>aiboom scenario comparison"
        f"</title>{head}"
        "</head><body style=\"font-family: system-ui, sans-serif; max-width: 820px; "
        f"margin: 2rem auto\"><h1>Scenario comparison</h1><p>{titles}</p>{table.data}"
        + "".join(figures) + "</body></html>\n", encoding="utf-8")
