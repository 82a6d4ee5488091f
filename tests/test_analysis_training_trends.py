"""Tests for aiboom.analysis.training_trends: hand cases, the curated tables and the laws."""

from __future__ import annotations

import dataclasses
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from aiboom import data, training
from aiboom.analysis import training_trends as tt
from aiboom.registry import Assumption, Registry, load_registry

#: Published constants: Hoffmann et al. (2022) eq. (10) and Besiroglu et al. (2024).
HOFFMANN_2022 = training.ScalingLawParams(1.69, 406.4, 410.7, 0.34, 0.28)
BESIROGLU_2024 = training.ScalingLawParams(1.8172, 482.01, 2085.43, 0.3478, 0.3658)


def _row(id_: str, value: float, unit: str = "ratio") -> Assumption:
    return Assumption(id=id_, phase="math", description=id_, unit=unit, low=value,
                      central=value, high=value, distribution="fixed", source_key="test",
                      source="test", url="https://example.org", as_of="2025-01")


def _models() -> pd.DataFrame:
    return pd.DataFrame({
        "model": ["old", "a", "b", "c", "not frontier", "no cost"],
        "organization": ["x"] * 6,
        "publication_date": pd.to_datetime(["2014-06-01", "2016-07-02", "2018-07-02",
                                            "2020-07-02", "2019-01-01", "2021-01-01"]),
        "training_flop": [1e18, 1e20, 1e22, 1e24, 5e21, np.nan],
        "cost_usd_2023": [10.0, 1e3, 1e5, 1e7, 50.0, np.nan],
        "frontier": [True, True, True, True, False, True],
    })


# ------------------------------------------------------------------------------ trends


def test_frontier_run_costs_from_epoch_data():
    pts = tt.frontier_run_costs(data.models())
    assert len(pts) >= 20
    assert (pts["publication_date"].dt.year >= tt.COST_TREND_START_YEAR).all()
    assert pts["cost_usd_2023"].gt(0).all() and pts["publication_date"].is_monotonic_increasing
    fit = training.fit_log_linear_trend(pts["year"], pts["cost_usd_2023"])
    # Cottier et al. (2024) report 2.4x per year (90% CI 2.0-2.9) on a similar selection.
    assert 1.8 < fit.growth_per_year < 3.2 and fit.low < fit.growth_per_year < fit.high


def test_exact_exponential_gives_exact_year_and_a_flat_band():
    years = np.arange(2000.0, 2011.0)
    fit = training.fit_log_linear_trend(years, 10.0 ** (years - 2000.0))
    # 10x per year from 1 in 2000: 1e12 is reached in 2012, and the slope is certain.
    got = tt.year_reaching(fit, 1e12)
    assert got["central"] == pytest.approx(2012.0)
    assert got["earliest"] == pytest.approx(2012.0) and got["latest"] == pytest.approx(2012.0)
    frame = tt.trend_frame(fit, 2000.0, 2012.0, n_points=13)
    np.testing.assert_allclose(frame["central"], 10.0 ** (frame["year"] - 2000.0), rtol=1e-9)


def test_year_reaching_interval_brackets_the_central_year():
    years = np.arange(2000.0, 2011.0)
    noise = np.where(np.arange(years.size) % 2, 0.3, -0.3)
    fit = training.fit_log_linear_trend(years, 10.0 ** (0.5 * (years - 2000.0) + noise))
    got = tt.year_reaching(fit, 1e9)
    assert got["earliest"] < got["central"] < got["latest"]
    band = tt.trend_frame(fit, 2000.0, 2020.0)
    assert (band["low"] <= band["central"]).all() and (band["central"] <= band["high"]).all()
    with pytest.raises(ValueError):
        tt.year_reaching(fit, 0.0)


def test_compute_points_and_max_compute_by():
    pts = tt.compute_points(_models())
    assert len(pts) == 5  # the row without compute is dropped
    assert set(pts["group"]) == {"Frontier (top ten at release)", "Other notable"}
    assert tt.max_compute_by(pts, 2019.5)["model"] == "b"
    assert tt.max_compute_by(pts, 2030.0)["model"] == "c"
    with pytest.raises(ValueError):
        tt.max_compute_by(pts, 2000.0)
    now, then, markers = tt.decade_markers(pts, years_back=4.0)
    assert (now["model"], then["model"]) == ("c", "a")
    assert list(markers["label"]) == ["Largest by 2016", "Largest by 2020"]


