"""Scenarios side by side: headline results read from each scenario's results manifest.

:func:`scenario_manifest` executes (or takes from the cache) the chapter notebooks that produce
the headline results for one scenario and returns the same manifest a full build writes to
``results.json``. :func:`comparison_frame` lines the headline numbers up; ``aiboom compare``
writes them as CSV, JSON and an offline HTML page with charts.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from aiboom import charts, outputs, paths
from aiboom.build import execute_notebook, manifest, notebook_templates
from aiboom.kernels import PAYBACK_HORIZON_MONTHS
from aiboom.scenarios import load_scenario

#: Notebooks whose results feed the comparison (the chapters of the three phases and outlook).
#: Chapter 1 reads data that no scenario changes (capex, NVIDIA revenue), so it is left out.
HEADLINE_NOTEBOOKS: tuple[str, ...] = (
    "02_serving_costs", "04_where_is_the_money", "05_what_comes_next",
)
#: Result names shown in the comparison, in order. Each must be recorded by one of the
#: notebooks above (tests/test_compare.py checks that against the built manifest).
HEADLINE_KEYS: tuple[str, ...] = (
    "serve_usd_per_query_mix_cents", "serve_wh_mix",
    "money_payback_genai", "money_payback_agentic", "money_subsidy_usd_bn_month",
    "money_cleanup_added_months", "next_small_ratio",
)
#: Reader's names and units of the headline results (keys stay in the CSV and JSON only).
HEADLINE_LABELS: dict[str, tuple[str, str]] = {
    "serve_usd_per_query_mix_cents": ("Cost of an average chatbot query", "US cents"),
    "serve_wh_mix": ("Energy per average query", "watt-hours"),
    "money_payback_genai": ("Payback of a generative-AI project", "months"),
    "money_payback_agentic": ("Payback of an agentic-AI project", "months"),
    "money_subsidy_usd_bn_month": ("Compute cost of free users", "US$ billion a month"),
    "money_cleanup_added_months": ("Payback added by data clean-up", "months"),
    "next_small_ratio": ("Frontier over small-model cost per query", "times"),
}
#: How each basis reads in a table.
BASIS_LABELS: dict[str, str] = {
    "median": "Monte Carlo median", "central": "central inputs", "data": "data",
    "list_price": "list price", "scenario": "scenario setting",
}


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
            label, unit = HEADLINE_LABELS.get(key, (r["description"], r["unit"]))
            never = r.get("quantity") == "payback_months" and r["value"] >= \
                PAYBACK_HORIZON_MONTHS
            rows.append({"scenario": m["scenario"]["name"], "title": m["scenario"]["title"],
                         "name": key, "description": r["description"], "unit": r["unit"],
                         "label": label, "unit_label": unit,
                         "basis": BASIS_LABELS.get(r.get("basis", ""), r.get("basis", "")),
                         "never": never, "value": r["value"], "p5": r["p5"], "p95": r["p95"]})
    return pd.DataFrame(rows)


def value_text(value: float, never: bool = False) -> str:
    """A headline number as a reader sees it: three significant figures, or "never pays back"
    for a payback beyond the model's horizon."""
    if never:
        return f"never (beyond {PAYBACK_HORIZON_MONTHS / 12:.0f} years)"
    if value == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:,.{digits}f}"


def _texts(frame: pd.DataFrame) -> list[str]:
    return [value_text(v, n) for v, n in zip(frame["value"], frame["never"], strict=True)]


def wide_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per result (reader's name, unit, basis), one column per scenario title."""
    frame = frame.assign(text=_texts(frame))
    wide = frame.pivot_table(index=["label", "unit_label", "basis"], columns="title",
                             values="text", aggfunc="first", sort=False)
    wide = wide[list(dict.fromkeys(frame["title"]))].reset_index()
    wide.columns.name = None
    return wide.rename(columns={"label": "Result", "unit_label": "Unit", "basis": "Basis"})


def chart_small_multiples(frame: pd.DataFrame):
    """One small panel per headline result: a bar per scenario in its colour, with the ninety
    per cent interval where the result has one; a payback that never comes is drawn at the
    horizon and hatched out of the bars (hollow)."""
    import altair as alt

    titles = list(dict.fromkeys(frame["title"]))
    colour = charts.color("title", titles, legend=alt.Legend(orient="bottom", columns=2,
                                                             title="Scenario"))
    panels = []
    for key in dict.fromkeys(frame["name"]):
        sub = frame[frame["name"] == key]
        sub = sub.assign(shown=_texts(sub))
        label, unit = sub["label"].iloc[0], sub["unit_label"].iloc[0]
        base = alt.Chart(sub).encode(y=alt.Y("title:N", sort=titles, axis=None))
        bars = base.mark_bar().encode(
            x=alt.X("value:Q", title=unit), color=colour,
            fillOpacity=alt.condition("datum.never", alt.value(0.25), alt.value(1.0)),
            tooltip=[alt.Tooltip("title:N", title="Scenario"),
                     alt.Tooltip("shown:N", title=label),
                     alt.Tooltip("basis:N", title="Basis")])
        layers = [bars]
        if sub["p5"].notna().any():
            layers.append(base.mark_rule(color="#555").encode(x="p5:Q", x2="p95:Q"))
        panels.append(alt.layer(*layers).properties(title=label, height=22 * len(sub)))
    return alt.concat(*panels, columns=2)


def small_multiples_alt(frame: pd.DataFrame) -> str:
    """Alt text of :func:`chart_small_multiples`: each panel's values, scenario by scenario."""
    parts = []
    for key in dict.fromkeys(frame["name"]):
        sub = frame[frame["name"] == key]
        values = "; ".join(f"{t} {text}" for t, text in
                           zip(sub["title"], _texts(sub), strict=True))
        parts.append(f"{sub['label'].iloc[0]} ({sub['unit_label'].iloc[0]}): {values}")
    return "Bar panels, one per result, one bar per scenario. " + ". ".join(parts) + "."


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
    chart = charts.figure(chart_small_multiples(frame),
                          caption="Headline results by scenario",
                          source="aiboom results manifests of each scenario",
                          alt_text=small_multiples_alt(frame))
    figures = [charts.render_html(chart.to_dict())["text/html"]]
    from aiboom.tables import html_table

    titles = tuple(frame["title"].unique())
    table = html_table(wide_table(frame), numeric=titles, formatters=dict.fromkeys(titles, str))
    titles = ", ".join(html.escape(m["scenario"]["title"]) for m in manifests)
    (out / "index.html").write_text(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
        f"content=\"width=device-width, initial-scale=1\"><title>aiboom scenario comparison"
        f"</title>{head}"
        "</head><body style=\"font-family: system-ui, sans-serif; max-width: 820px; "
        f"margin: 2rem auto\"><h1>Scenario comparison</h1><p>{titles}</p>{table.data}"
        + "".join(figures) + "</body></html>\n", encoding="utf-8")
