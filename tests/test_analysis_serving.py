"""Tests for aiboom.analysis.serving: hand cases, monotonicity, and the curated tables."""

from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import pytest
from _mc_helpers import REGISTRY as MC_REGISTRY
from _mc_helpers import row

from aiboom import data, inference
from aiboom.analysis import serving as sv
from aiboom.registry import Registry, load_registry


def _with(registry, *rows) -> Registry:
    out = dict(registry)
    out.update({r.id: r for r in rows})
    return Registry(out)


def _fixed(registry) -> Registry:
    """Every row fixed at its central value (the Monte Carlo then has one answer)."""
    return Registry({k: replace(a, low=a.central, high=a.central, distribution="fixed")
                     for k, a in registry.items()})


#: The Monte Carlo test registry, with a share of reasoning queries if it lacks one.
REGISTRY = MC_REGISTRY if "reasoning_query_share" in MC_REGISTRY else _with(
    MC_REGISTRY, row("reasoning_query_share", "fraction", 0.1, 0.3, 0.6, "pert"))

H100 = pd.Series({"name": "NVIDIA H100 SXM5 80GB", "year": 2022, "bf16_dense_tflops": 989.4,
                  "fp8_dense_tflops": 1978.9, "hbm_tb_per_s": 3.35,
                  "rental_usd_per_hour_central": 2.5})
A100 = pd.Series({"name": "NVIDIA A100 SXM4 80GB", "year": 2020, "bf16_dense_tflops": 312.0,
                  "fp8_dense_tflops": np.nan, "hbm_tb_per_s": 2.039,
                  "rental_usd_per_hour_central": 1.6})


def _setup(**changes) -> sv.ServingSetup:
    base = sv.ServingSetup(weight_bytes_per_param=2.0, kv_bytes_per_value=2.0,
                           context_tokens=1000.0, batch_size=8.0, mfu_decode=0.5, mbu=0.8,
                           utilization=0.5)
    return base._replace(**changes)


def _models() -> pd.DataFrame:
    return pd.DataFrame({"model": ["Small (8B)", "Big (70B)"], "active_params": [8e9, 7e10],
                         "kv_bytes_per_token": [131072.0, 327680.0]})


# ------------------------------------------------------------------------------ setup, models


def test_serving_setup_reads_central_values_and_checks_shares():
    setup = sv.create_serving_setup(REGISTRY)
    assert setup.batch_size == REGISTRY["decode_batch_size"].central
    assert setup.mbu == REGISTRY["inference_mbu"].central
    bad = _with(REGISTRY, row("serving_utilization", "fraction", 0.0, 0.0, 0.0, "fixed"))
    with pytest.raises(ValueError, match="utilization"):
        sv.create_serving_setup(bad)


def test_served_models_kv_cache_by_hand():
    reg = load_registry()
    models = sv.served_models(reg, kv_bytes_per_value=2.0)
    assert list(models["active_params"]) == sorted(models["active_params"])
    # Llama 3.1 8B: 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 B.
    small = models.iloc[0]
    assert small["kv_bytes_per_token"] == 2 * 32 * 8 * 128 * 2
    assert small["model"] == "Small (8B)"
    # The largest is the reference Llama 3.1 405B with its 126-layer cache.
    assert models.iloc[-1]["active_params"] == reg["llama31_405b_params"].central
    assert models.iloc[-1]["kv_bytes_per_token"] == 2 * 126 * 8 * 128 * 2


def test_accelerator_label_drops_the_remark():
    assert sv.accelerator_label("NVIDIA GB200 (one Blackwell GPU of NVL72)") == "NVIDIA GB200"
    assert sv.accelerator_label("AMD Instinct MI300X") == "AMD Instinct MI300X"


def test_peak_uses_fp8_only_when_weights_fit_and_the_chip_has_it():
    assert sv.serving_peak_flop_per_s(H100, 1.0) == pytest.approx(1978.9e12)
    assert sv.serving_peak_flop_per_s(H100, 2.0) == pytest.approx(989.4e12)
    assert sv.serving_peak_flop_per_s(A100, 1.0) == pytest.approx(312e12)  # no FP8 units


# ------------------------------------------------------------------------------ roofline


