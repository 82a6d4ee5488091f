"""Training-run compute, cost, energy and scaling laws (used by the Phase 2 chapter on training)."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from aiboom.arrays import array_module, is_cupy
from aiboom.arrays import check_range as _check

__all__ = [
    "BACKTEST_METHODS",
    "DEFAULT_PEAK_COLUMNS",
    "EPOCH_ACQUISITION_LAG_YEARS",
    "EPOCH_COST_DOLLAR_YEAR",
    "EPOCH_AMORTIZATION_RATE_PER_YEAR",
    "EPOCH_ECONOMIC_LIFETIME_YEARS",
    "EPOCH_INTERCONNECT_COST_FRACTION",
    "EPOCH_PRICE_PERFORMANCE_OOMS_PER_YEAR",
    "EPOCH_SERVER_COST_OVERHEAD",
    "EPOCH_SERVER_LOAD_FRACTION",
    "EPOCH_SERVER_TO_CHIP_POWER_RATIO",
    "HOURS_PER_YEAR",
    "PRECISION_PEAK_COLUMNS",
    "ScalingLawParams",
    "TrendFit",
    "TrendPrediction",
    "accelerator_hours",
    "amortized_hardware_cost_usd",
    "amortized_training_cost_usd",
    "average_power_w_per_accelerator",
    "backtest_runs",
    "backtest_summary",
    "cloud_training_cost_usd",
    "compute_optimal_loss",
    "decimal_year",
    "energy_cost_usd",
    "fit_log_linear_trend",
    "hardware_value_usd",
    "loss_gain_per_10x",
    "peak_flop_per_s",
    "training_energy_mwh",
    "training_flop",
    "trend_predict",
    "usd_per_flop",
]

# --------------------------------------------------------------------------------------------
# Array helpers (NumPy and CuPy share one code path)
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Constants (Epoch AI / Cottier et al. 2024)
# --------------------------------------------------------------------------------------------

#: Hours in a mean Julian year, 365.25 * 24 [h/yr].
HOURS_PER_YEAR = 8766.0

#: Trend in ML-GPU price-performance used by Epoch AI to depreciate hardware [OOM/yr] [1].
EPOCH_PRICE_PERFORMANCE_OOMS_PER_YEAR = 0.14

#: Epoch AI's "optimal replacement" amortisation rate, 0.14 * ln(10) = 0.322 [1/yr].
EPOCH_AMORTIZATION_RATE_PER_YEAR = EPOCH_PRICE_PERFORMANCE_OOMS_PER_YEAR * math.log(10.0)

#: Economic lifetime implied by that rate, 1 / 0.322 = 3.10 [yr].
EPOCH_ECONOMIC_LIFETIME_YEARS = 1.0 / EPOCH_AMORTIZATION_RATE_PER_YEAR

#: Share of cluster capex spent on the cluster interconnect (Cottier et al. 2024) [unitless].
EPOCH_INTERCONNECT_COST_FRACTION = 0.19

#: Server price per accelerator over the single-accelerator list price, by chip (Epoch AI code).
#: ``"other"`` is the default for chips not listed [unitless].
EPOCH_SERVER_COST_OVERHEAD = {"A100": 1.66, "V100": 1.69, "P100": 1.54, "other": 1.64}


# --------------------------------------------------------------------------------------------
# Compute, time and cost of one run
# --------------------------------------------------------------------------------------------


def training_flop(
    n_params: ArrayLike, n_tokens: ArrayLike, flop_per_param_token: float = 6.0
) -> np.ndarray | float:
    r"""
    Training compute of a dense or mixture-of-experts transformer.

    Parameters
    ----------
    n_params : numeric
        Parameters used per token :math:`N`; for a mixture-of-experts model the *active*
        parameters per token, not the total [parameters].
    n_tokens : numeric
        Training tokens :math:`D` [tokens].
    flop_per_param_token : float, default 6.0
        FLOP per parameter per token :math:`k`: 2 for the forward pass plus 4 for the backward
        pass; about 8 when activation recomputation is counted [FLOP/(parameter token)].

    Returns
    -------
    numeric
        Training compute :math:`C` [FLOP].

    Notes
    -----
    .. math::

        C = k N D, \qquad k = 6

    Attention FLOPs that grow with context length are left out; for large models at the
    usual context lengths they are a few per cent of the total [1]_.

    References
    ----------
    .. [1] J. Kaplan et al., "Scaling laws for neural language models," arXiv:2001.08361, 2020.
    .. [2] J. Hoffmann et al., "Training compute-optimal large language models,"
       arXiv:2203.15556, 2022.
    .. [3] Llama Team, AI @ Meta, "The Llama 3 herd of models," arXiv:2407.21783, 2024.

    Examples
    --------
    Llama 3.1 405B, 15.6 trillion tokens [3]_:

    >>> f"{training_flop(405e9, 15.6e12):.2e}"
    '3.79e+25'
    """
    _check("n_params", n_params, low=0.0)
    _check("n_tokens", n_tokens, low=0.0)
    _check("flop_per_param_token", flop_per_param_token, low=0.0, low_open=True)
    return flop_per_param_token * n_params * n_tokens


def accelerator_hours(
    flop: ArrayLike, peak_flop_per_s: ArrayLike, mfu: ArrayLike
) -> np.ndarray | float:
    r"""
    Accelerator-hours needed to execute a given amount of compute.

    Parameters
    ----------
    flop : numeric
        Compute to execute :math:`C` [FLOP].
    peak_flop_per_s : numeric
        Peak dense throughput of one accelerator at the training precision :math:`F` [FLOP/s].
    mfu : numeric
        Model FLOP utilisation, the achieved share of peak :math:`u`, in (0, 1] [unitless].

    Returns
    -------
    numeric
        Accelerator-hours :math:`H` [h].

    Notes
    -----
    .. math::

        H = \frac{C}{3600\, u F}

    This is how Epoch AI fills in chip-hours when a developer does not report them; Epoch
    uses a median MFU of 0.375 when it is unknown [1]_.

    References
    ----------
    .. [1] B. Cottier, R. Rahman, L. Fattorini, N. Maslej, T. Besiroglu and D. Owen, "The
       rising costs of training frontier AI models," arXiv:2405.21015, 2024.
    """
    _check("flop", flop, low=0.0)
    _check("peak_flop_per_s", peak_flop_per_s, low=0.0, low_open=True)
    _check("mfu", mfu, low=0.0, high=1.0, low_open=True)
    return flop / (3600.0 * mfu * peak_flop_per_s)


def amortized_hardware_cost_usd(
    accelerator_hours: ArrayLike,
    accelerator_price_usd: ArrayLike,
    server_cost_overhead: ArrayLike = EPOCH_SERVER_COST_OVERHEAD["other"],
    hardware_lifetime_years: ArrayLike = EPOCH_ECONOMIC_LIFETIME_YEARS,
    interconnect_cost_fraction: ArrayLike = EPOCH_INTERCONNECT_COST_FRACTION,
    years_since_purchase: ArrayLike = 0.0,
    price_decline_ooms_per_year: ArrayLike = EPOCH_PRICE_PERFORMANCE_OOMS_PER_YEAR,
) -> np.ndarray | float:
    r"""
    Share of the cluster's hardware value used up by one training run.

    Parameters
    ----------
    accelerator_hours : numeric
        Accelerator-hours of the run :math:`H` [h].
    accelerator_price_usd : numeric
        Purchase price of one accelerator :math:`P` [USD]. Pass the GPU-only price with
        ``server_cost_overhead`` > 1, or a per-accelerator share of a server (e.g. HGX or DGX
        price / 8) with ``server_cost_overhead=1``.
    server_cost_overhead : numeric, default 1.64
        Server price per accelerator over the accelerator price :math:`o` (CPUs, memory,
        chassis, intra-node network). Epoch AI uses 1.66 (A100), 1.69 (V100), 1.54 (P100) and
        1.64 otherwise [unitless].
    hardware_lifetime_years : numeric, default 3.10
        Period over which the hardware value is written off :math:`L`. The default,
        :math:`1/(0.14 \ln 10)`, reproduces Epoch AI's amortisation rate of 0.322 per year;
        accounting lives of 5 to 6 years give lower costs [yr].
    interconnect_cost_fraction : numeric, default 0.19
        Share of total cluster capex spent on the cluster-level network :math:`f`, in [0, 1)
        [unitless].
    years_since_purchase : numeric, default 0.0
        Time from buying the hardware to the start of the run :math:`t` [yr].
    price_decline_ooms_per_year : numeric, default 0.14
        Fall in the value of the hardware while it waits, from the ML-GPU price-performance
        trend :math:`k` [OOM/yr].

    Returns
    -------
    numeric
        Amortised hardware cost of the run, servers and interconnect included [USD].

    Notes
    -----
    The value of one accelerator's share of the cluster at the start of the run is the server
    price depreciated along the price-performance trend; each hour of use writes off
    :math:`1/(8766 L)` of it; the interconnect adds :math:`f/(1-f)` on top [1]_:

    .. math::

        V = P\, o\, 10^{-k t}, \qquad
        \mathrm{cost} = \frac{H\, V}{8766\, L\, (1 - f)}

    With :math:`L = 1/(k \ln 10)` this is Epoch AI's "optimal replacement" amortisation: hardware
    is worth replacing once better-value hardware has cut its value by a factor :math:`e`. The
    straight-line reading (run time over lifetime) and Epoch's exponential rate then give the
    same cost per hour. Energy, staff, experiments and failed runs are excluded.

    References
    ----------
    .. [1] B. Cottier, R. Rahman, L. Fattorini, N. Maslej, T. Besiroglu and D. Owen, "The
       rising costs of training frontier AI models," arXiv:2405.21015, 2024. Constants from
       the code at github.com/epoch-research/training-cost-trends (commit 263c40a).

    Examples
    --------
    One H100-hour, HGX price of 33,800 USD per GPU (server already included):

    >>> round(amortized_hardware_cost_usd(1.0, 33_800.0, server_cost_overhead=1.0), 2)
    1.53
    """
    _check("accelerator_hours", accelerator_hours, low=0.0)
    _check("accelerator_price_usd", accelerator_price_usd, low=0.0)
    _check("server_cost_overhead", server_cost_overhead, low=1.0)
    _check("hardware_lifetime_years", hardware_lifetime_years, low=0.0, low_open=True)
    _check(
        "interconnect_cost_fraction", interconnect_cost_fraction, low=0.0, high=1.0, high_open=True
    )
    _check("years_since_purchase", years_since_purchase, low=0.0)
    value_usd = hardware_value_usd(
        accelerator_price_usd * server_cost_overhead, years_since_purchase,
        price_decline_ooms_per_year)
    per_hour = value_usd / (HOURS_PER_YEAR * hardware_lifetime_years)
    return accelerator_hours * per_hour / (1.0 - interconnect_cost_fraction)


def average_power_w_per_accelerator(
    tdp_w: ArrayLike,
    server_to_chip_power_ratio: ArrayLike = 1.8,
    average_load_fraction: ArrayLike = 0.75,
) -> np.ndarray | float:
    r"""
    Average IT power drawn per accelerator during training, server share included.

    Parameters
    ----------
    tdp_w : numeric
        Thermal design power of the accelerator chip :math:`P_{chip}` [W].
    server_to_chip_power_ratio : numeric, default 1.8
        Server power per accelerator over chip TDP :math:`s`. Epoch AI uses 1.82 for H100
        (10.2 kW per 8 GPUs / 0.7 kW), 2.03 for A100, 1.56 for TPU v4 and later [unitless].
    average_load_fraction : numeric, default 0.75
        Average draw during training as a share of server TDP :math:`\ell`; Epoch AI uses
        0.75 for GPUs and 0.43 for TPUs [unitless].

    Returns
    -------
    numeric
        Average IT power per accelerator, before PUE [W].

    Notes
    -----
    .. math::

        P = P_{chip}\, s\, \ell

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024 (energy model in the accompanying code).
    """
    _check("tdp_w", tdp_w, low=0.0)
    _check("server_to_chip_power_ratio", server_to_chip_power_ratio, low=0.0, low_open=True)
    _check("average_load_fraction", average_load_fraction, low=0.0, high=1.0)
    return tdp_w * server_to_chip_power_ratio * average_load_fraction


def training_energy_mwh(
    accelerator_hours: ArrayLike, power_w_per_accelerator: ArrayLike, pue: ArrayLike
) -> np.ndarray | float:
    r"""
    Facility electricity used by a training run.

    Parameters
    ----------
    accelerator_hours : numeric
        Accelerator-hours of the run :math:`H` [h].
    power_w_per_accelerator : numeric
        Average IT power per accelerator, server share included :math:`P`
        (see :func:`average_power_w_per_accelerator`) [W].
    pue : numeric
        Power usage effectiveness of the data centre, at least 1; Epoch AI uses 1.10 for
        hyperscalers and 1.25 otherwise [unitless].

    Returns
    -------
    numeric
        Electricity drawn from the grid :math:`E` [MWh].

    Notes
    -----
    .. math::

        E = \frac{H\, P\, \mathrm{PUE}}{10^6}

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.
    """
    _check("accelerator_hours", accelerator_hours, low=0.0)
    _check("power_w_per_accelerator", power_w_per_accelerator, low=0.0)
    _check("pue", pue, low=1.0)
    return accelerator_hours * power_w_per_accelerator * pue / 1.0e6


def energy_cost_usd(
    accelerator_hours: ArrayLike,
    power_w_per_accelerator: ArrayLike,
    pue: ArrayLike,
    usd_per_kwh: ArrayLike,
) -> np.ndarray | float:
    r"""
    Electricity bill of a training run.

    Parameters
    ----------
    accelerator_hours : numeric
        Accelerator-hours of the run :math:`H` [h].
    power_w_per_accelerator : numeric
        Average IT power per accelerator, server share included :math:`P` [W].
    pue : numeric
        Power usage effectiveness, at least 1 [unitless].
    usd_per_kwh : numeric
        Electricity price :math:`p`; US industrial average 0.077 (2024) to 0.083 (2025) [USD/kWh].

    Returns
    -------
    numeric
        Energy cost [USD].

    Notes
    -----
    .. math::

        \mathrm{cost} = \frac{H\, P\, \mathrm{PUE}}{1000}\, p

    Energy is 2 to 6 per cent of the amortised cost of frontier runs [1]_.

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.
    """
    _check("usd_per_kwh", usd_per_kwh, low=0.0)
    return (
        training_energy_mwh(accelerator_hours, power_w_per_accelerator, pue) * 1000.0 * usd_per_kwh
    )


def amortized_training_cost_usd(
    accelerator_hours: ArrayLike,
    accelerator_price_usd: ArrayLike,
    power_w_per_accelerator: ArrayLike,
    usd_per_kwh: ArrayLike,
    pue: ArrayLike = 1.1,
    server_cost_overhead: ArrayLike = EPOCH_SERVER_COST_OVERHEAD["other"],
    hardware_lifetime_years: ArrayLike = EPOCH_ECONOMIC_LIFETIME_YEARS,
    interconnect_cost_fraction: ArrayLike = EPOCH_INTERCONNECT_COST_FRACTION,
    years_since_purchase: ArrayLike = 0.0,
) -> np.ndarray | float:
    r"""
    Amortised hardware plus energy cost of one training run (Epoch AI's main method).

    Parameters
    ----------
    accelerator_hours : numeric
        Accelerator-hours of the run [h].
    accelerator_price_usd : numeric
        Purchase price of one accelerator [USD].
    power_w_per_accelerator : numeric
        Average IT power per accelerator, server share included [W].
    usd_per_kwh : numeric
        Electricity price [USD/kWh].
    pue : numeric, default 1.1
        Power usage effectiveness [unitless].
    server_cost_overhead : numeric, default 1.64
        Server price over accelerator price [unitless].
    hardware_lifetime_years : numeric, default 3.10
        Write-off period of the hardware [yr].
    interconnect_cost_fraction : numeric, default 0.19
        Interconnect share of cluster capex [unitless].
    years_since_purchase : numeric, default 0.0
        Time from purchase to the start of the run [yr].

    Returns
    -------
    numeric
        Cost of the final training run [USD].

    Notes
    -----
    The sum of :func:`amortized_hardware_cost_usd` and :func:`energy_cost_usd` [1]_. Staff,
    experiments, failed runs and the cost of capital are excluded.

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.
    """
    hardware = amortized_hardware_cost_usd(
        accelerator_hours,
        accelerator_price_usd,
        server_cost_overhead=server_cost_overhead,
        hardware_lifetime_years=hardware_lifetime_years,
        interconnect_cost_fraction=interconnect_cost_fraction,
        years_since_purchase=years_since_purchase,
    )
    energy = energy_cost_usd(accelerator_hours, power_w_per_accelerator, pue, usd_per_kwh)
    return hardware + energy


def cloud_training_cost_usd(
    accelerator_hours: ArrayLike, usd_per_gpu_hour: ArrayLike
) -> np.ndarray | float:
    r"""
    Cost of a training run on rented accelerators.

    Parameters
    ----------
    accelerator_hours : numeric
        Accelerator-hours of the run :math:`H` [h].
    usd_per_gpu_hour : numeric
        Rental price of one accelerator for one hour :math:`p`; Epoch AI uses three-year
        committed-use prices [USD/h].

    Returns
    -------
    numeric
        Rental cost [USD].

    Notes
    -----
    .. math::

        \mathrm{cost} = H p

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.
    """
    _check("accelerator_hours", accelerator_hours, low=0.0)
    _check("usd_per_gpu_hour", usd_per_gpu_hour, low=0.0)
    return accelerator_hours * usd_per_gpu_hour


def usd_per_flop(
    usd_per_gpu_hour: ArrayLike, peak_flop_per_s: ArrayLike, mfu: ArrayLike
) -> np.ndarray | float:
    r"""
    Price of one useful FLOP on an accelerator billed by the hour.

    Parameters
    ----------
    usd_per_gpu_hour : numeric
        Cost of one accelerator for one hour :math:`p` [USD/h].
    peak_flop_per_s : numeric
        Peak dense throughput :math:`F` [FLOP/s].
    mfu : numeric
        Model FLOP utilisation :math:`u`, in (0, 1] [unitless].

    Returns
    -------
    numeric
        Cost per FLOP [USD/FLOP].

    Notes
    -----
    .. math::

        c = \frac{p}{3600\, u F}
    """
    _check("usd_per_gpu_hour", usd_per_gpu_hour, low=0.0)
    _check("peak_flop_per_s", peak_flop_per_s, low=0.0, low_open=True)
    _check("mfu", mfu, low=0.0, high=1.0, low_open=True)
    return usd_per_gpu_hour / (3600.0 * mfu * peak_flop_per_s)


# --------------------------------------------------------------------------------------------
# Scaling laws
# --------------------------------------------------------------------------------------------


class ScalingLawParams(NamedTuple):
    """Constants of the loss law :math:`L(N, D) = E + A/N^\\alpha + B/D^\\beta`."""

    e: float  # irreducible loss E [nats/token]
    a: float  # parameter term coefficient A [nats/token]
    b: float  # data term coefficient B [nats/token]
    alpha: float  # parameter exponent [unitless]
    beta: float  # data exponent [unitless]


def _optimum_constants(params: ScalingLawParams) -> tuple[Any, Any, Any, Any]:
    """G, the parameter exponent a = beta/(alpha+beta), and K, gamma of the optimal-loss law."""
    e, a_coef, b_coef, alpha, beta = params
    g = (alpha * a_coef / (beta * b_coef)) ** (1.0 / (alpha + beta))
    gamma = alpha * beta / (alpha + beta)
    # At the optimum both loss terms fall as (C/6)^-gamma; k is their summed coefficient.
    k = a_coef * g ** (-alpha) + b_coef * g**beta
    return g, beta / (alpha + beta), k, gamma


def compute_optimal_loss(
    flop: ArrayLike, params: ScalingLawParams
) -> np.ndarray | float:
    r"""
    Lowest scaling-law loss reachable with a compute budget.

    Parameters
    ----------
    flop : numeric
        Training compute :math:`C`, positive [FLOP].
    params : ScalingLawParams
        Law constants [mixed].

    Returns
    -------
    numeric
        Loss at the compute-optimal allocation :math:`L^*(C)` [nats/token].

    Notes
    -----
    Minimising :math:`L(N, D) = E + A/N^\alpha + B/D^\beta` subject to :math:`6ND = C`
    gives [1]_ (eq. 4) :math:`N_{opt} = G (C/6)^{\beta/(\alpha+\beta)}`,
    :math:`D_{opt} = (C/6)/N_{opt}` with :math:`G = (\alpha A / \beta B)^{1/(\alpha+\beta)}`.
    Substituting them makes both reducible terms power laws in compute with the same exponent:

    .. math::

        L^*(C) = E + K \left(\frac{C}{6}\right)^{-\gamma}, \quad
        \gamma = \frac{\alpha\beta}{\alpha+\beta}, \quad K = A G^{-\alpha} + B G^{\beta}

    References
    ----------
    .. [1] J. Hoffmann et al., "Training compute-optimal large language models,"
       arXiv:2203.15556, 2022.
    """
    _check("flop", flop, low=0.0, low_open=True)
    _, _, k, gamma = _optimum_constants(params)
    return params.e + k * (flop / 6.0) ** (-gamma)


def loss_gain_per_10x(
    flop: ArrayLike, params: ScalingLawParams
) -> np.ndarray | float:
    r"""
    Fall in compute-optimal loss when the compute budget grows tenfold.

    Parameters
    ----------
    flop : numeric
        Starting compute budget :math:`C`, positive [FLOP].
    params : ScalingLawParams
        Law constants [mixed].

    Returns
    -------
    numeric
        :math:`L^*(C) - L^*(10C)`, positive and shrinking as :math:`C` grows [nats/token].

    Notes
    -----
    Each tenfold step removes the same share :math:`1 - 10^{-\gamma}` of the *reducible* loss,
    so the absolute gain shrinks geometrically: the "diminishing returns" of scaling.

    .. math::

        \Delta L = K \left(\frac{C}{6}\right)^{-\gamma} \left(1 - 10^{-\gamma}\right)
    """
    _check("flop", flop, low=0.0, low_open=True)
    _, _, k, gamma = _optimum_constants(params)
    return k * (flop / 6.0) ** (-gamma) * (1.0 - 10.0 ** (-gamma))


# --------------------------------------------------------------------------------------------
# Frontier trends
# --------------------------------------------------------------------------------------------


def decimal_year(dates: Any) -> np.ndarray | float | pd.Series:
    """
    Dates as fractional calendar years, e.g. 2024-07-02 12:00 -> 2024.5.

    Parameters
    ----------
    dates : datetime-like, array-like of datetime-like, or pandas.Series
        Anything :func:`pandas.to_datetime` accepts. Time-zone-aware values are read in their
        own local time [date].

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Year plus the elapsed share of that calendar year (leap years counted exactly); NaN for
        missing dates. A Series keeps its index [yr].

    Notes
    -----
    .. math::

        y = Y + \\frac{t - t_{Y}}{t_{Y+1} - t_{Y}}

    where :math:`t_Y` is 1 January of year :math:`Y`.
    """
    is_series = isinstance(dates, pd.Series)
    is_scalar = not is_series and np.ndim(dates) == 0 and not isinstance(dates, pd.Index)
    values = pd.to_datetime(pd.Series(np.atleast_1d(dates)) if is_scalar else dates)
    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_localize(None)
    v = index.values  # datetime64 with pandas' unit
    missing = np.isnat(v)
    year_start = v.astype("datetime64[Y]")
    start = year_start.astype(v.dtype)
    end = (year_start + np.timedelta64(1, "Y")).astype(v.dtype)
    fraction = (v - start) / (end - start)
    years = year_start.astype(np.int64) + 1970 + fraction
    years = np.where(missing, np.nan, years).astype(float)
    if is_series:
        return pd.Series(years, index=dates.index, name=dates.name)
    if is_scalar:
        return float(years[0])
    return years


class TrendFit(NamedTuple):
    """Least-squares exponential trend, ``log10(value) = intercept + slope * year``."""

    growth_per_year: float  # central growth factor, 10**slope [x/yr]
    low: float  # lower end of the confidence interval of the growth factor [x/yr]
    high: float  # upper end [x/yr]
    intercept: float  # log10(value) at decimal year 0 [log10 units]
    n: int  # points used in the fit [count]
    slope: float  # fitted slope [OOM/yr]
    slope_se: float  # standard error of the slope [OOM/yr]
    residual_sd: float  # residual standard deviation [log10 units]
    mean_year: float  # mean decimal year of the points [yr]
    sxx: float  # sum of squared deviations of the years from their mean [yr^2]
    t_crit: float  # two-sided critical value used for the interval [unitless]
    confidence: float  # confidence level of the interval [unitless]

    def predict(self, years: ArrayLike, interval: str = "slope") -> TrendPrediction:
        """Shorthand for :func:`trend_predict`."""
        return trend_predict(self, years, interval=interval)


class TrendPrediction(NamedTuple):
    """Central trend line and band, in the units of the fitted values."""

    central: np.ndarray | float
    low: np.ndarray | float
    high: np.ndarray | float


def _critical_value(confidence: float, dof: int) -> float:
    """Two-sided Student-t quantile, or the normal one when SciPy is missing."""
    q = 0.5 + confidence / 2.0
    try:
        from scipy import stats
    except ImportError:  # pragma: no cover - SciPy is a pinned dependency
        return NormalDist().inv_cdf(q)
    return float(stats.t.ppf(q, dof))


def _as_years(years: Any) -> Any:
    if is_cupy(years):  # decimal years already, on the GPU
        return years.astype(float)
    arr = np.asarray(years)
    if arr.dtype.kind in "MO" or isinstance(years, pd.DatetimeIndex):
        return np.asarray(decimal_year(years), dtype=float)
    return arr.astype(float)


def fit_log_linear_trend(years: ArrayLike, values: ArrayLike, confidence: float = 0.9) -> TrendFit:
    r"""
    Fit an exponential growth trend by least squares on log10 values.

    Parameters
    ----------
    years : array-like
        Decimal years (see :func:`decimal_year`); datetime-like values are converted [yr].
    values : array-like
        Positive quantities, e.g. training cost or compute [any unit].
    confidence : float, default 0.9
        Confidence level of the interval on the growth rate, in (0, 1) [unitless].

    Returns
    -------
    TrendFit
        Growth factor per year with its interval (``growth_per_year``, ``low``, ``high``),
        ``intercept``, ``n`` and the statistics :func:`trend_predict` needs.

    Raises
    ------
    ValueError
        If a value is not positive, fewer than three points remain after dropping NaNs, or all
        years are equal.

    Notes
    -----
    Ordinary least squares of :math:`y_i = \log_{10} v_i` on the year :math:`x_i`:

    .. math::

        b = \frac{\sum (x_i - \bar x)(y_i - \bar y)}{S_{xx}}, \quad
        \mathrm{se}(b) = \frac{s}{\sqrt{S_{xx}}}, \quad
        s^2 = \frac{\sum r_i^2}{n - 2}

    The growth factor is :math:`10^{b}` per year and its interval
    :math:`10^{b \pm t_{n-2}\, \mathrm{se}(b)}`, with :math:`t` the two-sided Student-t
    quantile (normal if SciPy is missing). This is how Epoch AI reports the 2.4x per year
    growth of frontier training cost (90% CI 2.0-2.9) [1]_. Points with NaN are dropped.

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1); got {confidence:g}")
    x = _as_years(years).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if x.shape != v.shape:
        raise ValueError(f"years and values differ in length: {x.size} vs {v.size}")
    keep = ~(np.isnan(x) | np.isnan(v))
    x, v = x[keep], v[keep]
    if np.any(v <= 0.0):
        raise ValueError(f"values must be positive for a log-linear fit; got {v[v <= 0][0]:g}")
    n = int(x.size)
    if n < 3:
        raise ValueError(f"need at least 3 points for a trend with an interval; got {n}")
    y = np.log10(v)
    x_mean, y_mean = float(x.mean()), float(y.mean())
    sxx = float(np.sum((x - x_mean) ** 2))
    if sxx == 0.0:
        raise ValueError("all years are equal; the slope is undefined")
    slope = float(np.sum((x - x_mean) * (y - y_mean)) / sxx)
    residuals = y - (y_mean + slope * (x - x_mean))
    residual_sd = float(np.sqrt(np.sum(residuals**2) / (n - 2)))
    slope_se = residual_sd / math.sqrt(sxx)
    t_crit = _critical_value(confidence, n - 2)
    return TrendFit(
        growth_per_year=10.0**slope,
        low=10.0 ** (slope - t_crit * slope_se),
        high=10.0 ** (slope + t_crit * slope_se),
        intercept=y_mean - slope * x_mean,
        n=n,
        slope=slope,
        slope_se=slope_se,
        residual_sd=residual_sd,
        mean_year=x_mean,
        sxx=sxx,
        t_crit=t_crit,
        confidence=confidence,
    )


