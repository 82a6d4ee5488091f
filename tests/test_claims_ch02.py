"""Chapter 2 (serving costs): every sentence whose truth depends on the numbers is chosen by them.

For each shipped scenario the chapter's inputs are computed as the notebook computes them (fewer
Monte Carlo samples than the book, same seed, NumPy) and each claim is checked against the
condition it states, computed independently here. Unit cases then drive each claim function down
every branch.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from aiboom import data
from aiboom.analysis import outlook, training_trends
from aiboom.analysis import serving as sv
from aiboom.montecarlo import scenario_inputs
from aiboom.scenarios import load_scenario
from aiboom.validation.energy import fleet_over_accelerator_energy

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
N = 20_000
YEAR = sv.DAYS_PER_YEAR


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter2(request) -> dict:
    scenario = load_scenario(str(request.param))
    registry = scenario.registry
    accelerators = sv.with_registry_prices(data.accelerators(), registry)
    chip = accelerators.set_index("id").loc[scenario.accelerator]
    mc_registry, mc_accelerator = scenario_inputs(scenario)
    setup = sv.create_serving_setup(registry)
    models = sv.served_models(registry, setup.kv_bytes_per_value)
    by_chip = sv.decode_cost_by_accelerator(accelerators, models, setup,
                                            price_column="registry_usd_per_gpu_hour")
    frontier = by_chip[by_chip["model"] == models["model"].iloc[1]]
    usd_per_gpu_hour = chip["registry_usd_per_gpu_hour"]
    sweep = sv.roofline_sweep(chip, models, setup, usd_per_gpu_hour)
    costs = sv.run_query_costs(mc_registry, N, scenario.seed, "numpy", mc_accelerator)
    mix = sv.interval_row("mix", costs.mix, "usd_per_query")
    reasoning = sv.interval_row("reasoning", costs.reasoning, "usd_per_query")
    price = registry["subscription_usd_per_month"].central
    margins = sv.margins_at(sv.REFERENCE_USERS, registry, mix, reasoning, price)
    implied = sv.interval_row("implied", sv.implied_token_cost(
        mc_registry, N, scenario.seed, "numpy", mc_accelerator), "usd_per_query")
    median_price = outlook.median_list_price(data.api_prices(), "frontier")
    run = training_trends.frontier_reference_run(
        training_trends.frontier_run_costs(data.models(), registry))
    queries_per_day = (registry["weekly_active_users"].central
                       * registry["queries_per_user_per_day"].central)
    energy = sv.electricity_usd_per_gpu_hour(registry["server_watts_per_gpu"].central,
                                             registry["pue"].central,
                                             registry["usd_per_kwh"].central)
    google = data.validation_figures().set_index("id").loc[
        "google_2025_fleet_over_accelerator_energy", "published_value"]
    return {
        "registry": registry, "mc_registry": mc_registry, "accelerators": accelerators,
        "frontier": frontier, "by_chip": by_chip, "models": models, "sweep": sweep,
        "costs": costs, "mix": mix,
        "margins": margins, "implied": implied, "median_price": median_price,
        "days_rented": sv.breakeven_quantiles(run.rental_usd, queries_per_day, mix),
        "usd_per_gpu_hour": usd_per_gpu_hour, "energy_usd_per_gpu_hour": energy,
        "google": float(google), "chip_id": scenario.accelerator,
    }


def test_one_gpu_hour_price_per_chip(chapter2):
    # the roofline, the Monte Carlo and the training chapter price the chip the same way
    assert chapter2["usd_per_gpu_hour"] == chapter2["mc_registry"]["h100_usd_per_gpu_hour"].central


def test_newer_and_bandwidth_claims_hold(chapter2):
    f = chapter2["frontier"]
    bw = sv.bandwidth_per_rental_usd(chapter2["accelerators"], "registry_usd_per_gpu_hour")
    sentence = sv.newer_not_cheaper_sentence(f, bw)
    cost = dict(zip(f["accelerator"], f["usd_per_m_tokens"], strict=True))
    year = dict(zip(f["accelerator"], f["year"], strict=True))
    inverted = [(a, b) for a in cost for b in cost if year[b] > year[a] and cost[b] > cost[a]]
    if sentence.startswith("Newer is not"):
        assert inverted, sentence
        named = [a for a in cost if f"the {a} (" in sentence]
        assert len(named) == 2, sentence
        new, old = sorted(named, key=year.get, reverse=True)
        assert year[new] > year[old] and cost[new] > cost[old], sentence
        if "less memory bandwidth" in sentence:
            assert bw[new] < bw[old]
    else:
        assert not inverted, sentence
    cheapest = min(cost, key=cost.get)
    dearest = max(cost, key=cost.get)
    lead = sv.bandwidth_lead(bw[cheapest], bw[dearest])
    if lead.startswith("Because decoding waits on memory"):
        assert bw[cheapest] > bw[dearest]


def test_frontier_over_small_claim_holds(chapter2):
    by_chip, models = chapter2["by_chip"], chapter2["models"]
    small, frontier = (by_chip[by_chip["model"] == models["model"].iloc[i]]
                       .set_index("accelerator")["usd_per_m_tokens"] for i in (0, 1))
    ratio = (frontier / small).median()
    sentence = sv.frontier_over_small_sentence(ratio)
    params = models.set_index("model")["active_params"]
    if "the same size" in sentence:
        assert params.iloc[0] == params.iloc[1]
    if "more weights" in sentence:
        assert ratio > 1 and params.iloc[1] > params.iloc[0]


def test_batch_doubling_claim_holds(chapter2):
    sweep = chapter2["sweep"]
    smallest = sweep[sweep["batch_size"] == sweep["batch_size"].min()]
    sentence = sv.batch_doubling_sentence(list(smallest["bound"]), sv.doubling_gain(sweep))
    table = sweep.pivot(index="batch_size", columns="model", values="tokens_per_s_per_gpu")
    first_doubling = table.iloc[1] / table.iloc[0]
    assert table.index[1] == 2 * table.index[0]
    if "every model is memory-bound" in sentence:
        assert (smallest["bound"] == "memory").all()
    if "nearly doubles" in sentence:
        assert (first_doubling >= 1.8).all() and (first_doubling <= 2.0 + 1e-9).all()


def test_margin_and_summary_claims_hold(chapter2):
    m = chapter2["margins"]
    typical, heavy = m.loc[sv.AI_TYPICAL], m.loc[sv.AI_HEAVY]
    sentence = sv.subscriber_margin_sentence(typical["p50"], heavy["p5"], heavy["p50"])
    if "the typical subscriber is profitable" in sentence or "both subscribers" in sentence:
        assert typical["p50"] > 0
    if "costs more to serve than they pay" in sentence:
        assert heavy["p50"] < 0
    if "both subscribers are profitable" in sentence:
        assert heavy["p50"] >= 0
    if "costlier draws" in sentence:
        assert heavy["p5"] < 0 <= heavy["p50"]
    if "even the heavy user pays" in sentence:
        assert heavy["p5"] >= 0
    # the heavy user always leaves less margin than the typical one, so "but only" holds
    assert heavy["p50"] < typical["p50"]
    cents = chapter2["mix"]["p50"] * sv.CENTS_PER_USD
    summary = sv.summary_cost_sentence(cents, typical["p50"])
    if "fraction of a cent" in summary:
        assert cents < 1
    if "easily covers" in summary:
        assert typical["p50"] > 0


def test_list_price_and_reasoning_claims_hold(chapter2):
    implied, price = chapter2["implied"], chapter2["median_price"]
    sentence = sv.list_price_sentence(price / implied["p95"], price / implied["p50"])
    if "room to spare" in sentence:
        assert price / implied["p95"] >= 2
    if "does not even cover" in sentence:
        assert price <= implied["p50"]
    costs = chapter2["costs"]
    ratio = sv.quantiles(costs.reasoning.samples["usd_per_query"]
                         / costs.plain.samples["usd_per_query"])["p50"]
    tokens = 1.0 + costs.reasoning.samples["reasoning_token_multiplier"]
    per_draw = (costs.reasoning.samples["usd_per_query"] / costs.plain.samples["usd_per_query"]
                / tokens)
    claim = sv.reasoning_tokens_sentence(float(np.median(per_draw)))
    if "less than the number of tokens" in claim:
        assert np.median(per_draw) < 1.0, claim
        assert (per_draw < 1.0).mean() > 0.5
    if "at least as fast" in claim:
        assert np.median(per_draw) >= 1.0
    assert ratio > 1.0  # reasoning always costs more


def test_training_bill_claims_hold(chapter2):
    days = chapter2["days_rented"]
    sentence = sv.training_bill_sentence(days["p50"], days["p95"])
    if "even at the top of the interval" in sentence:
        assert days["p95"] < YEAR
    if "within a year at the median" in sentence:
        assert days["p50"] < YEAR <= days["p95"]
    if "more than a year" in sentence:
        assert days["p50"] >= YEAR
    closing = sv.serving_decides_sentence(days["p50"], days["p95"])
    if "decided by serving" in closing:
        assert days["p95"] < YEAR
    if "usually weighs more" in closing:
        assert days["p50"] < YEAR <= days["p95"]
    if "both decide" in closing:
        assert days["p50"] >= YEAR


def test_energy_claims_hold(chapter2):
    share = chapter2["energy_usd_per_gpu_hour"] / chapter2["usd_per_gpu_hour"]
    lead, follow = sv.electricity_sentences(share)
    if "small part" in lead:
        assert share < 0.25 and "changes the economics little" in follow
    model = fleet_over_accelerator_energy(chapter2["mc_registry"])
    word = sv.factor_comparison(model, chapter2["google"])
    if word == "close to":
        assert math.isclose(model, chapter2["google"], rel_tol=0.1)
    if word.endswith("above"):
        assert model > chapter2["google"]
    if word.endswith("below"):
        assert model < chapter2["google"]


# ------------------------------------------------------------------- every branch, by hand

def _chips(rows):
    return pd.DataFrame(rows, columns=["accelerator", "year", "usd_per_m_tokens"])


def test_newer_not_cheaper_branches():
    bw = pd.Series({"Old": 2.0, "New": 1.0, "Newer": 3.0})
    s = sv.newer_not_cheaper_sentence(_chips([("Old", 2020, 1.0), ("New", 2022, 1.5)]), bw)
    assert s.startswith("Newer is not") and "the New (2022)" in s and "the Old (2020)" in s
    assert "1.5 times" in s and "less memory bandwidth" in s
    # a newer chip with more bandwidth per dollar that still costs more: no reason given
    s = sv.newer_not_cheaper_sentence(_chips([("Old", 2020, 1.0), ("Newer", 2022, 1.5)]), bw)
    assert s.startswith("Newer is not") and "bandwidth" not in s
    s = sv.newer_not_cheaper_sentence(_chips([("Old", 2020, 2.0), ("New", 2022, 1.0)]), bw)
    assert s.startswith("Here each newer")
    # chips of one year are not ranked by age
    same = sv.newer_not_cheaper_sentence(_chips([("Old", 2022, 1.0), ("New", 2022, 3.0)]), bw)
    assert same.startswith("Here each newer")
    assert sv.bandwidth_lead(2.0, 1.0).startswith("Because decoding waits on memory")
    assert "does not decide" in sv.bandwidth_lead(1.0, 2.0)


def test_batch_doubling_branches():
    sweep = pd.DataFrame({"model": ["a", "a", "b", "b"], "batch_size": [1.0, 2.0, 1.0, 2.0],
                          "tokens_per_s_per_gpu": [10.0, 19.0, 10.0, 15.0]})
    assert sv.doubling_gain(sweep) == pytest.approx(1.5)
    assert "nearly doubles" in sv.batch_doubling_sentence(["memory", "memory"], 1.95)
    s = sv.batch_doubling_sentence(["memory"], 1.5)
    assert "only 50%" in s and "nearly" not in s
    assert "adds little output" in sv.batch_doubling_sentence(["memory", "compute"], 1.9)


def test_margin_branches():
    assert "the typical subscriber is profitable, the heavy user costs more" in \
        sv.subscriber_margin_sentence(0.5, -1.0, -0.2)
    s = sv.subscriber_margin_sentence(0.5, -0.1, 0.2)
    assert "both subscribers are profitable" in s and "costlier draws" in s
    assert "even the heavy user pays" in sv.subscriber_margin_sentence(0.5, 0.1, 0.2)
    assert "even the typical subscriber costs more" in \
        sv.subscriber_margin_sentence(-0.1, -2.0, -1.0)
    assert "fraction of a cent" in sv.summary_cost_sentence(0.3, 0.5)
    assert "about 2.5 cents" in sv.summary_cost_sentence(2.5, 0.5)
    assert "does not cover" in sv.summary_cost_sentence(0.3, -0.1)


def test_list_price_and_count_branches():
    assert "room to spare" in sv.list_price_sentence(5.0, 20.0)
    assert "not with room to spare" in sv.list_price_sentence(1.5, 3.0)
    assert "does not even cover" in sv.list_price_sentence(0.3, 0.8)
    assert sv.current_price_lead(1).startswith("The one frontier-tier model")
    assert "of the nine frontier-tier models" in sv.current_price_lead(9)
    assert "of the 40 frontier-tier models" in sv.current_price_lead(40)
    assert sv.count_word(0) == "no" and sv.count_word(12) == "twelve"
    assert sv.count_word(1234) == "1,234"


def test_reasoning_and_training_branches():
    assert "rises a little less" in sv.reasoning_tokens_sentence(0.95)
    assert "rises less" in sv.reasoning_tokens_sentence(0.72)
    assert "much less" in sv.reasoning_tokens_sentence(0.3)
    assert "at least as fast" in sv.reasoning_tokens_sentence(1.02)
    assert "even at the top" in sv.training_bill_sentence(30, 200)
    assert "within a year at the median" in sv.training_bill_sentence(200, 500)
    assert "more than a year" in sv.training_bill_sentence(500, np.inf)
    assert "within 200 days" in sv.serving_decides_sentence(100, 200)
    s = sv.serving_decides_sentence(100, 500)
    assert "within a year at the median (1.4 years" in s and "usually weighs more" in s
    assert "never at the top" in sv.serving_decides_sentence(100, np.inf)
    s = sv.serving_decides_sentence(800, 3000)
    assert "only after 2.2 years" in s and "both decide" in s
    assert "not at all" in sv.serving_decides_sentence(np.inf, np.inf)


def test_energy_and_phrase_branches():
    assert "small part" in sv.electricity_sentences(0.1)[0]
    assert "sizeable" in sv.electricity_sentences(0.3)[0]
    assert "most of the bill" in sv.electricity_sentences(0.7)[0]
    lead, follow = sv.electricity_sentences(0.3)
    assert lead.endswith(":") and follow.endswith(".")
    assert sv.times_phrase(1.02) == "about the same as"
    assert sv.times_phrase(2.345) == "2.3 times"
    assert sv.factor_comparison(2.5, 2.4) == "close to"
    assert sv.factor_comparison(2.9, 2.4) == "somewhat above"
    assert sv.factor_comparison(2.0, 2.4) == "somewhat below"
    assert sv.factor_comparison(4.0, 2.4) == "well above"
    assert sv.factor_comparison(1.0, 2.4) == "well below"
    assert sv.lopsided_sentence(0, 20).startswith("None of the 20")
    assert sv.lopsided_sentence(1, 20).startswith("One of the 20") and "has" in \
        sv.lopsided_sentence(1, 20)
    assert sv.lopsided_sentence(3, 20) == ("Of the 20 inputs of the per-query model, three "
                                           "have such lopsided ranges.")
    assert sv.lopsided_sentence(5, 5).startswith("All of the five")


def test_accelerator_ids_by_label():
    acc = data.accelerators()
    ids = sv.accelerator_ids_by_label(acc)
    assert len(ids) == len(acc)
    assert ids[sv.accelerator_label(acc["name"].iloc[0])] == acc["id"].iloc[0]


def test_frontier_over_small_branches():
    assert "the same size" in sv.frontier_over_small_sentence(1.01)
    s = sv.frontier_over_small_sentence(6.7)
    assert "about 6.7 times" in s and "more weights" in s
    assert "the smaller of the two" in sv.frontier_over_small_sentence(0.5)