def test_ridge_with_kv_reduces_to_weight_only_ridge():
    got = sv.ridge_batch_with_kv(7e10, 0.0, 2000.0, 2.0, 989e12, 3.35e12, 0.3, 0.7)
    assert got == pytest.approx(inference.ridge_batch_size(989e12, 3.35e12, 2.0, 0.3, 0.7))


def test_ridge_with_kv_by_hand_and_never():
    # r = F MFU / (BW MBU) = 1e15 / 1e12 = 1000 FLOP/byte; N = 1e9, w = 2, S = 1000.
    # kappa = 1e3: denominator 2e9 - 1000 * 1000 * 1e3 = 1e9, so B* = 1000 * 1e9 * 2 / 1e9 = 2000.
    assert sv.ridge_batch_with_kv(1e9, 1e3, 1000.0, 2.0, 1e15, 1e12, 1.0, 1.0) == \
        pytest.approx(2000.0)
    # At B*, the two roofline terms are equal.
    compute_s = 2 * 1e9 * 2000 / 1e15
    memory_s = (1e9 * 2 + 2000 * 1000 * 1e3) / 1e12
    assert compute_s == pytest.approx(memory_s)
    # kappa = 1e5: the cache grows faster than the arithmetic; never compute-bound.
    assert math.isinf(sv.ridge_batch_with_kv(1e9, 1e5, 1000.0, 2.0, 1e15, 1e12, 1.0, 1.0))
    both = sv.ridge_batch_with_kv([1e9, 1e9], [1e3, 1e5], 1000.0, 2.0, 1e15, 1e12, 1.0, 1.0)
    assert both[0] == pytest.approx(2000.0) and math.isinf(both[1])


def test_ridge_summary_names_each_case():
    inf = float("inf")
    both = sv.ridge_summary(["Small (8B)", "Big (70B)"], [inf, 186.9])
    assert both == ("the small model (8B) never becomes compute-bound, while the big model "
                    "(70B) crosses over near a batch of 187")
    one = sv.ridge_summary(["A (1B)"], [12.4])
    assert one == "the a model (1B) crosses over near a batch of 12"
    assert sv.ridge_summary(["A (1B)", "B (2B)"], [inf, inf]).startswith("none of the models")


def test_decode_cost_by_accelerator_by_hand():
    setup = _setup()
    accs = pd.DataFrame([H100, A100])
    out = sv.decode_cost_by_accelerator(accs, _models(), setup)
    assert len(out) == 4
    assert list(out["accelerator"].unique()) == ["NVIDIA H100 SXM5 80GB",
                                                 "NVIDIA A100 SXM4 80GB"]
    # Small model on the H100 (BF16): memory time (8e9 * 2 + 8 * 1000 * 131072) / (3.35e12 *
    # 0.8) = 6.36e-3 s beats compute 2 * 8e9 * 8 / (989.4e12 * 0.5) = 2.6e-4 s; 8 tokens per
    # step; cost = 2.5 USD/h * 1e6 / (3600 * tokens/s * 0.5).
    step = (8e9 * 2 + 8 * 1000 * 131072) / (3.35e12 * 0.8)
    tps = 8 / step
    first = out.iloc[0]
    assert first["tokens_per_s_per_gpu"] == pytest.approx(tps)
    assert first["usd_per_m_tokens"] == pytest.approx(2.5 * 1e6 / (3600 * tps * 0.5))
    # On every chip the bigger model costs more per token.
    wide = out.pivot(index="accelerator", columns="model", values="usd_per_m_tokens")
    assert (wide["Big (70B)"] > wide["Small (8B)"]).all()


def test_bandwidth_per_rental_usd_by_hand():
    got = sv.bandwidth_per_rental_usd(pd.DataFrame([H100, A100]))
    assert got["NVIDIA H100 SXM5 80GB"] == pytest.approx(3.35 / 2.5)
    assert got["NVIDIA A100 SXM4 80GB"] == pytest.approx(2.039 / 1.6)