def trend_predict(fit: TrendFit, years: ArrayLike, interval: str = "slope") -> TrendPrediction:
    r"""
    Trend value and uncertainty band at given years.

    Parameters
    ----------
    fit : TrendFit
        Result of :func:`fit_log_linear_trend`.
    years : array-like
        Decimal years or datetime-like values, or a CuPy array of decimal years (the
        prediction then stays on the GPU) [yr].
    interval : {"slope", "mean", "prediction", "none"}, default "slope"
        What the band shows, at the fit's confidence level:

        * ``"slope"``: the line pivoted through the centroid :math:`(\bar x, \bar y)` of the
          data with the slope at either end of its interval; the band is zero-width at the
          mean year and widens on both sides. It shows the effect of the uncertain growth
          *rate* only, the uncertainty behind quotes like "2.4x per year (2.0-2.9)".
        * ``"mean"``: confidence band of the regression line (slope and level).
        * ``"prediction"``: band expected to hold a new single observation, residual scatter
          included; much wider.
        * ``"none"``: ``low`` and ``high`` equal the central line.

    Returns
    -------
    TrendPrediction
        ``central``, ``low`` and ``high`` in the units of the fitted values, arrays of the
        years' array module (floats for a single year) [value units].

    Notes
    -----
    With :math:`\hat y(x) = \bar y + b (x - \bar x)` the bands in log10 space are

    .. math::

        \text{slope:}\ \bar y + b_{\pm} (x - \bar x), \quad
        \text{mean:}\ \hat y \pm t s \sqrt{\tfrac1n + \tfrac{(x-\bar x)^2}{S_{xx}}}, \quad
        \text{prediction:}\ \hat y \pm t s \sqrt{1 + \tfrac1n + \tfrac{(x-\bar x)^2}{S_{xx}}}

    where :math:`b_\pm = b \pm t\, \mathrm{se}(b)`. All three ignore errors in the data
    themselves and assume the trend continues: extrapolation is a scenario, not a forecast.
    """
    x = _as_years(years)
    xp = array_module(x)
    scalar = x.ndim == 0
    y_mean = fit.intercept + fit.slope * fit.mean_year
    dx = x - fit.mean_year
    central = y_mean + fit.slope * dx
    if interval == "slope":
        spread = fit.t_crit * fit.slope_se
        # Both ends of the slope interval at once: slopes x years.
        slopes = xp.asarray([fit.slope - spread, fit.slope + spread])
        lines = y_mean + slopes.reshape((2,) + (1,) * dx.ndim) * dx[None, ...]
        low, high = lines.min(axis=0), lines.max(axis=0)
    elif interval in ("mean", "prediction"):
        extra = 1.0 if interval == "prediction" else 0.0
        half = fit.t_crit * fit.residual_sd * xp.sqrt(extra + 1.0 / fit.n + dx**2 / fit.sxx)
        low, high = central - half, central + half
    elif interval == "none":
        low, high = central, central
    else:
        raise ValueError(
            f"interval must be 'slope', 'mean', 'prediction' or 'none'; got {interval!r}"
        )
    out = tuple(10.0 ** xp.asarray(z, dtype=float) for z in (central, low, high))
    if scalar:
        out = tuple(float(z) for z in out)
    return TrendPrediction(*out)


