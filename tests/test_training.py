"""Tests for aiboom.training: hand cases, published anchors, properties and input checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiboom import training as tr

pos = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)


# ---------------------------------------------------------------------------- compute and cost


def test_training_flop_llama_405b_anchor():
    # Llama 3.1 405B: 6 x 405e9 x 15.6e12 = 3.79e25 FLOP; Epoch AI lists 3.8e25.
    assert tr.training_flop(405e9, 15.6e12) == pytest.approx(3.8e25, rel=0.02)


def test_training_flop_hand_case_and_constant():
    assert tr.training_flop(2.0, 3.0) == 36.0
    # activation recomputation counted: 8 FLOP per parameter-token
    assert tr.training_flop(2.0, 3.0, flop_per_param_token=8.0) == 48.0


def test_cloud_cost_hand_case_from_style_guide():
    # 1e9 params x 2e10 tokens x 6 = 1.2e20 FLOP; at 1e15 FLOP/s x 0.4 that is 3e5 s = 83.33 h;
    # at 2 USD/h the run costs 166.67 USD.
    hours = tr.accelerator_hours(tr.training_flop(1e9, 2e10), 1e15, 0.4)
    assert hours == pytest.approx(83.3333, rel=1e-6)
    assert tr.cloud_training_cost_usd(hours, 2.0) == pytest.approx(166.6667, rel=1e-6)


def test_amortized_hardware_matches_epoch_h100_per_hour():
    # training.md 4.7: HGX H100 at 33,800 USD per GPU (server share included, overhead 1):
    # 33,800 x 0.322/8766 = 1.243 USD/h, interconnect x 0.19/0.81 adds 0.292 -> 1.535 USD/h.
    hw = tr.amortized_hardware_cost_usd(1.0, 33_800.0, server_cost_overhead=1.0)
    assert hw == pytest.approx(1.2430 + 0.2916, abs=2e-3)
    # energy: 700 W x 1.82 x 0.75 x PUE 1.1 x 0.077 USD/kWh = 0.081 USD/h; total ~1.62 USD/h
    power = tr.average_power_w_per_accelerator(700.0, 1.82, 0.75)
    energy = tr.energy_cost_usd(1.0, power, 1.1, 0.077)
    assert energy == pytest.approx(0.0809, abs=5e-4)
    total = tr.amortized_training_cost_usd(
        1.0, 33_800.0, power, 0.077, pue=1.1, server_cost_overhead=1.0
    )
    assert total == pytest.approx(1.62, abs=0.01)


def test_amortized_hardware_straight_line_lives():
    # training.md 4.7: hardware only, 5-year straight line 0.77 USD/h, 3-year 1.29 USD/h
    five = tr.amortized_hardware_cost_usd(1.0, 33_800.0, 1.0, 5.0, interconnect_cost_fraction=0.0)
    three = tr.amortized_hardware_cost_usd(1.0, 33_800.0, 1.0, 3.0, interconnect_cost_fraction=0.0)
    assert five == pytest.approx(33_800.0 / (5 * 8766), rel=1e-12)
    assert five == pytest.approx(0.77, abs=0.005)
    assert three == pytest.approx(1.29, abs=0.005)


def test_epoch_rate_equals_default_lifetime():
    assert tr.EPOCH_AMORTIZATION_RATE_PER_YEAR == pytest.approx(0.3224, abs=1e-4)
    assert tr.EPOCH_ECONOMIC_LIFETIME_YEARS == pytest.approx(3.10, abs=0.01)


def test_amortized_hardware_overhead_and_waiting_time():
    base = tr.amortized_hardware_cost_usd(100.0, 20_000.0, 1.0)
    assert tr.amortized_hardware_cost_usd(100.0, 20_000.0, 1.64) == pytest.approx(1.64 * base)
    # one year between purchase and run: value falls by 10**-0.14 = 0.724
    waited = tr.amortized_hardware_cost_usd(100.0, 20_000.0, 1.0, years_since_purchase=1.0)
    assert waited / base == pytest.approx(10**-0.14, rel=1e-12)


def test_energy_mwh_hand_case():
    # 1e6 GPU-hours x 1000 W x PUE 1.2 = 1.2e9 Wh = 1200 MWh
    assert tr.training_energy_mwh(1e6, 1000.0, 1.2) == pytest.approx(1200.0)


def test_usd_per_flop_hand_case():
    # 3.6 USD/h over 3600 s = 1e-3 USD/s; at 1e15 x 0.5 FLOP/s -> 2e-18 USD/FLOP
    assert tr.usd_per_flop(3.6, 1e15, 0.5) == pytest.approx(2e-18)


def test_arrays_broadcast_and_series_keep_index():
    n = np.array([1e9, 2e9, 4e9])
    out = tr.training_flop(n[:, None], np.array([1e10, 2e10]))
    assert out.shape == (3, 2)
    assert out[2, 1] == pytest.approx(6 * 4e9 * 2e10)
    s = pd.Series([1e9, 2e9], index=["a", "b"])
    res = tr.training_flop(s, 1e10)
    assert isinstance(res, pd.Series) and list(res.index) == ["a", "b"]


@settings(max_examples=60, deadline=None)
@given(n=pos, d=pos, price=pos, mfu=share, k=st.floats(min_value=1.01, max_value=10.0))
def test_cloud_cost_monotone(n, d, price, mfu, k):
    def cost(n, d, price, mfu):
        hours = tr.accelerator_hours(tr.training_flop(n * 1e9, d * 1e9), 1e15, mfu)
        return tr.cloud_training_cost_usd(hours, price)

    c = cost(n, d, price, mfu)
    assert cost(n, d * k, price, mfu) > c  # more tokens
    assert cost(n, d, price * k, mfu) > c  # higher price
    assert cost(n * k, d, price, mfu) > c  # more FLOP
    if mfu * k <= 1.0:
        assert cost(n, d, price, mfu * k) < c  # better utilisation


@settings(max_examples=60, deadline=None)
@given(hours=pos, price=pos, k=st.floats(min_value=1.01, max_value=10.0))
def test_amortized_cost_monotone(hours, price, k):
    c = tr.amortized_training_cost_usd(hours, price, 900.0, 0.08)
    assert tr.amortized_training_cost_usd(hours * k, price, 900.0, 0.08) > c
    assert tr.amortized_training_cost_usd(hours, price * k, 900.0, 0.08) > c
    assert tr.amortized_training_cost_usd(hours, price, 900.0, 0.08 * k) > c
    longer_life = tr.amortized_training_cost_usd(
        hours, price, 900.0, 0.08, hardware_lifetime_years=3.1 * k
    )
    assert longer_life < c


# ---------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("mfu", [0.0, -0.1, 1.01])
def test_bad_mfu_raises(mfu):
    with pytest.raises(ValueError, match="mfu"):
        tr.accelerator_hours(1e20, 1e15, mfu)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="n_tokens"):
        tr.training_flop(1e9, -1.0)
    with pytest.raises(ValueError, match="n_tokens"):
        tr.training_flop(1e9, np.array([1.0, -1.0]))  # one bad element in an array
    with pytest.raises(ValueError, match="pue"):
        tr.training_energy_mwh(1.0, 100.0, 0.9)
    with pytest.raises(ValueError, match="interconnect_cost_fraction"):
        tr.amortized_hardware_cost_usd(1.0, 1.0, interconnect_cost_fraction=1.0)


def test_nan_propagates_instead_of_raising():
    assert math.isnan(tr.training_flop(float("nan"), 1.0))


# ---------------------------------------------------------------------------- scaling laws


#: Published constants: Hoffmann et al. (2022) eq. (10) and Besiroglu et al. (2024).
HOFFMANN_2022 = tr.ScalingLawParams(1.69, 406.4, 410.7, 0.34, 0.28)
BESIROGLU_2024 = tr.ScalingLawParams(1.8172, 482.01, 2085.43, 0.3478, 0.3658)


def _law(n, d, p):
    return p.e + p.a / n**p.alpha + p.b / d**p.beta


@pytest.mark.parametrize("params", [HOFFMANN_2022, BESIROGLU_2024])
@pytest.mark.parametrize("flop", [1e21, 5.76e23, 1e26])
def test_optimal_loss_is_the_minimum_along_the_iso_compute_curve(params, flop):
    # Brute force over model sizes with 6ND = C: the closed form is the minimum.
    n = np.logspace(6, 14, 200_001)
    brute = _law(n, flop / (6.0 * n), params).min()
    assert tr.compute_optimal_loss(flop, params) == pytest.approx(brute, rel=1e-9)


def test_loss_gain_per_10x_equals_difference():
    for flop in (1e22, 1e25):
        expected = (tr.compute_optimal_loss(flop, BESIROGLU_2024)
                    - tr.compute_optimal_loss(10 * flop, BESIROGLU_2024))
        assert tr.loss_gain_per_10x(flop, BESIROGLU_2024) == pytest.approx(expected, rel=1e-10)


@settings(max_examples=80, deadline=None)
@given(log_c=st.floats(min_value=18.0, max_value=30.0), step=st.floats(min_value=0.01, max_value=3))
def test_loss_decreasing_in_compute_with_diminishing_gain(log_c, step):
    for params in (HOFFMANN_2022, BESIROGLU_2024):
        c0, c1 = 10.0**log_c, 10.0 ** (log_c + step)
        assert tr.compute_optimal_loss(c1, params) < tr.compute_optimal_loss(c0, params)
        assert tr.compute_optimal_loss(c1, params) > params.e
        assert tr.loss_gain_per_10x(c1, params) < tr.loss_gain_per_10x(c0, params)


# ---------------------------------------------------------------------------- trends and dates


def test_decimal_year_hand_cases():
    # 2024 is a leap year: 2 July 00:00 is day 183 of 366 -> 2024.5
    assert tr.decimal_year("2024-07-02") == pytest.approx(2024.5)
    # 2023: 2 July 12:00 is 182.5 days of 365 -> 2023.5
    assert tr.decimal_year(pd.Timestamp("2023-07-02 12:00")) == pytest.approx(2023.5)
    # 1 March 2000 (leap) is day 60 of 366
    out = tr.decimal_year(pd.DatetimeIndex(["2000-03-01", None]))
    assert out[0] == pytest.approx(2000 + 60 / 366) and math.isnan(out[1])


def test_decimal_year_series_and_timezones():
    s = pd.Series(pd.to_datetime(["2021-01-01", "2021-12-31"]), index=["x", "y"], name="date")
    out = tr.decimal_year(s)
    assert list(out.index) == ["x", "y"] and out.name == "date"
    assert out["x"] == 2021.0 and out["y"] == pytest.approx(2021 + 364 / 365)
    assert tr.decimal_year(pd.Timestamp("2024-07-02", tz="US/Eastern")) == pytest.approx(2024.5)


@settings(max_examples=40, deadline=None)
@given(
    growth=st.floats(min_value=0.2, max_value=20.0),
    n=st.integers(min_value=3, max_value=40),
    start=st.floats(min_value=1990.0, max_value=2030.0),
)
def test_trend_recovers_noiseless_growth(growth, n, start):
    years = start + np.linspace(0.0, 8.0, n)
    values = 3.0e6 * growth ** (years - start)
    fit = tr.fit_log_linear_trend(years, values)
    assert fit.growth_per_year == pytest.approx(growth, rel=1e-9)
    assert fit.low == pytest.approx(growth, rel=1e-6)
    assert fit.high == pytest.approx(growth, rel=1e-6)
    assert fit.n == n
    pred = tr.trend_predict(fit, start + 3.0)
    assert pred.central == pytest.approx(3.0e6 * growth**3.0, rel=1e-8)


def test_trend_interval_covers_true_rate_at_nominal_frequency():
    # With Gaussian noise in log10 space the 90% t-interval should contain the true slope in
    # about 90% of replications (binomial sd for 600 draws: 1.2 percentage points).
    rng = np.random.default_rng(20240601)
    years = np.linspace(2016.0, 2024.0, 12)
    hits = 0
    reps = 600
    for _ in range(reps):
        values = 1e6 * 2.4 ** (years - 2016.0) * 10.0 ** rng.normal(0.0, 0.4, years.size)
        fit = tr.fit_log_linear_trend(years, values, confidence=0.9)
        hits += fit.low <= 2.4 <= fit.high
    assert 0.86 < hits / reps < 0.94


def test_trend_fit_with_noise_is_close_and_ordered():
    rng = np.random.default_rng(1)
    years = np.linspace(2016.0, 2024.0, 45)
    values = 2.4 ** (years - 2016.0) * 10.0 ** rng.normal(0.0, 0.2, years.size)
    fit = tr.fit_log_linear_trend(years, values)
    assert fit.low < fit.growth_per_year < fit.high
    assert fit.low < 2.4 < fit.high
    assert fit.growth_per_year == pytest.approx(2.4, rel=0.15)


def test_trend_predict_bands():
    rng = np.random.default_rng(2)
    years = np.linspace(2016.0, 2024.0, 30)
    fit = tr.fit_log_linear_trend(years, 5.0 ** (years - 2016) * 10 ** rng.normal(0, 0.3, 30))
    grid = np.array([2010.0, fit.mean_year, 2030.0])
    slope = fit.predict(grid, interval="slope")
    assert slope.low[1] == pytest.approx(slope.central[1]) == pytest.approx(slope.high[1])
    assert np.all(slope.low <= slope.central) and np.all(slope.central <= slope.high)
    assert slope.high[2] / slope.central[2] == pytest.approx(
        (fit.high / fit.growth_per_year) ** (2030.0 - fit.mean_year), rel=1e-9
    )
    mean = tr.trend_predict(fit, grid, interval="mean")
    pred = tr.trend_predict(fit, grid, interval="prediction")
    assert np.all(pred.high > mean.high) and np.all(pred.low < mean.low)
    assert mean.high[1] > mean.central[1]  # level uncertainty remains at the mean year
    none = tr.trend_predict(fit, grid, interval="none")
    np.testing.assert_array_equal(none.low, none.central)
    with pytest.raises(ValueError, match="interval"):
        tr.trend_predict(fit, grid, interval="bogus")


def test_trend_accepts_dates_and_drops_nan():
    dates = pd.Series(pd.to_datetime(["2016-01-01", "2018-01-01", "2020-01-01", "2021-01-01"]))
    fit = tr.fit_log_linear_trend(dates, [1.0, 10.0, 100.0, float("nan")])
    assert fit.n == 3
    assert fit.growth_per_year == pytest.approx(10 ** (1 / 2.0), rel=1e-3)


def test_trend_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        tr.fit_log_linear_trend([2020, 2021, 2022], [1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="at least 3"):
        tr.fit_log_linear_trend([2020, 2021], [1.0, 2.0])
    with pytest.raises(ValueError, match="confidence"):
        tr.fit_log_linear_trend([2020, 2021, 2022], [1.0, 2.0, 3.0], confidence=1.5)


# ---------------------------------------------------------------------------- CuPy parity


@pytest.mark.gpu
def test_cupy_matches_numpy():
    cupy = pytest.importorskip("cupy")
    flop = np.array([1e22, 1e24, 1e26])
    hours = tr.accelerator_hours(flop, 989e12, 0.4)
    gpu = tr.accelerator_hours(cupy.asarray(flop), 989e12, 0.4)
    np.testing.assert_allclose(cupy.asnumpy(gpu), hours, rtol=1e-12)
    loss = tr.compute_optimal_loss(cupy.asarray(flop))
    np.testing.assert_allclose(cupy.asnumpy(loss), tr.compute_optimal_loss(flop), rtol=1e-12)


def test_backtest_costs_runs_epoch_never_costed():
    # A frontier run with compute and a chip but no Epoch cost is still priced when
    # costed_only is False (chapter 3 costs every frontier run this way); its ratios are NaN.
    from aiboom import data

    models = data.models()
    run = models[models["model"] == "Grok-3"].assign(
        cost_usd_2023=math.nan, epoch_amortized_cost_usd_2023=math.nan,
        epoch_cloud_cost_usd_2023=math.nan)
    assert tr.backtest_runs(models=run).empty
    table = tr.backtest_runs(models=run, costed_only=False)
    assert len(table) == 1 and table["hours_basis"].iloc[0] == "quantity x time"
    # 100,000 H100 for 2,400 hours: 2.4e8 chip-hours.
    assert table["accelerator_hours"].iloc[0] == pytest.approx(2.4e8)
    assert table["amortized_usd"].iloc[0] > 1e8 and math.isnan(table["ratio_amortized"].iloc[0])