def test_roofline_sweep_is_monotone_and_labels_the_bound():
    sweep = sv.roofline_sweep(H100, _models().iloc[[1]], _setup(context_tokens=0.0), 2.0)
    assert len(sweep) == len(sv.BATCH_SIZES)
    assert np.all(np.diff(sweep["tokens_per_s_per_gpu"]) >= -1e-9)
    assert np.all(np.diff(sweep["usd_per_m_tokens"]) <= 1e-12)
    # Without a KV cache the ridge is F MFU w / (2 BW MBU) = 989.4 * 0.5 * 2 / (2 * 3.35 *
    # 0.8) = 184.6: batches up to 128 are memory-bound, 256 and 512 compute-bound.
    bound = sweep.set_index("batch_size")["bound"]
    assert (bound.loc[:128] == "memory").all() and (bound.loc[256:] == "compute").all()


# ------------------------------------------------------------------------------ Monte Carlo


def test_query_costs_mix_is_the_weighted_average_of_plain_and_reasoning():
    qc = sv.run_query_costs(REGISTRY, 4_000, seed=7, backend="numpy")
    plain = qc.plain.samples["usd_per_query"]
    reasoning = qc.reasoning.samples["usd_per_query"]
    assert np.all(reasoning >= plain)  # same draws, r >= 0 only adds tokens
    # Same seed: the hardware price drawn for sample i is the same in every run.
    np.testing.assert_array_equal(qc.plain.samples["h100_usd_per_gpu_hour"],
                                  qc.reasoning.samples["h100_usd_per_gpu_hour"])
    # The mix run samples the share s of reasoning queries; per sample its cost is
    # (1 - s) plain + s reasoning, so its quantiles lie between theirs.
    share = qc.reasoning.samples["reasoning_query_share"]
    assert np.all(share == 1.0) and np.all(qc.plain.samples["reasoning_query_share"] == 0.0)
    mix = sv.interval_row("m", qc.mix, "usd_per_query")
    lo = sv.interval_row("p", qc.plain, "usd_per_query")
    hi = sv.interval_row("r", qc.reasoning, "usd_per_query")
    for q in ("p5", "p50", "p95"):
        assert lo[q] <= mix[q] <= hi[q]
    s = REGISTRY["reasoning_query_share"]
    expected_mean = np.mean(plain) + (s.low + 4 * s.central + s.high) / 6 * (
        np.mean(reasoning) - np.mean(plain))
    assert qc.mix.mean["usd_per_query"] == pytest.approx(expected_mean, rel=0.1)


def test_implied_token_cost_matches_the_roofline_by_hand():
    from aiboom.kernels import INPUTS, reference_per_sample

    reg = _fixed(REGISTRY)
    res = sv.implied_token_cost(reg, 1_000, seed=1, backend="numpy")
    c = reg.centrals()
    # The plain-Python reference of the kernel, for a "query" of one million output tokens and
    # nothing else: its cost is the decode cost of a million tokens.
    params = {k: c[k] for k in INPUTS}
    params.update(input_tokens_per_query=0.0, output_tokens_per_query=sv.TOKENS_PER_MILLION,
                  reasoning_token_multiplier=0.0, cached_input_share=0.0)
    expected = reference_per_sample(params)["usd_per_query"]
    assert res.quantiles["usd_per_query"][2] == pytest.approx(expected, rel=1e-12)


def test_quantiles_and_interval_row():
    q = sv.quantiles(np.arange(1, 101, dtype=float))
    assert (q["p5"], q["p50"], q["p95"]) == (5.0, 50.0, 95.0)
    qc = sv.run_query_costs(REGISTRY, 2_000, seed=3, backend="numpy")
    r = sv.interval_row("x", qc.plain, "usd_per_query")
    assert r["label"] == "x" and r["p5"] <= r["p50"] <= r["p95"]


def test_histogram_frame_trims_scales_and_keeps_the_mass():
    qc = sv.run_query_costs(REGISTRY, 5_000, seed=5, backend="numpy")
    runs = {"plain": qc.plain, "reasoning": qc.reasoning}
    full = sv.histogram_frame(runs, "usd_per_query", min_share=0.0)
    for label, g in full.groupby("query"):
        h = runs[label].histograms["usd_per_query"]
        assert g["share"].sum() == pytest.approx(h.counts.sum() / h.n_samples)
    cents = sv.histogram_frame(runs, "usd_per_query", scale=100.0)
    assert cents["bin_low"].min() == pytest.approx(100.0 * sv.histogram_frame(
        runs, "usd_per_query")["bin_low"].min())
    assert len(cents) <= len(full)


# ------------------------------------------------------------------------------ users, prices