def test_compute_anchor_matches_epoch_value_for_llama():
    anchor = tt.compute_anchor(load_registry(), tt.compute_points(data.models())).iloc[0]
    # 6 x 405e9 parameters x 15.6e12 tokens = 3.79e25 FLOP; Epoch records 3.8e25.
    assert anchor["training_flop"] == pytest.approx(6 * 405e9 * 15.6e12)
    assert anchor["training_flop"] / anchor["recorded_flop"] == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError):
        tt.compute_anchor(load_registry(), tt.compute_points(_models()))


# ------------------------------------------------------------------------------ scaling laws


def test_scaling_laws_from_the_registry_match_the_published_constants():
    laws = tt.scaling_laws(load_registry())
    assert tuple(laws["Hoffmann et al. (Chinchilla)"]) == tuple(HOFFMANN_2022)
    assert tuple(laws["Besiroglu et al. (refit)"]) == tuple(BESIROGLU_2024)


def test_loss_curves_fall_and_cost_is_proportional_to_compute():
    laws = {"refit": BESIROGLU_2024}
    curves = tt.loss_curves(tt.FLOP_GRID, laws, usd_per_flop=2e-18)
    assert np.all(np.diff(curves["loss"]) < 0)
    np.testing.assert_allclose(curves["usd"], curves["flop"] * 2e-18)
    assert (curves["reducible_loss"] > 0).all()
    assert curves["loss"].iloc[-1] > BESIROGLU_2024.e


def test_loss_gain_table_is_the_difference_of_optimal_losses():
    p = HOFFMANN_2022
    gains = tt.loss_gain_table(tt.FLOP_DECADES, {"h": p})
    expected = training.compute_optimal_loss(tt.FLOP_DECADES, p) \
        - training.compute_optimal_loss(10 * tt.FLOP_DECADES, p)
    np.testing.assert_allclose(gains["gain"], expected, rtol=1e-10)
    assert np.all(np.diff(gains["gain"]) < 0)


def test_reducible_share_per_step_is_the_same_at_every_budget():
    p = BESIROGLU_2024
    share = tt.reducible_share_per_step(p)
    for c in (1e20, 1e24, 1e27):
        before = training.compute_optimal_loss(c, p) - p.e
        after = training.compute_optimal_loss(10 * c, p) - p.e
        assert 1 - after / before == pytest.approx(share, rel=1e-10)
    # alpha = beta = 0.5 gives gamma = 0.25 and 1 - 10^-0.25 = 0.4377.
    assert tt.reducible_share_per_step(training.ScalingLawParams(1, 1, 1, 0.5, 0.5)) == \
        pytest.approx(1 - 10 ** -0.25)


# ------------------------------------------------------------------------------ reference run


def _run_registry() -> Registry:
    rows = [
        _row("llama31_405b_params", 1e9, "parameters"), _row("llama31_405b_tokens", 2e10, "tokens"),
        _row("flop_per_param_token", 6.0), _row("training_mfu", 0.4, "fraction"),
        _row("training_run_days", 10.0, "days"), _row("server_cost_overhead", 1.5),
        _row("cluster_interconnect_overhead", 0.25, "fraction"),
        _row("hardware_lifetime_years", 4.0, "years"), _row("pue", 1.2),
        _row("usd_per_kwh", 0.1, "USD/kWh"),
    ]
    return Registry({r.id: r for r in rows})


def test_reference_run_by_hand():
    acc = pd.Series({"bf16_dense_tflops": 1000.0, "tdp_w": 500.0,
                     "purchase_usd_central": 20_000.0})
    run = tt.reference_run(_run_registry(), acc, 2.0)
    # C = 6 x 1e9 x 2e10 = 1.2e20 FLOP; hours = 1.2e20 / (3600 x 0.4 x 1e15) = 83.33 h.
    assert run.flop == pytest.approx(1.2e20)
    assert run.accelerator_hours == pytest.approx(1.2e20 / (3600 * 0.4 * 1e15))
    assert run.n_accelerators == pytest.approx(run.accelerator_hours / 240.0)
    # Hardware: 20,000 x 1.5 x 1.25 per accelerator over 4 x 8,766 hours.
    per_hour = 20_000 * 1.5 * 1.25 / (4 * 8766)
    assert run.hardware_usd == pytest.approx(run.accelerator_hours * per_hour)
    # Power: 500 W x 1.8 x 0.75 (Epoch's defaults) = 675 W; x 1.2 PUE; 0.1 USD/kWh.
    assert run.energy_mwh == pytest.approx(run.accelerator_hours * 675 * 1.2 / 1e6)
    assert run.energy_usd == pytest.approx(run.energy_mwh * 1000 * 0.1)
    assert run.rental_usd == pytest.approx(run.accelerator_hours * 2.0)
    assert run.owned_usd == pytest.approx(run.hardware_usd + run.energy_usd)
    assert run.cluster_capex_usd == pytest.approx(run.n_accelerators * 20_000 * 1.5 * 1.25)
    assert tt.reference_run(_run_registry(), acc, 4.0).rental_usd == \
        pytest.approx(2 * run.rental_usd)


