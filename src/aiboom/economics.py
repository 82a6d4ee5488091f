"""Revenue requirements, depreciation, unit economics and the cost of a gigawatt (used by the
chapters on capex, serving costs, where the money is and what must be true).

A project's payback is computed per sample by the Monte Carlo model, :mod:`aiboom.kernels`;
:func:`solve_for` inverts any payback function for one input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from aiboom.arrays import array_module as _xp
from aiboom.arrays import check_range as _check
from aiboom.arrays import scalar_out as _scalar_out

__all__ = [
    "DAYS_PER_MONTH",
    "DEFAULT_BRACKETS",
    "GIGAWATT_COMPONENTS",
    "HOURS_PER_YEAR",
    "CostCurve",
    "GigawattCapex",
    "GigawattCost",
    "break_even_conversion_rate",
    "capital_recovery_factor",
    "depreciation_schedule_usd",
    "free_tier_subsidy_usd_per_month",
    "gigawatt_capex_usd_bn",
    "gigawatt_yearly_cost_usd_bn",
    "gross_margin",
    "revenue_gap_usd_bn",
    "revenue_required_usd_bn",
    "software_cost_curve",
    "solve_for",
    "straight_line_depreciation",
    "subscription_revenue_usd_per_month",
    "users_compute_usd_per_month",
]

#: Mean days in a month, 365.25 / 12 [days].
DAYS_PER_MONTH = 365.25 / 12.0

# --------------------------------------------------------------------------------------------
# The Sequoia arithmetic
# --------------------------------------------------------------------------------------------


def revenue_required_usd_bn(
    nvda_dc_run_rate_usd_bn: ArrayLike,
    dc_cost_multiplier: ArrayLike = 2.0,
    end_user_margin: ArrayLike = 0.5,
) -> np.ndarray | float:
    r"""
    End-customer revenue needed to pay back one year of GPU spending (Cahn's rule).

    Parameters
    ----------
    nvda_dc_run_rate_usd_bn : numeric
        Annualised NVIDIA data-centre revenue :math:`R_{gpu}` [USD bn/yr].
    dc_cost_multiplier : numeric, default 2.0
        Total data-centre cost per dollar of GPUs :math:`k`: GPUs are about half of the cost,
        energy, buildings and the rest the other half [unitless].
    end_user_margin : numeric, default 0.5
        Gross margin the buyers of the compute must earn :math:`m`, in [0, 1) [unitless].

    Returns
    -------
    numeric
        Required lifetime revenue for one year of capex :math:`R` [USD bn].

    Notes
    -----
    .. math::

        R = \frac{k\, R_{gpu}}{1 - m}

    With the defaults this is :math:`R_{gpu} \times 2 \times 2`: 50 -> 200 (Sept. 2023) and
    150 -> 600 (June 2024) [1]_, [2]_. The result is *lifetime* revenue to recoup one year of
    spending, not an annual target, and leaves the cloud providers no margin.

    References
    ----------
    .. [1] D. Cahn, "AI's $200B question," Sequoia Capital, Sept. 2023.
       https://www.sequoiacap.com/article/follow-the-gpus-perspective/
    .. [2] D. Cahn, "AI's $600B question," Sequoia Capital, June 2024.
       https://www.sequoiacap.com/article/ais-600b-question/
    """
    _check("nvda_dc_run_rate_usd_bn", nvda_dc_run_rate_usd_bn, low=0.0)
    _check("dc_cost_multiplier", dc_cost_multiplier, low=1.0)
    _check("end_user_margin", end_user_margin, low=0.0, high=1.0, high_open=True)
    return nvda_dc_run_rate_usd_bn * dc_cost_multiplier / (1.0 - end_user_margin)


def revenue_gap_usd_bn(
    required_usd_bn: ArrayLike, ai_revenue_usd_bn: ArrayLike
) -> np.ndarray | float:
    r"""
    Shortfall between required and actual AI revenue (Cahn's "hole").

    Parameters
    ----------
    required_usd_bn : numeric
        Required revenue, from :func:`revenue_required_usd_bn` [USD bn].
    ai_revenue_usd_bn : numeric
        AI revenue credited [USD bn].

    Returns
    -------
    numeric
        Gap; negative when revenue exceeds the requirement [USD bn].

    Notes
    -----
    .. math::

        G = R - R_{AI}

    Sequoia: 200 - 75 = 125 (2023); 600 - 100 = 500 (2024) [1]_.

    References
    ----------
    .. [1] D. Cahn, "AI's $600B question," Sequoia Capital, June 2024.
       https://www.sequoiacap.com/article/ais-600b-question/
    """
    return required_usd_bn - ai_revenue_usd_bn


# --------------------------------------------------------------------------------------------
# Depreciation
# --------------------------------------------------------------------------------------------


def straight_line_depreciation(
    capex_usd: ArrayLike, life_years: ArrayLike, years: int
) -> np.ndarray:
    r"""
    Year-by-year straight-line depreciation schedule of one asset.

    Parameters
    ----------
    capex_usd : numeric
        Purchase cost :math:`K` [USD].
    life_years : numeric
        Useful life :math:`T`, positive; need not be whole [yr].
    years : int
        Length of the schedule [yr].

    Returns
    -------
    numpy.ndarray
        Charge in years 1..``years`` along the last axis; leading axes follow the broadcast of
        ``capex_usd`` and ``life_years`` [USD].

    Notes
    -----
    The asset is bought at the start of year 1. Year :math:`j` gets the part of the life that
    falls within it:

    .. math::

        d_j = \frac{K}{T} \left[\min(j, T) - \min(j - 1, T)\right]

    so a 2.5-year life gives 0.4K, 0.4K, 0.2K, 0, ...
    """
    if int(years) != years or years < 0:
        raise ValueError(f"years must be a non-negative whole number; got {years!r}")
    _check("life_years", life_years, low=0.0, low_open=True)
    xp = _xp(capex_usd, life_years)
    capex = xp.asarray(capex_usd, dtype=float)[..., None]
    life = xp.asarray(life_years, dtype=float)[..., None]
    j = xp.arange(1, int(years) + 1, dtype=float)
    share = xp.minimum(j, life) - xp.minimum(j - 1.0, life)
    return capex / life * share


def depreciation_schedule_usd(
    capex_usd_by_year: ArrayLike, life_years: ArrayLike, n_years: int | None = None
) -> np.ndarray:
    r"""
    Total depreciation per year from a series of annual capex vintages.

    Parameters
    ----------
    capex_usd_by_year : array-like
        Capex spent in years 1..m, one value per year along the last axis [USD].
    life_years : numeric
        Useful life of every vintage, positive [yr].
    n_years : int, optional
        Length of the output; defaults to m [yr].

    Returns
    -------
    numpy.ndarray
        Depreciation charged in each year, summed over vintages [USD].

    Notes
    -----
    Each vintage is depreciated with :func:`straight_line_depreciation` starting in the year it
    is spent (full-year convention):

    .. math::

        D_t = \sum_{v \le t} d_{t - v + 1}(K_v)

    This is the quantity that changes when a company lengthens server lives (e.g. 4 to 6
    years), the subject of the depreciation debate.
    """
    xp = _xp(capex_usd_by_year)
    capex = xp.asarray(capex_usd_by_year, dtype=float)
    m = capex.shape[-1]
    horizon = m if n_years is None else int(n_years)
    unit = straight_line_depreciation(1.0, life_years, horizon)  # schedule of 1 USD
    total = xp.zeros(capex.shape[:-1] + (horizon,), dtype=float)
    for v in range(min(m, horizon)):
        total[..., v:] += capex[..., v : v + 1] * unit[..., : horizon - v]
    return total


# --------------------------------------------------------------------------------------------
# Cost against users
# --------------------------------------------------------------------------------------------


class CostCurve(NamedTuple):
    """Total and per-user cost at each user count."""

    total_usd: np.ndarray | float
    per_user_usd: np.ndarray | float


def software_cost_curve(
    users: ArrayLike, fixed_cost_usd: ArrayLike, marginal_usd_per_user: ArrayLike
) -> CostCurve:
    r"""
    Cost of a conventional software product against its number of users.

    Parameters
    ----------
    users : numeric
        Users served :math:`u`, positive [users].
    fixed_cost_usd : numeric
        Cost of building and running the product, independent of users :math:`F` (per period)
        [USD].
    marginal_usd_per_user : numeric
        Extra cost per user :math:`c`, near zero for software (per period) [USD/user].

    Returns
    -------
    CostCurve
        ``total_usd`` :math:`F + c u` and ``per_user_usd`` :math:`F/u + c` [USD, USD/user].

    Notes
    -----
    .. math::

        \mathrm{total} = F + c\,u, \qquad \mathrm{per\ user} = \frac{F}{u} + c

    Per-user cost falls towards :math:`c`, near zero: the "build once, serve millions" model.
    """
    _check("users", users, low=0.0, low_open=True)
    _check("fixed_cost_usd", fixed_cost_usd, low=0.0)
    _check("marginal_usd_per_user", marginal_usd_per_user, low=0.0)
    total = fixed_cost_usd + marginal_usd_per_user * users
    return CostCurve(total, total / users)


def gross_margin(revenue: ArrayLike, cost_of_revenue: ArrayLike) -> np.ndarray | float:
    r"""
    Gross margin as a share of revenue.

    Parameters
    ----------
    revenue : numeric
        Revenue :math:`R`, positive [USD].
    cost_of_revenue : numeric
        Cost of revenue (for AI products mostly inference compute) :math:`C` [USD].

    Returns
    -------
    numeric
        :math:`(R - C)/R`; negative when serving costs exceed revenue [unitless].

    Notes
    -----
    .. math::

        g = \frac{R - C}{R}
    """
    _check("revenue", revenue, low=0.0, low_open=True)
    return (revenue - cost_of_revenue) / revenue


# --------------------------------------------------------------------------------------------
# Free tiers
# --------------------------------------------------------------------------------------------


def free_tier_subsidy_usd_per_month(
    weekly_users: ArrayLike,
    paid_conversion: ArrayLike,
    queries_per_free_user_per_day: ArrayLike,
    usd_per_query: ArrayLike,
) -> np.ndarray | float:
    r"""
    Monthly compute bill of the users who do not pay.

    Parameters
    ----------
    weekly_users : numeric
        Weekly active users :math:`W` [users].
    paid_conversion : numeric
        Share of them paying :math:`s`, in [0, 1]; about 0.05 for ChatGPT in 2025-26
        [unitless].
    queries_per_free_user_per_day : numeric
        Queries per free weekly user per day :math:`q_f` (about 3.7 messages averaged over all
        ChatGPT weekly users in mid-2025) [queries/(user day)].
    usd_per_query : numeric
        Serving cost per query :math:`c` [USD/query].

    Returns
    -------
    numeric
        Cost of serving free users [USD/month].

    Notes
    -----
    .. math::

        S = W (1 - s)\, q_f\, c\, \bar d, \qquad \bar d = 365.25/12

    References
    ----------
    .. [1] A. Chatterji et al., "How people use ChatGPT," NBER Working Paper 34255, 2025.
    """
    _check("weekly_users", weekly_users, low=0.0)
    _check("paid_conversion", paid_conversion, low=0.0, high=1.0)
    _check("queries_per_free_user_per_day", queries_per_free_user_per_day, low=0.0)
    _check("usd_per_query", usd_per_query, low=0.0)
    return (
        weekly_users
        * (1.0 - paid_conversion)
        * queries_per_free_user_per_day
        * usd_per_query
        * DAYS_PER_MONTH
    )


def users_compute_usd_per_month(
    weekly_users: ArrayLike,
    paid_conversion: ArrayLike,
    queries_per_free_user_per_day: ArrayLike,
    queries_per_paid_user_per_day: ArrayLike,
    usd_per_query: ArrayLike,
) -> np.ndarray | float:
    r"""
    Monthly compute bill of all users of a chatbot, free and paying.

    Parameters
    ----------
    weekly_users : numeric
        Weekly active users :math:`W` (1 for the bill per user) [users].
    paid_conversion : numeric
        Share of them paying :math:`s`, in [0, 1] [unitless].
    queries_per_free_user_per_day : numeric
        Queries per free user per day :math:`q_f` [queries/(user day)].
    queries_per_paid_user_per_day : numeric
        Queries per paying user per day :math:`q_p` [queries/(user day)].
    usd_per_query : numeric
        Serving cost per query :math:`c` [USD/query].

    Returns
    -------
    numeric
        Compute cost of serving every user [USD/month]; arrays broadcast (a grid of paying
        shares against samples, say).

    Notes
    -----
    .. math::

        C = W\, \bar d\, c\, [(1 - s) q_f + s q_p], \qquad \bar d = 365.25/12

    It equals :func:`subscription_revenue_usd_per_month` at the paying share of
    :func:`break_even_conversion_rate`.
    """
    _check("weekly_users", weekly_users, low=0.0)
    _check("paid_conversion", paid_conversion, low=0.0, high=1.0)
    _check("queries_per_free_user_per_day", queries_per_free_user_per_day, low=0.0)
    _check("queries_per_paid_user_per_day", queries_per_paid_user_per_day, low=0.0)
    _check("usd_per_query", usd_per_query, low=0.0)
    return (
        weekly_users
        * DAYS_PER_MONTH
        * usd_per_query
        * ((1.0 - paid_conversion) * queries_per_free_user_per_day
           + paid_conversion * queries_per_paid_user_per_day)
    )


def subscription_revenue_usd_per_month(
    weekly_users: ArrayLike,
    paid_conversion: ArrayLike,
    subscription_usd_per_month: ArrayLike,
) -> np.ndarray | float:
    r"""
    Monthly subscription revenue of a chatbot's users.

    Parameters
    ----------
    weekly_users : numeric
        Weekly active users :math:`W` (1 for the revenue per user) [users].
    paid_conversion : numeric
        Share of them paying :math:`s`, in [0, 1] [unitless].
    subscription_usd_per_month : numeric
        Subscription price :math:`P` [USD/month].

    Returns
    -------
    numeric
        :math:`R = W s P` [USD/month].
    """
    _check("weekly_users", weekly_users, low=0.0)
    _check("paid_conversion", paid_conversion, low=0.0, high=1.0)
    _check("subscription_usd_per_month", subscription_usd_per_month, low=0.0)
    return weekly_users * paid_conversion * subscription_usd_per_month


def break_even_conversion_rate(
    subscription_usd_per_month: ArrayLike,
    usd_per_query: ArrayLike,
    queries_per_free_user_per_day: ArrayLike,
    queries_per_paid_user_per_day: ArrayLike,
) -> np.ndarray | float:
    r"""
    Paying share at which subscriptions cover the compute of all users, free and paid.

    Parameters
    ----------
    subscription_usd_per_month : numeric
        Subscription price :math:`P` (e.g. 20 for ChatGPT Plus) [USD/month].
    usd_per_query : numeric
        Serving cost per query :math:`c` [USD/query].
    queries_per_free_user_per_day : numeric
        Queries per free user per day :math:`q_f` [queries/(user day)].
    queries_per_paid_user_per_day : numeric
        Queries per paying user per day :math:`q_p`; reportedly about 3x free users on Plus
        [queries/(user day)].

    Returns
    -------
    numeric
        Break-even paying share :math:`s^*` in [0, 1]; ``inf`` where no share works because a
        paying user's own compute exceeds the subscription [unitless].

    Notes
    -----
    Per user and month, revenue :math:`sP` (:func:`subscription_revenue_usd_per_month`) must
    equal compute :math:`\bar d\, c\, [(1 - s) q_f + s q_p]`
    (:func:`users_compute_usd_per_month`), so

    .. math::

        s^* = \frac{\bar d\, c\, q_f}{P - \bar d\, c\, (q_p - q_f)}

    valid when :math:`P \ge \bar d\, c\, q_p`. Compute only: staff, training and margin are
    excluded, so real break-even shares are higher.
    """
    _check("subscription_usd_per_month", subscription_usd_per_month, low=0.0)
    _check("usd_per_query", usd_per_query, low=0.0)
    _check("queries_per_free_user_per_day", queries_per_free_user_per_day, low=0.0)
    _check("queries_per_paid_user_per_day", queries_per_paid_user_per_day, low=0.0)
    xp = _xp(
        subscription_usd_per_month,
        usd_per_query,
        queries_per_free_user_per_day,
        queries_per_paid_user_per_day,
    )
    free_cost = DAYS_PER_MONTH * usd_per_query * queries_per_free_user_per_day
    paid_cost = DAYS_PER_MONTH * usd_per_query * queries_per_paid_user_per_day
    denominator = subscription_usd_per_month - paid_cost + free_cost
    feasible = (subscription_usd_per_month >= paid_cost) & (denominator > 0.0)
    safe = xp.where(feasible, denominator, 1.0)
    return _scalar_out(xp.where(feasible, free_cost / safe, xp.inf))


# --------------------------------------------------------------------------------------------
# "What must be true"
# --------------------------------------------------------------------------------------------

#: Search brackets used by :func:`solve_for` when none is given, by variable name; the levers
#: of :data:`aiboom.analysis.outlook.LEVERS` search these [variable's unit].
DEFAULT_BRACKETS: dict[str, tuple[float, float]] = {
    "monthly_benefit_usd": (0.0, 1.0e12),
    "capex_usd": (0.0, 1.0e12),
    "usd_per_query": (0.0, 100.0),
    "utilization": (1.0e-3, 1.0),
    "value_capture_share": (0.0, 1.0),
    "cleanup_delay_months": (0.0, 120.0),
}


def solve_for(
    target_payback_months: float,
    variable: str,
    payback_fn: Callable[..., Any],
    bracket: tuple[float, float] | None = None,
    xtol: float = 1.0e-9,
    **params: Any,
) -> float:
    r"""
    Value of one input at which the payback time equals a target ("what must be true").

    Parameters
    ----------
    target_payback_months : float
        Payback time to hit, positive [months].
    variable : str
        Name of the keyword argument of ``payback_fn`` to solve for, e.g.
        ``"monthly_benefit_usd"``, ``"usd_per_query"``, ``"utilization"`` [-].
    payback_fn : callable
        ``payback_fn(**params) -> months``, scalar in, scalar out; may return ``inf`` for
        "never", e.g. a lever of :func:`aiboom.analysis.outlook.payback_at` [-].
    bracket : (float, float), optional
        Interval searched for the root; defaults to ``DEFAULT_BRACKETS[variable]``, required
        for other names [variable's unit].
    xtol : float, default 1e-9
        Absolute tolerance on the solution [variable's unit].
    **params
        All other arguments of ``payback_fn``, held fixed [mixed].

    Returns
    -------
    float
        Input value at which payback equals the target [variable's unit].

    Raises
    ------
    ValueError
        If no bracket is known, or the payback at the two ends of the bracket does not straddle
        the target (no root in the bracket).

    Notes
    -----
    Solves :math:`T(x) - T^* = 0` with Brent's method (SciPy ``brentq``; bisection without
    SciPy). ``inf`` paybacks are mapped to a large finite number so the search still sees the
    sign. The payback must be monotone in the variable across the bracket for the answer to be
    unique; this holds for each lever of the per-sample payback of :mod:`aiboom.kernels`.
    """
    fn = payback_fn
    if bracket is None:
        if variable not in DEFAULT_BRACKETS:
            raise ValueError(
                f"no default bracket for {variable!r}; pass bracket=(low, high). "
                f"Known defaults: {sorted(DEFAULT_BRACKETS)}"
            )
        bracket = DEFAULT_BRACKETS[variable]
    lo, hi = float(bracket[0]), float(bracket[1])
    if not lo < hi:
        raise ValueError(f"bracket must satisfy low < high; got {bracket!r}")
    big = 1.0e12

    def residual(x: float) -> float:
        months = float(fn(**{**params, variable: x}))
        if math.isinf(months) or math.isnan(months):
            months = big
        return months - target_payback_months

    f_lo, f_hi = residual(lo), residual(hi)
    if f_lo == 0.0:
        return lo
    if f_hi == 0.0:
        return hi
    if (f_lo > 0.0) == (f_hi > 0.0):

        def show(f: float) -> str:
            return (
                "never"
                if f + target_payback_months >= big
                else f"{f + target_payback_months:.4g} months"
            )

        raise ValueError(
            f"no {variable} in [{lo:g}, {hi:g}] gives a payback of "
            f"{target_payback_months:g} months: "
            f"payback is {show(f_lo)} at {lo:g} and {show(f_hi)} at {hi:g}"
        )
    try:
        from scipy.optimize import brentq
    except ImportError:  # pragma: no cover - SciPy is a pinned dependency
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            f_mid = residual(mid)
            if (f_mid > 0.0) == (f_lo > 0.0):
                lo, f_lo = mid, f_mid
            else:
                hi = mid
            if hi - lo <= xtol:
                break
        return 0.5 * (lo + hi)
    return float(brentq(residual, lo, hi, xtol=xtol))


# --------------------------------------------------------------------------------------------
# What a gigawatt costs: yearly cost of owning an AI data centre
# --------------------------------------------------------------------------------------------

#: Hours in a (non-leap) year [h/yr].
HOURS_PER_YEAR = 8760.0
#: Watts in a gigawatt [W/GW].
W_PER_GW = 1.0e9
#: Kilowatts in a gigawatt [kW/GW].
KW_PER_GW = 1.0e6
#: US dollars in a billion [USD/USD bn].
USD_PER_BN = 1.0e9

#: Components of the yearly cost of a gigawatt, in the order charts stack them.
GIGAWATT_COMPONENTS: tuple[str, ...] = (
    "accelerators", "rest_of_server", "networking", "facility", "electricity", "operations",
    "cost_of_capital",
)


def capital_recovery_factor(discount_rate_annual: ArrayLike,
                            life_years: ArrayLike) -> np.ndarray | float:
    r"""
    Level yearly payment, per dollar invested, that repays an asset and its financing over its
    life.

    Parameters
    ----------
    discount_rate_annual : numeric
        Cost of capital :math:`r`, above -1 [1/yr].
    life_years : numeric
        Economic life of the asset :math:`T`, positive [yr].

    Returns
    -------
    numeric
        Capital recovery factor :math:`a` [1/yr].

    Notes
    -----
    .. math::

        a(r, T) = \frac{r\,(1 + r)^T}{(1 + r)^T - 1}, \qquad a(0, T) = \frac{1}{T}

    :math:`a\,K` is the annuity whose present value at rate :math:`r` over :math:`T` years is
    the investment :math:`K`; it exceeds straight-line depreciation :math:`K/T` by the return
    the capital would earn elsewhere [1]_.

    References
    ----------
    .. [1] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate Finance*, 13th ed.,
       McGraw-Hill, 2020, ch. 2 (annuities) and ch. 6 (equivalent annual cost).

    Examples
    --------
    >>> round(capital_recovery_factor(0.10, 4.0), 4)
    0.3155
    """
    _check("discount_rate_annual", discount_rate_annual, low=-1.0, low_open=True)
    _check("life_years", life_years, low=0.0, low_open=True)
    xp = _xp(discount_rate_annual, life_years)
    r = xp.asarray(discount_rate_annual, dtype=float)
    t = xp.asarray(life_years, dtype=float)
    growth = (1.0 + r) ** t
    zero = xp.abs(r) < 1.0e-12
    safe = xp.where(zero, 1.0, growth - 1.0)
    return _scalar_out(xp.where(zero, 1.0 / t, r * growth / safe))


class GigawattCapex(NamedTuple):
    """Up-front capital cost of AI data-centre capacity, by asset [USD bn]."""

    accelerators_usd_bn: Any  #: the accelerators alone
    rest_of_server_usd_bn: Any  #: CPUs, memory, chassis, power supplies of the servers
    networking_usd_bn: Any  #: cluster interconnect (switches, optics, cables)
    facility_usd_bn: Any  #: shell, electrical and cooling plant

    @property
    def it_usd_bn(self) -> Any:
        """Servers and networking, the assets that live as long as the accelerators [USD bn]."""
        return self.accelerators_usd_bn + self.rest_of_server_usd_bn + self.networking_usd_bn

    @property
    def total_usd_bn(self) -> Any:
        """All-in capital cost [USD bn]."""
        return self.it_usd_bn + self.facility_usd_bn


def gigawatt_capex_usd_bn(
    accelerator_price_usd: ArrayLike,
    it_watts_per_accelerator: ArrayLike,
    server_cost_overhead: ArrayLike,
    cluster_interconnect_overhead: ArrayLike,
    facility_capex_usd_bn_per_gw: ArrayLike,
    it_power_gw: ArrayLike = 1.0,
) -> GigawattCapex:
    r"""
    Capital cost of AI data-centre capacity built bottom-up from the accelerator.

    Parameters
    ----------
    accelerator_price_usd : numeric
        Purchase price of one accelerator alone :math:`p` [USD].
    it_watts_per_accelerator : numeric
        All-in IT power per accelerator: its share of server, CPU, memory and network power,
        before cooling losses :math:`w`, positive [W].
    server_cost_overhead : numeric
        Server cost per accelerator divided by the accelerator's price :math:`s`, at least 1
        [unitless].
    cluster_interconnect_overhead : numeric
        Cluster networking as a fraction of server cost :math:`i`, at least 0 [unitless].
    facility_capex_usd_bn_per_gw : numeric
        Shell, electrical and cooling plant per unit of critical IT load :math:`f`
        [USD bn/GW, equal to USD m/MW].
    it_power_gw : numeric, default 1.0
        Nameplate critical IT load :math:`P` (not the grid connection, which is
        :math:`P \cdot \mathrm{PUE}`) [GW].

    Returns
    -------
    GigawattCapex
        Accelerators :math:`K_a`, rest of the servers :math:`K_s`, networking :math:`K_n` and
        facility :math:`K_f` [USD bn].

    Notes
    -----
    The capacity holds :math:`N = 10^9 P / w` accelerators, and

    .. math::

        K_a = \frac{N p}{10^9}, \quad K_s = (s - 1) K_a, \quad K_n = i\,s\,K_a,
        \quad K_f = f P .

    :math:`s` and :math:`i` are the overheads of Epoch AI's training-cost model [1]_;
    :math:`f` is a construction cost per MW of critical load such as [2]_.

    References
    ----------
    .. [1] B. Cottier, R. Rahman, L. Fattorini, N. Maslej and D. Owen, "The rising costs of
       training frontier AI models," arXiv:2405.21015, 2024.
    .. [2] Cushman & Wakefield, "Data Center Development Cost Guide 2025," 2025.
    """
    _check("accelerator_price_usd", accelerator_price_usd, low=0.0)
    _check("it_watts_per_accelerator", it_watts_per_accelerator, low=0.0, low_open=True)
    _check("server_cost_overhead", server_cost_overhead, low=1.0)
    _check("cluster_interconnect_overhead", cluster_interconnect_overhead, low=0.0)
    _check("facility_capex_usd_bn_per_gw", facility_capex_usd_bn_per_gw, low=0.0)
    _check("it_power_gw", it_power_gw, low=0.0)
    n_accelerators = it_power_gw * W_PER_GW / it_watts_per_accelerator
    accelerators = n_accelerators * accelerator_price_usd / USD_PER_BN
    return GigawattCapex(
        accelerators_usd_bn=_scalar_out(accelerators),
        rest_of_server_usd_bn=_scalar_out((server_cost_overhead - 1.0) * accelerators),
        networking_usd_bn=_scalar_out(
            cluster_interconnect_overhead * server_cost_overhead * accelerators),
        facility_usd_bn=_scalar_out(facility_capex_usd_bn_per_gw * it_power_gw),
    )


class GigawattCost(NamedTuple):
    """Yearly cost of owning and running AI data-centre capacity, by component [USD bn/yr].

    The capital components are straight-line depreciation; ``cost_of_capital`` is the return
    on all of them. Fields follow :data:`GIGAWATT_COMPONENTS`.
    """

    accelerators: Any  #: depreciation of the accelerators
    rest_of_server: Any  #: depreciation of the rest of the servers
    networking: Any  #: depreciation of the cluster network
    facility: Any  #: depreciation of shell, electrical and cooling plant
    electricity: Any  #: energy bought from the grid
    operations: Any  #: staff, repairs, spares, insurance and property tax
    cost_of_capital: Any  #: return on the capital tied up, over and above depreciation

    @property
    def total(self) -> Any:
        """Yearly total :math:`C` [USD bn/yr]."""
        return sum(self)

    def shares(self) -> dict[str, Any]:
        """Each component over the total; the shares sum to one [unitless]."""
        total = self.total
        return {name: value / total for name, value in self._asdict().items()}


def gigawatt_yearly_cost_usd_bn(
    capex: GigawattCapex,
    it_power_gw: ArrayLike,
    pue: ArrayLike,
    it_load_factor: ArrayLike,
    usd_per_kwh: ArrayLike,
    operations_share_of_capex: ArrayLike,
    discount_rate_annual: ArrayLike,
    it_life_years: ArrayLike,
    facility_life_years: ArrayLike,
) -> GigawattCost:
    r"""
    Yearly cost of owning and running AI data-centre capacity: the bill revenue must cover.

    Parameters
    ----------
    capex : GigawattCapex
        Capital cost of the same capacity, from :func:`gigawatt_capex_usd_bn` [USD bn].
    it_power_gw : numeric
        Nameplate critical IT load :math:`P`, the one ``capex`` was built for [GW].
    pue : numeric
        Power usage effectiveness, facility energy over IT energy :math:`\mathrm{PUE}`, at
        least 1 [unitless].
    it_load_factor : numeric
        Average IT draw over nameplate IT load :math:`u`, in [0, 1] [unitless].
    usd_per_kwh : numeric
        Electricity price :math:`c` [USD/kWh].
    operations_share_of_capex : numeric
        Yearly operations and maintenance (staff, repairs, spares, insurance, property tax) as
        a fraction of all-in capex :math:`o` [1/yr].
    discount_rate_annual : numeric
        Cost of capital :math:`r` [1/yr].
    it_life_years : numeric
        Economic life of servers and network :math:`T_{it}` [yr].
    facility_life_years : numeric
        Economic life of shell, electrical and cooling plant :math:`T_f` [yr].

    Returns
    -------
    GigawattCost
        Yearly cost by component [USD bn/yr]; ``.total`` and ``.shares()`` summarise it.

    Notes
    -----
    With :math:`K_{it} = K_a + K_s + K_n`, :math:`K = K_{it} + K_f` and the capital
    recovery factor :math:`a(r, T)` (:func:`capital_recovery_factor`):

    .. math::

        C = \underbrace{\frac{K_a + K_s + K_n}{T_{it}} + \frac{K_f}{T_f}}_{\text{depreciation}}
          + \underbrace{K_{it}\Big(a(r, T_{it}) - \frac{1}{T_{it}}\Big)
                        + K_f\Big(a(r, T_f) - \frac{1}{T_f}\Big)}_{\text{cost of capital}}
          + \underbrace{10^{-3} P\,\mathrm{PUE}\, 8760\, u\, c}_{\text{electricity}}
          + \underbrace{o\,K}_{\text{operations}}

    with :math:`P` in GW (:math:`10^6 P` kW) and the bill in USD bn. The capital terms add up
    to :math:`a(r, T_{it}) K_{it} + a(r, T_f) K_f`, the level payment that repays each asset
    with interest over its life. Every term is proportional to :math:`P`. Costs are in
    today's dollars with no inflation, tax or land; a flat load
    and price stand for their yearly averages.
    """
    _check("pue", pue, low=1.0)
    _check("it_load_factor", it_load_factor, low=0.0, high=1.0)
    _check("usd_per_kwh", usd_per_kwh, low=0.0)
    _check("operations_share_of_capex", operations_share_of_capex, low=0.0)
    _check("it_life_years", it_life_years, low=0.0, low_open=True)
    _check("facility_life_years", facility_life_years, low=0.0, low_open=True)
    it_capex = capex.it_usd_bn
    crf_it = capital_recovery_factor(discount_rate_annual, it_life_years)
    crf_f = capital_recovery_factor(discount_rate_annual, facility_life_years)
    financing = (it_capex * (crf_it - 1.0 / it_life_years)
                 + capex.facility_usd_bn * (crf_f - 1.0 / facility_life_years))
    energy_kwh = it_power_gw * KW_PER_GW * pue * HOURS_PER_YEAR * it_load_factor
    return GigawattCost(
        accelerators=_scalar_out(capex.accelerators_usd_bn / it_life_years),
        rest_of_server=_scalar_out(capex.rest_of_server_usd_bn / it_life_years),
        networking=_scalar_out(capex.networking_usd_bn / it_life_years),
        facility=_scalar_out(capex.facility_usd_bn / facility_life_years),
        electricity=_scalar_out(energy_kwh * usd_per_kwh / USD_PER_BN),
        operations=_scalar_out(operations_share_of_capex * capex.total_usd_bn),
        cost_of_capital=_scalar_out(financing),
    )
