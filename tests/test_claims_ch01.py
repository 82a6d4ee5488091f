"""Chapter 1's claims are computed: each sentence that depends on the numbers is chosen by them.

For each shipped scenario the chapter's inputs are recomputed (fewer Monte Carlo draws than the
book, same seed) and each sentence is checked against the condition it states, computed
independently here. Unit cases then drive each claim function down every branch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from aiboom import data
from aiboom.analysis import capex
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
N = 5_000


@pytest.fixture(scope="module")
def tables() -> dict:
    return {"capex": data.capex(), "nvidia": data.nvidia_datacenter_revenue(),
            "ai_revenue": data.ai_revenue(), "adoption": data.adoption(),
            "accelerators": data.accelerators()}


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter1(request, tables) -> dict:
    scenario = load_scenario(str(request.param))
    quarters = capex.nvidia_quarters(tables["nvidia"])
    draws = capex.cahn_factor_samples(scenario.registry, N, scenario.seed)
    disclosed = capex.disclosed_ai_run_rate(tables["ai_revenue"])
    series = capex.disclosed_ai_run_rate_series(tables["ai_revenue"])
    earned = disclosed["value_usd_bn"].sum()
    k = scenario.value("sequoia_dc_cost_multiplier")
    m = scenario.value("sequoia_end_user_margin")
    last_q = quarters.iloc[-1]
    latest = capex.cahn_requirement(last_q["run_rate_usd_bn"], k, m, draws["factor"],
                                    earned).iloc[0]
    by_quarter = capex.cahn_requirement_by_quarter(quarters, scenario.registry, draws["factor"])
    first = series.iloc[0]
    before = by_quarter[by_quarter["period_end"] <= first["date"]].iloc[-1]
    per_year = last_q["run_rate_usd_bn"] * draws["factor"] / draws["life_years"]
    gw = capex.gigawatt_costs(scenario.registry, tables["accelerators"])
    gw_total = gw.groupby("generation", sort=False)[["total_usd_bn_per_year",
                                                     "peak_pflop_per_s"]].first()
    per_dollar = gw_total["peak_pflop_per_s"] / gw_total["total_usd_bn_per_year"]
    return {"earned": earned, "latest": latest, "before": before, "first": first,
            "per_year": per_year,
            "cost_ratio": (gw_total.loc["Blackwell (GB200)", "total_usd_bn_per_year"]
                           / gw_total.loc["Hopper (H100)", "total_usd_bn_per_year"]),
            "gain": per_dollar["Blackwell (GB200)"] / per_dollar["Hopper (H100)"],
            "path": Path(request.param)}


def test_capex_claims_hold(tables):
    totals = capex.capex_totals(tables["capex"])
    actual = totals[totals["kind"] == "actual"]
    latest_year = int(actual["year"].max())
    launch_year = capex.CHATGPT_LAUNCH.year
    guidance = totals[totals["kind"] == "guidance"].iloc[0]
    by_year = totals.set_index("year")["total_usd_bn"]
    multiple = capex.growth_multiple(totals, latest_year, int(guidance["year"]))
    phrase = capex.guidance_change_phrase(multiple)
    if "rise" in phrase:
        assert guidance["total_usd_bn"] > by_year[latest_year]
    sentence = capex.half_trillion_sentence(by_year[latest_year], guidance["total_usd_bn"])
    if "left well behind" in sentence or "will pass" in sentence:
        assert by_year[latest_year] < 500 <= guidance["total_usd_bn"]
    by_company = capex.capex_by_company(tables["capex"])
    growth = (by_company[by_company["year"] == latest_year].set_index("company")["capex_usd_bn"]
              / by_company[by_company["year"] == launch_year].set_index("company")
              ["capex_usd_bn"])
    clause = capex.in_step_clause(growth.min(), growth.max(), growth.idxmax())
    if "move in step" in clause:
        assert (growth >= 1.95).all()
    fiscal = capex.nvidia_fiscal_years(tables["nvidia"]).set_index("fiscal_year")
    ratio = fiscal.loc[latest_year + 1, "datacenter_revenue_usd_bn"] / by_year[latest_year]
    if "same order" in capex.scale_clause(ratio):
        assert 1 / 3 <= ratio <= 3


def test_adoption_and_first_wave_claims_hold(tables):
    shares = capex.adoption_shares(tables["adoption"])
    at = shares.set_index(["technology", "years_since_launch"])["share"]
    age = shares["years_since_launch"].max()
    genai, internet, pc = (at[(t, age)] for t in ("Generative AI", "Internet",
                                                   "Personal computer"))
    if "outpaced both" in capex.adoption_sentence(genai, internet, pc):
        assert genai > internet and genai > pc
    year = capex.latest_comparable_year(tables["capex"], tables["nvidia"], tables["ai_revenue"])
    wave = capex.first_wave(tables["capex"], tables["nvidia"], tables["ai_revenue"], year)
    spend, sellers = wave["value_usd_bn"].iloc[0], wave["value_usd_bn"].iloc[2]
    if "small fraction" in capex.first_wave_sentence(spend / sellers):
        assert sellers <= spend / 5


def test_cahn_claims_hold(chapter1):
    c = chapter1
    latest, earned = c["latest"], c["earned"]
    clause = capex.ratio_uncertainty_clause(latest["required_usd_bn_p5"] / earned)
    if "does not change" in clause:
        assert latest["required_usd_bn_p5"] > earned, c["path"]
    first_cover = c["before"]["required_usd_bn"] / c["first"]["value_usd_bn"]
    latest_cover = latest["required_usd_bn"] / earned
    if "converge on" in capex.convergence_clause(first_cover, latest_cover):
        assert latest_cover < first_cover, c["path"]
    cover = np.median(c["per_year"]) / earned
    if "still" in capex.per_year_cover_sentence(cover):
        assert cover > 1.0, c["path"]


def test_generation_claim_holds(chapter1):
    text = capex.generation_clause(chapter1["cost_ratio"], chapter1["gain"])
    if "more than the older" in text:
        assert chapter1["cost_ratio"] > 1.0
    if "less than the older" in text:
        assert chapter1["cost_ratio"] < 1.0
    if "times as much peak compute" in text:
        assert chapter1["gain"] > 1.0


@pytest.mark.parametrize("multiple, expected", [
    (1.9, "another 1.9-fold rise"), (1.0, "about the level"), (0.8, "a fall of 20%")])
def test_guidance_change_phrase_branches(multiple, expected):
    assert expected in capex.guidance_change_phrase(multiple)


@pytest.mark.parametrize("latest, guidance, expected", [
    (600, 700, "already passed"), (400, 700, "left well behind"), (400, 550, "will pass"),
    (300, 400, "stays short")])
def test_half_trillion_sentence_branches(latest, guidance, expected):
    assert expected in capex.half_trillion_sentence(latest, guidance)


@pytest.mark.parametrize("low, expected", [
    (2.1, "move in step"), (1.3, "only 1.3-fold"), (0.9, "spent less than before")])
def test_in_step_clause_branches(low, expected):
    assert expected in capex.in_step_clause(low, 3.4, "Microsoft")


@pytest.mark.parametrize("ratio, expected", [
    (5.0, "larger than"), (0.8, "of the same order as"), (0.1, "a small fraction of")])
def test_scale_clause_branches(ratio, expected):
    assert expected in capex.scale_clause(ratio)


def test_ratio_uncertainty_and_convergence_branches():
    assert "does not change" in capex.ratio_uncertainty_clause(1.5)
    assert "would already cover" in capex.ratio_uncertainty_clause(0.8)
    assert "converge on" in capex.convergence_clause(20.0, 10.0)
    assert "not converged" in capex.convergence_clause(10.0, 20.0)


@pytest.mark.parametrize("cover, expected", [
    (3.9, "still 3.9 times"), (1.0, "about what"), (0.5, "That is 50%")])
def test_per_year_cover_sentence_branches(cover, expected):
    assert expected in capex.per_year_cover_sentence(cover)


@pytest.mark.parametrize("genai, internet, pc, expected", [
    (0.5, 0.2, 0.1, "outpaced both"), (0.3, 0.4, 0.1, "not with the internet"),
    (0.3, 0.1, 0.4, "not with the personal computer"), (0.05, 0.2, 0.1, "lagged both")])
def test_adoption_sentence_branches(genai, internet, pc, expected):
    assert expected in capex.adoption_sentence(genai, internet, pc)


@pytest.mark.parametrize("ratio, expected", [
    (20.0, "a small fraction of that"), (2.0, "less than that"), (0.5, "more than that")])
def test_first_wave_sentence_branches(ratio, expected):
    assert expected in capex.first_wave_sentence(ratio)


@pytest.mark.parametrize("cost, gain, expected", [
    (1.02, 1.8, "about as much as the older per gigawatt, and it delivers 1.8 times"),
    (1.5, 1.8, "more than the older per gigawatt, but it delivers 1.8 times"),
    (0.7, 1.8, "less than the older per gigawatt, and it delivers"),
    (1.5, 1.0, "about the same peak compute"), (1.5, 0.5, "only 50%")])
def test_generation_clause_branches(cost, gain, expected):
    assert expected in capex.generation_clause(cost, gain)
