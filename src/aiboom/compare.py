"""Scenarios side by side: the headline results of each scenario.

:func:`headline_results` computes the headline results of one scenario from the model, by the
same calls as the chapters that record them, and :func:`scenario_manifest` wraps them in the
manifest shape a full build writes to ``results.json``. :func:`comparison_frame` lines the
headline numbers up; ``aiboom compare`` writes them as CSV, JSON and an offline HTML page with
charts.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from aiboom import charts, outputs
from aiboom.build import results_manifest
from aiboom.kernels import PAYBACK_HORIZON_MONTHS
from aiboom.scenarios import Scenario, load_scenario

#: Chapters that record the headline results (the chapters of the three phases and outlook);
#: :func:`headline_results` computes the same numbers as they do. Chapter 1 reads data that no
#: scenario changes (capex, NVIDIA revenue), so it is left out.
HEADLINE_NOTEBOOKS: tuple[str, ...] = (
    "02_serving_costs", "04_where_is_the_money", "05_what_comes_next",
)
#: Result names shown in the comparison, in order. Each is recorded by one of the notebooks
#: above (tests/test_compare.py checks that against the built manifest).
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


def _row(name: str, value: float, unit: str, description: str, *, quantity: str,
         basis: str, subject: str, notebook: str, p5: float | None = None,
         p95: float | None = None) -> dict:
    """One headline result in the shape :func:`aiboom.results.record` logs it."""
    return {"name": name, "value": float(value), "unit": unit, "description": description,
            "quantity": quantity, "basis": basis, "subject": subject,
            "p5": None if p5 is None else float(p5), "p95": None if p95 is None else float(p95),
            "notebook": notebook}


def headline_results(scenario: Scenario) -> list[dict]:
    """The headline results (:data:`HEADLINE_KEYS`) of one scenario, computed from the model.

    Each is computed by the same calls, on the same draws, as in the chapter that records it
    (:data:`HEADLINE_NOTEBOOKS`), and comes out as the row that chapter logs, so that the
    scenarios page needs no chapter executed per scenario (a build used to run nine extra
    notebooks for it). ``tests/test_compare.py`` checks the rows against the chapters'.
    """
    from aiboom.analysis import money, outlook, serving
    from aiboom.montecarlo import scenario_inputs

    n, seed, backend = scenario.n_samples, scenario.seed, scenario.backend
    rows = []
    # 02_serving_costs: the cost and the energy of the fleet's average query.
    mc_registry, mc_accelerator = scenario_inputs(scenario)
    query_costs = serving.run_query_costs(mc_registry, n, seed, backend, mc_accelerator)
    cost = serving.interval_row("mix", query_costs.mix, "usd_per_query")
    cents = serving.CENTS_PER_USD
    rows.append(_row("serve_usd_per_query_mix_cents", cost["p50"] * cents, "US cents/query",
                     "cost of an average query, in cents", p5=cost["p5"] * cents,
                     p95=cost["p95"] * cents, quantity="usd_per_query", basis="median",
                     subject="average query", notebook="02_serving_costs"))
    energy = serving.energy_intervals(query_costs, scenario.registry["wh_per_query_reference"])
    mix = energy.set_index("label").loc[serving.ENERGY_MIX]
    rows.append(_row("serve_wh_mix", mix["p50"], "Wh/query",
                     f"energy per query, {serving.ENERGY_MIX.lower()} (whole fleet)",
                     p5=mix["p5"], p95=mix["p95"], quantity="wh_per_query", basis="median",
                     subject="average query", notebook="02_serving_costs"))
    # 04_where_is_the_money: paybacks, the free tier's compute and the data clean-up.
    registry, accelerator = money.scenario_model(scenario)
    sims = {kind: money.simulate_project(registry, kind, n, seed, backend, accelerator)
            for kind in ("genai", "agentic")}
    for kind, samples in sims.items():
        summary = money.payback_summary(samples["payback_months"])
        what = money.prose_label(money.PROJECT_KINDS[kind])
        cap = {k: min(summary[k], PAYBACK_HORIZON_MONTHS) for k in ("p5", "p50", "p95")}
        rows.append(_row(f"money_payback_{kind}", cap["p50"], "months",
                         f"median payback of {what} (horizon if never)", p5=cap["p5"],
                         p95=cap["p95"], quantity="payback_months", basis="median",
                         subject=what.lower(), notebook="04_where_is_the_money"))
    genai = sims["genai"]
    subsidy = money.quantiles(money.free_tier_subsidy_samples(registry, genai["usd_per_query"],
                                                              seed))
    rows.append(_row("money_subsidy_usd_bn_month", subsidy[1], "USD bn/month",
                     "compute cost of serving free users (median)", p5=subsidy[0],
                     p95=subsidy[2], quantity="free_tier_compute_usd_per_month",
                     basis="median", subject="consumer chatbot",
                     notebook="04_where_is_the_money"))
    added = money.cleanup_added_months(genai, registry, backend, accelerator)
    rows.append(_row("money_cleanup_added_months", added["p50"], "months",
                     "payback months added by the central clean-up (median of per-sample "
                     "differences)", p5=added["p5"], p95=added["p95"],
                     quantity="payback_months_added_by_data_cleanup", basis="median",
                     subject="generative ai", notebook="04_where_is_the_money"))
    # 05_what_comes_next: the frontier-class over the small model, sample by sample.
    small = money.evaluate_with(genai, outlook.small_model_changes(registry), backend,
                                accelerator)
    ratio = money.quantiles(genai["usd_per_query"] / small["usd_per_query"])
    rows.append(_row("next_small_ratio", ratio[1], "ratio",
                     "frontier-class over small-model cost per query, sample by sample "
                     "(median)", p5=ratio[0], p95=ratio[2],
                     quantity="frontier_over_small_model_usd_per_query", basis="median",
                     subject="average query", notebook="05_what_comes_next"))
    return rows


def scenario_manifest(path: str | Path) -> dict:
    """The results manifest of one scenario, holding its headline results only
    (:func:`headline_results`), in the shape of the ``results.json`` a full build writes."""
    scenario = load_scenario(path)
    return results_manifest(scenario, headline_results(scenario))


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
