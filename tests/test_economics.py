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


def test_gross_margin_hand_case():
    assert ec.gross_margin(100.0, 25.0) == pytest.approx(0.75)
    assert ec.gross_margin(13.07, 7.50) == pytest.approx(0.426, abs=1e-3)  # OpenAI 2025 (leak)
    assert ec.gross_margin(10.0, 15.0) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="revenue"):
        ec.gross_margin(0.0, 1.0)


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
    revenue = ec.subscription_revenue_usd_per_month(1.0, s, 20.0)
    cost = ec.users_compute_usd_per_month(1.0, s, 3.7, 11.0, 0.01)
    assert revenue == pytest.approx(s * 20.0, rel=1e-15)
    assert cost == pytest.approx(ec.DAYS_PER_MONTH * 0.01 * ((1 - s) * 3.7 + s * 11.0),
                                 rel=1e-15)
    assert revenue == pytest.approx(cost, rel=1e-12)
    # subsidy of the free users equals the profit on paid users at s*
    subsidy = ec.free_tier_subsidy_usd_per_month(1.0, s, 3.7, 0.01)
    assert s * (20.0 - ec.DAYS_PER_MONTH * 0.01 * 11.0) == pytest.approx(subsidy, rel=1e-12)


def test_users_revenue_and_compute_hand_case_and_grid():
    # 8e8 users, 5% paying at 20 USD: 0.8 bn USD/month; compute at 1 cent a query with
    # 3.7 free and 11 paid queries a day: 8e8 x 30.4375 x 0.01 x (0.95 x 3.7 + 0.05 x 11)
    assert ec.subscription_revenue_usd_per_month(8e8, 0.05, 20.0) == pytest.approx(8e8)
    assert ec.users_compute_usd_per_month(8e8, 0.05, 3.7, 11.0, 0.01) == pytest.approx(
        8e8 * 30.4375 * 0.01 * 4.065)
    # paying shares down a column, query costs along a row: a grid by broadcasting
    grid = ec.users_compute_usd_per_month(1.0, np.array([[0.0], [1.0]]), 3.7, 11.0,
                                          np.array([0.01, 0.02]))
    np.testing.assert_allclose(grid, ec.DAYS_PER_MONTH * np.array([[0.037, 0.074],
                                                                  [0.11, 0.22]]))
    with pytest.raises(ValueError, match="paid_conversion"):
        ec.subscription_revenue_usd_per_month(1.0, 1.5, 20.0)


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


def _payback(capex_usd, monthly_benefit_usd, usd_per_query=0.0, queries_per_month=0.0):
    """Payback of a project that earns its full net benefit from month zero [months]."""
    net = monthly_benefit_usd - usd_per_query * queries_per_month
    return capex_usd / net if net > 0.0 else math.inf


def test_solve_for_benefit_hits_target():
    b = ec.solve_for(12.0, "monthly_benefit_usd", _payback, capex_usd=1.2e6)
    assert b == pytest.approx(1e5)
    assert _payback(1.2e6, b) == pytest.approx(12.0)
    b24 = ec.solve_for(24.0, "monthly_benefit_usd", _payback, capex_usd=1.2e6)
    assert b24 < b  # a longer payback tolerates a smaller benefit


def test_solve_for_usd_per_query_with_its_default_bracket():
    # 1.2 M capex, 1e5 a month of benefit, 2 M queries: 36 months at 1/30 of a cent a query
    q = ec.solve_for(36.0, "usd_per_query", _payback, capex_usd=1.2e6,
                     monthly_benefit_usd=1e5, queries_per_month=2e6)
    assert q == pytest.approx((1e5 - 1.2e6 / 36.0) / 2e6, rel=1e-9)
    assert ec.DEFAULT_BRACKETS["usd_per_query"][0] < q < ec.DEFAULT_BRACKETS["usd_per_query"][1]


def test_solve_for_errors():
    with pytest.raises(ValueError, match="no monthly_benefit_usd"):
        ec.solve_for(12.0, "monthly_benefit_usd", _payback, bracket=(0.0, 1e3), capex_usd=1e6)
    with pytest.raises(ValueError, match="bracket"):
        ec.solve_for(12.0, "something_else", lambda **p: 1.0)
    with pytest.raises(ValueError, match="low < high"):
        ec.solve_for(12.0, "x", lambda x: x, bracket=(1.0, 1.0))
    # a lever that never pays back within the bracket: "never" at both ends
    with pytest.raises(ValueError, match="never"):
        ec.solve_for(12.0, "x", lambda x: math.inf, bracket=(0.0, 1.0))
