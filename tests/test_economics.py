"""Tests for aiboom.economics: published anchors, hand cases, properties and input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiboom import economics as ec

# ---------------------------------------------------------------------------- Sequoia arithmetic


def test_cahn_200b_and_600b():
    # Sequoia: 50 x 2 x 2 = 200 (Sept. 2023); 150 x 2 x 2 = 600 (June 2024)
    assert ec.revenue_required_usd_bn(50) == pytest.approx(200.0)
    assert ec.revenue_required_usd_bn(150) == pytest.approx(600.0)
    np.testing.assert_allclose(ec.revenue_required_usd_bn(np.array([50.0, 150.0])), [200, 600])


def test_cahn_gap_and_variants():
    assert ec.revenue_gap_usd_bn(ec.revenue_required_usd_bn(50), 75) == pytest.approx(125.0)
    assert ec.revenue_gap_usd_bn(ec.revenue_required_usd_bn(150), 100) == pytest.approx(500.0)
    # 60% margin: 100 x 2 / 0.4 = 500; no margin: 100 x 2 = 200
    assert ec.revenue_required_usd_bn(100, end_user_margin=0.6) == pytest.approx(500.0)
    assert ec.revenue_required_usd_bn(100, end_user_margin=0.0) == pytest.approx(200.0)


def test_cahn_bad_margin_raises():
    with pytest.raises(ValueError, match="end_user_margin"):
        ec.revenue_required_usd_bn(50, end_user_margin=1.0)
    with pytest.raises(ValueError, match="dc_cost_multiplier"):
        ec.revenue_required_usd_bn(50, dc_cost_multiplier=0.5)


# ---------------------------------------------------------------------------- depreciation


def test_straight_line_schedule_hand_case():
    # 2.5-year life: 40 + 40 + 20 of a 100 USD asset, nothing after
    np.testing.assert_allclose(ec.straight_line_depreciation(100.0, 2.5, 4), [40, 40, 20, 0])
    np.testing.assert_allclose(ec.straight_line_depreciation(60.0, 6, 3), [10, 10, 10])
    assert ec.annual_depreciation_usd(120.0, 6.0) == pytest.approx(20.0)


def test_straight_line_broadcasts_lives():
    sched = ec.straight_line_depreciation(120.0, np.array([3.0, 6.0]), 8)
    assert sched.shape == (2, 8)
    np.testing.assert_allclose(sched.sum(axis=-1), [120.0, 120.0])  # fully written off
    np.testing.assert_allclose(sched[:, 0], [40.0, 20.0])


def test_vintage_schedule_hand_case():
    # 100 per year for 3 years, 2-year life: 50, 100, 100, 50
    np.testing.assert_allclose(
        ec.depreciation_schedule_usd([100, 100, 100], 2, 4), [50, 100, 100, 50]
    )
    # the same capex with a 6-year life books far less depreciation early on
    long = ec.depreciation_schedule_usd([100, 100, 100], 6)
    np.testing.assert_allclose(long, [100 / 6, 200 / 6, 300 / 6])


# ---------------------------------------------------------------------------- cost curves


def test_cost_curves_hand_cases():
    users = np.array([1.0, 1e3, 1e9])
    sw = ec.software_cost_curve(users, 1e6, 0.01)
    np.testing.assert_allclose(sw.total_usd, 1e6 + 0.01 * users)
    np.testing.assert_allclose(sw.per_user_usd, 1e6 / users + 0.01)
    # 300 queries per user at 0.01 USD: per-user cost levels off at 3 USD
    ai = ec.ai_cost_curve(users, 1e6, 300, 0.01)
    np.testing.assert_allclose(ai.per_user_usd, 1e6 / users + 3.0)
    # at a billion users the software cost per user is ~0.011 USD, the AI one ~3 USD
    assert ai.per_user_usd[-1] > 100 * sw.per_user_usd[-1] > 0


def test_gross_margin_hand_case():
    assert ec.gross_margin(100.0, 25.0) == pytest.approx(0.75)
    assert ec.gross_margin(13.07, 7.50) == pytest.approx(0.426, abs=1e-3)  # OpenAI 2025 (leak)
    assert ec.gross_margin(10.0, 15.0) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="revenue"):
        ec.gross_margin(0.0, 1.0)


# ---------------------------------------------------------------------------- cash flows, payback


def test_cash_flow_hand_case():
    # capex 100 + one-off clean-up 10 at month 0. Delay 2, ramp 3: mean adoption per month is
    # 0, 0, 1/6, 1/2, 5/6, 1, ... (integral of the linear ramp over each month).
    # Full net benefit 0.8 x 20 - 3 compute = 13; fixed costs 2 opex + 1 upkeep = 3 per month.
    cf = ec.monthly_cash_flows(
        16,
        100,
        20,
        3,
        2,
        monthly_compute_usd=3,
        cleanup_oneoff_usd=10,
        cleanup_monthly_usd=1,
        cleanup_delay_months=2,
        value_capture_share=0.8,
    )
    expected = [-110, -3, -3, 13 / 6 - 3, 6.5 - 3, 65 / 6 - 3] + [10.0] * 11
    np.testing.assert_allclose(cf, expected, rtol=1e-12, atol=1e-12)
    # cumulative after month 5 is -105.5; +10 a month reaches 0 at 15 + 5.5/10 = 15.55
    assert ec.payback_months(cf) == pytest.approx(15.55, rel=1e-12)


def test_payback_simple_cases():
    assert ec.payback_months([-100.0] + [10.0] * 20) == pytest.approx(10.0)
    assert ec.payback_months([-105.0] + [10.0] * 20) == pytest.approx(10.5)
    assert ec.payback_months([0.0, -1.0, 5.0]) == 0.0  # nothing to recover
    assert ec.payback_months([-100.0] + [1.0] * 50) == math.inf
    # ramp of 2 months: flows 2.5, 7.5, 10, ... -> cumulative -90 after month 2, then 9 months
    assert ec.payback_months(ec.monthly_cash_flows(30, 100, 10, 2, 0)) == pytest.approx(11.0)
    two = ec.payback_months(np.array([[-100.0] + [10.0] * 20, [-100.0] + [20.0] * 20]))
    np.testing.assert_allclose(two, [10.0, 5.0])


def test_payback_matches_continuous_time_after_ramp():
    # Month-end cumulative cash equals the continuous-time model's, so when the month of the
    # crossing lies wholly after the ramp, the payback equals the continuous-time answer
    # T0 + R - S1/A with S1 = -(U + D T0) + R (G/2 - D).
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(300):
        capex, benefit = rng.uniform(1e5, 1e6), rng.uniform(5e4, 2e5)
        ramp, delay = rng.uniform(0, 6), rng.uniform(0, 6)
        opex, cleanup = rng.uniform(0, 1e4), rng.uniform(0, 1e4)
        compute, oneoff, capture = rng.uniform(0, 2e4), rng.uniform(0, 2e5), rng.uniform(0.5, 1)
        g = capture * benefit - compute
        d = opex + cleanup
        s1 = -(capex + oneoff + d * delay) + ramp * (g / 2 - d)
        if s1 >= 0:
            continue
        t_cont = delay + ramp - s1 / (g - d)
        if t_cont < delay + ramp + 1.0:
            continue
        checked += 1
        t = ec.payback_months_vectorized(
            capex, benefit, ramp, opex, compute, oneoff, cleanup, delay, capture, horizon_months=400
        )
        assert t == pytest.approx(t_cont, rel=1e-9)
    assert checked > 100


def test_vectorized_payback_equals_loop_version_on_random_samples():
    rng = np.random.default_rng(42)
    n = 2000
    kw = dict(
        capex_usd=rng.uniform(0, 2e6, n),
        monthly_benefit_usd=rng.uniform(0, 2e5, n),
        ramp_months=rng.choice([0.0, 1.0, 3.0, 6.0, 12.5], n),
        monthly_opex_usd=rng.uniform(0, 3e4, n),
        monthly_compute_usd=rng.uniform(0, 5e4, n),
        cleanup_oneoff_usd=rng.uniform(0, 5e5, n),
        cleanup_monthly_usd=rng.uniform(0, 1e4, n),
        cleanup_delay_months=rng.choice([0.0, 2.0, 6.0, 9.5], n),
        value_capture_share=rng.uniform(0.1, 1.0, n),
    )
    fast = ec.payback_months_vectorized(**kw, horizon_months=120)
    slow = np.array(
        [
            ec.payback_months(ec.monthly_cash_flows(120, **{k: v[i] for k, v in kw.items()}))
            for i in range(n)
        ]
    )
    assert np.isinf(fast).sum() > 50 and np.isfinite(fast).sum() > 50  # both outcomes covered
    np.testing.assert_array_equal(np.isinf(fast), np.isinf(slow))
    np.testing.assert_allclose(fast[np.isfinite(fast)], slow[np.isfinite(slow)], rtol=1e-12)
    # the matrix form of payback_months agrees too
    matrix = ec.payback_months(ec.monthly_cash_flows(120, **kw))
    np.testing.assert_array_equal(matrix, slow)


money = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
months = st.floats(min_value=0.0, max_value=24.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    capex=money,
    benefit=money,
    ramp=months,
    opex=money,
    compute=money,
    delay=months,
    capture=st.floats(0.0, 1.0),
    extra=st.floats(0.0, 1e6),
)
def test_payback_non_increasing_in_benefit(
    capex, benefit, ramp, opex, compute, delay, capture, extra
):
    def pb(b):
        return ec.payback_months_vectorized(capex, b, ramp, opex, compute, 0.0, 0.0, delay, capture)

    lo, hi = pb(benefit), pb(benefit + extra)
    assert hi <= lo or math.isclose(hi, lo, rel_tol=1e-9)
    assert ec.payback_months(
        ec.monthly_cash_flows(120, capex, benefit, ramp, opex, compute, 0.0, 0.0, delay, capture)
    ) == pytest.approx(lo)


def test_npv_hand_cases():
    assert ec.npv_usd([-100.0, 50.0, 60.0], 0.0) == pytest.approx(10.0)
    flows = np.zeros(13)
    flows[12] = 110.0  # one year out at 10% a year is worth 100 today
    assert ec.npv_usd(flows, 0.10) == pytest.approx(100.0)
    np.testing.assert_allclose(ec.npv_usd(flows, np.array([0.0, 0.10])), [110.0, 100.0])


def test_project_inputs_checked():
    with pytest.raises(ValueError, match="value_capture_share"):
        ec.monthly_cash_flows(12, 100, 10, 0, 0, value_capture_share=1.2)
    with pytest.raises(ValueError, match="ramp_months"):
        ec.payback_months_vectorized(100, 10, -1, 0)
    with pytest.raises(ValueError, match="months"):
        ec.monthly_cash_flows(-1, 100, 10, 0, 0)


# ---------------------------------------------------------------------------- free tier


def test_free_tier_subsidy_hand_case():
    # 800M weekly users, 5% pay, 3.7 queries/day at 0.003 USD, 30.44 days:
    # 760e6 x 3.7 x 0.003 x 30.4375 = 256.8 M USD per month
    assert ec.free_tier_subsidy_usd_per_month(800e6, 0.05, 3.7, 0.003) == pytest.approx(
        256.77e6, rel=1e-4
    )


def test_break_even_conversion_hand_case_and_identity():
    # free user 30.4375 x 0.01 x 3.7 = 1.126 USD/month; paid 30.4375 x 0.01 x 11 = 3.348;
    # s* = 1.126 / (20 - 3.348 + 1.126) = 0.0633
    s = ec.break_even_conversion_rate(20.0, 0.01, 3.7, 11.0)
    assert s == pytest.approx(0.06335, rel=1e-3)
    # at s*, subscription revenue equals compute for all users
    revenue = s * 20.0
    cost = ec.DAYS_PER_MONTH * 0.01 * ((1 - s) * 3.7 + s * 11.0)
    assert revenue == pytest.approx(cost, rel=1e-12)
    # subsidy of the free users equals the profit on paid users at s*
    subsidy = ec.free_tier_subsidy_usd_per_month(1.0, s, 3.7, 0.01)
    assert s * (20.0 - ec.DAYS_PER_MONTH * 0.01 * 11.0) == pytest.approx(subsidy, rel=1e-12)


def test_break_even_infeasible_is_inf():
    # a paying user queries 100 times a day at 0.01 USD = 30.4 USD/month > 20 USD subscription
    assert ec.break_even_conversion_rate(20.0, 0.01, 3.7, 100.0) == math.inf
    out = ec.break_even_conversion_rate(20.0, np.array([0.001, 0.01]), 3.7, 100.0)
    assert np.isfinite(out[0]) and np.isinf(out[1])


@settings(max_examples=60, deadline=None)
@given(
    price=st.floats(5.0, 200.0),
    cost=st.floats(1e-4, 0.02),
    qf=st.floats(0.1, 10.0),
    ratio=st.floats(1.0, 5.0),
    k=st.floats(1.01, 3.0),
)
def test_break_even_rises_with_query_cost(price, cost, qf, ratio, k):
    s0 = ec.break_even_conversion_rate(price, cost, qf, qf * ratio)
    s1 = ec.break_even_conversion_rate(price, cost * k, qf, qf * ratio)
    assert s1 >= s0
    if np.isfinite(s0):
        assert 0.0 <= s0 <= 1.0


# ---------------------------------------------------------------------------- solver


BASE = dict(
    capex_usd=1e6,
    monthly_benefit_usd=1.2e5,
    ramp_months=6.0,
    monthly_opex_usd=2e4,
    monthly_compute_usd=3e4,
    cleanup_oneoff_usd=2e5,
    cleanup_monthly_usd=5e3,
    cleanup_delay_months=3.0,
    value_capture_share=0.8,
)


def test_solve_for_benefit_hits_target():
    params = {k: v for k, v in BASE.items() if k != "monthly_benefit_usd"}
    b = ec.solve_for(12.0, "monthly_benefit_usd", **params)
    assert ec.payback_months_vectorized(**params, monthly_benefit_usd=b) == pytest.approx(12.0)
    b24 = ec.solve_for(24.0, "monthly_benefit_usd", **params)
    assert b24 < b  # a longer payback tolerates a smaller benefit


def test_solve_for_custom_function_usd_per_query():
    # Compute cost = queries x price per query; find the price at which payback is 36 months
    # (with free compute it is 25 months).
    def payback(usd_per_query, queries_per_month, **rest):
        return ec.payback_months_vectorized(
            **rest, monthly_compute_usd=queries_per_month * usd_per_query
        )

    params = {k: v for k, v in BASE.items() if k != "monthly_compute_usd"}
    q = ec.solve_for(36.0, "usd_per_query", payback_fn=payback, queries_per_month=2e6, **params)
    assert payback(q, 2e6, **params) == pytest.approx(36.0)
    assert 0.0 < q < 0.1


def test_solve_for_errors():
    params = {k: v for k, v in BASE.items() if k != "monthly_benefit_usd"}
    with pytest.raises(ValueError, match="no monthly_benefit_usd"):
        ec.solve_for(12.0, "monthly_benefit_usd", bracket=(0.0, 1e3), **params)
    with pytest.raises(ValueError, match="bracket"):
        ec.solve_for(12.0, "something_else", payback_fn=lambda **p: 1.0)
    with pytest.raises(ValueError, match="no value_capture_share"):
        # even capturing all of a tiny benefit never pays back
        ec.solve_for(
            12.0,
            "value_capture_share",
            **{**BASE, "monthly_benefit_usd": 1.0, "value_capture_share": None},
        )


# ---------------------------------------------------------------------------- CuPy parity


@pytest.mark.gpu
def test_cupy_matches_numpy():
    cupy = pytest.importorskip("cupy")
    rng = np.random.default_rng(3)
    benefit = rng.uniform(0, 2e5, 1000)
    cpu = ec.payback_months_vectorized(1e6, benefit, 6.0, 2e4, 3e4, 2e5, 5e3, 3.0, 0.8)
    gpu = ec.payback_months_vectorized(
        1e6, cupy.asarray(benefit), 6.0, 2e4, 3e4, 2e5, 5e3, 3.0, 0.8
    )
    np.testing.assert_allclose(cupy.asnumpy(gpu), cpu, rtol=1e-12)