def test_reference_run_table_adds_up():
    acc = data.accelerators().set_index("id").loc["h100"]
    run = tt.reference_run(load_registry(), acc, 2.0)
    table = tt.reference_run_table(run)
    by_method = table.groupby("method")["usd_m"].sum()
    assert by_method["Owned cluster, amortised"] == pytest.approx(run.owned_usd / 1e6)
    assert by_method["Rented cloud GPUs"] == pytest.approx(run.rental_usd / 1e6)
    # Energy is a few per cent of the owned cost, as Cottier et al. (2024) find (2-6%).
    assert 0.01 < run.energy_usd / run.owned_usd < 0.1


# ------------------------------------------------------------------------------ charts


def test_decade_ticks():
    assert tt.decade_ticks(150.0, 2.0e4) == [100.0, 1000.0, 10000.0, 100000.0]
    assert tt.decade_ticks(1e3, 1e3) == [1000.0]
    with pytest.raises(ValueError):
        tt.decade_ticks(-1.0, 1.0)


def test_charts_build_valid_specs():
    models = data.models()
    pts = tt.frontier_run_costs(models)
    fit = training.fit_log_linear_trend(pts["year"], pts["cost_usd_2023"])
    trend = tt.trend_frame(fit, pts["year"].min(), pts["year"].max() + tt.PROJECTION_YEARS)
    compute = tt.compute_points(models)
    anchor = tt.compute_anchor(load_registry(), compute)
    laws = tt.scaling_laws(load_registry())
    _, _, markers = tt.decade_markers(compute)
    for chart in (tt.chart_cost_trend(pts, trend, tt.BILLION_USD, "one billion"),
                  tt.chart_compute(compute, anchor),
                  tt.chart_loss_gain(tt.loss_gain_table(tt.FLOP_DECADES, laws), markers),
                  tt.chart_loss_vs_cost(tt.loss_curves(tt.PRICED_FLOP_GRID, laws, 2e-18))):
        assert isinstance(chart, alt.TopLevelMixin)
        spec = chart.to_dict()
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite")
    assert math.isfinite(trend["high"].max())


# ------------------------------------------------------------------------------ frontier, current


def test_default_accelerator_is_the_newest_chip_a_year_old():
    chips = data.accelerators(serving_only=False)
    # H100 released September 2022: a year later it is the default for a non-Google run.
    assert tt.default_accelerator(pd.Timestamp("2025-02-27"), "OpenAI", chips) == "h100"
    # GPT-4 (March 2023) trained on A100s: the H100 was then under a year old.
    assert tt.default_accelerator(pd.Timestamp("2023-03-15"), "OpenAI", chips) == "a100_40gb"
    assert tt.default_accelerator(pd.Timestamp("2022-06-01"), "Anthropic", chips) == "a100_40gb"
    # Google's runs get TPUs: the v5p (December 2023) is under a year old in mid-2024.
    assert tt.default_accelerator(pd.Timestamp("2024-06-01"), "Google DeepMind", chips) == "tpu_v4"
    assert tt.default_accelerator(pd.Timestamp("2025-06-01"), "Google", chips) == "tpu_v5p"


def test_frontier_run_costs_cover_every_epoch_frontier_run():
    models = data.models()
    costs = tt.frontier_run_costs(models)
    expected = models[models["frontier"] & models["training_flop"].notna()
                      & (models["publication_date"].dt.year >= tt.COST_TREND_START_YEAR)]
    # Every frontier run with known compute is costed, through the newest in the data.
    assert set(costs["model"]) == set(expected["model"])
    assert costs["publication_date"].max() == expected["publication_date"].max()
    assert costs["publication_date"].max() >= pd.Timestamp("2025-01-01")
    assert costs["cost_usd_2023"].gt(0).all() and costs["publication_date"].is_monotonic_increasing
    # Runs without recorded hardware are flagged as imputed.
    default = costs["hardware_basis"] == "default"
    assert default.any() and costs.loc[default, "imputed"].all()
    assert set(costs["hardware_basis"]) == {"recorded", "default"}
    # The book's costing tracks Epoch's own where Epoch costs the run (median within 1.5x).
    both = costs[costs["epoch_usd_2023"].notna()]
    ratio = both["cost_usd_2023"] / both["epoch_usd_2023"]
    assert len(both) >= 60 and 1 / 1.5 < ratio.median() < 1.5


