"""Chapter 6 (what must be true): every sentence whose truth depends on the numbers is chosen
by them, and the figures it shares with chapter 4 are computed the same way.

For each shipped scenario the chapter's inputs are computed (fewer Monte Carlo samples than the
book, same seed) and each claim is checked against the condition it states, computed
independently here. Unit cases then drive each claim function down every branch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import ROOT

from aiboom.analysis import money, outlook
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
N = 20_000


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter6(request) -> dict:
    scenario = load_scenario(str(request.param))
    registry, accelerator = money.scenario_model(scenario)
    inputs = money.central_inputs(registry)
    survey = registry["survey_payback_typical_months"]
    targets = {"typical-tech payback": survey.central, "one-year payback": money.MONTHS_PER_YEAR}
    solved = outlook.what_must_be_true(inputs, targets, accelerator)
    genai = money.simulate_project(registry, "genai", N, scenario.seed, "numpy", accelerator)
    median = money.quantiles(money.break_even_conversion_samples(
        registry, genai["usd_per_query"], scenario.seed))[1]
    best = outlook.payback_at(outlook.favourable_inputs(registry, inputs, accelerator),
                              accelerator)
    return {"registry": registry, "accelerator": accelerator, "inputs": inputs,
            "survey": survey, "targets": targets, "solved": solved,
            "firsts": solved.drop_duplicates("short").set_index("short"),
            "break_even_median": median, "best_payback": best}


def test_chapter6_shares_its_central_figures_with_chapter4(chapter6):
    reg, acc, inputs = chapter6["registry"], chapter6["accelerator"], chapter6["inputs"]
    # one function for the central payback and the central break-even, whoever states them
    assert money.central_payback_months(reg, acc) == pytest.approx(
        outlook.payback_at(inputs, acc), rel=1e-12)
    query_cost = outlook.what_must_be_true(inputs, {"one year": 12.0}, acc,
                                           levers=[outlook.LEVERS[2]])
    usd = float(query_cost["current"].iloc[0])  # the cost per query chapter 6 states
    assert money.central_usd_per_query(reg, acc) == pytest.approx(usd, rel=1e-12)
    assert money.central_break_even_conversion(reg, acc) == pytest.approx(
        outlook.required_conversion(reg, usd), rel=1e-12)
    margin = reg["saas_gross_margin"].central
    assert money.central_break_even_conversion(reg, acc, margin) == pytest.approx(
        outlook.required_conversion(reg, usd, margin), rel=1e-12)


def test_chapter6_target_and_compute_claims_hold(chapter6):
    typical = chapter6["survey"].central
    clause = money.second_target_clause(typical)
    if clause == "a little easier":
        assert money.MONTHS_PER_YEAR > typical
    if clause == "a little harder":
        assert money.MONTHS_PER_YEAR < typical
    free_query = chapter6["firsts"].loc["query_cost", "best_payback"]
    para, bullet = money.compute_binding_sentences(free_query, typical)
    if "not what stands between" in para:
        assert free_query > typical and bullet.startswith("Compute is not the binding")
    else:
        assert free_query <= typical and bullet.startswith("Compute can be the binding")


def test_chapter6_break_even_median_claim_holds(chapter6):
    reg, acc = chapter6["registry"], chapter6["accelerator"]
    central = money.central_break_even_conversion(reg, acc)
    median = chapter6["break_even_median"]
    s = money.median_against_central_sentence(median, central, "the break-even paying share")
    if "higher than the central value" in s:
        assert median > central, (median, central)
        # the reason given: the median query costs more than the central one
        genai = money.simulate_project(reg, "genai", N, 1, "numpy", acc)
        assert np.median(genai["usd_per_query"]) > money.central_usd_per_query(reg, acc)
    if "lower than the central value" in s:
        assert median < central
    if "close to the central value" in s:
        assert median == pytest.approx(central, rel=0.1)


def test_chapter6_lever_claims_hold(chapter6):
    solved, firsts = chapter6["solved"], chapter6["firsts"]
    typical = chapter6["targets"]["typical-tech payback"]
    reach = {t: int(solved[(solved["target"] == t) & solved["required"].notna()].shape[0])
             for t in chapter6["targets"]}
    sentence = outlook.levers_reachable_sentence(len(outlook.LEVERS), reach[
        "typical-tech payback"], reach["one-year payback"])
    if sentence.startswith("None"):
        assert sum(reach.values()) == 0
    # a lever "reaches" a target exactly when its best payback does
    for _, row in solved.iterrows():
        best = firsts.loc[row["short"], "best_payback"]
        target = chapter6["targets"][row["target"]]
        if math.isfinite(row["required"]):
            assert best <= target * 1.001, (row["short"], best, target)
    central = money.central_payback_months(chapter6["registry"], chapter6["accelerator"])
    serving = outlook.serving_registers_sentence(
        central, firsts.loc["query_cost", "best_payback"],
        firsts.loc["utilisation", "best_payback"])
    if "barely registers" in serving:
        assert min(firsts.loc["query_cost", "best_payback"],
                   firsts.loc["utilisation", "best_payback"]) >= 0.9 * central
    others = outlook.others_short_sentence(solved)
    if others.startswith("The other levers fall short"):
        rows = solved[solved["short"].isin(["capture", "build_cost", "cleanup_delay"])]
        assert not np.isfinite(rows["required"]).any()
    text, bullet = outlook.favourable_sentences(chapter6["best_payback"],
                                                chapter6["survey"].high)
    if "looks like ordinary software" in text:
        assert chapter6["best_payback"] <= chapter6["survey"].high
    else:
        assert chapter6["best_payback"] > chapter6["survey"].high
    assert typical > 0


# ------------------------------------------------------------------- every branch, by hand

def test_second_target_clause_branches():
    assert money.second_target_clause(9.5) == "a little easier"
    assert money.second_target_clause(18.0) == "a little harder"
    assert money.second_target_clause(12.1) == "about as demanding"


def test_compute_binding_branches():
    para, bullet = money.compute_binding_sentences(32.0, 9.5)
    assert "not what stands between" in para and bullet.startswith("Compute is not")
    assert bullet.endswith("would still leave a payback of")
    para, bullet = money.compute_binding_sentences(8.0, 9.5)
    assert "could bring the project within" in para and bullet.startswith("Compute can be")


def test_median_against_central_branches():
    what = "the break-even paying share"
    assert "higher than the central value" in money.median_against_central_sentence(
        0.019, 0.005, what)
    assert "higher than the central value" in money.median_against_central_sentence(
        math.inf, 0.005, what)
    assert "lower than the central value" in money.median_against_central_sentence(
        0.002, 0.005, what)
    assert "close to the central value" in money.median_against_central_sentence(
        0.0051, 0.005, what)
    assert money.median_against_central_sentence(math.inf, math.inf, what).startswith(
        "Neither")


def test_lever_quantities_cover_every_lever():
    assert set(money.LEVER_QUANTITIES) == {lever.short for lever in outlook.LEVERS}