# --------------------------------------------------------------------------------------------
# Back-test: both of Epoch AI's methods, run by run, against Epoch's own per-run costs
# --------------------------------------------------------------------------------------------

#: Earliest purchase of a chip for a training run, after its release (Epoch AI code) [yr].
EPOCH_ACQUISITION_LAG_YEARS = 90.0 / 365.25

#: Average draw during training as a share of server power, by chip designer: 0.75 for GPUs,
#: 0.43 for Google TPUs (Epoch AI code) [unitless].
EPOCH_SERVER_LOAD_FRACTION = {"Google": 0.43, "other": 0.75}

#: Server power per accelerator over chip TDP where the chip's system rating is unknown
#: (Epoch AI's default) [unitless].
EPOCH_SERVER_TO_CHIP_POWER_RATIO = 1.8

#: Year whose dollars Epoch AI's per-run costs are stated in.
EPOCH_COST_DOLLAR_YEAR = 2023

#: Peak-throughput column of ``data/accelerators.csv`` for each training precision of
#: ``data/models.csv`` (``numerical_format``) [TFLOP/s columns]. FP8 runs are paired with the
#: 16-bit peak: published MFUs, the registry's ``training_mfu`` among them, are stated against
#: the dense BF16 peak even where matrix products run in FP8.
PRECISION_PEAK_COLUMNS = {
    "fp8": ("bf16_dense_tflops",),
    "bf16": ("bf16_dense_tflops", "fp16_tflops"),
    "fp16": ("bf16_dense_tflops", "fp16_tflops"),
    "tf32": ("tf32_tflops", "fp32_tflops"),
    "fp32": ("fp32_tflops",),
}

