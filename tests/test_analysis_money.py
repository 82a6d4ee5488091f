"""Tests for aiboom.analysis.money: the project mapping, hand-computed paybacks, the free tier,
data clean-up, value capture and the sensitivity tables."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aiboom import economics, kernels
from aiboom.analysis import money
from aiboom.kernels import PAYBACK_HORIZON_MONTHS
from aiboom.montecarlo import run_monte_carlo
from aiboom.registry import Registry, load_registry
from aiboom.sampling import draw_samples

REGISTRY = load_registry()
N = 4_000
SEED = 7


def _fixed(registry, ids=None) -> Registry:
    """Rows (all, or ``ids``) fixed at their central value."""
    return Registry({k: (replace(a, low=a.central, high=a.central, distribution="fixed")
                         if ids is None or k in ids else a) for k, a in registry.items()})


@pytest.fixture(scope="module")
def genai() -> dict[str, np.ndarray]:
    return money.simulate_project(REGISTRY, "genai", N, SEED, "numpy")


# ------------------------------------------------------------------------------ project mapping


def test_project_registry_maps_tech_rows_and_zeroes_compute_and_cleanup():
    rows = money.project_registry(REGISTRY, "tech")
    capex = rows["genai_project_capex_usd"]
    assert capex.id == "genai_project_capex_usd"
    src = REGISTRY["tech_project_capex_usd"]
    assert (capex.low, capex.central, capex.high, capex.distribution) == \
        (src.low, src.central, src.high, src.distribution)
    for k in ("genai_queries_per_month", "data_cleanup_oneoff_usd", "data_cleanup_monthly_usd",
              "data_cleanup_delay_months"):
        assert rows[k].distribution == "fixed" and rows[k].central == 0.0
    # the registry itself is untouched
    assert REGISTRY["genai_project_capex_usd"].central != src.central


def test_project_registry_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown project kind"):
        money.project_registry(REGISTRY, "blockchain")


def test_genai_project_reproduces_the_monte_carlo_engine(genai):
    mc = run_monte_carlo(REGISTRY, N, SEED, backend="numpy", keep_samples=True)
    np.testing.assert_array_equal(genai["payback_months"], mc.samples["payback_months"])
    np.testing.assert_array_equal(genai["usd_per_query"], mc.samples["usd_per_query"])


def test_agentic_queries_are_tasks_times_steps():
    sims = money.simulate_project(REGISTRY, "agentic", N, SEED, "numpy")
    f = draw_samples(REGISTRY, money.AGENTIC_QUERY_FACTORS, N, SEED)
    np.testing.assert_allclose(sims["genai_queries_per_month"],
                               f["agentic_tasks_per_month"] * f["agentic_steps_per_task"])
    assert np.all(sims["genai_project_capex_usd"] >= REGISTRY["agentic_project_capex_usd"].low)


def test_central_tech_project_payback_by_hand():
    # K = 400k, V s = 60k x 0.95 = 57k, X = 5k, R = 3, no compute, no clean-up.
    # Cash at the end of the ramp: -400k + 3 (57k/2 - 5k) = -329.5k; then 52k a month:
    # T = 3 + 329.5 / 52 = 9.33654 months.
    rows = money.project_registry(REGISTRY, "tech")
    inputs = {k: rows[k].central for k in kernels.INPUTS}
    got = kernels.reference_per_sample(inputs)["payback_months"]
    expected = 3.0 + 329_500.0 / 52_000.0
    if (REGISTRY["tech_project_capex_usd"].central, REGISTRY["tech_monthly_benefit_usd"].central,
            REGISTRY["tech_value_capture_share"].central, REGISTRY["tech_ramp_months"].central,
            REGISTRY["tech_monthly_opex_usd"].central) != (4e5, 6e4, 0.95, 3.0, 5e3):
        pytest.skip("registry central values changed; hand case no longer applies")
    assert got == pytest.approx(expected, rel=1e-12)


def test_tech_payback_agrees_with_the_monthly_cash_flow_model():
    rows = money.project_registry(REGISTRY, "tech")
    c = {k: rows[k].central for k in kernels.INPUTS}
    kernel = kernels.reference_per_sample(c)["payback_months"]
    # cumulative cash by hand: -K + s V * integral of a linear ramp over R months - X t
    k, v, s = c["genai_project_capex_usd"], c["genai_monthly_benefit_usd"], \
        c["value_capture_share"]
    r, x = c["genai_ramp_months"], c["genai_monthly_opex_usd"]
    t = np.linspace(0.0, 120.0, 1_200_001)
    ramp_integral = np.where(t < r, t**2 / (2 * r), t - r / 2)
    cash = -k + s * v * ramp_integral - x * t
    by_hand = t[np.argmax(cash >= 0)]
    assert kernel == pytest.approx(by_hand, abs=0.1)


def test_ai_projects_pay_back_later_than_the_tech_project(genai):
    tech = money.simulate_project(REGISTRY, "tech", N, SEED, "numpy")
    agentic = money.simulate_project(REGISTRY, "agentic", N, SEED, "numpy")
    m = {k: money.payback_summary(v["payback_months"])["p50"]
         for k, v in (("tech", tech), ("genai", genai), ("agentic", agentic))}
    assert m["tech"] < m["genai"] <= m["agentic"]
    assert np.all(tech["usd_per_query"] > 0) and np.all(tech["genai_queries_per_month"] == 0)


# ------------------------------------------------------------------------------ summaries


def test_payback_summary_counts_never_and_within():
    s = money.payback_summary([1.0, 5.0, 13.0, math.inf], within_months=12.0)
    assert s["share_never"] == 0.25 and s["share_within"] == 0.5
    assert s["p5"] == 1.0 and s["p50"] == 5.0 and s["p95"] == math.inf


def test_quantiles_match_numpy_inverted_cdf_along_the_last_axis():
    rng = np.random.default_rng(SEED)
    values = rng.lognormal(size=(3, 1001))
    values[0, :50] = math.inf
    values[2, 7] = math.nan  # numpy.quantile gives nan for a row holding one
    levels = (0.0, 0.05, 0.5, 0.95, 1.0)
    np.testing.assert_array_equal(
        money.quantiles(values, levels),
        np.quantile(values, levels, axis=-1, method="inverted_cdf"))
    for n in (1, 2, 19, 20, 21, 4000):
        v = rng.random(n)
        np.testing.assert_array_equal(money.quantiles(v),
                                      np.quantile(v, [0.05, 0.5, 0.95], method="inverted_cdf"))


def test_log_histogram_counts_every_group_as_numpy_histogram_does():
    rng = np.random.default_rng(SEED)
    edges = np.geomspace(1.0, 100.0, 9)
    groups = {"a": np.concatenate([edges, rng.lognormal(2.0, 2.0, 500), [math.inf, math.nan]]),
              "b": rng.lognormal(1.0, 1.0, 37)}
    df = money.log_histogram(groups, 1.0, 100.0, 8)
    assert list(df["group"]) == ["a"] * 8 + ["b"] * 8
    for label, v in groups.items():
        kept = v[np.isfinite(v) & (v < 100.0)]
        counts, _ = np.histogram(np.clip(kept, 1.0, None), bins=edges)
        np.testing.assert_array_equal(df.loc[df["group"] == label, "share"], counts / v.size)


def test_log_histogram_shares_sum_to_the_binned_fraction():
    values = np.array([0.5, 2.0, 3.0, 50.0, 150.0, math.inf])
    df = money.log_histogram({"a": values}, 1.0, 100.0, 4)
    # 0.5 joins the first bin; 150 and inf fall in no bin
    assert df["share"].sum() == pytest.approx(4 / 6)
    np.testing.assert_allclose(df["bin_high"] / df["bin_low"], 100.0 ** 0.25)
    with pytest.raises(ValueError):
        money.log_histogram({"a": values}, 0.0, 1.0, 4)


def test_months_text_and_prose_label():
    assert money.months_text(9.6) == "10 months"
    assert money.months_text(math.inf) == "more than 20 years"
    assert money.months_text(PAYBACK_HORIZON_MONTHS) == "more than 20 years"
    assert money.prose_label("Monthly gross benefit") == "monthly gross benefit"
    assert money.prose_label("GPU-hour price") == "GPU-hour price"


def test_survey_ranges_convert_years_to_months():
    s = money.survey_ranges(REGISTRY).set_index("label")
    ai = REGISTRY["survey_payback_genai_years"]
    assert s.loc["Survey: AI use cases", "low_months"] == ai.low * 12
    assert s.loc["Survey: AI use cases", "high_months"] == ai.high * 12
    assert s.loc["Survey: typical tech", "high_months"] == \
        REGISTRY["survey_payback_typical_months"].high


# ------------------------------------------------------------------------------ free tier


def test_free_tier_subsidy_by_hand():
    # 8e8 users x 0.945 free x 3.5 queries/day x 1 cent x 30.4375 days = 0.80537 bn/month
    reg = _fixed(REGISTRY)
    cost = np.full(10, 0.01)
    got = money.free_tier_subsidy_samples(reg, cost, SEED)
    w, s = reg["weekly_active_users"].central, reg["paid_conversion_rate"].central
    q = reg["queries_per_free_user_per_day"].central
    np.testing.assert_allclose(got, w * (1 - s) * q * 0.01 * 365.25 / 12 / 1e9)


def test_break_even_share_balances_revenue_and_cost():
    reg = _fixed(REGISTRY)
    cost = np.array([0.002, 0.01, 0.02])
    s_star = money.break_even_conversion_samples(reg, cost, SEED)
    by = money.free_tier_by_conversion(reg, cost[1:2], SEED, [s_star[1]]).set_index("series")
    assert by.loc["Subscription revenue", "p50"] == pytest.approx(
        by.loc["Compute cost of all users", "p50"], rel=1e-9)
    assert np.all(np.diff(s_star) > 0)  # dearer queries need more payers
    with_margin = money.break_even_conversion_samples(reg, cost, SEED, subscription_share=0.5)
    assert np.all(with_margin > s_star)


def test_compute_share_is_one_exactly_at_the_break_even_cost():
    # fix the paying share at s; the query cost that makes s the break-even share makes
    # compute equal to revenue: c = P s / (d [(1 - s) q_f + s q_p])
    reg = _fixed(REGISTRY)
    s = reg["paid_conversion_rate"].central
    p, qf = reg["subscription_usd_per_month"].central, reg["queries_per_free_user_per_day"].central
    qp = reg["queries_per_paid_user_per_day"].central
    c = p * s / (economics.DAYS_PER_MONTH * ((1 - s) * qf + s * qp))
    share = money.compute_share_of_revenue(reg, [c, 2 * c], SEED)
    np.testing.assert_allclose(share, [1.0, 2.0])
    assert money.break_even_conversion_samples(reg, [c], SEED)[0] == pytest.approx(s)


def test_break_even_is_infinite_when_a_payer_costs_more_than_the_price():
    reg = _fixed(REGISTRY)
    price = reg["subscription_usd_per_month"].central
    q_paid = reg["queries_per_paid_user_per_day"].central
    too_dear = 1.5 * price / (q_paid * economics.DAYS_PER_MONTH)
    assert np.isinf(money.break_even_conversion_samples(reg, [too_dear], SEED)[0])


def test_free_tier_chart_builds():
    reg = _fixed(REGISTRY)
    df = money.free_tier_by_conversion(reg, np.full(5, 0.01), SEED, [0.0, 0.1])
    assert set(df["series"]) == {"Subscription revenue", "Compute cost of all users"}
    assert df.loc[(df["series"] == "Subscription revenue") & (df["conversion"] == 0.0),
                  "p50"].iloc[0] == 0.0
    money.chart_free_tier(df, 0.05).to_dict()


# ------------------------------------------------------------------------------ clean-up, value


def test_cleanup_grid_rises_with_delay_and_one_off_cost(genai):
    grid = money.cleanup_grid(genai, REGISTRY, [0.0, 6.0, 12.0], "numpy")
    for _, g in grid.groupby("oneoff_usd"):
        assert np.all(np.diff(g.sort_values("delay_months")["payback_p50"]) > 0)
    at_zero = grid[grid["delay_months"] == 0.0].sort_values("oneoff_usd")["payback_p50"]
    assert np.all(np.diff(at_zero) > 0)


def test_cleanup_adds_months_and_nothing_when_there_is_none(genai):
    added = money.cleanup_added_months(genai, REGISTRY, "numpy")
    assert added["p5"] > 0 and added["median_with"] > added["median_without"]
    none = Registry({**REGISTRY, **{k: replace(REGISTRY[k], low=0.0, central=0.0, high=0.0,
                                               distribution="fixed")
                                    for k in ("data_cleanup_oneoff_usd",
                                              "data_cleanup_monthly_usd",
                                              "data_cleanup_delay_months")}})
    zero = money.cleanup_added_months(genai, none, "numpy")
    assert zero["p5"] == zero["p50"] == zero["p95"] == 0.0


def test_payback_on_grid_equals_one_run_per_point(genai, monkeypatch):
    # three grid points, one row per kernel call: the chunks join up sample for sample
    monkeypatch.setattr(money, "GRID_CHUNK_SAMPLES", 1)
    grid = {"value_capture_share": np.array([0.2, 0.5, 0.9]),
            "data_cleanup_delay_months": np.array([0.0, 6.0, 12.0])}
    payback = money.payback_on_grid(genai, grid, "numpy")
    assert payback.shape == (3, N)
    for g in range(3):
        one = money.evaluate_with(genai, {k: v[g] for k, v in grid.items()}, "numpy")
        np.testing.assert_array_equal(payback[g], one["payback_months"])
    with pytest.raises(KeyError, match="not model inputs"):
        money.payback_on_grid(genai, {"magic": [1.0]}, "numpy")
    with pytest.raises(ValueError, match="differ in length"):
        money.payback_on_grid(genai, {"value_capture_share": [0.2, 0.5],
                                      "data_cleanup_delay_months": [0.0]}, "numpy")


def test_payback_falls_as_more_value_is_captured(genai):
    df = money.payback_by_capture(genai, [0.2, 0.5, 0.8, 1.0], "numpy")
    assert np.all(np.diff(df["p50"]) <= 0) and np.all(np.diff(df["share_never"]) <= 0)
    assert df["p95"].max() <= PAYBACK_HORIZON_MONTHS
    money.chart_payback_by_capture(df).to_dict()


def test_inference_share_by_hand():
    inputs = money.central_inputs(REGISTRY)
    usd = kernels.reference_per_sample(inputs)["usd_per_query"]
    bill = inputs["genai_queries_per_month"] * usd
    expected = bill / (bill + inputs["genai_monthly_opex_usd"]
                       + inputs["data_cleanup_monthly_usd"])
    assert money.inference_share_of_monthly_cost(inputs) == pytest.approx(expected)
    assert money.inference_share_of_monthly_cost({**inputs, "genai_queries_per_month": 0}) == 0


# ------------------------------------------------------------------------------ sensitivity


def test_tornado_is_sorted_and_capped():
    t = money.payback_tornado(REGISTRY, top=8, backend="numpy")
    assert len(t) == 8 and np.all(np.diff(t["swing"]) <= 0)
    assert t[["output_low", "output_high"]].to_numpy().max() <= PAYBACK_HORIZON_MONTHS
    assert t["label"].notna().all() and set(t["id"]) <= set(kernels.INPUTS)


def test_sobol_indices_are_shares_of_variance():
    s = money.payback_sobol(REGISTRY, n_base=2**11, seed=SEED, top=6, backend="numpy")
    assert len(s) == 6 and np.all(np.diff(s["total_order"]) <= 0)
    assert s["total_order"].between(-0.05, 1.2).all()
    # the largest driver is on the value side, not the serving side
    assert s["id"].iloc[0] not in money.COMPUTE_INPUTS


# ------------------------------------------------------------------------------ hardware, charts


def test_accelerator_constants_fall_back_to_16_bit():
    a100 = pd.Series({"bf16_dense_tflops": 312.0, "fp8_dense_tflops": np.nan,
                      "hbm_tb_per_s": 2.039, "hbm_gb": 80.0})
    acc = money.accelerator_constants(a100)
    assert acc.peak_flop_per_s_8bit == acc.peak_flop_per_s_16bit == 312e12
    assert acc.hbm_bytes_per_s == pytest.approx(2.039e12)
    assert acc.hbm_bytes == pytest.approx(80e9)


def test_payback_chart_builds(genai):
    hist = money.payback_histogram({"Generative AI": genai["payback_months"]})
    spec = money.chart_payback(hist, money.survey_ranges(REGISTRY)).to_dict()
    assert len(spec["layer"]) == 4


def test_tornado_chart_builds():
    t = money.payback_tornado(REGISTRY, top=4, backend="numpy")
    spec = money.chart_tornado(t).to_dict()
    assert spec["width"] == money.LABELLED_BARS_WIDTH_PX


def test_survey_fit_sentence_follows_the_numbers_and_says_calibrated():
    from aiboom.analysis import money as m
    from aiboom.registry import load_registry

    registry = load_registry()
    survey = m.survey_ranges(registry)
    inside = {"tech": {"p50": float(survey.iloc[0]["central_months"])},
              "genai": {"p50": float(survey.iloc[1]["central_months"])}}
    text = m.survey_fit_sentence(inside, survey, registry)
    assert "land inside" in text and "calibrated to these survey ranges" in text
    outside = {"tech": {"p50": 1000.0}, "genai": {"p50": float("inf")}}
    assert "land outside" in m.survey_fit_sentence(outside, survey, registry)
    half = {"tech": inside["tech"], "genai": outside["genai"]}
    assert "generative-AI project's does not" in m.survey_fit_sentence(half, survey, registry)
    uncalibrated = registry
    for rid, a in registry.items():
        if a.calibrated_to:
            uncalibrated = uncalibrated.replace(rid, calibrated_to="")
    assert "No input was calibrated" in m.survey_fit_sentence(inside, survey, uncalibrated)


# ----------------------------------------------------------- central values shared by chapters


def test_central_figures_are_the_kernel_at_central_inputs():
    ref = kernels.reference_per_sample(money.central_inputs(REGISTRY))
    assert money.central_payback_months(REGISTRY) == pytest.approx(ref["payback_months"])
    assert money.central_usd_per_query(REGISTRY) == pytest.approx(ref["usd_per_query"])
    share = money.central_break_even_conversion(REGISTRY)
    expected = economics.break_even_conversion_rate(
        REGISTRY["subscription_usd_per_month"].central, ref["usd_per_query"],
        REGISTRY["queries_per_free_user_per_day"].central,
        REGISTRY["queries_per_paid_user_per_day"].central)
    assert share == pytest.approx(float(expected))
    # a margin on top of compute needs more paying users
    assert money.central_break_even_conversion(REGISTRY, gross_margin=0.5) > share
    with pytest.raises(ValueError, match="gross_margin"):
        money.central_break_even_conversion(REGISTRY, gross_margin=1.0)


def test_percent_text_keeps_two_significant_figures():
    assert money.percent_text(0.0051) == "0.5%"
    assert money.percent_text(0.07) == "7.0%"
    assert money.percent_text(0.37) == "37%"
    assert money.percent_text(0.0002) == "less than 0.1%"
