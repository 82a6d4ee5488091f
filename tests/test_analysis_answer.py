"""The answer chapter's arithmetic: revenue race, watch list, depreciation, free cash flow."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aiboom import data, kernels
from aiboom.analysis import answer, money, outlook
from aiboom.registry import load_registry
from aiboom.scenarios import load_scenario


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(None)
    model_registry, accelerator = money.scenario_model(scenario)
    return scenario, model_registry, accelerator


def _with_central(registry, **centrals):
    out = dict(registry)
    for key, value in centrals.items():
        a = out[key]
        out[key] = replace(a, low=min(a.low, value), central=value, high=max(a.high, value))
    return out


# --- depreciation ---------------------------------------------------------------------------


def test_depreciation_by_hand():
    # 60 bn spent in 2020 only: a 3-year life charges 20 a year for three years, a 6-year life
    # 10 a year; the gap is 10 a year while both run.
    capex = pd.Series([60.0, 0.0, 0.0], index=[2020, 2021, 2022])
    dep = answer.depreciation_by_life(capex, {"acct": 6.0, "econ": 3.0})
    wide = dep.pivot(index="year", columns="life", values="depreciation_usd_bn")
    assert wide["econ"].tolist() == pytest.approx([20.0, 20.0, 20.0])
    assert wide["acct"].tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert answer.depreciation_gap(dep, "econ", "acct").tolist() == pytest.approx([10.0] * 3)


def test_depreciation_vintages_and_share():
    # 30 then 60 at a 2-year life: 15 in year one, 15 + 30 = 45 in year two; a share of one
    # half halves both.
    capex = pd.Series([30.0, 60.0], index=[2024, 2025])
    full = answer.depreciation_by_life(capex, {"two": 2.0})["depreciation_usd_bn"]
    half = answer.depreciation_by_life(capex, {"two": 2.0}, share=0.5)["depreciation_usd_bn"]
    assert full.tolist() == pytest.approx([15.0, 45.0])
    assert half.tolist() == pytest.approx([7.5, 22.5])


def test_depreciation_needs_consecutive_years():
    with pytest.raises(ValueError, match="consecutive"):
        answer.depreciation_by_life(pd.Series([1.0, 2.0], index=[2020, 2022]), {"a": 3.0})


def test_depreciation_sentence_follows_the_sign():
    assert "flatter" in answer.depreciation_sentence(19.0, 4.0, 6.0, 2025)
    assert "understate" in answer.depreciation_sentence(-5.0, 7.0, 6.0, 2025)
    assert "hardly" in answer.depreciation_sentence(0.0, 6.0, 6.0, 2025)


# --- free cash flow -------------------------------------------------------------------------


def test_free_cash_flow_is_operating_cash_flow_minus_capex():
    frame = pd.DataFrame({"company": ["A", "B", "A"], "year": [2024, 2024, 2025],
                          "operating_cash_flow_usd_bn": [100.0, 40.0, 120.0],
                          "capex_usd_bn": [30.0, 50.0, 60.0]})
    fcf = answer.free_cash_flow(frame)
    assert fcf["fcf_usd_bn"].tolist() == pytest.approx([70.0, -10.0, 60.0])
    totals = answer.free_cash_flow_totals(fcf)
    assert totals["fcf_usd_bn"].tolist() == pytest.approx([60.0, 60.0])
    assert totals["capex_share_of_ocf"].tolist() == pytest.approx([80 / 140, 0.5])


def test_cash_flow_table_and_fcf():
    table = data.cash_flow()
    assert set(table["company"]) == {"Microsoft", "Alphabet", "Amazon", "Meta"}
    assert sorted(table["year"].unique()) == list(range(2019, 2026))
    fcf = answer.free_cash_flow(table)
    np.testing.assert_allclose(fcf["fcf_usd_bn"],
                               table["operating_cash_flow_usd_bn"] - table["capex_usd_bn"])
    # Amazon spent more than its operating cash in 2022 (46.752 - 63.645)
    amazon = fcf.set_index(["company", "year"]).loc[("Amazon", 2022), "fcf_usd_bn"]
    assert amazon == pytest.approx(-16.893)


def test_cash_flow_sentence_by_condition():
    totals = pd.DataFrame({"year": [2025], "operating_cash_flow_usd_bn": [500.0]})
    assert "more than" in answer.cash_flow_sentence(totals, 700.0, 2026)
    assert "still paid" in answer.cash_flow_sentence(totals, 400.0, 2026)


# --- the revenue race -----------------------------------------------------------------------


def test_cumulative_revenue_and_its_inverse():
    # 10 a year doubling: 10 (2^3 - 1) / ln 2 over three years
    assert answer.cumulative_revenue_usd_bn(10.0, 2.0, 3.0) == pytest.approx(70 / math.log(2))
    assert answer.cumulative_revenue_usd_bn(10.0, 1.0, 3.0) == pytest.approx(30.0)
    for g in (0.8, 1.0, 1.5, 3.0):
        t = answer.years_to_earn(200.0, 25.0, g)
        if math.isfinite(t):
            assert answer.cumulative_revenue_usd_bn(25.0, g, t) == pytest.approx(200.0)
    # shrinking revenue that never adds up to the requirement
    assert answer.years_to_earn(1000.0, 10.0, 0.5) == math.inf


def test_answer_sentence_flips_when_the_gap_closes():
    # required = 100 / 0.5 / (1 - 0.5) = 400; flat revenue of 50 earns 200 in four years
    # (gap open) and 400 in eight (gap closed exactly)
    short = answer.race_from(100.0, 50.0, 0.5, 0.5, 1.0, 4.0)
    long = answer.race_from(100.0, 50.0, 0.5, 0.5, 1.0, 8.0)
    assert short.required_usd_bn == pytest.approx(400.0)
    assert short.gap_usd_bn == pytest.approx(350.0)
    assert not short.closes and long.closes
    assert short.share_over_life == pytest.approx(0.5)
    assert "does not close" in answer.answer_sentence("test", short)
    assert "bubble looks like" in answer.answer_sentence("test", short)
    assert "closes within" in answer.answer_sentence("test", long)
    assert "rather than a bubble" in answer.answer_sentence("test", long)
    assert answer.verdict_word(short) == "does not close"


def test_growth_needed_is_where_the_answer_flips():
    g = answer.growth_needed_per_year(400.0, 50.0, 4.0)
    assert answer.cumulative_revenue_usd_bn(50.0, g, 4.0) == pytest.approx(400.0)
    assert not answer.race_from(100.0, 50.0, 0.5, 0.5, g * 0.99, 4.0).closes
    assert answer.race_from(100.0, 50.0, 0.5, 0.5, g * 1.01, 4.0).closes


def test_scenario_answer_uses_the_scenario(baseline):
    scenario, _, _ = baseline
    a = answer.scenario_answer(scenario, data.nvidia_datacenter_revenue(), data.ai_revenue())
    assert a.race.life_years == scenario.registry["gpu_economic_life_years"].central
    assert a.race.growth_per_year == scenario.registry["ai_revenue_growth_per_year"].central
    assert a.race.earned_usd_bn > 0 and a.race.required_usd_bn > 0
    assert a.usd_per_query > 0 and a.break_even_usd_per_query > 0
    assert answer.answer_sentence(a.name, a.race).startswith("Under the baseline scenario")


# --- the watch list -------------------------------------------------------------------------


def _watch(registry, model_registry, accelerator):
    race = answer.revenue_race(registry, data.nvidia_datacenter_revenue(), data.ai_revenue())
    return race, answer.watch_list(race, registry, model_registry, accelerator,
                                   "genai_monthly_benefit_usd", "reasoning_token_multiplier"
                                   ).set_index("key")


def test_watch_thresholds_flip_the_answer(baseline):
    scenario, model_registry, accelerator = baseline
    race, watch = _watch(scenario.registry, model_registry, accelerator)
    g = watch.loc["growth", "threshold"]
    assert answer.years_to_earn(race.required_usd_bn, race.earned_usd_bn, g) == pytest.approx(
        race.life_years)
    assert watch.loc["life", "threshold"] == pytest.approx(race.years_to_close)
    earned = watch.loc["earned", "threshold"]
    assert answer.cumulative_revenue_usd_bn(earned, race.growth_per_year, race.life_years) \
        == pytest.approx(race.required_usd_bn)
    # at the payback threshold the central project pays back exactly when the hardware is worn
    inputs = money.central_inputs(model_registry)
    benefit = watch.loc["payback", "threshold"]
    months = kernels.reference_per_sample({**inputs, "genai_monthly_benefit_usd": benefit},
                                          accelerator)["payback_months"]
    assert months == pytest.approx(race.life_years * 12, rel=1e-6)
    # at the cost threshold subscriptions at today's paying share just cover compute
    mult = watch.loc["cost", "threshold"]
    cost = kernels.reference_per_sample({**inputs, "reasoning_token_multiplier": mult},
                                        accelerator)["usd_per_query"]
    share = outlook.required_conversion(model_registry, cost)
    assert share == pytest.approx(model_registry["paid_conversion_rate"].central, rel=1e-6)
    assert watch.loc["cost", "holds_if"] == "below"
    assert watch.loc["payback", "holds_if"] == "above"


def test_watch_thresholds_move_with_the_registry(baseline):
    scenario, model_registry, accelerator = baseline
    _, base = _watch(scenario.registry, model_registry, accelerator)
    longer = _with_central(scenario.registry, gpu_economic_life_years=6.0)
    _, w_long = _watch(longer, model_registry, accelerator)
    assert w_long.loc["growth", "threshold"] < base.loc["growth", "threshold"]
    assert w_long.loc["earned", "threshold"] < base.loc["earned", "threshold"]
    thin = _with_central(scenario.registry, ai_app_gross_margin=0.6)
    _, w_thin = _watch(thin, model_registry, accelerator)
    assert w_thin.loc["growth", "threshold"] > base.loc["growth", "threshold"]
    faster = _with_central(scenario.registry, ai_revenue_growth_per_year=3.0)
    _, w_fast = _watch(faster, model_registry, accelerator)
    assert w_fast.loc["life", "threshold"] < base.loc["life", "threshold"]
    pricier = _with_central(model_registry, subscription_usd_per_month=40.0)
    _, w_price = _watch(scenario.registry, pricier, accelerator)
    assert w_price.loc["cost", "threshold"] > base.loc["cost", "threshold"]


def test_watch_sentence_directions():
    row = {"lever": "growth of disclosed AI revenue", "unit": "x/yr", "today": 2.0,
           "threshold": 1.8, "answer": "the gap closes", "holds": True, "holds_if": "above",
           "low": 1.2, "high": 3.5}
    assert "would fail below 1.8 times a year." in answer.watch_sentence(row)
    row.update(holds=False, threshold=2.5)
    assert "would start to hold above 2.5 times a year." in answer.watch_sentence(row)
    row.update(threshold=5.0)
    assert "outside the registry's range" in answer.watch_sentence(row)
    row.update(threshold=float("nan"))
    assert "not the lever to watch" in answer.watch_sentence(row)


def test_break_even_cost_per_query(baseline):
    _, model_registry, _ = baseline
    c = answer.break_even_usd_per_query(model_registry, 0.05)
    assert outlook.required_conversion(model_registry, c) == pytest.approx(0.05, rel=1e-6)


# --- a lab's accounts ------------------------------------------------------------------------


def _lab_pnl(bill_usd_bn: float, **kwargs):
    """The lab's table with the modelled bill at ``bill_usd_bn`` (the bill is linear in the
    cost per query)."""
    registry = load_registry()
    usd_per_query = bill_usd_bn / answer.inference_bill_usd_bn(registry, 1.0)
    return answer.lab_pnl(data.ai_revenue(), registry, usd_per_query, **kwargs)


def test_lab_pnl_and_sentence():
    pnl = _lab_pnl(5.0).set_index("item")["value_usd_bn"]
    assert pnl["Operating costs"] == pytest.approx(pnl["Revenue"] + pnl["Operating loss"])
    assert pnl["Modelled inference bill"] == pytest.approx(5.0)
    low = _lab_pnl(1.0)
    high = _lab_pnl(100.0)
    assert "explains only part" in answer.lab_sentence(low)
    assert "higher than the lab reports" in answer.lab_sentence(high)
    with pytest.raises(KeyError, match="Anthropic 2025"):
        _lab_pnl(1.0, company="Anthropic")


def test_race_tornado_flags_the_ends_that_reverse_the_answer(baseline):
    scenario, _, _ = baseline
    nv, ai = data.nvidia_datacenter_revenue(), data.ai_revenue()
    race = answer.revenue_race(scenario.registry, nv, ai)
    top = answer.race_tornado(scenario.registry, nv, ai).set_index("key")
    assert set(top.index) == set(answer.RACE_IDS)
    assert top["output_central"].iloc[0] == pytest.approx(race.life_years - race.years_to_close)
    for _key, row in top.iterrows():
        assert row["flips_low"] == ((row["output_low"] >= 0) != race.closes)
        assert row["flips_high"] == ((row["output_high"] >= 0) != race.closes)
    # a longer life always leaves more years to spare; faster growth too
    assert top.loc["life_years", "output_high"] > top.loc["life_years", "output_low"]
    assert top.loc["growth", "output_high"] > top.loc["growth", "output_low"]
    # an input made wide enough to reverse the answer is named in the sentence
    wide = _with_central(scenario.registry, ai_revenue_growth_per_year=2.0)
    wide["ai_revenue_growth_per_year"] = replace(wide["ai_revenue_growth_per_year"], low=1.01,
                                                 high=10.0)
    sentence = answer.race_flip_sentence(answer.race_tornado(wide, nv, ai))
    assert "growth of disclosed AI revenue" in sentence.split(";")[0]
