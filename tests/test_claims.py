"""Claims are computed: every sentence whose truth depends on the numbers is chosen by them.

For each shipped scenario the analysis functions are run on that scenario's registry (fewer
samples than the book, same seed), and each claim function's sentence is checked against
the condition it states, computed independently here. Unit cases then drive each function
down every branch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from aiboom.analysis import money
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
N = 20_000


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter4(request) -> dict:
    scenario = load_scenario(str(request.param))
    registry, accelerator = money.scenario_model(scenario)
    sims = {kind: money.simulate_project(registry, kind, N, scenario.seed, "numpy", accelerator)
            for kind in money.PROJECT_KINDS}
    summaries = {k: money.payback_summary(s["payback_months"]) for k, s in sims.items()}
    share = money.quantiles(money.compute_share_of_revenue(
        registry, sims["genai"]["usd_per_query"], scenario.seed))[1]
    return {"registry": registry, "accelerator": accelerator, "summaries": summaries,
            "survey": money.survey_ranges(registry), "compute_share": share,
            "path": Path(request.param)}


def test_chapter4_payback_claims_hold(chapter4):
    s = chapter4["summaries"]
    g, a, t = s["genai"], s["agentic"], s["tech"]
    lead = money.agentic_lead(g, a)
    if "slower still" in lead:
        assert a["p50"] > g["p50"], (lead, a["p50"], g["p50"])
    if "faster" in lead:
        assert a["p50"] < g["p50"], (lead, a["p50"], g["p50"])
    within = money.within_year_sentence(g)
    if within.startswith("Virtually none"):
        assert g["share_within"] < 1e-3, (within, g["share_within"])
    tails = money.tails_sentence(t, g)
    if "within a year or so" in tails:
        assert t["p50"] <= 18, (tails, t["p50"])
    if "most of a decade" in tails:
        assert g["p95"] >= 60, (tails, g["p95"])
    gap = money.gap_clause(s, chapter4["survey"])
    if gap.startswith("matching"):
        ai = chapter4["survey"].iloc[1]
        assert ai["low_months"] <= g["p50"] <= ai["high_months"], (gap, g["p50"])


def test_chapter4_revenue_and_capture_claims_hold(chapter4):
    reg = chapter4["registry"]
    saas = 1.0 - reg["saas_gross_margin"].central
    share = chapter4["compute_share"]
    margin = money.revenue_margin_sentence(share, saas)
    if "do cover" in margin or "room to spare" in margin:
        assert share < 1.0, (margin, share)
    if "little over" in margin:
        assert saas < share, (margin, share, saas)
    if "room to spare" in margin:
        assert share <= saas, (margin, share, saas)
    cap = reg["tech_value_capture_share"].central
    if "most of its benefit" in money.tech_capture_sentence(cap):
        assert cap > 0.5
    inf = money.inference_share_of_monthly_cost(money.central_inputs(reg),
                                                chapter4["accelerator"])
    if "only" in money.serving_rank_sentence(inf):
        assert inf < 0.25, inf


# ------------------------------------------------------------------- every branch, by hand

def _s(p50, p95=None, within=0.0):
    return {"p5": p50 / 2, "p50": p50, "p95": p95 or 2 * p50, "share_never": 0.0,
            "share_within": within}


def test_agentic_lead_branches():
    assert "slower still" in money.agentic_lead(_s(40), _s(50))
    assert "faster" in money.agentic_lead(_s(200), _s(120))
    assert "about as slow" in money.agentic_lead(_s(40), _s(41))
    assert "just as slow" in money.agentic_lead(_s(np.inf), _s(np.inf))


def test_within_year_and_tails_branches():
    assert money.within_year_sentence(_s(40, within=0.0)).startswith("Virtually none")
    assert money.within_year_sentence(_s(40, within=0.004)).startswith("Few")
    assert money.within_year_sentence(_s(40, within=0.3)).startswith("About 30%")
    assert "within a year or so" in money.tails_sentence(_s(10), _s(40, 150))
    assert "within a year or so" not in money.tails_sentence(_s(30), _s(40, 150))
    assert "most of a decade" not in money.tails_sentence(_s(10), _s(20, 40))
    assert "never repay" in money.tails_sentence(_s(10), _s(40, np.inf))


def test_margin_slope_sobol_and_value_branches():
    assert "do not even cover" in money.revenue_margin_sentence(1.8, 0.24)
    assert "little over" in money.revenue_margin_sentence(0.37, 0.24)
    assert "room to spare" in money.revenue_margin_sentence(0.15, 0.24)
    assert money.cleanup_slope_clause(1.5).startswith("more than one for one")
    assert money.cleanup_slope_clause(0.5).startswith("less than one for one")
    assert money.cleanup_slope_clause(1.0) == "about one for one"
    assert "barely matters" in money.compute_interaction_sentences(0.03, 0.01, "x")
    assert "through interactions" in money.compute_interaction_sentences(0.11, 0.045, "x")
    assert "on its own" in money.compute_interaction_sentences(0.2, 0.15, "x")
    assert "less than 0.1%" in money.compute_interaction_sentences(0.0002, 0.0002, "x")
    assert money.compute_bullet_clause(0.2, 0.15) == "and compute costs matter in their own right"
    assert "about value" in money.value_top_sentence(["value_capture_share"])
    assert "alongside" in money.value_top_sentence([money.COMPUTE_INPUTS[0]])
    assert "most of its benefit" in money.tech_capture_sentence(0.95)
    assert "only 40%" in money.tech_capture_sentence(0.4)


# ------------------------------------------------------------- chapters 5 and 6, by hand

def test_outlook_claim_branches():
    from aiboom.analysis import outlook
    assert "smaller than the ratio" in outlook.small_saving_sentence(3, 12.5)
    assert "at least the ratio" in outlook.small_saving_sentence(20, 12.5)
    assert "not decisive" in outlook.inference_decisive_sentence(0.01)
    assert "matters" in outlook.inference_decisive_sentence(0.4)
    s = outlook.frontier_fall_sentence(1.6, 0.72, 3.8)
    assert "includes no fall" in s and "price of the last" in s
    assert "do fall" in outlook.frontier_fall_sentence(3.0, 1.5, 6.0)
    c = outlook.chip_query_sentences("A", "B", 3.0, 1.2, 0.67, 0.25, 2.0, 4.0)
    assert "2.5 times less" in c and "rents for more" in c
    assert "rises" in outlook.chip_query_sentences("A", "B", 3.0, 1.2, 0.2, 0.25, 2.0, 9.0)
    assert outlook.levers_reachable_sentence(6, 0, 0).startswith("None of the six")
    assert "only one" in outlook.levers_reachable_sentence(6, 1, 1)
    assert outlook.levers_bullet(6, 0, float("nan"), float("nan"), "USD/month").endswith(
        "not even the benefit, however large.")
    assert "barely registers" in outlook.serving_registers_sentence(100, 95, 96)
    assert "moves the payback" in outlook.serving_registers_sentence(100, 60, 96)
    assert "looks like ordinary software" in outlook.favourable_sentences(7, 12)[0]
    assert "does not pay back like software" in outlook.favourable_sentences(14, 12)[1]
    assert outlook.count_word(7) == "seven" and outlook.count_word(26) == "26"