def test_cost_against_users_by_hand():
    # F = 1,000 USD, 1 USD per user-year, 1,000 users at 1 USD/month: cost 2,000, per user 2,
    # revenue 12,000, margin 1 - 2,000 / 12,000 = 0.8333.
    out = sv.cost_against_users([1000.0], {"p": (1000.0, 1.0)}, 1.0).iloc[0]
    assert out["total_usd"] == 2000.0 and out["per_user_usd"] == 2.0
    assert out["margin"] == pytest.approx(5 / 6)


def test_margin_rises_with_users_towards_one_minus_the_floor():
    out = sv.cost_against_users(sv.USERS_GRID, {"p": (1e6, 24.0)}, 10.0)
    assert np.all(np.diff(out["margin"]) > 0)
    assert out["margin"].iloc[-1] < 1 - 24.0 / 120.0
    assert out["margin"].iloc[-1] == pytest.approx(1 - 24.0 / 120.0, abs=1e-2)


def test_subscription_products_and_margins():
    reg = load_registry()
    products = sv.subscription_products(reg, 0.005, 0.02)
    q = reg["queries_per_paid_user_per_day"]
    assert products[sv.AI_TYPICAL][1] == pytest.approx(365.25 * q.central * 0.005)
    assert products[sv.AI_HEAVY][1] == pytest.approx(365.25 * q.high * 0.02)
    assert products[sv.SOFTWARE][1] == pytest.approx(
        12 * reg["software_marginal_usd_per_user_month"].central)
    typical = {"p5": 0.001, "p50": 0.005, "p95": 0.02}
    heavy = {"p5": 0.005, "p50": 0.02, "p95": 0.08}
    m = sv.margins_at(1e6, reg, typical, heavy, 20.0)
    assert (m["p5"] <= m["p50"]).all() and (m["p50"] <= m["p95"]).all()
    assert m.loc[sv.AI_HEAVY, "p50"] < m.loc[sv.AI_TYPICAL, "p50"]
    assert m.loc[sv.SOFTWARE, "p5"] == m.loc[sv.SOFTWARE, "p95"]  # no compute, no spread


def test_api_price_points_dates_and_filters():
    df = pd.DataFrame({
        "vendor": ["A", "A", "B", "B"], "model": ["m1", "m1", "m2", "m3"],
        "from_date": pd.to_datetime([None, "2025-01-01", None, None]),
        "to_date": pd.to_datetime(["2025-01-01", None, None, None]),
        "input_usd_per_m": [1.0, 0.5, 2.0, 3.0], "output_usd_per_m": [4.0, 2.0, 8.0, 9.0],
        "tier": ["frontier", "frontier", "frontier", "small"],
        "release_date": pd.to_datetime(["2024-06-01", "2024-06-01", None, "2024-01-01"]),
    })
    pts = sv.api_price_points(df)
    assert list(pts["output_usd_per_m"]) == [4.0, 2.0]  # undated m2 and small m3 dropped
    assert list(pts["date"]) == list(pd.to_datetime(["2024-06-01", "2025-01-01"]))


def test_price_points_from_the_curated_table():
    prices = data.api_prices()
    pts = sv.api_price_points(prices)
    assert pts["date"].notna().all() and pts["date"].is_monotonic_increasing
    assert len(pts) <= (prices["tier"] == "frontier").sum()


def test_price_cost_margin():
    assert sv.price_cost_margin(10.0, 2.0) == pytest.approx(0.8)
    assert sv.price_cost_margin(1.0, 2.0) == pytest.approx(-1.0)


# ------------------------------------------------------------------------------ break-even


def test_breakeven_quantiles_swap_the_tails():
    got = sv.breakeven_quantiles(1e8, 1e9, {"p5": 5e-4, "p50": 1e-3, "p95": 2e-3})
    assert got == {"p5": 50.0, "p50": 100.0, "p95": 200.0}


def test_breakeven_days_by_hand_and_vectorised():
    assert sv.breakeven_days(1e8, 1e9, 1e-3) == pytest.approx(100.0)
    got = sv.breakeven_days(1e8, 1e9, np.array([1e-3, 2e-3]))
    np.testing.assert_allclose(got, [100.0, 50.0])
    with pytest.raises(ValueError):
        sv.breakeven_days(1e8, 0.0, 1e-3)


