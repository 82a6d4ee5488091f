"""Chapter 3 (training costs): every sentence whose truth depends on the numbers is chosen by them.

For each shipped scenario the chapter's inputs are recomputed on that scenario's registry and
each claim function's sentence is checked against the condition it states, computed here.
Unit cases then drive each function down every branch.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import ROOT

from aiboom import data, inference, montecarlo, training
from aiboom.analysis import training_trends as tt
from aiboom.registry import Assumption
from aiboom.scenarios import load_scenario

SCENARIOS = sorted((ROOT / "data" / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module", params=SCENARIOS, ids=[p.stem for p in SCENARIOS])
def chapter3(request) -> dict:
    scenario = load_scenario(str(request.param))
    registry = scenario.registry
    models = data.models()
    accelerators = data.accelerators().set_index("id")
    h100 = accelerators.loc["h100"]
    price = montecarlo.accelerator_price_row(registry, accelerators, "h100").central
    costs = tt.frontier_run_costs(models, registry)
    cost_fit = training.fit_log_linear_trend(costs["year"], costs["cost_usd_2023"])
    compute = tt.compute_points(models)
    frontier = compute[compute["group"].str.startswith("Frontier")]
    compute_fit = training.fit_log_linear_trend(frontier["year"], frontier["training_flop"])
    priciest = costs.loc[costs["cost_usd_2023"].idxmax()]
    refit = tt.scaling_laws(registry)["Besiroglu et al. (refit)"]
    now, then, _ = tt.decade_markers(compute)
    return {"registry": registry, "costs": costs, "cost_fit": cost_fit,
            "compute_fit": compute_fit, "compute": compute, "priciest": priciest,
            "billion": tt.year_reaching(cost_fit, tt.BILLION_USD),
            "priciest_billion": tt.year_reaching_from(cost_fit, priciest["year"],
                                                      priciest["cost_usd_2023"], tt.BILLION_USD),
            "run": tt.reference_run(registry, h100, price),
            "gain_now": training.loss_gain_per_10x(now["training_flop"], refit),
            "gain_then": training.loss_gain_per_10x(then["training_flop"], refit),
            "usd_per_flop": training.usd_per_flop(
                price, inference.accelerator_peak_flop_per_s(h100, "bf16"),
                registry["training_mfu"].central),
            "path": Path(request.param)}


def test_chapter3_trend_claims_hold(chapter3):
    cost, comp = chapter3["cost_fit"].growth_per_year, chapter3["compute_fit"].growth_per_year
    fpu = chapter3["registry"]["gpu_flop_per_usd_growth_per_year"].central
    gap = tt.compute_cost_gap_sentences(comp, cost, fpu)
    if gap.startswith("Compute grows faster than cost"):
        assert comp > cost and fpu > 1.0, (gap, comp, cost)
    if "account for" in gap:
        assert fpu < comp / cost, (gap, fpu, comp / cost)
    cheap = tt.cheap_compute_sentence(cost, comp)
    if "does not make frontier training cheap" in cheap:
        assert cost > 1.0 and comp > cost, (cheap, cost, comp)
    phrase = tt.growth_phrase(cost)
    if phrase.startswith("grown"):
        assert cost > 1.0
    if "faster still" in tt.compute_summary_sentence(comp, cost):
        assert comp > cost
    if "rises exponentially" in tt.squeeze_sentence(cost):
        assert cost > 1.0
    epoch = chapter3["registry"]["frontier_compute_growth_per_year"]
    clause = tt.compute_vs_epoch_clause(chapter3["compute_fit"], epoch)
    if clause.startswith("in line with"):
        assert chapter3["compute_fit"].low <= epoch.central <= chapter3["compute_fit"].high


def test_chapter3_billion_dollar_claims_hold(chapter3):
    billion, largest = chapter3["billion"], chapter3["priciest_billion"]
    text = tt.billion_year_sentence(billion, largest, chapter3["priciest"]["model"])
    if "sit above the line" in text:
        assert largest < billion["central"], (text, largest, billion)
    if "sits below the line" in text:
        assert largest > billion["central"]
    if "sooner than Epoch AI projects" in text:
        assert largest < tt.EPOCH_BILLION_RUN_YEAR
    if f"later than Epoch AI's {tt.EPOCH_BILLION_RUN_YEAR}" in text:
        assert billion["earliest"] > tt.EPOCH_BILLION_RUN_YEAR
    last = float(chapter3["costs"]["year"].max())
    summary = tt.billion_summary_sentence(chapter3["cost_fit"].growth_per_year,
                                          billion["central"], largest, last)
    if "which sit above the trend" in summary:
        assert largest < billion["central"]
    if " passes a billion" in summary:
        assert billion["central"] > last


def test_chapter3_run_and_scaling_claims_hold(chapter3):
    run = chapter3["run"]
    costs = tt.run_cost_sentences(run.hardware_usd, run.energy_usd, run.rental_usd)
    share = run.energy_usd / run.owned_usd
    if "of which only" in costs:
        assert share < tt.SMALL_ENERGY_SHARE
    if "times as much" in costs:
        assert run.rental_usd > run.owned_usd
    if "less than owning" in costs:
        assert run.rental_usd < run.owned_usd
    if "matters more to the grid" in tt.electricity_weight_sentence(share, run.energy_mwh / 1e3):
        assert share < tt.SMALL_ENERGY_SHARE
    if "smaller one only for a lab" in tt.cluster_sentence(run.rental_usd, run.owned_usd,
                                                            run.cluster_capex_usd):
        assert run.owned_usd < run.rental_usd
    fall = tt.gain_fall_clause(chapter3["gain_then"], chapter3["gain_now"])
    if fall.endswith("times less"):
        assert chapter3["gain_then"] > chapter3["gain_now"]
    anchor = tt.compute_anchor(chapter3["registry"], chapter3["compute"])
    ratio = anchor["training_flop"].iloc[0] / anchor["recorded_flop"].iloc[0]
    if tt.agreement_clause(ratio, 1.0, "x").startswith("matching"):
        assert abs(ratio - 1.0) <= tt.MATCH_TOLERANCE


def test_chapter3_counts_are_in_words(chapter3):
    c = chapter3["costs"]
    text = tt.cautions_sentence(len(c), 0, 2023, int(c["imputed"].sum()),
                                int((c["hardware_basis"] == "default").sum()), 1)
    assert "none was published" in text
    assert " 1 " not in text and " 0 " not in text


# ------------------------------------------------------------------- every branch, by hand

def _fit(low: float, central: float, high: float) -> training.TrendFit:
    fit = training.fit_log_linear_trend([2000.0, 2001.0, 2002.0, 2003.0],
                                        [1.0, 3.0, 8.0, 30.0])
    return fit._replace(slope=math.log10(central), growth_per_year=central, low=low, high=high)


def _assumption(central: float, low: float, high: float) -> Assumption:
    return Assumption(id="x", phase="math", description="x", unit="x/yr", low=low,
                      central=central, high=high, distribution="fixed", source_key="t",
                      source="t", url="https://example.org", as_of="2025-01")


def test_growth_and_agreement_branches():
    assert tt.growth_phrase(2.728) == "grown 2.7-fold a year"
    assert tt.growth_phrase(1.02) == "stayed about flat"
    assert tt.growth_phrase(0.8) == "fallen by 20% a year"
    assert tt.agreement_clause(0.998, 1.0, "r") == "matching r to within a few per cent"
    assert tt.agreement_clause(1.3, 1.0, "r") == "30% above r"
    assert tt.agreement_clause(0.5, 1.0, "r") == "50% below r"
    fit = _fit(4.35, 4.64, 4.95)
    assert tt.compute_vs_epoch_clause(fit, _assumption(4.5, 4.0, 5.0)).startswith("in line")
    assert tt.compute_vs_epoch_clause(fit, _assumption(4.0, 3.5, 4.5)).startswith("faster")
    assert tt.compute_vs_epoch_clause(fit, _assumption(5.5, 5.0, 6.0)).startswith("slower")


def test_compute_cost_branches():
    assert "account for 1.4-fold" in tt.compute_cost_gap_sentences(4.64, 2.73, 1.38)
    assert "at least the whole gap" in tt.compute_cost_gap_sentences(4.64, 2.73, 2.0)
    assert "has not outgrown cost" in tt.compute_cost_gap_sentences(2.7, 2.73, 1.38)
    assert "does not make frontier training cheap" in tt.cheap_compute_sentence(2.7, 4.6)
    assert "not even let compute outrun" in tt.cheap_compute_sentence(2.7, 2.0)
    assert "kept the frontier bill from rising" in tt.cheap_compute_sentence(0.9, 2.0)
    assert "faster still" in tt.compute_summary_sentence(4.6, 2.7)
    assert "no faster than the bill" in tt.compute_summary_sentence(2.7, 2.7)
    assert "rises exponentially" in tt.squeeze_sentence(2.7)
    assert "stopped rising" in tt.squeeze_sentence(1.0)


def test_billion_branches():
    crossing = {"central": 2028.7, "earliest": 2028.0, "latest": 2029.5}
    text = tt.billion_year_sentence(crossing, 2026.1, "Grok-3")
    assert "later than Epoch AI's 2027" in text and "sit above the line" in text
    assert "sooner than Epoch AI projects" in text
    text = tt.billion_year_sentence({"central": 2027, "earliest": 2026, "latest": 2028},
                                    2029.0, "X")
    assert "includes Epoch AI's 2027" in text and "below the line" in text
    assert "later than Epoch AI projects" in text
    text = tt.billion_year_sentence({"central": 2025, "earliest": 2024, "latest": 2026},
                                    2025.0, "X")
    assert "earlier than Epoch AI's" in text and "on the line" in text
    assert "as Epoch AI projects" in tt.billion_year_sentence(crossing, 2027.2, "X")
    s = tt.billion_summary_sentence(2.7, 2028.7, 2026.1, 2025.3)
    assert " passes a billion" in s and "sit above the trend" in s
    assert "has passed" in tt.billion_summary_sentence(2.7, 2024.0, 2023.0, 2025.3)
    assert "sits below the trend" in tt.billion_summary_sentence(2.7, 2028.7, 2030.0, 2025.3)
    assert "about the same time" in tt.billion_summary_sentence(2.7, 2028.7, 2028.9, 2025.3)
    assert "no date" in tt.billion_summary_sentence(1.0, 2028.7, 2026.0, 2025.3)


def test_run_branches():
    s = tt.run_cost_sentences(54.9e6, 2.33e6, 56.0e6)
    assert "of which only 2.3 million dollars (4%)" in s and "about the same" in s
    assert "1.5 times as much" in tt.run_cost_sentences(54.9e6, 2.33e6, 86e6)
    assert "less than owning" in tt.run_cost_sentences(54.9e6, 2.33e6, 30e6)
    assert "only" not in tt.run_cost_sentences(30e6, 20e6, 50e6).split(".")[0]
    assert "grid than to the budget" in tt.electricity_weight_sentence(0.04, 29.0)
    assert "real part of the budget" in tt.electricity_weight_sentence(0.4, 29.0)
    assert tt.cluster_sentence(80e6, 57e6, 690e6).startswith("The owned figure")
    assert tt.cluster_sentence(56e6, 57e6, 690e6).startswith("Renting is no dearer")
    assert tt.gain_fall_clause(0.204, 0.016) == "13 times less"
    assert tt.gain_fall_clause(0.1, 0.1) == "about the same"
    assert tt.gain_fall_clause(0.1, 0.2) == "2 times more"


def test_words_and_counts():
    assert tt.count_words(0) == "no" and tt.count_words(1) == "one"
    assert tt.count_words(1234) == "1,234"
    assert tt.usd_words(4397.49) == "4,400 dollars"
    assert tt.usd_words(6.86e9) == "6.9 billion dollars"
    assert tt.usd_words(0.5) == "0.5 dollars"
    assert tt.round_sig(0.0) == 0.0
    one = tt.cautions_sentence(86, 1, 2023, 1, 1, 0)
    assert "one was published" in one and "one is costed" in one and "gets" in one
    many = tt.cautions_sentence(86, 19, 2023, 48, 22, 45)
    assert "19 were published" in many and "48 are costed" in many and "45 have" in many
    assert "every one is costed from recorded inputs" in tt.cautions_sentence(86, 0, 2023,
                                                                              0, 0, 0)


def test_notebook_glues_every_claim():
    text = (ROOT / "notebooks" / "03_training_costs.md").read_text(encoding="utf-8")
    for name in ("train_compute_cost_gap", "train_cheap_compute", "train_gain_fall",
                 "train_billion_vs_epoch", "train_summary_billion", "train_run_costs",
                 "train_run_cluster", "train_anchor_agreement", "train_cautions"):
        assert f"{{glue:text}}`{name}`" in text, name
    assert "times the value Epoch AI records" not in text


def test_documentation_branches():
    assert tt.documentation_sentence(0.79, 0.49, 2025).startswith("The newest runs are the least")
    assert "better documented" in tt.documentation_sentence(0.2, 0.5, 2025)
    assert "about as well" in tt.documentation_sentence(0.5, 0.52, 2025)


def test_chapter3_documentation_claim_holds(chapter3):
    c = chapter3["costs"]
    models = data.models()
    last = models.loc[models["frontier"] & models["cost_usd_2023"].notna(),
                      "publication_date"].max()
    new = c["publication_date"] > last
    share_new, share_old = c.loc[new, "imputed"].mean(), c.loc[~new, "imputed"].mean()
    text = tt.documentation_sentence(share_new, share_old, 2025)
    if "least documented" in text:
        assert share_new > share_old, (text, share_new, share_old)
