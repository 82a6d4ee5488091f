"""Tests for aiboom.analysis.outlook: small models, API bills, performance per watt, price paths
and the "what must be true" solver."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aiboom import data, economics, inference, kernels, sampling, training
from aiboom.analysis import money, outlook
from aiboom.registry import load_registry

REGISTRY = load_registry()
N = 4_000
SEED = 11


@pytest.fixture(scope="module")
def genai() -> dict[str, np.ndarray]:
    return money.simulate_project(REGISTRY, "genai", N, SEED, "numpy")


@pytest.fixture(scope="module")
def inputs() -> dict[str, float]:
    return money.central_inputs(REGISTRY)


# ------------------------------------------------------------------------------ small models


def test_small_model_changes_read_the_small_rows():
    c = outlook.small_model_changes(REGISTRY)
    assert c == {"frontier_active_params": REGISTRY["small_model_active_params"].central,
                 "frontier_layers": REGISTRY["small_layers"].central,
                 "frontier_kv_heads": REGISTRY["small_kv_heads"].central,
                 "frontier_head_dim": REGISTRY["small_head_dim"].central,
                 "frontier_query_heads": 32.0, "frontier_kv_latent_dim": 0.0,
                 "frontier_total_to_active_params": 1.0}  # a dense model, all experts "on"


def test_small_model_is_cheaper_in_every_sample(genai):
    small = money.evaluate_with(genai, outlook.small_model_changes(REGISTRY), "numpy")
    ratio = genai["usd_per_query"] / small["usd_per_query"]
    assert np.all(ratio > 1)
    # never more than the ratio of active parameters: fixed costs (KV reads) do not shrink
    assert ratio.max() <= genai["frontier_active_params"].max() / \
        REGISTRY["small_model_active_params"].central


def test_cost_histogram_spans_whole_decades():
    h = outlook.cost_histogram({"a": [0.03, 0.5, 2.0], "b": [0.2, 7.0]}, n_bins=6)
    assert h["bin_low"].min() == pytest.approx(0.01)
    assert h["bin_high"].max() == pytest.approx(10.0)
    assert set(h["model"]) == {"a", "b"}


# ------------------------------------------------------------------------------ API bills


def test_workload_averages_reasoning_over_queries():
    w = outlook.create_workload(REGISTRY)
    assert w.reasoning_multiplier == pytest.approx(
        REGISTRY["reasoning_token_multiplier"].central
        * REGISTRY["reasoning_query_share"].central)
    assert w.queries_per_month == REGISTRY["genai_queries_per_month"].central


def test_workload_bill_by_hand():
    prices = pd.DataFrame({
        "vendor": ["V"], "model": ["m"], "from_date": [pd.NaT], "to_date": [pd.NaT],
        "input_usd_per_m": [2.0], "output_usd_per_m": [8.0], "cached_input_usd_per_m": [0.5],
        "tier": ["frontier"], "release_date": [pd.NaT], "source_key": ["x"],
        "price_tier": ["standard"], "duplicate_of": [None], "retired": [pd.NaT],
        "retired_source": [None]})
    prices.attrs["meta"] = {"as_of": "2026-11-27"}
    w = outlook.create_workload(REGISTRY)
    bills = outlook.workload_bills(prices, REGISTRY).set_index("group")
    per_query = (w.input_tokens * (1 - w.cached_input_share + w.cached_input_share * 0.25) * 2.0
                 + w.output_tokens * (1 + w.reasoning_multiplier) * 8.0) / 1e6
    assert bills.loc["Frontier tier", "bill_usd_per_month"] == pytest.approx(
        w.queries_per_month * per_query)
    frontier = bills.loc["Frontier (registry)"]
    open_ = bills.loc["Open model (registry discount)"]
    disc = REGISTRY["open_model_price_discount"]
    assert open_["bill_usd_per_month"] == pytest.approx(
        frontier["bill_usd_per_month"] * disc.central)
    assert open_["bill_low"] < open_["bill_usd_per_month"] < open_["bill_high"]


def _table(**rows: list) -> pd.DataFrame:
    """A small price table with the columns of data/api_prices.csv, dated 2026-11-27."""
    n = len(rows["model"])
    base = {"vendor": ["V"] * n, "from_date": [pd.NaT] * n, "to_date": [pd.NaT] * n,
            "input_usd_per_m": [1.0] * n, "output_usd_per_m": [4.0] * n,
            "cached_input_usd_per_m": [np.nan] * n, "tier": ["frontier"] * n,
            "release_date": [pd.NaT] * n, "source_key": ["x"] * n,
            "price_tier": ["standard"] * n, "duplicate_of": [None] * n, "retired": [pd.NaT] * n,
            "retired_source": [None] * n}
    base.update(rows)
    df = pd.DataFrame(base)
    for col in ("from_date", "to_date", "release_date", "retired"):
        df[col] = pd.to_datetime(df[col])
    df.attrs["meta"] = {"as_of": "2026-11-27"}
    return df


def test_like_with_like_drops_retired_duplicate_premium_and_stale_rows():
    df = _table(model=["keep", "gone", "going", "pro", "preview", "old", "new"],
                retired=[None, "2026-01-05", "2026-12-11", None, None, None, None],
                price_tier=["standard"] * 3 + ["premium"] + ["standard"] * 3,
                duplicate_of=[None] * 4 + ["keep", None, None],
                to_date=[None] * 5 + ["2026-09-01", None],
                from_date=[None] * 6 + ["2026-09-01"])
    df.loc[df["model"] == "new", "model"] = "old"  # the same model, re-priced
    got = outlook.like_with_like_prices(df)
    assert list(got["model"]) == ["keep", "going", "old"]
    assert got.loc[got["model"] == "old", "from_date"].iloc[0] == pd.Timestamp("2026-09-01")
    # on an earlier day the retired model was on sale and the old price in effect
    early = outlook.like_with_like_prices(df, pd.Timestamp("2025-06-01"))
    assert list(early["model"]) == ["keep", "gone", "going", "old"]
    assert early.loc[early["model"] == "old", "to_date"].iloc[0] == pd.Timestamp("2026-09-01")
    assert list(outlook.like_with_like_prices(df, price_tier="premium")["model"]) == ["pro"]


def test_like_with_like_refuses_two_prices_for_one_model():
    df = _table(model=["m", "m"])
    with pytest.raises(ValueError, match="more than one price"):
        outlook.like_with_like_prices(df)


def test_median_list_price_counts_each_model_once():
    df = _table(model=["a", "a-preview", "b", "b-pro", "c"],
                output_usd_per_m=[10.0, 10.0, 20.0, 200.0, 30.0],
                duplicate_of=[None, "a", None, None, None],
                price_tier=["standard"] * 3 + ["premium", "standard"])
    assert outlook.median_list_price(df) == 20.0
    assert df["output_usd_per_m"].median() == 20.0  # the naive median counts a-preview, b-pro
    df2 = df.assign(retired=pd.to_datetime([None, None, None, None, "2025-01-01"]))
    assert outlook.median_list_price(df2) == 15.0


def test_the_shipped_table_is_like_with_like():
    prices = data.api_prices()
    assert outlook.prices_as_of(prices) == pd.Timestamp(prices.attrs["meta"]["as_of"])
    cur = outlook.like_with_like_prices(prices)
    assert not cur.duplicated(["vendor", "model"]).any()
    assert (cur["price_tier"] == "standard").all() and cur["duplicate_of"].isna().all()
    assert (cur["retired"].isna() | (cur["retired"] > outlook.prices_as_of(prices))).all()
    # OpenAI's pro and deep-research variants are premium (DeepSeek's V4-Pro is a model of its own)
    assert not cur["model"].str.contains(r"^(?:gpt-[\d.]+|o\d)-pro$|deep-research").any()
    # every duplicate names a model of the table, and every retired date names its source
    assert set(prices["duplicate_of"].dropna()) <= set(prices["model"])
    assert (prices["retired"].isna() == prices["retired_source"].isna()).all()


def test_dated_prices_leave_out_premium_and_repeats():
    df = _table(model=["a", "a-pro", "b", "b-alias"],
                from_date=["2024-01-01", "2024-01-01", "2025-01-01", "2025-01-01"],
                price_tier=["standard", "premium", "standard", "standard"],
                duplicate_of=[None, None, None, "b"], retired=["2025-06-01", None, None, None])
    assert list(outlook.dated_prices(df)["model"]) == ["a", "b"]  # history keeps retired ones


def test_date_text():
    assert outlook.date_text(pd.Timestamp("2026-11-27")) == "27 November 2026"
    assert outlook.date_text(pd.Timestamp("2026-02-05")) == "5 February 2026"


# ------------------------------------------------------------------------------ hardware


def test_perf_per_watt_and_generation_gain_by_hand():
    ppw = outlook.perf_per_watt(data.accelerators())
    a100 = ppw[(ppw["id"] == "a100") & (ppw["precision"] == "BF16")]["tflops_per_w"].iloc[0]
    assert a100 == pytest.approx(312.0 / 400.0)
    assert "tpu_v5p" not in set(ppw["id"])  # no published power
    g = outlook.generation_gain(ppw)
    # A100 2020 -> H100 2022 -> B200 2024 (the best of its year): (2.25 / 0.78) ** (1/2)
    assert g["chips"][0].startswith("NVIDIA A100") and g["chips"][-1].startswith("NVIDIA B200")
    assert g["gain"] == pytest.approx((2250.0 / 1000.0 / (312.0 / 400.0)) ** 0.5)
    assert g["per_year"] == pytest.approx(g["gain"] ** 0.5)


def test_query_by_accelerator_matches_the_engine_on_the_reference_chip(genai):
    table = outlook.query_by_accelerator(genai, data.accelerators(), REGISTRY, SEED, "numpy")
    assert list(table["year"]) == sorted(table["year"])
    h100 = table[table["accelerator"].str.startswith("NVIDIA H100")].iloc[0]
    # the reference chip keeps the registry's power; its energy equals the base run's
    row = data.accelerators().set_index("id").loc["h100"]
    base = money.evaluate_with(genai, {}, "numpy", money.accelerator_constants(row))
    assert h100["wh_p50"] == pytest.approx(money.quantiles(base["wh_per_query_fleet"])[1],
                                           rel=1e-12)
    b200 = table[table["accelerator"] == "NVIDIA B200"].iloc[0]
    a100 = table[table["accelerator"].str.startswith("NVIDIA A100")].iloc[0]
    assert b200["wh_p50"] < a100["wh_p50"]


def test_accelerator_price_uses_the_own_row_or_the_rental_ratio():
    acc = data.accelerators()
    own = outlook.accelerator_price_samples(REGISTRY, acc, "b200", 1000, SEED)
    assert own.min() >= REGISTRY["b200_usd_per_gpu_hour"].low
    scaled = outlook.accelerator_price_samples(REGISTRY, acc, "a100", 1000, SEED)
    ref = outlook.accelerator_price_samples(REGISTRY, acc, "h100", 1000, SEED)
    t = acc.set_index("id")["rental_usd_per_hour_central"]
    np.testing.assert_allclose(scaled / ref, t["a100"] / t["h100"])


# ------------------------------------------------------------------------------ price paths


def test_frontier_price_trend_recovers_a_synthetic_halving():
    dates = pd.to_datetime(["2022-01-01", "2023-01-01", "2024-01-01", "2025-01-01"])
    prices = pd.DataFrame({"tier": "frontier", "from_date": dates, "release_date": pd.NaT,
                           "output_usd_per_m": [80.0, 40.0, 20.0, 10.0],
                           "price_tier": "standard", "duplicate_of": None})
    fit = outlook.frontier_price_trend(prices)
    assert fit.growth_per_year == pytest.approx(0.5, rel=1e-3)


def test_price_paths_start_at_list_prices_and_diverge():
    trend = training.TrendFit(0.6, 0.3, 1.2, 0.0, 10, math.log10(0.6), 0.1, 0.1, 2024.0, 1.0,
                              1.7, 0.9)
    paths = outlook.price_paths(REGISTRY, trend, 2026, N, SEED, years=2)
    c = {k: REGISTRY[k].central for k in REGISTRY}
    plain = inference.usd_per_query(
        c["input_tokens_per_query"], c["output_tokens_per_query"],
        c["frontier_input_usd_per_m_tokens"], c["frontier_output_usd_per_m_tokens"],
        c["cached_input_share"], c["cached_input_price_ratio"], 0.0)
    start = paths[paths["year"] == 2026].set_index("series")
    assert start.loc["Same capability, plain answer", "p50"] == pytest.approx(plain)
    assert start.loc["Frontier, plain answer", "p50"] == pytest.approx(plain)
    assert start.loc["Frontier, reasoning answer", "p50"] > plain
    two = paths[paths["year"] == 2028].set_index("series")
    assert two.loc["Frontier, plain answer", "p50"] == pytest.approx(plain * 0.36)
    # lognormal decline: the median of c / d^2 is c / median(d)^2, within four standard errors
    # of a sample median (asymptotically sqrt(pi / 2) sigma / sqrt(n) in log space, doubled)
    decline = REGISTRY["api_price_decline_per_year"]
    se = 2.0 * math.sqrt(math.pi / 2.0) * sampling.lognormal_sigma(decline) / math.sqrt(N)
    got = two.loc["Same capability, plain answer", "p50"]
    assert abs(math.log(got / (plain / decline.central ** 2))) < 4.0 * se


# ------------------------------------------------------------------------------ what must be true


def test_payback_at_imposes_a_query_cost(inputs):
    base = outlook.payback_at(inputs)
    assert base == kernels.reference_per_sample(inputs)["payback_months"]
    cheap, dear = outlook.payback_at(inputs, usd_per_query=0.0), \
        outlook.payback_at(inputs, usd_per_query=0.05)
    assert cheap < base < dear


def test_required_benefit_hits_the_target(inputs):
    lever = outlook.LEVERS[0]
    assert lever.key == "genai_monthly_benefit_usd"
    target = 12.0
    v = outlook.required_value(inputs, lever, target)
    assert outlook.payback_at({**inputs, lever.key: v}) == pytest.approx(target, abs=1e-6)
    assert v > inputs[lever.key]


def test_unreachable_levers_give_nan(inputs):
    capture = next(lv for lv in outlook.LEVERS if lv.key == "value_capture_share")
    # a payback shorter than the clean-up delay is impossible whatever the capture share
    target = inputs["data_cleanup_delay_months"] / 2.0
    assert math.isnan(outlook.required_value(inputs, capture, target))


def test_what_must_be_true_table_and_factors(inputs):
    targets = {"a": 9.5, "b": 12.0}
    df = outlook.what_must_be_true(inputs, targets)
    assert len(df) == 2 * len(outlook.LEVERS)
    benefit = df[df["short"] == "benefit"].set_index("target")
    assert benefit.loc["a", "required"] > benefit.loc["b", "required"]
    assert benefit.loc["a", "factor"] == pytest.approx(
        benefit.loc["a", "required"] / benefit.loc["a", "current"])
    table = outlook.what_must_be_true_table(df, money.months_text)
    assert list(table.columns) == ["Lever", "Today", "Needed for a", "Needed for b",
                                   "Shortest payback, this lever alone"]
    assert len(table) == len(outlook.LEVERS)


def test_improvement_factor_respects_direction():
    benefit = outlook.LEVERS[0]
    cost = next(lv for lv in outlook.LEVERS if lv.better == "lower")
    assert outlook.improvement_factor(benefit, 2.0, 6.0) == 3.0
    assert outlook.improvement_factor(cost, 6.0, 2.0) == 3.0
    assert math.isnan(outlook.improvement_factor(benefit, 2.0, math.nan))


def test_lever_sweep_never_lengthens_payback(inputs):
    sweep = outlook.lever_sweep(inputs, [1.0, 2.0, 4.0, 8.0])
    for _, g in sweep.groupby("lever"):
        assert np.all(np.diff(g.sort_values("factor")["payback_months"]) <= 1e-9)
    shares = sweep[sweep["lever"] == "Share of value captured"]
    assert shares["value"].max() <= 1.0  # capped at one


def test_required_conversion_matches_economics_and_rises_with_margin():
    c = 0.005
    plain = outlook.required_conversion(REGISTRY, c)
    assert plain == pytest.approx(economics.break_even_conversion_rate(
        REGISTRY["subscription_usd_per_month"].central, c,
        REGISTRY["queries_per_free_user_per_day"].central,
        REGISTRY["queries_per_paid_user_per_day"].central))
    assert outlook.required_conversion(REGISTRY, c, 0.5) > plain
    with pytest.raises(ValueError):
        outlook.required_conversion(REGISTRY, c, 1.0)


def test_favourable_inputs_shorten_payback(inputs):
    best = outlook.favourable_inputs(REGISTRY, inputs)
    assert outlook.payback_at(best) < outlook.payback_at(inputs)
    assert best["genai_monthly_benefit_usd"] == REGISTRY["genai_monthly_benefit_usd"].high


def test_text_helpers():
    assert outlook.format_value(4.03e6, "USD/month") == "US$ 4.03 million a month"
    assert outlook.format_value(0.002, "USD/query") == "0.2 US cents a query"
    assert outlook.format_value(math.nan, "fraction") == "out of reach"
    assert outlook.requirement_text(0.9, 1.8, "fraction") == "90%, 1.8 times today's"
    assert outlook.decade_ticks([0.03, 4.0]) == [0.01, 0.1, 1.0, 10.0]


def test_charts_build(inputs):
    targets = {"a": 9.5}
    outlook.chart_lever_sweep(outlook.lever_sweep(inputs, [1.0, 2.0]), targets).to_dict()
    df = pd.DataFrame({"label": ["x"], "goal": ["g"], "factor": [3.0], "required_text": ["r"],
                       "current_text": ["c"]})
    outlook.chart_required(df).to_dict()


def test_names_read_from_registry_and_table():
    assert outlook.small_model_name(REGISTRY) in REGISTRY["small_model_active_params"].description
    assert outlook.reference_chip_name(data.accelerators()).startswith("NVIDIA H100")


def test_cost_histogram_chart_ticks_decades():
    h = outlook.cost_histogram({"a": [0.03, 0.5, 2.0]}, n_bins=6)
    spec = outlook.chart_cost_histogram(h, "US cents").to_dict()
    assert spec["encoding"]["x"]["axis"]["values"] == [0.01, 0.1, 1.0, 10.0]