#: Column order tried when a run's precision is unknown, as Epoch AI's code does: the 16-bit
#: tensor (matrix-unit) rate first, then TF32, then plain FP16 for TPUs only (a GPU without
#: tensor cores, such as the P100 or K80, is taken at its FP32 rate: their half-precision
#: rate overstates what training got from them), then FP32, then INT8 (TPU v1 has nothing
#: else) [TFLOP/s columns].
DEFAULT_PEAK_COLUMNS = ("bf16_dense_tflops", "tf32_tflops", "fp16_tflops", "fp32_tflops",
                        "int8_tops")

#: Designers whose chips are taken at their plain FP16 rate when the precision is unknown.
PLAIN_FP16_VENDORS = ("Google",)

#: The two cost methods of the back-test, as named in its table.
BACKTEST_METHODS = ("amortized", "cloud")

#: Cloud a developer is assumed to rent from in Epoch AI's cloud method: the first match of a
#: name fragment in its organisation, the last organisation that matches winning; AWS otherwise.
EPOCH_DEVELOPER_CLOUD = {"google": "google", "deepmind": "google", "microsoft": "azure",
                         "openai": "azure"}

#: Clouds tried after the developer's own when it quotes no 3-year price (Epoch AI's order).
EPOCH_CLOUD_ORDER = ("aws", "azure", "google")

