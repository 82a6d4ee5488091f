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
    break_even = money.break_even_conversion_samples(registry, sims["genai"]["usd_per_query"],
                                                     scenario.seed)
    tornado = money.payback_tornado(registry, top=money.TOP_INPUTS, backend="numpy",
                                    accelerator=accelerator)
    by_capture = money.payback_by_capture(sims["genai"], money.CAPTURE_GRID, "numpy",
                                          accelerator)
    return {"registry": registry, "accelerator": accelerator, "summaries": summaries,
            "survey": money.survey_ranges(registry), "compute_share": share,
            "break_even": break_even, "tornado": tornado, "by_capture": by_capture,
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


def test_chapter4_share_and_contrast_claims_hold(chapter4):
    s, reg = chapter4["summaries"], chapter4["registry"]
    share = s["tech"]["share_within"]
    clause = money.tech_within_year_clause(share)
    if clause.startswith("none"):
        assert share == 0.0
    if clause.startswith("every"):
        assert share == 1.0
    if clause.endswith("repay within a year") and clause[0].isdigit():
        assert 0.0 < share < 1.0 and clause.startswith(f"{share:.0%}")
    for kind in ("genai", "agentic"):
        never = s[kind]["share_never"]
        phrase = money.never_phrase(never)
        if phrase == "every sample repays":
            assert never == 0.0
        if phrase == "no sample repays":
            assert never == 1.0
        if phrase.endswith("never repay"):
            assert 0.005 <= never <= 0.995 and phrase.startswith(f"{never:.0%}")
    contrast = money.agentic_contrast_clause(reg)
    benefit = reg["agentic_monthly_benefit_usd"].central / reg["genai_monthly_benefit_usd"].central
    if "larger benefit" in contrast:
        assert benefit > 1.05, benefit
    if "smaller benefit" in contrast:
        assert benefit < 1 / 1.05, benefit
    if "dearer to build" in contrast and "no dearer" not in contrast:
        assert reg["agentic_project_capex_usd"].central > reg["genai_project_capex_usd"].central
    if "slower to adopt" in contrast and "no dearer" not in contrast:
        assert reg["agentic_ramp_months"].central > reg["genai_ramp_months"].central


def test_chapter4_break_even_swing_and_capture_claims_hold(chapter4):
    reg, be = chapter4["registry"], chapter4["break_even"]
    observed = reg["paid_conversion_rate"].central
    above, infeasible = np.mean(be > observed), np.mean(~np.isfinite(be))
    tails = money.break_even_tails_sentence(above, infeasible)
    if tails.startswith("In no sample"):
        assert above == 0.0
    if tails.startswith("In every sample"):
        assert above == 1.0
    if "some paying share does cover" in tails:
        assert infeasible == 0.0
    if "no paying share works" in tails:
        assert infeasible > 0.0
    rows = chapter4["tornado"].set_index("id")
    swings = [abs(rows.loc[i, "output_high"] - rows.loc[i, "output_low"]) if i in rows.index
              else 0.0 for i in ("genai_monthly_benefit_usd", "value_capture_share")]
    swing = money.benefit_swing_clause(chapter4["tornado"])
    if swing.endswith("by years"):
        assert min(swings) >= 24, swings
    if "months only" in swing:
        assert min(swings) < 12, swings
    para, bullet = money.capture_curve_sentences(chapter4["by_capture"])
    df = chapter4["by_capture"]
    pays = df[df["p50"] < money.PAYBACK_HORIZON_MONTHS]
    if "steep where the capture share is low" in para:
        drop = -np.diff(pays["p50"].to_numpy())
        assert drop[0] >= 2 * drop[-1] > 0 or (drop[0] > 0 and drop[-1] <= 0), drop
    if "longer" in bullet:
        assert df["p50"].iloc[0] > df["p50"].iloc[-1]
    if "more uncertain" in bullet:
        spread = df[df["p5"] < money.PAYBACK_HORIZON_MONTHS]
        width = (spread["p95"] - spread["p5"]).to_numpy()
        assert width[0] > width[-1], width


def test_chapter4_tails_claim_states_the_right_span(chapter4):
    t, g = chapter4["summaries"]["tech"], chapter4["summaries"]["genai"]
    tails = money.tails_sentence(t, g)
    if "more than a decade" in tails:
        assert g["p95"] >= 120 and (np.isfinite(g["p95"]) or g["p50"] >= 120), g
    if "never repay at all" in tails:
        assert not np.isfinite(g["p95"])


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
    assert "only less than" not in money.compute_interaction_sentences(0.0002, 0.0002, "x")
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


# ------------------------------------------------------- chapter 4's newer claims, by hand

def test_share_phrase_branches():
    assert money.tech_within_year_clause(0.0).startswith("none")
    assert money.tech_within_year_clause(1.0).startswith("every")
    assert money.tech_within_year_clause(0.999).startswith("all but a handful")
    assert money.tech_within_year_clause(0.001).startswith("fewer than one")
    assert money.tech_within_year_clause(0.8).startswith("80%")
    assert money.never_phrase(0.0) == "every sample repays"
    assert money.never_phrase(1.0) == "no sample repays"
    assert money.never_phrase(0.001).startswith("fewer than one sample in a hundred never")
    assert money.never_phrase(0.999) == "fewer than one sample in a hundred repays"
    assert money.never_phrase(0.12) == "12% of samples never repay"


def test_break_even_tails_branches():
    assert money.break_even_tails_sentence(0.0, 0.0).startswith("In no sample")
    assert money.break_even_tails_sentence(1.0, 0.2).startswith("In every sample")
    s = money.break_even_tails_sentence(0.3, 0.0)
    assert s.startswith("In 30% of the samples") and "some paying share does cover" in s
    assert "in 3.2% of them no paying share works" in money.break_even_tails_sentence(0.7, 0.032)


def _reg(**centrals):
    from types import SimpleNamespace
    base = {"agentic_monthly_benefit_usd": 2.0, "genai_monthly_benefit_usd": 1.0,
            "agentic_project_capex_usd": 2.0, "genai_project_capex_usd": 1.0,
            "agentic_ramp_months": 9.0, "genai_ramp_months": 6.0}
    base.update(centrals)
    return {k: SimpleNamespace(central=v) for k, v in base.items()}


def test_agentic_contrast_branches():
    assert money.agentic_contrast_clause(_reg()) == (
        "It promises a larger benefit, but it is dearer to build and slower to adopt")
    assert money.agentic_contrast_clause(_reg(agentic_ramp_months=6.0)) == (
        "It promises a larger benefit, but it is dearer to build")
    assert money.agentic_contrast_clause(_reg(agentic_monthly_benefit_usd=0.5)).startswith(
        "It promises a smaller benefit, and it is dearer")
    assert "about the same benefit" in money.agentic_contrast_clause(
        _reg(agentic_monthly_benefit_usd=1.01))
    assert "no dearer to build or slower to adopt" in money.agentic_contrast_clause(
        _reg(agentic_project_capex_usd=0.5, agentic_ramp_months=3.0))


def test_benefit_swing_branches():
    import pandas as pd

    def frame(swing_a, swing_b):
        return pd.DataFrame({"id": ["genai_monthly_benefit_usd", "value_capture_share"],
                             "output_low": [10.0, 10.0],
                             "output_high": [10.0 + swing_a, 10.0 + swing_b]})
    assert money.benefit_swing_clause(frame(40, 30)) == "swing the payback by years"
    assert money.benefit_swing_clause(frame(40, 15)) == "swing the payback by a year or more"
    assert money.benefit_swing_clause(frame(40, 5)) == "move the payback by months only"
    only_one = frame(40, 30).iloc[:1]
    assert money.benefit_swing_clause(only_one) == "move the payback by months only"


def test_capture_curve_branches():
    import pandas as pd
    x = np.linspace(0.1, 1.0, 10)
    convex = pd.DataFrame({"capture_share": x, "p50": 10 / x, "p5": 5 / x, "p95": 20 / x})
    para, bullet = money.capture_curve_sentences(convex)
    assert "steep where the capture share is low" in para
    assert "longer and more uncertain" in bullet
    linear = convex.assign(p50=100 - 50 * x, p5=50 - 20 * x, p95=200 - 100 * x)
    para, bullet = money.capture_curve_sentences(linear)
    assert "about evenly" in para and "longer and more uncertain" in bullet
    widening = linear.assign(p95=100 + 100 * x)
    assert "the longer the payback" in money.capture_curve_sentences(widening)[1]
    flat = linear.assign(p50=30.0)
    assert "barely moves" in money.capture_curve_sentences(flat)[1]
    capped = convex.assign(p50=np.minimum(convex["p50"], 40.0).where(x > 0.3,
                                                                      PAYBACK_HORIZON))
    assert "steep" in money.capture_curve_sentences(capped)[0]


PAYBACK_HORIZON = money.PAYBACK_TICKS_MONTHS[-1]


def test_tails_span_branches():
    assert "more than a decade to repay" in money.tails_sentence(_s(10), _s(40, 150))
    assert "most of a decade" in money.tails_sentence(_s(10), _s(40, 90))
    assert "take years to repay, or never" in money.tails_sentence(_s(10), _s(40, np.inf))
    assert "more than a decade to repay, or never" in money.tails_sentence(
        _s(10), _s(130, np.inf))