def test_frontier_cost_trend_against_epoch():
    costs = tt.frontier_run_costs()
    fit = training.fit_log_linear_trend(costs["year"], costs["cost_usd_2023"])
    # Cottier et al. (2024): 2.4x per year (90% CI 2.0-2.9); the current set is near it.
    assert 2.0 < fit.growth_per_year < 3.5 and fit.low < fit.growth_per_year < fit.high
    lo, hi = tt.bootstrap_growth(costs)
    assert lo < fit.growth_per_year < hi
    crossing = tt.year_reaching(fit, tt.BILLION_USD)
    assert 2025.0 < crossing["central"] < 2035.0


def test_bootstrap_growth_of_an_exact_trend_is_exact():
    years = np.arange(2000.0, 2010.0)
    pts = pd.DataFrame({"year": years, "cost_usd_2023": 2.0 ** (years - 2000.0)})
    lo, hi = tt.bootstrap_growth(pts, n_draws=200)
    assert lo == pytest.approx(2.0) and hi == pytest.approx(2.0)


def test_year_reaching_from_by_hand():
    fit = training.fit_log_linear_trend([2000.0, 2001.0, 2002.0], [1.0, 10.0, 100.0])
    # 10x a year from 3e8 in 2025: 1e9 is log10(1e9/3e8) = 0.523 years later.
    assert tt.year_reaching_from(fit, 2025.0, 3e8, 1e9) == pytest.approx(2025.5229, abs=1e-4)
    with pytest.raises(ValueError):
        tt.year_reaching_from(fit, 2025.0, -1.0, 1e9)


def _fit(growth: float, low: float, high: float, n: int = 30) -> training.TrendFit:
    return training.TrendFit(growth, low, high, 0.0, n, math.log10(growth), 0.1, 0.5, 2020.0,
                             100.0, 1.7, 0.9)


def test_growth_vs_epoch_sentence_follows_the_intervals():
    epoch = _row("frontier_cost_growth_per_year", 2.4, "x/yr")
    epoch = dataclasses.replace(epoch, low=2.0, high=2.9)
    assert "inside" in tt.growth_vs_epoch_sentence(_fit(2.5, 2.2, 2.8), epoch)
    above = tt.growth_vs_epoch_sentence(_fit(2.7, 2.5, 3.0), epoch)
    assert "below that interval" in above and "overlaps" in above
    far = tt.growth_vs_epoch_sentence(_fit(4.0, 3.5, 4.5), epoch)
    assert "does not reach" in far
    assert "above that interval" in tt.growth_vs_epoch_sentence(_fit(1.5, 1.2, 1.8), epoch)


def test_billion_year_sentence_against_2027():
    later = tt.billion_year_sentence({"central": 2028.7, "earliest": 2028.0, "latest": 2029.5},
                                     2026.1, "Run X")
    assert "later than Epoch AI's 2027" in later and "sooner than Epoch AI projects" in later
    assert "Run X" in later
    inside = tt.billion_year_sentence({"central": 2027.2, "earliest": 2026.5, "latest": 2028.0},
                                      2027.1, "Run X")
    assert "includes Epoch AI's 2027" in inside and "as Epoch AI projects" in inside


def test_costing_check_sentence():
    assert "not from our costing" in tt.costing_check_sentence(_fit(2.7, 2.5, 3.0),
                                                               _fit(2.75, 2.4, 3.1, n=80))
    assert "moves the rate" in tt.costing_check_sentence(_fit(2.7, 2.5, 3.0), _fit(2.2, 2, 2.4))


def test_frontier_reference_run_is_today_frontier_scale():
    costs = tt.frontier_run_costs()
    ref = tt.frontier_reference_run(costs)
    # The largest-compute frontier run in the data (Grok 3, 4.64e26 FLOP in Epoch AI's data),
    # far above Llama 3.1 405B (3.8e25 FLOP), the previous reference.
    assert ref.training_flop == costs["training_flop"].max()
    assert ref.training_flop > 1e26 and ref.model == "Grok-3"
    assert ref.hardware_basis == "recorded" and ref.rental_usd > ref.owned_usd > 1e8
    # Within a factor of two of Epoch AI's own amortised estimate of the same run.
    assert 0.5 < ref.owned_usd / ref.epoch_usd < 2.0
    earlier = tt.frontier_reference_run(costs, on_or_before=2024.9)
    assert earlier.publication_date.year <= 2024