#: Days from the end of training to publication, and from hardware acquisition to the start of
#: training, in Epoch AI's cloud method: the rental price is the one quoted at acquisition [d].
EPOCH_PUBLICATION_LAG_DAYS = 60.0
EPOCH_RENTAL_ACQUISITION_LAG_DAYS = 60.0


def hardware_value_usd(
    price_usd: ArrayLike,
    years_after_quote: ArrayLike,
    price_decline_ooms_per_year: ArrayLike = EPOCH_PRICE_PERFORMANCE_OOMS_PER_YEAR,
) -> np.ndarray | float:
    r"""
    Value of hardware some time before or after a dated price quote.

    Parameters
    ----------
    price_usd : numeric
        Quoted price :math:`P` [USD].
    years_after_quote : numeric
        Time from the quote to the date of interest :math:`t`; negative before the quote [yr].
    price_decline_ooms_per_year : numeric, default 0.14
        Fall in hardware value along the ML-GPU price-performance trend :math:`k` [OOM/yr].

    Returns
    -------
    numeric
        Value on the date of interest :math:`V` [USD].

    Notes
    -----
    .. math::

        V = P\, 10^{-k t}

    Epoch AI moves purchase prices along this trend to the date the hardware is bought and on
    to the start of the run [1]_.

    References
    ----------
    .. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
       arXiv:2405.21015, 2024.

    Examples
    --------
    A year after a 10,000 USD quote:

    >>> round(hardware_value_usd(10_000.0, 1.0))
    7244
    """
    _check("price_usd", price_usd, low=0.0)
    return price_usd * 10.0 ** (-(price_decline_ooms_per_year * years_after_quote))


