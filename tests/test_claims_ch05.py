"""Chapter 5 (what comes next): every sentence whose truth depends on the numbers is chosen by
them.

For each shipped scenario the chapter's inputs are computed as the notebook computes them
(fewer Monte Carlo samples than the book, same seed) and each claim is checked against the
condition it states, computed independently here. Unit cases then drive each claim function
down every branch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from aiboom import data
from aiboom.analysis import money, outlook
from aiboom.montecarlo import accelerator_price_row
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))
N = 4_000


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter5(request) -> dict:
    scenario = load_scenario(str(request.param))
    registry, accelerator = money.scenario_model(scenario)
    accelerators = data.accelerators()
    prices = data.api_prices()
    genai = money.simulate_project(registry, "genai", N, scenario.seed, "numpy", accelerator)
    small = money.evaluate_with(genai, outlook.small_model_changes(registry), "numpy",
                                accelerator)
    bills = outlook.workload_bills(prices, registry)
    gain = outlook.generation_gain(outlook.perf_per_watt(accelerators))
    per_chip = outlook.query_by_accelerator(genai, accelerators, scenario.registry,
                                            scenario.seed, "numpy",
                                            samples_accelerator=scenario.accelerator)
    trend = outlook.frontier_price_trend(prices)
    start = int(outlook.prices_as_of(prices).year)
    paths = outlook.price_paths(registry, trend, start, N, scenario.seed)
    return {"scenario": scenario, "registry": registry, "accelerator": accelerator,
            "accelerators": accelerators, "genai": genai, "small": small, "bills": bills,
            "gain": gain, "chips": per_chip.set_index("accelerator"), "trend": trend,
            "paths": paths}


def test_small_model_saving_claim_holds(chapter5):
    r = chapter5["registry"]
    ratio = float(np.median(chapter5["genai"]["usd_per_query"]
                            / chapter5["small"]["usd_per_query"]))
    params = r["frontier_active_params"].central / r["small_model_active_params"].central
    text = outlook.small_saving_sentence(ratio, params)
    assert ("smaller than the ratio" in text) == (ratio < params), (text, ratio, params)
    assert ratio > 1.0  # the bullet's "more cheaply"


def test_tier_claims_hold(chapter5):
    by = chapter5["bills"].groupby("group")["bill_usd_per_month"]
    gap = by.median()["Frontier tier"] / by.median()["Small tier"]
    spread = min(by.max()[g] / by.min()[g] for g in ("Frontier tier", "Small tier"))
    text = outlook.tier_spread_sentence(chapter5["bills"])
    assert text.startswith("The spread within each tier") == (spread >= gap), (text, spread, gap)
    phrase = outlook.ratio_phrase(gap)
    assert ("less" in phrase) == (gap >= 1.5), (phrase, gap)


def test_inference_claim_holds(chapter5):
    share = money.inference_share_of_monthly_cost(
        money.central_inputs(chapter5["registry"]), chapter5["accelerator"])
    text = outlook.inference_decisive_sentence(share)
    assert ("not decisive" in text) == (share < 0.25), (text, share)


def test_open_discount_is_a_saving(chapter5):
    bills = chapter5["bills"].set_index("group")["bill_usd_per_month"]
    # the prose says the discount "cuts" the bill and names "a saving"
    assert bills["Open model (registry discount)"] < bills["Frontier (registry)"]


def test_hardware_claims_hold(chapter5):
    gain, chips = chapter5["gain"], chapter5["chips"]
    assert gain["gain"] > 1.0  # "rose ... per generation", "has grown"
    first, last = gain["chips"][0], gain["chips"][-1]
    wh0, wh1 = chips.loc[first, "wh_p50"], chips.loc[last, "wh_p50"]
    c0, c1 = chips.loc[first, "usd_p50"], chips.loc[last, "usd_p50"]
    bullet = outlook.chip_bullet(wh0, wh1, c0, c1)
    if bullet == "energy and cost per query fall with it":
        assert wh1 < wh0 and c1 < c0
    else:
        assert not (wh1 < wh0 and c1 < c0), bullet
    ids = dict(zip(chapter5["accelerators"]["name"].str.split(" (", regex=False).str[0],
                   chapter5["accelerators"]["id"], strict=True))
    table = chapter5["accelerators"].set_index("id")
    reg = chapter5["scenario"].registry
    rent0 = accelerator_price_row(reg, table, ids[first]).central
    rent1 = accelerator_price_row(reg, table, ids[last]).central
    text = outlook.chip_query_sentences(first, last, wh0, wh1, c0 * 100, c1 * 100, rent0, rent1)
    assert ("hardware cost falls" in text) == (c1 < c0), text
    if "even though the newer chip rents for more" in text:
        assert rent1 > rent0
    if "helped by a lower rent" in text:
        assert rent1 <= rent0
    years = chapter5["registry"]["years_per_accelerator_generation"].central
    phrase = outlook.every_years_phrase(years)
    assert phrase.startswith("every ") and "every 1 " not in phrase, phrase


def test_price_claims_hold(chapter5):
    trend, decline = chapter5["trend"], chapter5["registry"]["api_price_decline_per_year"]
    fall, lo, hi = 1.0 / trend.growth_per_year, 1.0 / trend.high, 1.0 / trend.low
    lead = outlook.frontier_lead_sentence(fall, decline.central)
    assert ("not collapsed" in lead) == (fall < decline.central), (lead, fall)
    text = outlook.frontier_fall_sentence(fall, lo, hi)
    assert ("includes no fall at all" in text) == (fall > 1.0 and min(lo, hi) <= 1.0), text
    assert ("a fall of only" in text) == (fall > 1.0), text
    bullet = outlook.decline_bullet(decline.central, fall)
    assert ("only about" in bullet) == (1.0 < fall < decline.central), bullet
    paths = chapter5["paths"]
    final = paths[paths["year"] == paths["year"].max()].set_index("series")
    same = final.loc["Same capability, plain answer", "p50"]
    reason = final.loc["Frontier, reasoning answer", "p50"]
    gap_text = outlook.final_gap_sentences(int(paths["year"].max()), same * 100, reason * 100)
    assert ("still cost" in gap_text) == (reason / same >= 1.5), gap_text
    today = paths[paths["year"] == paths["year"].min()].set_index("series")
    assert (today.loc["Frontier, reasoning answer", "p50"]
            > today.loc["Frontier, plain answer", "p50"])  # "against ... without"


def test_price_table_claims_hold():
    """The prose says each model counts once at its standard price, retired ones left out."""
    prices = data.api_prices()
    cur = outlook.like_with_like_prices(prices)
    assert len(cur) > 1 and not cur.duplicated(["vendor", "model"]).any()
    assert outlook.median_list_price(prices) == cur.loc[cur["tier"] == "frontier",
                                                        "output_usd_per_m"].median()
    # the trend is a history: it keeps retired models ("retired models included")
    dated = outlook.dated_prices(prices)
    assert dated["retired"].notna().any()


# ------------------------------------------------------------------------- every branch


def test_small_saving_sentence_branches():
    assert "smaller than the ratio" in outlook.small_saving_sentence(5.0, 12.0)
    assert "at least the ratio" in outlook.small_saving_sentence(12.0, 12.0)


def test_inference_decisive_branches():
    assert "not decisive" in outlook.inference_decisive_sentence(0.1)
    assert "this matters" in outlook.inference_decisive_sentence(0.5)


def test_tier_spread_branches():
    def bills(frontier, small):
        return pd.DataFrame({"group": ["Frontier tier"] * len(frontier)
                             + ["Small tier"] * len(small),
                             "bill_usd_per_month": frontier + small})
    assert outlook.tier_spread_sentence(bills([1.0, 100.0], [0.1, 10.0])).startswith(
        "The spread within each tier")
    assert outlook.tier_spread_sentence(bills([90.0, 110.0], [0.9, 1.1])).startswith(
        "The gap between the tiers")


def test_ratio_phrase_branches():
    assert outlook.ratio_phrase(10.0) == "10 times less"
    assert outlook.ratio_phrase(1.2) == "about the same"
    assert outlook.ratio_phrase(0.25) == "4 times more"


def test_every_years_phrase_branches():
    assert outlook.every_years_phrase(1.0) == "every year"
    assert outlook.every_years_phrase(3.0) == "every three years"
    assert outlook.every_years_phrase(2.5) == "every 2.5 years"


def test_chip_bullet_branches():
    assert outlook.chip_bullet(3.0, 1.0, 0.6, 0.2) == "energy and cost per query fall with it"
    assert "not every newer chip" in outlook.chip_bullet(3.0, 1.0, 0.2, 0.6)
    assert "but not the energy" in outlook.chip_bullet(1.0, 3.0, 0.6, 0.2)
    assert "neither" in outlook.chip_bullet(1.0, 3.0, 0.2, 0.6)


def test_chip_query_sentences_branches():
    down = outlook.chip_query_sentences("A", "B", 3.0, 1.0, 0.6, 0.2, 2.0, 4.0)
    assert "3 times less" in down and "hardware cost falls" in down
    assert "rents for more" in down
    cheaper_rent = outlook.chip_query_sentences("A", "B", 3.0, 1.0, 0.6, 0.2, 4.0, 2.0)
    assert "helped by a lower rent" in cheaper_rent
    up = outlook.chip_query_sentences("A", "B", 1.0, 1.01, 0.2, 0.6, 2.0, 4.0)
    assert "about the same" in up and "hardware cost rises" in up


def test_frontier_sentences_branches():
    assert "not collapsed" in outlook.frontier_lead_sentence(1.5, 10.0)
    assert "at least as fast" in outlook.frontier_lead_sentence(12.0, 10.0)
    assert "includes no fall at all" in outlook.frontier_fall_sentence(1.6, 0.8, 3.4)
    assert "do fall, but more slowly" in outlook.frontier_fall_sentence(1.6, 1.2, 2.4)
    assert "no fall at all: " in outlook.frontier_fall_sentence(0.9, 0.6, 1.3)


def test_decline_bullet_branches():
    assert "only about 1.6-fold" in outlook.decline_bullet(10.0, 1.6)
    assert "does not fall at all" in outlook.decline_bullet(10.0, 0.9)
    assert "as fast or faster" in outlook.decline_bullet(10.0, 12.0)


def test_final_gap_sentences_branches():
    wide = outlook.final_gap_sentences(2029, 0.00098, 1.5)
    assert "still cost 1.5 cents, 1,500 times as much" in wide and "0.00098" in wide
    narrow = outlook.final_gap_sentences(2029, 1.0, 1.2)
    assert "little more" in narrow and "still" not in narrow


def test_sig_text():
    assert outlook.sig_text(0.000981) == "0.00098"
    assert outlook.sig_text(1512.0) == "1,500"
    assert outlook.sig_text(9.712) == "9.7"
    assert outlook.sig_text(123.0, 3) == "123"