def test_cumulative_spend_is_linear_and_crosses_at_breakeven():
    q = {"p5": 1e-3, "p50": 2e-3, "p95": 4e-3}
    spend = sv.cumulative_spend(100.0, 1e9, q, n_points=11)
    assert spend["day"].iloc[0] == 0.0 and spend["mid"].iloc[0] == 0.0
    # 100 days x 1e9 queries x 2e-3 USD = 2e8 USD = 200 USD million.
    assert spend["mid"].iloc[-1] == pytest.approx(200.0)
    assert (spend["low"] <= spend["mid"]).all() and (spend["mid"] <= spend["high"]).all()
    with pytest.raises(ValueError):
        sv.cumulative_spend(0.0, 1e9, q)


# ------------------------------------------------------------------------------ energy, charts


def test_electricity_per_gpu_hour_by_hand():
    # 1 kW x 1.2 PUE x 0.1 USD/kWh = 0.12 USD per hour.
    assert sv.electricity_usd_per_gpu_hour(1000.0, 1.2, 0.1) == pytest.approx(0.12)


def test_energy_intervals_rows():
    qc = sv.run_query_costs(REGISTRY, 2_000, seed=11, backend="numpy")
    published = row("wh_per_query_reference", "Wh/query", 0.24, 0.3, 0.34, "pert")
    e = sv.energy_intervals(qc, published).set_index("label")
    assert list(e.index) == [sv.ENERGY_PLAIN, sv.ENERGY_MIX, sv.ENERGY_REASONING,
                             sv.ENERGY_PUBLISHED]
    assert tuple(e.loc[sv.ENERGY_PUBLISHED, ["p5", "p50", "p95"]]) == (0.24, 0.3, 0.34)
    assert e.loc[sv.ENERGY_REASONING, "p50"] >= e.loc[sv.ENERGY_PLAIN, "p50"]


def test_log_ticks_and_markers():
    assert sv.log_ticks(0.15, 3.0) == [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    assert sv.median_markers([1.234, 10.0])["label"].tolist() == ["1.23¢", "10.00¢"]
    with pytest.raises(ValueError):
        sv.log_ticks(0.0, 1.0)


def test_charts_build_valid_specs():
    reg = load_registry()
    setup = sv.create_serving_setup(reg)
    models = sv.served_models(reg, setup.kv_bytes_per_value)
    accs = data.accelerators()
    by_chip = sv.decode_cost_by_accelerator(accs, models, setup)
    sweep = sv.roofline_sweep(accs.set_index("id").loc["h100"], models, setup, 2.0)
    pts = sv.api_price_points(data.api_prices())
    band = pd.DataFrame({"date": [pts["date"].min(), pts["date"].max()], "low": 0.5,
                         "mid": 2.0, "high": 7.0})
    spend = sv.cumulative_spend(10.0, 1e9, {"p5": 1e-3, "p50": 2e-3, "p95": 4e-3})
    energy = pd.DataFrame({"label": ["a", "b"], "p5": [0.1, 1.0], "p50": [0.2, 2.0],
                           "p95": [0.4, 4.0], "kind": ["m", "p"]})
    for chart in (sv.chart_cost_by_accelerator(by_chip, list(by_chip["accelerator"].unique())),
                  sv.chart_roofline(sweep, 120.0),
                  sv.chart_prices_against_cost(pts, band, "c"),
                  sv.chart_breakeven(spend, {"owned": 50.0, "rented": 70.0}, "spend"),
                  sv.chart_intervals(energy, x_title="Wh")):
        assert isinstance(chart, alt.TopLevelMixin)
        assert chart.to_dict()["$schema"].startswith("https://vega.github.io/schema/vega-lite")


def test_frontier_model_costs_more_per_token_on_every_curated_chip():
    reg = load_registry()
    setup = sv.create_serving_setup(reg)
    models = sv.served_models(reg, setup.kv_bytes_per_value)
    out = sv.decode_cost_by_accelerator(data.accelerators(), models, setup)
    wide = out.pivot(index="accelerator", columns="model", values="usd_per_m_tokens")
    ordered = wide[list(models["model"])].to_numpy()
    assert np.all(np.diff(ordered, axis=1) > 0)
    assert len(wide) == len(data.accelerators())