def peak_flop_per_s(accelerator: Any, numerical_format: str | None = None) -> float:
    r"""
    Peak dense throughput of one accelerator at a run's training precision.

    Parameters
    ----------
    accelerator : mapping or pandas.Series
        Row of ``data/accelerators.csv`` (``*_tflops`` and ``int8_tops`` columns) [TFLOP/s].
    numerical_format : str, optional
        Training precision of the run (``fp8``, ``bf16``, ``fp16``, ``tf32``, ``fp32``); when
        absent or not published for the chip, Epoch AI's order is used: the 16-bit tensor
        rate, then TF32, then plain FP16 (TPUs only), then FP32, then INT8.

    Returns
    -------
    float
        Peak throughput :math:`F` [FLOP/s].

    Raises
    ------
    ValueError
        When the row has no throughput at all.
    """
    fmt = numerical_format if isinstance(numerical_format, str) else None
    default = DEFAULT_PEAK_COLUMNS
    if accelerator.get("vendor") not in PLAIN_FP16_VENDORS:
        default = tuple(c for c in default if c != "fp16_tflops")
    columns = PRECISION_PEAK_COLUMNS.get(fmt, ()) + default
    for column in columns:
        value = accelerator.get(column)
        if value is not None and np.isfinite(value) and value > 0:
            return float(value) * 1.0e12
    raise ValueError(f"accelerator {accelerator.get('id')!r} has no peak throughput")


def _years(a: pd.Timestamp, b: pd.Timestamp) -> float:
    """Years from ``a`` to ``b`` [yr]."""
    return (b - a).days / 365.25


def _rental_for(rental: pd.DataFrame, accelerator_id: str, year: int) -> tuple[float, float]:
    """Central rental price of the chip in the nearest year with quotes (earlier on ties).

    Returns (price [USD/h], year used), or (nan, nan) when the chip was never quoted.
    """
    rows = rental[rental["accelerator"] == accelerator_id]
    if rows.empty:
        return math.nan, math.nan
    distance = (rows["year"] - year).abs() * 2 + (rows["year"] > year)
    best = rows.loc[distance.idxmin()]
    return float(best["usd_per_chip_hour_central"]), float(best["year"])


def _developer_cloud(organization: Any) -> str:
    """Cloud Epoch AI's method rents from for a developer (``aws``, ``google`` or ``azure``)."""
    cloud = "aws"
    if isinstance(organization, str):
        for org in organization.split(","):
            for fragment, name in EPOCH_DEVELOPER_CLOUD.items():
                if fragment in org.lower():
                    cloud = name
                    break
    return cloud


def _epoch_rental_for(rental: pd.DataFrame, accelerator_id: str, year: int,
                      cloud: str) -> tuple[float, float, str]:
    """3-year committed price as Epoch AI's cloud method picks it.

    The developer's own cloud first, then AWS, Azure and Google; for each, the latest year with
    a quoted 3-year price no later than ``year``, else the earliest after. TPUs are rented from
    Google only. Falls back to the median over clouds (:func:`_rental_for`) when no cloud quotes a
    3-year price for the chip. Returns (price [USD/h], year used, cloud or ``median``).
    """
    rows = rental[rental["accelerator"] == accelerator_id]
    if accelerator_id.startswith("tpu"):
        order = ("google",)
    else:
        order = (cloud,) + tuple(c for c in EPOCH_CLOUD_ORDER if c != cloud)
    for name in order:
        column = f"usd_per_chip_hour_{name}_3yr"
        if column not in rows:
            continue
        quoted = rows[rows[column].notna()]
        if quoted.empty:
            continue
        before = quoted[quoted["year"] <= year]
        best = before.loc[before["year"].idxmax()] if not before.empty else \
            quoted.loc[quoted["year"].idxmin()]
        return float(best[column]), float(best["year"]), name
    price, used = _rental_for(rental, accelerator_id, year)
    return price, used, "median"


def _nearest_quote(quotes: pd.DataFrame, when: pd.Timestamp) -> tuple[float, pd.Timestamp]:
    """Median server price per chip [USD] of the quotes dated nearest ``when``, and that date."""
    gap = (quotes["date"] - when).abs()
    nearest = quotes[gap == gap.min()]
    return float(nearest["usd_per_chip"].median()), nearest["date"].iloc[0]


def _to_2023_usd(ppi: pd.Series, year: int) -> float:
    """Factor turning dollars of ``year`` into 2023 dollars, ppi(2023)/ppi(year) [unitless]."""
    year = int(min(max(year, ppi.index.min()), ppi.index.max()))
    return float(ppi.loc[EPOCH_COST_DOLLAR_YEAR] / ppi.loc[year])


def backtest_runs(
    registry: Any = None,
    models: pd.DataFrame | None = None,
    accelerators: pd.DataFrame | None = None,
    rental_prices: pd.DataFrame | None = None,
    ppi: pd.DataFrame | None = None,
    server_prices: pd.DataFrame | None = None,
    costed_only: bool = True,
    backend: str | None = None,
) -> pd.DataFrame:
    r"""
    Cost of each training run by Epoch AI's two methods, beside Epoch's own per-run cost.

    Parameters
    ----------
    registry : mapping of str to Assumption, optional
        Central values of ``training_mfu`` (MFU where the run has none), ``training_run_days``
        (run length where unknown), ``server_cost_overhead`` (server price over chip price
        where no system price is published), ``cluster_interconnect_overhead``,
        ``hardware_lifetime_years``, ``pue`` and ``usd_per_kwh``. Default: the project's.
    models : pandas.DataFrame, optional
        ``data/models.csv``: ``publication_date``, ``accelerator``, ``training_flop`` [FLOP],
        ``hardware_quantity`` [chips], ``training_time_hours`` [h], ``training_chip_hours``
        [chip-h], ``mfu`` [unitless], ``numerical_format``, ``organization``, and Epoch's
        per-run costs ``cost_usd_2023``, ``epoch_amortized_cost_usd_2023`` and
        ``epoch_cloud_cost_usd_2023`` [2023 USD] (the last three optional).
    accelerators : pandas.DataFrame, optional
        ``data/accelerators.csv``, all rows (peak by precision [TFLOP/s], ``tdp_w`` [W],
        ``purchase_usd_central`` [USD], ``server_usd_per_chip`` [USD] and its date,
        ``server_w_per_chip`` [W], ``release_date``).
    rental_prices : pandas.DataFrame, optional
        ``data/accelerator_rental_prices.csv`` [USD per chip-hour by year]: the median over
        clouds and, where present, each hyperscaler's quoted 3-year price.
    ppi : pandas.DataFrame, optional
        ``data/ppi_data_processing.csv`` (annual index).
    server_prices : pandas.DataFrame, optional
        ``data/accelerator_server_prices.csv``: dated system prices per accelerator [USD].
    costed_only : bool, default True
        Keep only the runs Epoch AI costs by either method; otherwise every run with an
        accelerator row.
    backend : str, optional
        Array backend of the arithmetic (:func:`aiboom.backend.get_backend`): every run and
        both methods at once; the look-ups of dates, quotes and prices stay on the host.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``model``, ``publication_date``, ``accelerator``,
        ``accelerator_hours`` [h] and ``hours_basis`` (``reported``, ``quantity x time`` or
        ``compute / (peak x MFU)``), ``mfu`` [unitless] and ``mfu_source`` (``run`` or
        ``registry``), ``implied_mfu`` (the compute over what the chip-hours could do at
        peak, where the hours are not derived from compute) [unitless] and
        ``inputs_consistent`` (False when ``implied_mfu`` exceeds 1, i.e. the recorded hours
        cannot have produced the recorded compute: usually a fine-tune whose compute
        includes its base model), ``peak_flop_per_s`` [FLOP/s], ``run_start`` (date),
        ``server_usd_per_chip`` [USD] and ``server_basis`` (``chip's own system`` or
        ``generic overhead``), ``value_usd_per_chip`` at the run's start [USD],
        ``power_w_per_chip`` [W], ``rental_usd_per_chip_hour`` [USD/h], ``rental_year`` and
        ``rental_cloud`` (``aws``, ``google``, ``azure`` or ``median``), ``amortized_usd`` and
        ``cloud_usd`` [2023 USD], Epoch's ``epoch_usd`` (amortised) and ``epoch_cloud_usd``
        [2023 USD], ``ratio_amortized`` (amortised / ``epoch_usd``) and ``ratio_cloud``
        (cloud / ``epoch_cloud_usd``), each method against Epoch's series for that method,
        and ``cloud_over_epoch_amortized`` [unitless]. Runs without an accelerator row, or
        with neither chip-hours, chips and time, nor compute, are left out. Tagged as
        computed by ``training.backtest_runs`` (:meth:`aiboom.backend.Backend.frame`).

    Notes
    -----
    Accelerator-hours :math:`H` are the run's reported chip-hours, else chips times hours,
    else :math:`C / (3600\, u F)` (:func:`accelerator_hours`) with the run's own MFU :math:`u`
    where Epoch records it and the registry's ``training_mfu`` otherwise, and :math:`F` the
    chip's peak at the run's precision (:func:`peak_flop_per_s`). The run starts at its
    publication date less its training time (else its chip-hours over its chips, else the
    registry's ``training_run_days``).

    *Method 1, amortised hardware and energy* (:func:`amortized_training_cost_usd`). The
    hardware :math:`P` is the chip's own server price per chip (a DGX, HGX or similar system
    price divided by its GPUs), from the quote nearest the purchase date (the median where
    several share that date), where any is published, else the chip price times the
    registry's ``server_cost_overhead`` quoted at release. Its value at the run's start
    :math:`t_s` is moved along the price-performance trend from the quote date :math:`t_q`
    (:func:`hardware_value_usd`), to no earlier than 90 days after release :math:`t_r`:

    .. math::

        V = P\, 10^{-k\,(\max(t_s,\ t_r + 90\,\mathrm{d}) - t_q)}

    then written off at :math:`H / (8766 L)` with interconnect on top. Energy is
    :math:`H P_{chip} s \ell\, \mathrm{PUE}\, p` with the chip's system power per chip
    (:math:`P_{chip} s`) where published, else Epoch's ratio :math:`s = 1.8`, and load
    :math:`\ell` 0.75 (GPUs) or 0.43 (TPUs).

    *Method 2, cloud rental* (:func:`cloud_training_cost_usd`): :math:`H` times a 3-year
    committed price per chip-hour picked as Epoch AI's code does: the developer's own cloud
    (Google and DeepMind: Google Cloud; Microsoft and OpenAI: Azure; anyone else: AWS), else
    AWS, Azure, Google in turn (TPUs from Google only), each in the latest year with a quoted
    3-year price no later than the hardware's acquisition (publication less training time less
    60 + 60 days), else its earliest later year; the median over clouds where no cloud quotes a
    3-year price for the chip.

    Both are turned into 2023 dollars with the producer price index for data processing and
    hosting, :math:`\mathrm{ppi}(2023)/\mathrm{ppi}(y)` for the run's start year :math:`y`.

    Each method is compared with Epoch's own per-run series for it: the amortised method with
    the output of Epoch's pipeline run of July 2025 where it has the run (82 runs, newer than
    the database for runs whose inputs were revised since) and the database's ``Training
    compute cost (2023 USD)`` elsewhere; the cloud method with the same pipeline output's cloud
    costs (35 runs) [1]_. On Epoch's data the amortised method's median ratio is 0.96 with 91%
    (158) of 174 runs within a factor of two (93% of the 162 runs whose recorded hours can
    have produced their recorded compute); the cloud method's median ratio is 0.99 with all 35
    runs within a factor of 1.25, and it reproduces the AI Index's cloud costs of GPT-4,
    Gemini 1.0 Ultra and Llama 3.1 405B [2]_ (``tests/test_training_backtest.py``). Picking
    the median price over clouds instead of the developer's cloud puts six A100 runs 1.4 to
    1.7 times Epoch's cloud cost.

    References
    ----------
    .. [1] B. Cottier, R. Rahman, L. Fattorini, N. Maslej, T. Besiroglu and D. Owen, "The
       rising costs of training frontier AI models," arXiv:2405.21015, 2024; data and code at
       github.com/epoch-research/training-cost-trends (commit 263c40a).
    .. [2] N. Maslej et al., "The AI Index 2024 Annual Report," Stanford HAI, 2024, ch. 1.
    """
    from aiboom import data
    from aiboom.backend import get_backend
    from aiboom.registry import load_registry

    be = get_backend(backend)
    xp = be.xp
    registry = registry if registry is not None else load_registry()
    models = models if models is not None else data.models()
    accelerators = accelerators if accelerators is not None else data.accelerators(
        serving_only=False)
    rental_prices = rental_prices if rental_prices is not None else \
        data.accelerator_rental_prices()
    ppi_table = ppi if ppi is not None else data.ppi_data_processing()
    server_prices = server_prices if server_prices is not None else \
        data.accelerator_server_prices()
    ppi_by_year = ppi_table.set_index("year")["ppi_dec2000_100"]
    c = {k: float(registry[k].central) for k in (
        "training_mfu", "training_run_days", "server_cost_overhead",
        "cluster_interconnect_overhead", "hardware_lifetime_years", "pue", "usd_per_kwh")}
    interconnect_fraction = c["cluster_interconnect_overhead"] / (
        1.0 + c["cluster_interconnect_overhead"])
    chips = accelerators.set_index("id")

    runs = models[models["accelerator"].notna()].copy()
    for column in ("epoch_amortized_cost_usd_2023", "epoch_cloud_cost_usd_2023", "organization"):
        if column not in runs:
            runs[column] = math.nan
    # Epoch's amortised estimate: the pipeline's newer figure where it has one, else the
    # database's (data/models.meta.yml says why).
    runs["epoch_amortized"] = runs["epoch_amortized_cost_usd_2023"].fillna(runs["cost_usd_2023"])
    if costed_only:
        runs = runs[runs["epoch_amortized"].notna() | runs["epoch_cloud_cost_usd_2023"].notna()]
    by_quantity = runs["hardware_quantity"].notna() & runs["training_time_hours"].notna()
    runs = runs[runs["training_chip_hours"].notna() | by_quantity
                | runs["training_flop"].notna()]
    basis = np.where(runs["training_chip_hours"].notna(), "reported",
                     np.where(by_quantity.loc[runs.index], "quantity x time",
                              "compute / (peak x MFU)"))

    def column(name: str) -> Any:
        return xp.asarray(runs[name].to_numpy(dtype=float))

    # Accelerator-hours and run length, every run at once on the backend.
    peak_host = [peak_flop_per_s(chips.loc[run.accelerator], run.numerical_format
                                 if pd.notna(run.numerical_format) else None)
                 for run in runs.itertuples(index=False)]
    peak = xp.asarray(peak_host, dtype=float)
    mfu = xp.asarray(runs["mfu"].fillna(c["training_mfu"]).to_numpy(dtype=float))
    flop, quantity, time_h = (column(n) for n in (
        "training_flop", "hardware_quantity", "training_time_hours"))
    from_compute = xp.asarray(basis == "compute / (peak x MFU)")
    hours = xp.where(xp.asarray(basis == "reported"), column("training_chip_hours"),
                     xp.where(from_compute, accelerator_hours(flop, peak, mfu),
                              quantity * time_h))
    chips_known = quantity > 0
    days = xp.where(~xp.isnan(time_h), time_h / 24.0,
                    xp.where(chips_known, hours / xp.where(chips_known, quantity, 1.0) / 24.0,
                             c["training_run_days"]))

    # Dates, prices and quotes: look-ups in the tables, run by run on the host.
    inputs = []
    for run, run_days in zip(runs.itertuples(index=False), be.asnumpy(days), strict=True):
        chip = chips.loc[run.accelerator]
        start = run.publication_date - pd.Timedelta(days=float(run_days))
        bought = max(start, chip["release_date"] + pd.Timedelta(
            days=EPOCH_ACQUISITION_LAG_YEARS * 365.25))
        quotes = server_prices[server_prices["accelerator"] == run.accelerator]
        if not quotes.empty:
            price, quoted = _nearest_quote(quotes, bought)
            overhead, server_basis = 1.0, "chip's own system"
        else:
            price, quoted, overhead = float(chip["purchase_usd_central"]), \
                chip["release_date"], c["server_cost_overhead"]
            server_basis = "generic overhead"
        acquired = start - pd.Timedelta(days=EPOCH_PUBLICATION_LAG_DAYS
                                        + EPOCH_RENTAL_ACQUISITION_LAG_DAYS)
        rent, rent_year, rent_cloud = _epoch_rental_for(
            rental_prices, run.accelerator, acquired.year, _developer_cloud(run.organization))
        inputs.append({
            "run_start": start, "price": price, "overhead": overhead,
            "server_basis": server_basis, "years_to_purchase": _years(quoted, bought),
            "tdp_w": float(chip["tdp_w"]),
            "power_ratio": float(chip["server_w_per_chip"]) / float(chip["tdp_w"])
            if pd.notna(chip["server_w_per_chip"]) else EPOCH_SERVER_TO_CHIP_POWER_RATIO,
            "load": EPOCH_SERVER_LOAD_FRACTION.get(chip["vendor"],
                                                   EPOCH_SERVER_LOAD_FRACTION["other"]),
            "to_2023": _to_2023_usd(ppi_by_year, start.year), "rent": rent,
            "rental_year": rent_year, "rental_cloud": rent_cloud})
    host = pd.DataFrame(inputs, columns=[
        "run_start", "price", "overhead", "server_basis", "years_to_purchase", "tdp_w",
        "power_ratio", "load", "to_2023", "rent", "rental_year", "rental_cloud"])

    def given(name: str) -> Any:
        return xp.asarray(host[name].to_numpy(dtype=float))

    # Both methods, runs x methods on the backend.
    server = given("price") * given("overhead")
    value = hardware_value_usd(server, given("years_to_purchase"))
    power = average_power_w_per_accelerator(given("tdp_w"), given("power_ratio"), given("load"))
    rent = given("rent")
    costs = xp.stack([
        amortized_training_cost_usd(
            hours, value, power, c["usd_per_kwh"], pue=c["pue"], server_cost_overhead=1.0,
            hardware_lifetime_years=c["hardware_lifetime_years"],
            interconnect_cost_fraction=interconnect_fraction),
        cloud_training_cost_usd(hours, rent)]) * given("to_2023")[None, :]
    epoch = xp.stack([column("epoch_amortized"), column("epoch_cloud_cost_usd_2023")])
    ratios = costs / epoch
    positive = hours > 0
    implied_mfu = xp.where(~from_compute & ~xp.isnan(flop) & positive,
                           flop / (3600.0 * xp.where(positive, hours, 1.0) * peak), math.nan)
    own_mfu = runs["mfu"].notna().to_numpy()
    return be.frame("training.backtest_runs", {
        "model": list(runs["model"]), "publication_date": list(runs["publication_date"]),
        "accelerator": list(runs["accelerator"]), "accelerator_hours": hours,
        "hours_basis": list(basis), "mfu": mfu,
        "mfu_source": list(np.where(own_mfu, "run", "registry")),
        "implied_mfu": implied_mfu, "inputs_consistent": ~(implied_mfu > 1.0),
        "peak_flop_per_s": peak, "run_start": list(host["run_start"]),
        "server_usd_per_chip": server, "server_basis": list(host["server_basis"]),
        "value_usd_per_chip": value, "power_w_per_chip": power,
        "rental_usd_per_chip_hour": rent, "rental_year": given("rental_year"),
        "rental_cloud": list(host["rental_cloud"]), "amortized_usd": costs[0],
        "cloud_usd": costs[1], "epoch_usd": epoch[0], "epoch_cloud_usd": epoch[1],
        "ratio_amortized": ratios[0], "ratio_cloud": ratios[1],
        "cloud_over_epoch_amortized": costs[1] / epoch[0]})


def backtest_summary(table: pd.DataFrame, consistent_only: bool = False) -> pd.DataFrame:
    r"""
    How closely each method reproduces Epoch AI's per-run costs.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`backtest_runs` (``ratio_amortized``, ``ratio_cloud``) [unitless].
    consistent_only : bool, default False
        Leave out runs whose recorded hours cannot have produced their recorded compute
        (``inputs_consistent`` False).

    Returns
    -------
    pandas.DataFrame
        Indexed by method (``amortized``, ``cloud``): ``n_runs`` [runs] with a finite ratio,
        ``median_ratio`` (model / Epoch) [unitless], ``share_within_2x`` and
        ``share_within_1_25x`` [fraction of runs], ``p10_ratio`` and ``p90_ratio``
        [unitless].

    Notes
    -----
    A run is within a factor :math:`k` when :math:`1/k \le r \le k` for its ratio :math:`r`.
    """
    if consistent_only:
        table = table[table["inputs_consistent"]]
    out = {}
    for method in BACKTEST_METHODS:
        r = table[f"ratio_{method}"].to_numpy(dtype=float)
        r = r[np.isfinite(r) & (r > 0)]
        within = np.abs(np.log(r))
        out[method] = {
            "n_runs": int(r.size),
            "median_ratio": float(np.median(r)) if r.size else math.nan,
            "share_within_2x": float(np.mean(within <= math.log(2.0))) if r.size else math.nan,
            "share_within_1_25x": float(np.mean(within <= math.log(1.25)))
            if r.size else math.nan,
            "p10_ratio": float(np.quantile(r, 0.1)) if r.size else math.nan,
            "p90_ratio": float(np.quantile(r, 0.9)) if r.size else math.nan,
        }
    return pd.DataFrame.from_dict(out, orient="index")
