"""Serving costs: what a user, a million tokens and one query cost to serve (chapter "Serving
costs", Phase two).

Every function takes data tables, registry values or Monte Carlo results and returns a tidy
DataFrame or a number; the formulas themselves live in :mod:`aiboom.economics`,
:mod:`aiboom.inference` and :mod:`aiboom.kernels`. Each table a chart draws is computed
through the one backend switch (:func:`aiboom.backend.get_backend`, grids on its ``xp``) and
tagged by :meth:`aiboom.backend.Backend.frame` with the function that computed it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, NamedTuple

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from aiboom import charts, economics, inference
from aiboom.backend import get_backend
from aiboom.kernels import INPUTS, Accelerator
from aiboom.montecarlo import (
    EXACT_SAMPLE_LIMIT,
    QUANTILE_LEVELS,
    MonteCarloResult,
    run_monte_carlo,
)
from aiboom.registry import Assumption

__all__ = [
    "BATCH_SIZES",
    "BREAKEVEN_Y_HEADROOM",
    "CENTS_PER_USD",
    "DAYS_PER_YEAR",
    "HISTOGRAM_MIN_SHARE",
    "MONTHS_PER_YEAR",
    "REFERENCE_USERS",
    "TOKENS_PER_MILLION",
    "USERS_GRID",
    "AI_HEAVY",
    "AI_TYPICAL",
    "SOFTWARE",
    "QueryCosts",
    "ServingSetup",
    "accelerator_label",
    "api_price_points",
    "bandwidth_per_rental_usd",
    "breakeven_days",
    "breakeven_quantiles",
    "ENERGY_MIX",
    "ENERGY_PLAIN",
    "ENERGY_PUBLISHED",
    "ENERGY_REASONING",
    "chart_breakeven",
    "chart_cost_by_accelerator",
    "chart_intervals",
    "chart_prices_against_cost",
    "chart_roofline",
    "cost_against_users",
    "create_serving_setup",
    "cumulative_spend",
    "decode_cost_by_accelerator",
    "decode_grid",
    "histogram_frame",
    "implied_token_cost",
    "interval_row",
    "log_ticks",
    "margins_at",
    "median_markers",
    "electricity_usd_per_gpu_hour",
    "energy_intervals",
    "price_cost_margin",
    "quantiles",
    "ridge_batch_with_kv",
    "ridge_summary",
    "roofline_sweep",
    "run_query_costs",
    "served_models",
    "serving_peak_flop_per_s",
    "subscription_products",
    "token_cost_band",
    "accelerator_ids_by_label",
    "bandwidth_lead",
    "batch_doubling_sentence",
    "count_word",
    "current_price_lead",
    "doubling_gain",
    "frontier_over_small_sentence",
    "electricity_sentences",
    "factor_comparison",
    "list_price_sentence",
    "lopsided_sentence",
    "newer_not_cheaper_sentence",
    "reasoning_tokens_sentence",
    "serving_decides_sentence",
    "subscriber_margin_sentence",
    "summary_cost_sentence",
    "times_phrase",
    "training_bill_sentence",
    "users_in_words",
]

#: User counts on the cost-against-users charts, 10,000 to 1 billion [users].
USERS_GRID: np.ndarray = np.logspace(4, 9, 21)
#: User count at which the chapter quotes margins [users].
REFERENCE_USERS = 1.0e6
#: Decode batch sizes of the roofline sweep, 1 to 512 [sequences].
BATCH_SIZES: np.ndarray = 2.0 ** np.arange(10)
#: Bins holding less than this share of samples are trimmed from the tails of histograms
#: (one sample in ten thousand) [fraction].
HISTOGRAM_MIN_SHARE = 1.0e-4
#: Head room of the break-even chart above the larger training cost [ratio].
BREAKEVEN_Y_HEADROOM = 2.0
#: US cents per US dollar [cents/USD].
CENTS_PER_USD = 100.0
#: Mean days in a year [days/yr].
DAYS_PER_YEAR = 365.25
#: Months in a year [months/yr].
MONTHS_PER_YEAR = 12.0
#: Tokens in the "per million tokens" unit of prices [tokens].
TOKENS_PER_MILLION = 1.0e6


# --------------------------------------------------------------------------------------------
# Serving setup and models
# --------------------------------------------------------------------------------------------


class ServingSetup(NamedTuple):
    """Serving settings shared by the roofline calculations (central registry values)."""

    weight_bytes_per_param: float  # bytes per stored weight [bytes]
    kv_bytes_per_value: float  # bytes per cached key or value element [bytes]
    context_tokens: float  # mean context held per sequence during decode [tokens]
    batch_size: float  # sequences decoded together [sequences]
    mfu_decode: float  # decode FLOP utilisation ceiling [unitless]
    mbu: float  # decode memory-bandwidth utilisation [unitless]
    utilization: float  # share of paid GPU-hours doing useful work [unitless]


def create_serving_setup(registry: Mapping[str, Assumption]) -> ServingSetup:
    """Central registry values of the serving settings, checked to lie in range.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry; reads ``weight_bytes_per_param``, ``kv_bytes_per_value``,
        ``context_tokens``, ``decode_batch_size``, ``decode_mfu``, ``inference_mbu`` and
        ``serving_utilization``.

    Returns
    -------
    ServingSetup

    Raises
    ------
    ValueError
        If a share is outside (0, 1] or a size is not positive.
    """
    c = {k: registry[k].central for k in (
        "weight_bytes_per_param", "kv_bytes_per_value", "context_tokens", "decode_batch_size",
        "decode_mfu", "inference_mbu", "serving_utilization")}
    setup = ServingSetup(c["weight_bytes_per_param"], c["kv_bytes_per_value"],
                         c["context_tokens"], c["decode_batch_size"], c["decode_mfu"],
                         c["inference_mbu"], c["serving_utilization"])
    for name in ("mfu_decode", "mbu", "utilization"):
        if not 0.0 < getattr(setup, name) <= 1.0:
            raise ValueError(f"{name} must be in (0, 1]; got {getattr(setup, name)}")
    for name in ("weight_bytes_per_param", "kv_bytes_per_value", "context_tokens", "batch_size"):
        if not getattr(setup, name) > 0.0:
            raise ValueError(f"{name} must be positive; got {getattr(setup, name)}")
    return setup


def served_models(registry: Mapping[str, Assumption],
                  kv_bytes_per_value: float) -> pd.DataFrame:
    """The model sizes the chapter serves: small, frontier-class and the largest dense open model.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``small_model_active_params`` with ``small_layers``, ``small_kv_heads``,
        ``small_head_dim`` (Llama 3.1 8B); ``frontier_active_params`` and
        ``llama31_405b_params`` with ``frontier_layers``, ``frontier_kv_heads``,
        ``frontier_head_dim`` (Llama 3.1 405B attention).
    kv_bytes_per_value : float
        Bytes per cached key or value element [bytes].

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model`` (label with its size in billions of parameters),
        ``active_params`` [parameters] and
        ``kv_bytes_per_token`` [bytes/token], smallest first.

    Notes
    -----
    All three are treated as dense: every active parameter is read from memory at each decode
    step. The KV cache per token is :math:`2 L H d b`
    (:func:`aiboom.inference.kv_cache_bytes_per_token`).
    """
    def kv(prefix: str) -> float:
        return float(inference.kv_cache_bytes_per_token(
            registry[f"{prefix}_layers"].central, registry[f"{prefix}_kv_heads"].central,
            registry[f"{prefix}_head_dim"].central, kv_bytes_per_value))

    rows = [
        ("Small", registry["small_model_active_params"].central, kv("small")),
        ("Frontier-class", registry["frontier_active_params"].central, kv("frontier")),
        ("Largest dense", registry["llama31_405b_params"].central, kv("frontier")),
    ]
    return pd.DataFrame(
        [{"model": f"{name} ({n / 1e9:,.0f}B)", "active_params": n,
          "kv_bytes_per_token": k} for name, n, k in rows]
    ).sort_values("active_params", ignore_index=True)


def accelerator_label(name: str) -> str:
    """Short chart label of an accelerator: its name without the bracketed remark.

    >>> accelerator_label("NVIDIA B200 (HGX, 1000 W)")
    'NVIDIA B200'
    """
    return name.split(" (")[0].strip()


def serving_peak_flop_per_s(accelerator: Mapping | pd.Series | pd.DataFrame,
                            weight_bytes_per_param: float) -> float | np.ndarray:
    """Dense peak used for decode: 8-bit when weights take one byte or less and the chip has
    8-bit units, 16-bit otherwise.

    Parameters
    ----------
    accelerator : mapping, pandas.Series or pandas.DataFrame
        One row of ``data/accelerators.csv``, or the table [TFLOP/s columns].
    weight_bytes_per_param : float
        Bytes per weight [bytes].

    Returns
    -------
    float or numpy.ndarray
        Peak dense throughput [FLOP/s]; one per row for a table.

    Notes
    -----
    The rule of :data:`aiboom.kernels.FORMULA` (8-bit if :math:`w \\le 1`), with the chip
    constants of :func:`aiboom.montecarlo.scenario_inputs`: a chip without FP8 units (A100,
    TPU v5p) runs 8-bit weights at its 16-bit rate.
    """
    if isinstance(accelerator, pd.DataFrame):
        bf16 = inference.accelerator_peak_flop_per_s(accelerator, "bf16").to_numpy(dtype=float)
        if weight_bytes_per_param > 1.0 or "fp8_dense_tflops" not in accelerator:
            return bf16
        fp8 = inference.accelerator_peak_flop_per_s(accelerator, "fp8").to_numpy(dtype=float)
        return np.where(np.isnan(fp8), bf16, fp8)
    fp8 = accelerator.get("fp8_dense_tflops")
    has_fp8 = fp8 is not None and not pd.isna(fp8)
    precision = "fp8" if weight_bytes_per_param <= 1.0 and has_fp8 else "bf16"
    return float(inference.accelerator_peak_flop_per_s(accelerator, precision))


def ridge_batch_with_kv(active_params: ArrayLike, kv_bytes_per_token: ArrayLike,
                        context_tokens: float, weight_bytes_per_param: float,
                        peak_flop_per_s: float, mem_bytes_per_s: float, mfu: float,
                        mbu: float) -> np.ndarray | float:
    r"""
    Batch at which a decode step turns compute-bound once KV-cache reads are counted.

    Parameters
    ----------
    active_params : numeric
        Parameters per token :math:`N` (dense) [parameters].
    kv_bytes_per_token : numeric
        KV cache per token of context :math:`\kappa` [bytes/token].
    context_tokens : float
        Context per sequence :math:`S` [tokens].
    weight_bytes_per_param : float
        Bytes per weight :math:`w` [bytes].
    peak_flop_per_s : float
        Peak dense throughput :math:`F` [FLOP/s].
    mem_bytes_per_s : float
        Memory bandwidth :math:`BW` [bytes/s].
    mfu, mbu : float
        Achievable shares of peak compute and bandwidth [unitless].

    Returns
    -------
    numeric
        Ridge batch :math:`B^*` [sequences]; ``inf`` when the KV reads grow faster with batch
        than the compute does, so the step never becomes compute-bound.

    Notes
    -----
    Setting the two terms of :func:`aiboom.inference.decode_step_seconds` equal, with
    :math:`r = F\,\mathrm{MFU} / (BW\,\mathrm{MBU})` [FLOP/byte]:

    .. math::

        \frac{2 N B}{F\,\mathrm{MFU}} = \frac{N w + B S \kappa}{BW\,\mathrm{MBU}}
        \;\Rightarrow\; B^* = \frac{r N w}{2 N - r S \kappa}

    With :math:`\kappa = 0` this is :func:`aiboom.inference.ridge_batch_size`.
    """
    ratio = peak_flop_per_s * mfu / (mem_bytes_per_s * mbu)
    n = np.asarray(active_params, dtype=float)
    denom = 2.0 * n - ratio * context_tokens * np.asarray(kv_bytes_per_token, dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(denom > 0, ratio * n * weight_bytes_per_param / denom, np.inf)
    return float(out) if out.ndim == 0 else out


def ridge_summary(models: Sequence[str], ridge_batches: ArrayLike) -> str:
    """One clause saying which models turn compute-bound, and at what batch.

    Parameters
    ----------
    models : sequence of str
        Model labels.
    ridge_batches : array-like
        Their ridge batches from :func:`ridge_batch_with_kv`; ``inf`` for never [sequences].

    Returns
    -------
    str
        A clause for the middle of a sentence.

    Examples
    --------
    >>> ridge_summary(["Small (8B)", "Big (70B)"], [float("inf"), 186.9])[:52]
    'the small model (8B) never becomes compute-bound, wh'
    >>> ridge_summary(["Small (8B)", "Big (70B)"], [float("inf"), 186.9])[52:]
    'ile the big model (70B) crosses over near a batch of 187'
    """
    def noun(label: str) -> str:  # "Small (8B)" -> "the small model (8B)"
        name, _, size = label.partition(" (")
        return f"the {name.lower()} model" + (f" ({size}" if size else "")

    pairs = list(zip(models, ridge_batches, strict=True))
    never = [noun(m) for m, b in pairs if not np.isfinite(b)]
    cross = [f"{noun(m)} crosses over near a batch of {b:,.0f}" for m, b in pairs
             if np.isfinite(b)]

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    if not cross:
        return f"none of the models ever becomes compute-bound ({join(never)})"
    if not never:
        return join(cross)
    verb = "never becomes" if len(never) == 1 else "never become"
    return f"{join(never)} {verb} compute-bound, while {join(cross)}"


# --------------------------------------------------------------------------------------------
# Cost per million output tokens: by accelerator and along the roofline
# --------------------------------------------------------------------------------------------


def with_registry_prices(accelerators: pd.DataFrame, registry: Mapping[str, Assumption]
                         ) -> pd.DataFrame:
    """``accelerators`` plus ``registry_usd_per_gpu_hour``: each chip's central GPU-hour price
    under the registry, by :func:`aiboom.montecarlo.accelerator_price_row` [USD/h]."""
    from aiboom.montecarlo import accelerator_price_row

    table = accelerators.set_index("id")
    prices = [accelerator_price_row(registry, table, i).central for i in accelerators["id"]]
    return accelerators.assign(registry_usd_per_gpu_hour=prices)


def decode_grid(xp: ModuleType, peak_flop_per_s: ArrayLike, mem_bytes_per_s: ArrayLike,
                usd_per_gpu_hour: ArrayLike, models: pd.DataFrame, batch_sizes: ArrayLike,
                setup: ServingSetup) -> tuple[Any, Any, Any]:
    r"""Roofline of dense decoding over chips x model sizes x batch sizes, on one backend.

    Parameters
    ----------
    xp : module
        Array module of the backend (``get_backend(...).xp``): NumPy, or CuPy on a GPU.
    peak_flop_per_s : array-like, shape (n_chips,)
        Peak dense throughput of each chip, :func:`serving_peak_flop_per_s` [FLOP/s].
    mem_bytes_per_s : array-like, shape (n_chips,)
        Memory bandwidth of each chip [bytes/s].
    usd_per_gpu_hour : array-like, shape (n_chips,)
        Price of one GPU-hour of each chip [USD/h].
    models : pandas.DataFrame
        From :func:`served_models` (``active_params``, ``kv_bytes_per_token``), n_models rows.
    batch_sizes : array-like, shape (n_batches,)
        Sequences decoded together [sequences].
    setup : ServingSetup
        Context, precision and utilisations (its ``batch_size`` is not used).

    Returns
    -------
    (tokens_per_s, usd_per_m_tokens, compute_bound)
        Arrays of ``xp``, shape ``(n_chips, n_models, n_batches)``: decode throughput of one
        GPU [tokens/s], hardware cost of a million output tokens [USD/Mtoken], and whether the
        step is compute-bound (its time equals the compute term) [bool].

    Notes
    -----
    Throughput is :func:`aiboom.inference.decode_tokens_per_second` of a one-GPU replica
    (dense: every active parameter read each step), cost
    :func:`aiboom.inference.usd_per_million_tokens` at the fleet utilisation; the step is
    compute-bound when :math:`B / \mathrm{tps} = 2 N B / (F\,\mathrm{MFU})`.
    """
    peak = xp.asarray(peak_flop_per_s, dtype=float)[:, None, None]
    bandwidth = xp.asarray(mem_bytes_per_s, dtype=float)[:, None, None]
    price = xp.asarray(usd_per_gpu_hour, dtype=float)[:, None, None]
    n = xp.asarray(models["active_params"].to_numpy(dtype=float))[None, :, None]
    kv = xp.asarray(models["kv_bytes_per_token"].to_numpy(dtype=float))[None, :, None]
    batch = xp.asarray(batch_sizes, dtype=float)[None, None, :]
    tps = inference.decode_tokens_per_second(
        n, batch, setup.context_tokens, setup.weight_bytes_per_param, kv, peak, bandwidth,
        setup.mfu_decode, setup.mbu)
    usd = inference.usd_per_million_tokens(tps, price, setup.utilization)
    compute_s = 2.0 * n * batch / (peak * setup.mfu_decode)
    return tps, usd, xp.isclose(batch / tps, compute_s)


def decode_cost_by_accelerator(accelerators: pd.DataFrame, models: pd.DataFrame,
                               setup: ServingSetup,
                               price_column: str = "rental_usd_per_hour_central",
                               backend: str | None = None) -> pd.DataFrame:
    """Decode throughput and hardware cost per million output tokens, chip by model size.

    Parameters
    ----------
    accelerators : pandas.DataFrame
        ``data/accelerators.csv`` (peak TFLOP/s, ``hbm_tb_per_s``, rental prices).
    models : pandas.DataFrame
        From :func:`served_models` (``model``, ``active_params``, ``kv_bytes_per_token``).
    setup : ServingSetup
        Batch, context, precision and utilisations.
    price_column : str, default "rental_usd_per_hour_central"
        Column of ``accelerators`` holding the price of one chip-hour [USD/h].
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"`` (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per chip and model: ``accelerator`` (short label), ``year``, ``model``,
        ``tokens_per_s_per_gpu`` [tokens/s], ``usd_per_gpu_hour`` [USD/h] and
        ``usd_per_m_tokens`` [USD/Mtoken], in the order of ``accelerators``; tagged as
        computed by ``serving.decode_cost_by_accelerator``.

    Notes
    -----
    :func:`decode_grid` at the setup's batch, all chips and models at once. Throughput per GPU
    is that of a one-GPU replica; with communication ignored it is the same per GPU for any
    tensor-parallel replica, so the cost per token does not depend on how many GPUs hold the
    weights.
    """
    be = get_backend(backend)
    price = accelerators[price_column].to_numpy(dtype=float)
    tps, usd, _ = decode_grid(
        be.xp, serving_peak_flop_per_s(accelerators, setup.weight_bytes_per_param),
        inference.accelerator_mem_bytes_per_s(accelerators).to_numpy(dtype=float), price,
        models, [setup.batch_size], setup)
    per_chip = len(models)
    return be.frame("serving.decode_cost_by_accelerator", {
        "accelerator": np.repeat(accelerators["name"].map(accelerator_label).to_numpy(),
                                 per_chip),
        "year": np.repeat(accelerators["year"].to_numpy(dtype=int), per_chip),
        "model": np.tile(models["model"].to_numpy(), len(accelerators)),
        "tokens_per_s_per_gpu": tps.ravel(),
        "usd_per_gpu_hour": np.repeat(price, per_chip),
        "usd_per_m_tokens": usd.ravel()})


def bandwidth_per_rental_usd(accelerators: pd.DataFrame,
                             price_column: str = "rental_usd_per_hour_central") -> pd.Series:
    """Memory bandwidth bought per dollar of rent, by accelerator.

    Parameters
    ----------
    accelerators : pandas.DataFrame
        ``data/accelerators.csv`` (``name``, ``hbm_tb_per_s`` [TB/s], rental prices [USD/h]).
    price_column : str, default "rental_usd_per_hour_central"
        Column holding the price of one chip-hour [USD/h].

    Returns
    -------
    pandas.Series
        ``hbm_tb_per_s / price`` [TB/s per USD/h], indexed by :func:`accelerator_label`. While
        decoding is memory-bound, the cost per token falls in proportion to it.
    """
    labels = accelerators["name"].map(accelerator_label)
    values = accelerators["hbm_tb_per_s"].to_numpy() / accelerators[price_column].to_numpy()
    return pd.Series(values, index=pd.Index(labels, name="accelerator"),
                     name="tb_per_s_per_usd_hour")


def roofline_sweep(accelerator: pd.Series, models: pd.DataFrame, setup: ServingSetup,
                   usd_per_gpu_hour: float, batch_sizes: ArrayLike = BATCH_SIZES,
                   backend: str | None = None) -> pd.DataFrame:
    """Decode throughput per GPU and cost per million tokens against batch size.

    Parameters
    ----------
    accelerator : pandas.Series
        One row of ``data/accelerators.csv``.
    models : pandas.DataFrame
        From :func:`served_models`.
    setup : ServingSetup
        Context, precision and utilisations (its ``batch_size`` is ignored).
    usd_per_gpu_hour : float
        Price of one GPU-hour [USD/h].
    batch_sizes : array-like, default BATCH_SIZES
        Sequences decoded together [sequences].
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"`` (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per model and batch: ``model``, ``batch_size`` [sequences],
        ``tokens_per_s_per_gpu`` [tokens/s], ``usd_per_m_tokens`` [USD/Mtoken] and ``bound``
        ("memory" or "compute"); tagged as computed by ``serving.roofline_sweep``.

    Notes
    -----
    :func:`decode_grid` on one chip, all models and batches at once.
    """
    be = get_backend(backend)
    batch = np.asarray(batch_sizes, dtype=float)
    tps, usd, compute_bound = decode_grid(
        be.xp, [serving_peak_flop_per_s(accelerator, setup.weight_bytes_per_param)],
        [inference.accelerator_mem_bytes_per_s(accelerator)], [usd_per_gpu_hour], models,
        batch, setup)
    return be.frame("serving.roofline_sweep", {
        "model": np.repeat(models["model"].to_numpy(), len(batch)),
        "batch_size": np.tile(batch, len(models)),
        "tokens_per_s_per_gpu": tps.ravel(), "usd_per_m_tokens": usd.ravel(),
        "bound": np.where(be.asnumpy(compute_bound).ravel(), "compute", "memory")})


# --------------------------------------------------------------------------------------------
# Monte Carlo of one query
# --------------------------------------------------------------------------------------------


class QueryCosts(NamedTuple):
    """Three Monte Carlo runs of one query on common random numbers."""

    plain: MonteCarloResult  # no query reasons (every sample kept)
    reasoning: MonteCarloResult  # every query reasons (every sample kept)
    mix: MonteCarloResult  # the registry's share of reasoning queries


def run_query_costs(registry: Mapping[str, Assumption], n_samples: int, seed: int,
                    backend: str | None = None, accelerator: Accelerator | None = None
                    ) -> QueryCosts:
    r"""Cost and energy of one query without reasoning, with it, and for the fleet's mix.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry (every id in :data:`aiboom.kernels.INPUTS`).
    n_samples : int
        Samples per run, capped at :data:`aiboom.montecarlo.EXACT_SAMPLE_LIMIT` because the
        per-sample ratio of the reasoning and plain runs needs every sample [samples].
    seed : int
        Root seed; all runs use it, so each sample sees the same hardware, model and prompt
        in every run (common random numbers).
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"``.
    accelerator : aiboom.kernels.Accelerator, optional
        Serving chip; the engine's H100 when omitted.

    Returns
    -------
    QueryCosts

    Notes
    -----
    The kernel's decode term scales with :math:`1 + r q_r`, where :math:`q_r` is the share of
    queries that reason (``reasoning_query_share``). The plain run fixes :math:`q_r = 0`, the
    reasoning run :math:`q_r = 1`, and the mix samples it, so that for every sample

    .. math::

        c_{mix} = (1 - q_r)\, c_{plain} + q_r\, c_{reasoning}
    """
    n = min(int(n_samples), EXACT_SAMPLE_LIMIT)
    constants = None if accelerator is None else accelerator._asdict()

    def run(share: float | None, keep: bool) -> MonteCarloResult:
        overrides = None if share is None else {"reasoning_query_share": share}
        return run_monte_carlo(registry, n, seed, backend=backend, overrides=overrides,
                               keep_samples=keep, constants=constants)

    return QueryCosts(plain=run(0.0, True), reasoning=run(1.0, True), mix=run(None, False))


def implied_token_cost(registry: Mapping[str, Assumption], n_samples: int, seed: int,
                       backend: str | None = None, accelerator: Accelerator | None = None
                       ) -> MonteCarloResult:
    """Monte Carlo of the hardware cost of one million output tokens of a frontier-class model.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry.
    n_samples : int
        Samples [samples].
    seed : int
        Root seed.
    backend : str, optional
        Array backend.
    accelerator : aiboom.kernels.Accelerator, optional
        Serving chip; the engine's H100 when omitted.

    Returns
    -------
    MonteCarloResult
        Its ``usd_per_query`` output is the cost of one million output tokens [USD/Mtoken].

    Notes
    -----
    A "query" of no input tokens, no reasoning and :data:`TOKENS_PER_MILLION` visible output
    tokens leaves only the decode term of :data:`aiboom.kernels.FORMULA`:
    :math:`10^6 \\, t_{dec}\\, p / (3600 \\rho)`. The context held during decode stays the
    registry's ``context_tokens``.
    """
    return run_monte_carlo(registry, n_samples, seed, backend=backend, overrides={
        "input_tokens_per_query": 0.0, "output_tokens_per_query": TOKENS_PER_MILLION,
        "reasoning_token_multiplier": 0.0, "cached_input_share": 0.0},
        constants=None if accelerator is None else accelerator._asdict())


def quantiles(values: ArrayLike) -> dict[str, float]:
    """5th, 50th and 95th percentiles of samples (inverted empirical CDF, as the engine uses).

    Returns
    -------
    dict
        ``p5``, ``p50``, ``p95`` [unit of ``values``].
    """
    q = np.quantile(np.asarray(values, dtype=float), [0.05, 0.5, 0.95], method="inverted_cdf")
    return {"p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}


def interval_row(label: str, result: MonteCarloResult, output: str) -> dict[str, object]:
    """``label``, ``p5``, ``p50``, ``p95`` of one Monte Carlo output [output unit]."""
    q = dict(zip(QUANTILE_LEVELS, result.quantiles[output], strict=True))
    return {"label": label, "p5": float(q[0.05]), "p50": float(q[0.5]), "p95": float(q[0.95])}


def histogram_frame(results: Mapping[str, MonteCarloResult], output: str,
                    merge_bins: int = 20, min_share: float = HISTOGRAM_MIN_SHARE,
                    scale: float = 1.0, backend: str | None = None) -> pd.DataFrame:
    """Histograms of one output from several runs, with coarser bins and empty tails trimmed.

    Parameters
    ----------
    results : mapping of str to MonteCarloResult
        Label to run.
    output : str
        Output name, e.g. ``"usd_per_query"``.
    merge_bins : int, default 20
        Adjacent bins merged into one (500 per decade become 25) [bins].
    min_share : float, default HISTOGRAM_MIN_SHARE
        Share of samples a bin needs to count as used when the empty tails are trimmed
        [fraction].
    scale : float, default 1
        Factor applied to the bin edges, e.g. 100 for US dollars shown as cents [unitless].
    backend : str, optional
        The backend of the runs (:func:`aiboom.backend.get_backend`), named in the tag.

    Returns
    -------
    pandas.DataFrame
        ``bin_low``, ``bin_high`` [output unit times ``scale``], ``share`` [fraction of
        samples] and ``query`` (the label), over the bins between the first and last used bin
        of any run; tagged as computed by ``serving.histogram_frame``.
    """
    frames = [r.histograms[output].coarsen(merge_bins).to_frame().assign(query=label)
              for label, r in results.items()]
    full = pd.concat(frames, ignore_index=True)
    used = full.loc[full["share"] >= min_share, "bin_low"]
    keep = full["bin_low"].between(used.min(), used.max())
    out = full.loc[keep, ["bin_low", "bin_high", "share", "query"]].reset_index(drop=True)
    out[["bin_low", "bin_high"]] *= scale
    return get_backend(backend).frame("serving.histogram_frame",
                                      {c: out[c].to_numpy() for c in out.columns})


# --------------------------------------------------------------------------------------------
# Cost against users
# --------------------------------------------------------------------------------------------


def cost_against_users(users: ArrayLike, products: Mapping[str, tuple[float, float]],
                       price_usd_per_month: float, backend: str | None = None
                       ) -> pd.DataFrame:
    """Yearly cost, cost per user and margin of products against their number of users.

    Parameters
    ----------
    users : array-like
        Paying users [users].
    products : mapping of str to (float, float)
        Label to (fixed cost of the year [USD], cost per user per year [USD/user]). For
        software the per-user cost is hosting and support; for a generative-AI product it is
        queries per year times cost per query.
    price_usd_per_month : float
        Subscription price [USD/user/month].
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"`` (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per product and user count: ``product``, ``users``, ``total_usd`` [USD/yr],
        ``per_user_usd`` [USD/user/yr] and ``margin`` [fraction of revenue]; tagged as
        computed by ``serving.cost_against_users``.

    Notes
    -----
    Cost is :func:`aiboom.economics.software_cost_curve` (:math:`F + c u`) and the margin
    :func:`aiboom.economics.gross_margin` with revenue :math:`12 P u` [USD/yr], over products
    x user counts at once; the fixed cost is charged in full to the first year.
    """
    be = get_backend(backend)
    xp = be.xp
    u = xp.asarray(users, dtype=float)[None, :]
    fixed = xp.asarray([f for f, _ in products.values()], dtype=float)[:, None]
    per_user = xp.asarray([c for _, c in products.values()], dtype=float)[:, None]
    curve = economics.software_cost_curve(u, fixed, per_user)
    margin = economics.gross_margin(MONTHS_PER_YEAR * price_usd_per_month * u, curve.total_usd)
    grid = (len(products), u.shape[1])
    return be.frame("serving.cost_against_users", {
        "product": np.repeat(np.asarray(list(products), dtype=object), u.shape[1]),
        "users": xp.broadcast_to(u, grid).ravel(), "total_usd": curve.total_usd.ravel(),
        "per_user_usd": curve.per_user_usd.ravel(), "margin": margin.ravel()})


SOFTWARE = "Traditional software"
#: Row labels of :func:`energy_intervals`.
ENERGY_PLAIN = "Model: answer written directly"
ENERGY_MIX = "Model: fleet mix"
ENERGY_REASONING = "Model: reasoning model"
ENERGY_PUBLISHED = "Published, typical query"
AI_TYPICAL = "Generative AI, typical subscriber"
AI_HEAVY = "Generative AI, heavy reasoning user"


def subscription_products(registry: Mapping[str, Assumption], usd_per_query_typical: float,
                          usd_per_query_heavy: float) -> dict[str, tuple[float, float]]:
    """Fixed cost and yearly cost per user of a software product and two AI subscribers.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``software_fixed_cost_usd``, ``software_marginal_usd_per_user_month``,
        ``ai_training_fixed_cost_usd`` and ``queries_per_paid_user_per_day`` (central for the
        typical subscriber, high for the heavy user).
    usd_per_query_typical : float
        Cost of an average query of the fleet's mix [USD/query].
    usd_per_query_heavy : float
        Cost of a query answered by a reasoning model [USD/query].

    Returns
    -------
    dict of str to (float, float)
        Label to (fixed cost [USD], cost per user per year [USD/user/yr]), the input of
        :func:`cost_against_users`. The AI products count compute only: no hosting or support.
    """
    queries = registry["queries_per_paid_user_per_day"]
    ai_fixed = registry["ai_training_fixed_cost_usd"].central
    return {
        SOFTWARE: (registry["software_fixed_cost_usd"].central,
                   MONTHS_PER_YEAR * registry["software_marginal_usd_per_user_month"].central),
        AI_TYPICAL: (ai_fixed, DAYS_PER_YEAR * queries.central * usd_per_query_typical),
        AI_HEAVY: (ai_fixed, DAYS_PER_YEAR * queries.high * usd_per_query_heavy),
    }


def margins_at(users: float, registry: Mapping[str, Assumption],
               typical: Mapping[str, float], heavy: Mapping[str, float],
               price_usd_per_month: float, backend: str | None = None) -> pd.DataFrame:
    """Margin of each product at one user count, with the interval the query cost implies.

    Parameters
    ----------
    users : float
        Paying users [users].
    registry : mapping of str to Assumption
        As in :func:`subscription_products`.
    typical, heavy : mapping
        ``p5``, ``p50``, ``p95`` of the cost of a typical and of a reasoning query [USD/query].
    price_usd_per_month : float
        Subscription price [USD/user/month].
    backend : str, optional
        Array backend of :func:`cost_against_users`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``product``: ``p50``, ``p5``, ``p95`` of the margin [fraction]. The margin's
        5th percentile comes with the query cost's 95th.
    """
    by_q = {}
    for q in ("p5", "p50", "p95"):
        products = subscription_products(registry, typical[q], heavy[q])
        by_q[q] = cost_against_users([users], products, price_usd_per_month, backend) \
            .set_index("product")["margin"]
    return pd.DataFrame({"p50": by_q["p50"], "p5": by_q["p95"], "p95": by_q["p5"]})


# --------------------------------------------------------------------------------------------
# API list prices against the model's cost
# --------------------------------------------------------------------------------------------


def api_price_points(api_prices: pd.DataFrame, tier: str = "frontier") -> pd.DataFrame:
    """Dated list prices of one tier: each price on the day it took effect.

    Parameters
    ----------
    api_prices : pandas.DataFrame
        ``data/api_prices.csv``.
    tier : str, default "frontier"
        Capability tier to keep.

    Returns
    -------
    pandas.DataFrame
        ``vendor``, ``model``, ``date`` (``from_date``, else ``release_date``),
        ``output_usd_per_m`` and ``input_usd_per_m`` [USD/Mtoken]; rows with neither date are
        dropped. Sorted by date.
    """
    df = api_prices[api_prices["tier"] == tier].copy()
    df["date"] = df["from_date"].fillna(df["release_date"])
    df = df.dropna(subset=["date"])
    return (df[["vendor", "model", "date", "output_usd_per_m", "input_usd_per_m"]]
            .sort_values(["date", "vendor", "model"], ignore_index=True))


def token_cost_band(dates: pd.Series, token_cost: MonteCarloResult,
                    backend: str | None = None) -> pd.DataFrame:
    """The model's cost of a million output tokens as a band across the dates of the prices.

    Parameters
    ----------
    dates : pandas.Series
        Dates of the list prices it is drawn against, e.g. ``api_price_points(...)["date"]``.
    token_cost : MonteCarloResult
        From :func:`implied_token_cost` (its ``usd_per_query`` is the cost of a million output
        tokens) [USD/Mtoken].
    backend : str, optional
        The backend of the run (:func:`aiboom.backend.get_backend`), named in the tag.

    Returns
    -------
    pandas.DataFrame
        Two rows, at the first and last date: ``date``, ``low``, ``mid``, ``high`` (5th, 50th
        and 95th percentiles) [USD/Mtoken]; tagged as computed by ``serving.token_cost_band``.
    """
    q = interval_row("implied", token_cost, "usd_per_query")
    return get_backend(backend).frame("serving.token_cost_band", {
        "date": [dates.min(), dates.max()],
        **{name: np.full(2, q[level]) for name, level in
           (("low", "p5"), ("mid", "p50"), ("high", "p95"))}})


def price_cost_margin(price_usd_per_m: ArrayLike, cost_usd_per_m: ArrayLike
                      ) -> np.ndarray | float:
    r"""
    Gross margin of selling tokens at a list price that cost ``cost_usd_per_m`` to make.

    Parameters
    ----------
    price_usd_per_m : numeric
        List price [USD/Mtoken].
    cost_usd_per_m : numeric
        Hardware cost of the same tokens [USD/Mtoken].

    Returns
    -------
    numeric
        :math:`1 - c/p` [fraction of revenue].

    Examples
    --------
    >>> price_cost_margin(10.0, 2.0)
    0.8
    """
    return economics.gross_margin(price_usd_per_m, cost_usd_per_m)


# --------------------------------------------------------------------------------------------
# Inference spend against the training bill
# --------------------------------------------------------------------------------------------


def breakeven_days(training_cost_usd: ArrayLike, queries_per_day: ArrayLike,
                   usd_per_query: ArrayLike) -> np.ndarray | float:
    r"""
    Days of serving after which cumulative inference spend equals the training cost.

    Parameters
    ----------
    training_cost_usd : numeric
        Cost of the training run :math:`T` [USD].
    queries_per_day : numeric
        Queries served per day :math:`q`, positive [queries/day].
    usd_per_query : numeric
        Cost of an average query :math:`c`, positive [USD/query].

    Returns
    -------
    numeric
        :math:`T / (q c)` [days].

    Examples
    --------
    A 100 million USD run, a billion queries a day at a tenth of a cent: 100 days.

    >>> breakeven_days(1e8, 1e9, 1e-3)
    100.0
    """
    q = np.asarray(queries_per_day, dtype=float)
    c = np.asarray(usd_per_query, dtype=float)
    if np.any(q <= 0) or np.any(c <= 0):
        raise ValueError("queries_per_day and usd_per_query must be positive")
    out = np.asarray(training_cost_usd, dtype=float) / (q * c)
    return float(out) if out.ndim == 0 else out


def breakeven_quantiles(training_cost_usd: float, queries_per_day: float,
                        usd_per_query: Mapping[str, float]) -> dict[str, float]:
    """Quantiles of the break-even day from quantiles of the cost per query.

    Parameters
    ----------
    training_cost_usd : float
        Cost of the training run [USD].
    queries_per_day : float
        Queries per day [queries/day].
    usd_per_query : mapping
        ``p5``, ``p50``, ``p95`` of the cost of an average query [USD/query].

    Returns
    -------
    dict
        ``p5``, ``p50``, ``p95`` of :func:`breakeven_days` [days]. The break-even day falls as
        the cost rises, so its 5th percentile comes from the cost's 95th.

    Examples
    --------
    >>> breakeven_quantiles(1e8, 1e9, {"p5": 5e-4, "p50": 1e-3, "p95": 2e-3})
    {'p5': 50.0, 'p50': 100.0, 'p95': 200.0}
    """
    days = {q: float(breakeven_days(training_cost_usd, queries_per_day, usd_per_query[q]))
            for q in ("p5", "p50", "p95")}
    return {"p5": days["p95"], "p50": days["p50"], "p95": days["p5"]}


def cumulative_spend(horizon_days: float, queries_per_day: float,
                     usd_per_query: Mapping[str, float], n_points: int = 61,
                     backend: str | None = None) -> pd.DataFrame:
    """Cumulative inference spend after each day, at the cost-per-query quantiles.

    Parameters
    ----------
    horizon_days : float
        Last day shown, positive [days].
    queries_per_day : float
        Queries per day [queries/day].
    usd_per_query : mapping
        ``p5``, ``p50``, ``p95`` of the cost of an average query [USD/query].
    n_points : int, default 61
        Days on the grid from 0 to ``horizon_days``.
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"`` (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        ``day`` [days], ``low``, ``mid``, ``high`` [USD million]: spend :math:`d q c / 10^6`
        at the cost's 5th, 50th and 95th percentiles, days x quantiles at once; tagged as
        computed by ``serving.cumulative_spend``.
    """
    if not horizon_days > 0:
        raise ValueError(f"horizon_days must be positive; got {horizon_days}")
    be = get_backend(backend)
    xp = be.xp
    d = xp.linspace(0.0, float(horizon_days), n_points)
    cost = xp.asarray([usd_per_query[q] for q in ("p5", "p50", "p95")], dtype=float)
    spend = (d * queries_per_day / 1e6)[:, None] * cost[None, :]
    return be.frame("serving.cumulative_spend", {"day": d, "low": spend[:, 0],
                                                 "mid": spend[:, 1], "high": spend[:, 2]})


def electricity_usd_per_gpu_hour(server_watts_per_gpu: ArrayLike, pue: ArrayLike,
                                 usd_per_kwh: ArrayLike) -> np.ndarray | float:
    r"""
    Electricity bill of one GPU-hour, server share and facility overhead included.

    Parameters
    ----------
    server_watts_per_gpu : numeric
        All-in IT power per GPU :math:`W` [W].
    pue : numeric
        Power usage effectiveness, at least 1 [unitless].
    usd_per_kwh : numeric
        Electricity price :math:`p` [USD/kWh].

    Returns
    -------
    numeric
        :math:`W \, \mathrm{PUE}\, p / 1000` [USD/GPU-hour].

    Examples
    --------
    >>> round(electricity_usd_per_gpu_hour(1000.0, 1.2, 0.1), 3)
    0.12
    """
    return inference.wh_per_query(3600.0, server_watts_per_gpu, pue) / 1000.0 * usd_per_kwh


# --------------------------------------------------------------------------------------------
# Charts the generic builders cannot draw
# --------------------------------------------------------------------------------------------


def chart_cost_by_accelerator(df: pd.DataFrame, accelerator_order: Sequence[str]) -> alt.Chart:
    """Dot plot: cost per million output tokens (log x) by accelerator (rows), one colour per
    model size.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`decode_cost_by_accelerator`.
    accelerator_order : sequence of str
        Row order of the accelerators (e.g. by launch year).
    """
    ticks = log_ticks(df["usd_per_m_tokens"].min(), df["usd_per_m_tokens"].max())
    return alt.Chart(df).mark_point(filled=True, size=90, opacity=0.9).encode(
        y=alt.Y("accelerator:N", sort=list(accelerator_order), title=None),
        x=alt.X("usd_per_m_tokens:Q", scale=alt.Scale(type="log"),
                title="Hardware cost, US$ per million output tokens",
                axis=alt.Axis(format="$,.2~f", values=ticks)),
        color=alt.Color("model:N", title=None, sort=list(dict.fromkeys(df["model"]))),
        tooltip=[alt.Tooltip("accelerator:N", title="Accelerator"),
                 alt.Tooltip("model:N", title="Model"),
                 alt.Tooltip("usd_per_m_tokens:Q", title="US$ per million tokens",
                             format="$,.3f"),
                 alt.Tooltip("tokens_per_s_per_gpu:Q", title="Tokens/s per GPU",
                             format=",.0f"),
                 alt.Tooltip("usd_per_gpu_hour:Q", title="US$ per GPU-hour", format="$,.2f")],
    ).properties(height=220)


def log_ticks(low: float, high: float, steps: Sequence[float] = (1.0, 2.0, 5.0)
              ) -> list[float]:
    """Tick values for a log axis: ``steps`` times each power of ten, from the decade below
    ``low`` to the decade above ``high``.

    Examples
    --------
    >>> log_ticks(0.15, 3.0)
    [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    """
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high; got {low}, {high}")
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    ticks = [float(f"{step * 10.0 ** k:.12g}") for k in range(first, last) for step in steps]
    return [*ticks, float(f"{10.0 ** last:.12g}")]


def chart_intervals(df: pd.DataFrame, *, x_title: str, x_format: str = ",.2f",
                    log_x: bool = True) -> alt.LayerChart:
    """Median dots with 5th-95th percentile bars, one row per label.

    Parameters
    ----------
    df : pandas.DataFrame
        ``label``, ``p5``, ``p50``, ``p95`` (e.g. from :func:`interval_row`) and ``kind``
        (colour group).
    x_title : str
        Axis title with its unit.
    x_format : str, default ",.2f"
        d3 number format of the axis and tooltips.
    log_x : bool, default True
        Log scale on x.
    """
    scale = alt.Scale(type="log") if log_x else alt.Scale(zero=False)
    order = list(df["label"])
    base = alt.Chart(df).encode(
        y=alt.Y("label:N", sort=order, title=None),
        color=alt.Color("kind:N", title=None))
    bar = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("p5:Q", scale=scale, title=x_title, axis=alt.Axis(format=x_format)),
        x2="p95:Q")
    dot = base.mark_point(filled=True, size=90).encode(
        x="p50:Q",
        tooltip=[alt.Tooltip("label:N", title=""),
                 alt.Tooltip("p50:Q", title="Median", format=x_format),
                 alt.Tooltip("p5:Q", title="5th percentile", format=x_format),
                 alt.Tooltip("p95:Q", title="95th percentile", format=x_format)])
    return alt.layer(bar, dot).properties(height=max(120, 40 * len(order)))


def chart_roofline(sweep: pd.DataFrame, ridge_batch: float) -> alt.LayerChart:
    """Decode throughput per GPU against batch (log-log), one line per model, with a dashed
    rule at the weight-only ridge batch.

    Parameters
    ----------
    sweep : pandas.DataFrame
        From :func:`roofline_sweep`.
    ridge_batch : float
        Batch of the dashed rule [sequences].
    """
    line = charts.lines(sweep, x="batch_size", y="tokens_per_s_per_gpu", color="model",
                        x_title="Conversations decoded together (batch)",
                        y_title="Output tokens per second per GPU", log_x=True, log_y=True,
                        x_format="~g", y_format=",.0f")
    rule = alt.Chart(pd.DataFrame({"batch": [ridge_batch]})).mark_rule(
        strokeDash=[4, 3], color="#333").encode(
        x="batch:Q", tooltip=[alt.Tooltip("batch:Q", title="Ridge batch", format=",.0f")])
    return alt.layer(line, rule)


def chart_prices_against_cost(price_points: pd.DataFrame, band: pd.DataFrame,
                              cost_label: str) -> alt.LayerChart:
    """List prices as dots over time (log y), coloured by vendor, over a grey band of the
    model's cost per token.

    Parameters
    ----------
    price_points : pandas.DataFrame
        From :func:`api_price_points`.
    band : pandas.DataFrame
        From :func:`token_cost_band`: ``date``, ``low``, ``mid``, ``high`` [USD/Mtoken].
    cost_label : str
        Legend entry of the band.
    """
    y_title = "US$ per million output tokens"
    vendors = sorted(price_points["vendor"].unique())
    color = charts.color("series", [*vendors, cost_label], legend=alt.Legend(symbolOpacity=1.0))
    y_scale = alt.Scale(type="log")
    base = alt.Chart(band.assign(series=cost_label)).encode(
        x=alt.X("date:T", title="Date the price took effect"))
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=y_title, scale=y_scale, axis=alt.Axis(format="$,.2~f")),
        y2="high:Q", color=color)
    line = base.mark_line(strokeDash=[4, 3]).encode(
        y=alt.Y("mid:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("mid:Q", title="Model cost, median", format="$,.2f"),
                 alt.Tooltip("low:Q", title="5th percentile", format="$,.2f"),
                 alt.Tooltip("high:Q", title="95th percentile", format="$,.2f")])
    points = alt.Chart(price_points.assign(series=price_points["vendor"])).mark_point(
        filled=True, opacity=0.85, size=50).encode(
        x="date:T", y=alt.Y("output_usd_per_m:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("vendor:N", title="Vendor"), alt.Tooltip("model:N", title="Model"),
                 alt.Tooltip("date:T", title="From", format="%b %Y"),
                 alt.Tooltip("output_usd_per_m:Q", title="Output, US$/M tokens",
                             format="$,.2f")])
    return alt.layer(area, line, points)


def chart_breakeven(spend: pd.DataFrame, training_costs_usd_m: Mapping[str, float],
                    spend_label: str) -> alt.LayerChart:
    """Cumulative inference spend (band) against days, with dashed training-cost lines; the
    y axis stops at :data:`BREAKEVEN_Y_HEADROOM` times the larger training cost.

    Parameters
    ----------
    spend : pandas.DataFrame
        From :func:`cumulative_spend` [USD million].
    training_costs_usd_m : mapping of str to float
        Label to training cost [USD million].
    spend_label : str
        Legend entry of the band.
    """
    top = BREAKEVEN_Y_HEADROOM * max(training_costs_usd_m.values())
    y_scale = alt.Scale(domain=[0.0, top])
    color = alt.Color("series:N", title=None)
    base = alt.Chart(spend.assign(series=spend_label)).encode(
        x=alt.X("day:Q", title="Days of serving"))
    area = base.mark_area(opacity=0.2, clip=True).encode(
        y=alt.Y("low:Q", title="US$ million", scale=y_scale, axis=alt.Axis(format="$,.0f")),
        y2="high:Q", color=color)
    line = base.mark_line(clip=True).encode(
        y=alt.Y("mid:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("day:Q", title="Day", format=",.1f"),
                 alt.Tooltip("mid:Q", title="Spend, median, US$ million", format="$,.0f"),
                 alt.Tooltip("low:Q", title="5th percentile", format="$,.0f"),
                 alt.Tooltip("high:Q", title="95th percentile", format="$,.0f")])
    lines_ = pd.DataFrame({"y": list(training_costs_usd_m.values()),
                           "label": list(training_costs_usd_m)})
    rules = alt.Chart(lines_).mark_rule(strokeDash=[4, 3], color="#333").encode(
        y=alt.Y("y:Q", scale=y_scale),
        tooltip=[alt.Tooltip("label:N", title=""),
                 alt.Tooltip("y:Q", title="US$ million", format="$,.0f")])
    text = alt.Chart(lines_).mark_text(align="right", dx=-4, dy=-6, fontSize=11).encode(
        y=alt.Y("y:Q", scale=y_scale), x=alt.value("width"), text="label:N")
    return alt.layer(area, line, rules, text)


def energy_intervals(costs: QueryCosts, published: Assumption,
                     backend: str | None = None) -> pd.DataFrame:
    """Energy per query of the model's three query kinds beside the published range.

    Parameters
    ----------
    costs : QueryCosts
        From :func:`run_query_costs`.
    published : Assumption
        The registry row ``wh_per_query_reference`` (low, central, high) [Wh/query].
    backend : str, optional
        The backend of the runs (:func:`aiboom.backend.get_backend`), named in the tag.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``p5``, ``p50``, ``p95`` [Wh/query] and ``kind`` ("aiboom model" or
        "Published estimates"); for the published row the bounds are the registry's low and
        high. Tagged as computed by ``serving.energy_intervals``.
    """
    rows = [
        {**interval_row(ENERGY_PLAIN, costs.plain, "wh_per_query_fleet"), "kind": "aiboom model"},
        {**interval_row(ENERGY_MIX, costs.mix, "wh_per_query_fleet"), "kind": "aiboom model"},
        {**interval_row(ENERGY_REASONING, costs.reasoning, "wh_per_query_fleet"),
         "kind": "aiboom model"},
        {"label": ENERGY_PUBLISHED, "p5": published.low, "p50": published.central,
         "p95": published.high, "kind": "Published estimates"},
    ]
    return get_backend(backend).frame("serving.energy_intervals", {
        "label": [r["label"] for r in rows],
        **{q: np.array([r[q] for r in rows], dtype=float) for q in ("p5", "p50", "p95")},
        "kind": [r["kind"] for r in rows]})


def median_markers(values: Sequence[float], scale: float = 1.0,
                   unit: str = "¢") -> pd.DataFrame:
    """Marker rules for :func:`aiboom.charts.histogram`: ``x`` and a short ``label``.

    Parameters
    ----------
    values : sequence of float
        Where the rules go [output unit].
    scale : float, default 1
        Factor applied to the value in the label [unitless].
    unit : str, default "¢"
        Unit written after the value in the label.

    Examples
    --------
    >>> median_markers([1.234])["label"].tolist()
    ['1.23¢']
    """
    return pd.DataFrame({"x": list(values),
                         "label": [f"{v * scale:.2f}{unit}" for v in values]})


# --------------------------------------------------------------------------------------------
# Computed sentences: each claim of the chapter chosen by the numbers it depends on
# --------------------------------------------------------------------------------------------

_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


def count_word(n: int) -> str:
    """A count as the prose writes it: words up to twelve, digits above.

    >>> count_word(7), count_word(26)
    ('seven', '26')
    """
    n = int(n)
    return _COUNT_WORDS[n] if 0 <= n < len(_COUNT_WORDS) else f"{n:,}"


def accelerator_ids_by_label(accelerators: pd.DataFrame) -> dict[str, str]:
    """Chart label (:func:`accelerator_label`) to the chip's id in ``data/accelerators.csv``."""
    return {accelerator_label(n): i for n, i in zip(accelerators["name"], accelerators["id"],
                                                   strict=True)}


def newer_not_cheaper_sentence(by_chip: pd.DataFrame, tb_per_s_per_usd_hour: pd.Series) -> str:
    """Whether a newer accelerator can cost more per token than an older one, with an example.

    Parameters
    ----------
    by_chip : pandas.DataFrame
        One model's rows of :func:`decode_cost_by_accelerator`: ``accelerator``, ``year`` and
        ``usd_per_m_tokens`` [USD/Mtoken].
    tb_per_s_per_usd_hour : pandas.Series
        :func:`bandwidth_per_rental_usd`, indexed by the same labels [TB/s per USD/h].

    Returns
    -------
    str
        One sentence. Where some chip released in a later year costs more per token than one
        released earlier, it names the pair with the largest cost ratio; otherwise it says that
        each newer chip is cheaper.
    """
    rows = list(zip(by_chip["accelerator"], by_chip["year"], by_chip["usd_per_m_tokens"],
                    strict=True))
    pairs = [(new_cost / old_cost, new, new_year, old, old_year)
             for old, old_year, old_cost in rows for new, new_year, new_cost in rows
             if new_year > old_year and new_cost > old_cost]
    if not pairs:
        return ("Here each newer accelerator is also cheaper per token than every older one: "
                "memory bandwidth has grown faster than rent.")
    ratio, new, new_year, old, old_year = max(pairs)
    because = (", because it buys less memory bandwidth per dollar of rent"
               if tb_per_s_per_usd_hour[new] < tb_per_s_per_usd_hour[old] else "")
    return (f"Newer is not automatically cheaper per token: the {new} ({new_year}) costs "
            f"{ratio:.2g} times as much per token as the {old} ({old_year}){because}.")


def bandwidth_lead(cheapest_tb_per_s_per_usd: float, dearest_tb_per_s_per_usd: float) -> str:
    """Lead of the sentence comparing bandwidth per rental dollar of the cheapest and dearest chip.

    Parameters
    ----------
    cheapest_tb_per_s_per_usd, dearest_tb_per_s_per_usd : float
        Memory bandwidth per rental dollar of the chips cheapest and dearest per token
        [TB/s per USD/h].

    Returns
    -------
    str
        A clause ending in a colon, ahead of the two numbers.
    """
    if cheapest_tb_per_s_per_usd > dearest_tb_per_s_per_usd:
        return ("Because decoding waits on memory, what decides the ranking is memory "
                "bandwidth bought per dollar of rent:")
    return ("Memory bandwidth bought per dollar of rent does not decide the ranking on its own "
            "here, because the arithmetic limits some chips first:")


def doubling_gain(sweep: pd.DataFrame) -> float:
    """Smallest gain in throughput, over the models, from the first doubling of the batch.

    Parameters
    ----------
    sweep : pandas.DataFrame
        :func:`roofline_sweep` (``model``, ``batch_size``, ``tokens_per_s_per_gpu``).

    Returns
    -------
    float
        Minimum over models of throughput at the second-smallest batch over throughput at the
        smallest [ratio]; 2 when a doubling of the batch doubles the output.
    """
    table = sweep.pivot(index="batch_size", columns="model", values="tokens_per_s_per_gpu")
    table = table.sort_index()
    return float((table.iloc[1] / table.iloc[0]).min())


def batch_doubling_sentence(bounds_at_smallest: Sequence[str], gain: float) -> str:
    """What a small batch is limited by, and what doubling it does to output.

    Parameters
    ----------
    bounds_at_smallest : sequence of str
        ``bound`` of each model at the smallest batch ("memory" or "compute").
    gain : float
        :func:`doubling_gain` of the batch [ratio].

    Returns
    -------
    str
        One sentence.
    """
    if any(b != "memory" for b in bounds_at_smallest):
        return ("Even a single conversation keeps some model's arithmetic busy, so for it a "
                "larger batch adds little output.")
    lead = ("At small batches every model is memory-bound, waiting on reads of its weights "
            "rather than on arithmetic")
    if gain >= 1.8:
        return lead + ", and doubling the batch nearly doubles the output for the same cost."
    return (lead + f", yet doubling the batch raises the output by only {gain - 1:.0%}, "
            "because each conversation adds its own cache to read.")


def subscriber_margin_sentence(typical_p50: float, heavy_p5: float, heavy_p50: float) -> str:
    """What the margins at a flat price say about typical and heavy subscribers.

    Parameters
    ----------
    typical_p50 : float
        Median margin on a typical subscriber [fraction of revenue].
    heavy_p5, heavy_p50 : float
        5th percentile and median margin on a heavy reasoning user [fraction of revenue].

    Returns
    -------
    str
        One or two sentences.
    """
    if typical_p50 <= 0:
        head = ("Even so the result is a different kind of business: even the typical "
                "subscriber costs more in compute than they pay")
    elif heavy_p50 < 0:
        head = ("Even so the result is a different kind of business: the typical subscriber is "
                "profitable, the heavy user costs more to serve than they pay")
    else:
        head = ("Even so the result is a different kind of business: both subscribers are "
                "profitable at the median, but the heavy user leaves far less margin")
    head += ", and a flat price hands the bill for heavy use to the seller."
    if heavy_p50 >= 0 and heavy_p5 < 0:
        head += " In the costlier draws the heavy user loses money."
    elif heavy_p5 >= 0:
        head += " Across the interval even the heavy user pays for their compute."
    return head


def list_price_sentence(price_cost_ratio_p5: float, price_cost_ratio_p50: float) -> str:
    """Whether list prices cover the hardware cost of a token, and where that points.

    Parameters
    ----------
    price_cost_ratio_p5, price_cost_ratio_p50 : float
        Median frontier output price over the model's cost: at the cost's 95th percentile
        and at its median [ratio].

    Returns
    -------
    str
        One sentence.
    """
    if price_cost_ratio_p5 >= 2.0:
        return ("Per token, selling at list prices covers the hardware with room to spare, so "
                "wherever AI companies lose money, the price of a token is not the first place "
                "to look: free use, flat-price subscriptions and training are.")
    if price_cost_ratio_p50 > 1.0:
        return ("Per token, selling at list prices covers the hardware at the median cost, "
                "but not with room to spare across the range, so the price of a token is one "
                "place AI companies can lose money, beside free use, flat-price subscriptions "
                "and training.")
    return ("Per token, selling at list prices does not even cover the hardware at the median "
            "cost, so the price of a token is the first place to look for losses.")


def current_price_lead(n_models: int) -> str:
    """Start of the sentence stating the median standard price of the frontier-tier models on
    sale, ending where the price follows.

    >>> current_price_lead(1)
    'The one frontier-tier model on sale today has a standard output price of'
    """
    if n_models == 1:
        return "The one frontier-tier model on sale today has a standard output price of"
    return (f"The median standard output price of the {count_word(n_models)} frontier-tier "
            "models on sale today is")


def reasoning_tokens_sentence(pass_through: float) -> str:
    """How the cost of reasoning compares with the tokens it writes.

    Parameters
    ----------
    pass_through : float
        Median over the draws of the reasoning query's cost over the plain one's, divided by
        the output tokens written with reasoning over without (:math:`1 + r`) [ratio]; 1 when
        the cost grows exactly with the tokens written.

    Returns
    -------
    str
        One sentence.
    """
    if pass_through < 0.5:
        return ("In a typical draw the cost rises much less than the number of tokens written, "
                "because reading the prompt costs the same either way and dominates.")
    if pass_through < 0.9:
        return ("In a typical draw the cost rises less than the number of tokens written, "
                "because reading the prompt costs the same either way.")
    if pass_through < 1.0:
        return ("In a typical draw the cost rises a little less than the number of tokens "
                "written, because reading the prompt costs the same either way.")
    return ("In a typical draw the cost rises at least as fast as the number of tokens "
            "written.")


def training_bill_sentence(days_p50: float, days_p95: float) -> str:
    """Whether a service at scale outspends the training run within a year.

    Parameters
    ----------
    days_p50, days_p95 : float
        Median and 95th percentile of the days of serving until inference spend passes the
        larger (rented) training cost [days]; ``inf`` for never.

    Returns
    -------
    str
        Two sentences.
    """
    if days_p95 < DAYS_PER_YEAR:
        return ("Inference thus outspends the training run within a year even at the top of "
                "the interval, so over a model's working life the training run is the smaller "
                "bill. That is why reasoning matters so much: it multiplies the larger one.")
    if days_p50 < DAYS_PER_YEAR:
        return ("Inference thus outspends the training run within a year at the median, though "
                "not at the top of the interval, so over a model's working life the training "
                "run is usually the smaller bill. That is why reasoning matters so much: it "
                "multiplies what is usually the larger one.")
    return ("Inference takes more than a year to outspend the training run at the median, so "
            "for a model replaced within a year the training run remains the larger bill. "
            "Reasoning still matters: it multiplies the bill that keeps growing.")


def serving_decides_sentence(days_p50: float, days_p95: float) -> str:
    """Closing sentence: does serving, rather than training, decide the economics?

    Parameters
    ----------
    days_p50, days_p95 : float
        Median and 95th percentile of the days until inference spend at scale passes the
        rented training cost [days]; ``inf`` for never.

    Returns
    -------
    str
        One sentence.
    """
    lead = ("At the scale of the largest services, inference spending passes the cost of the "
            "reference training run ")
    tail = ("and serving costs scale with exactly the heavy use that flat-price subscriptions "
            "invite.")
    if days_p95 < DAYS_PER_YEAR:
        return (lead + f"within {days_p95:.0f} days even at the top of the interval, so the "
                "economics of AI are decided by serving, " + tail)
    if days_p50 < DAYS_PER_YEAR:
        top = (f"{days_p95 / DAYS_PER_YEAR:.2g} years at the top of the interval"
               if np.isfinite(days_p95) else "never at the top of the interval")
        return (lead + f"within a year at the median ({top}), so serving usually weighs more "
                "than training, " + tail)
    when = (f"only after {days_p50 / DAYS_PER_YEAR:.2g} years at the median"
            if np.isfinite(days_p50) else "not at all at the median")
    return (lead + when + ", so training and serving both decide the economics of AI, " + tail)


def times_phrase(ratio: float) -> str:
    """``ratio`` as a multiplier ahead of "the ...": "about the same as" near one.

    >>> times_phrase(1.01), times_phrase(0.42)
    ('about the same as', '0.42 times')
    """
    if abs(ratio - 1.0) < 0.05:
        return "about the same as"
    return f"{ratio:.2g} times"


def factor_comparison(model: float, measured: float) -> str:
    """How the model's fleet-over-accelerator factor compares with a measured one.

    Parameters
    ----------
    model, measured : float
        The two factors [ratio].

    Returns
    -------
    str
        "close to" within 10 %, "somewhat above"/"below" within 25 %, else "well above"/"below",
        to stand before "the factor of ...".

    >>> factor_comparison(2.3, 2.4), factor_comparison(2.9, 2.4), factor_comparison(4.0, 2.4)
    ('close to', 'somewhat above', 'well above')
    """
    off = abs(model / measured - 1.0)
    if off <= 0.1:
        return "close to"
    side = "above" if model > measured else "below"
    return ("somewhat " if off <= 0.25 else "well ") + side


def lopsided_sentence(n_lopsided: int, n_inputs: int) -> str:
    """How many of the per-query model's inputs have ranges lopsided the way the median moved.

    >>> lopsided_sentence(1, 20)
    'One of the 20 inputs of the per-query model has such a lopsided range.'
    """
    of = f"of the {count_word(n_inputs)} inputs of the per-query model"
    if n_lopsided == 0:
        return f"None {of} has such a lopsided range; the skew comes from how they combine."
    if n_lopsided == 1:
        return f"One {of} has such a lopsided range."
    if n_lopsided == n_inputs:
        return f"All {of} have such lopsided ranges."
    return f"{of[0].upper()}{of[1:]}, {count_word(n_lopsided)} have such lopsided ranges."


def lopsided_inputs(registry: Mapping[str, Assumption], upward: bool) -> tuple[int, int]:
    """How many of the per-query model's serving inputs have ranges lopsided one way.

    The serving inputs are the kernel's :data:`~aiboom.kernels.INPUTS` before the project's
    capital cost. An input's range is lopsided upward when it reaches further above its central
    value than below it.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The registry the Monte Carlo draws from.
    upward : bool
        Count ranges lopsided upward (the median lies above the central-input value) or
        downward.

    Returns
    -------
    tuple of int
        The number lopsided that way and the number of serving inputs.
    """
    ids = INPUTS[:INPUTS.index("genai_project_capex_usd")]
    spread = [(registry[k].high - registry[k].central) - (registry[k].central - registry[k].low)
              for k in ids]
    n = sum(d > 0 for d in spread) if upward else sum(d < 0 for d in spread)
    return n, len(ids)


def median_against_central_sentence(median_above: bool) -> str:
    """Why the Monte Carlo median of a product of inputs differs from its central-input value.

    >>> median_against_central_sentence(True)[:40]
    'The median lies above the value at centr'
    """
    if median_above:
        return ("The median lies above the value at central inputs because a central value is "
                "the most likely value of its range, not its middle: many ranges reach much "
                "further above their central value than below it, and the energy multiplies "
                "them, so a typical draw combines more upward than downward departures.")
    return ("The median lies below the value at central inputs because a central value is the "
            "most likely value of its range, not its middle: many ranges reach much further "
            "below their central value than above it, and the energy multiplies them, so a "
            "typical draw combines more downward than upward departures.")


def electricity_sentences(share: float) -> tuple[str, str]:
    """How large electricity is in the price of a GPU-hour, and what follows.

    Parameters
    ----------
    share : float
        Electricity cost over the serving price of a GPU-hour [fraction].

    Returns
    -------
    (str, str)
        The lead of the sentence stating the share (ending in a colon), and the sentence that
        follows from it.
    """
    scales = ("it scales with reasoning exactly as cost does, and it is what the grid around "
              "each new data centre has to supply.")
    if share < 0.25:
        return ("Electricity itself is a small part of the bill:",
                "Energy therefore changes the economics little; but " + scales)
    if share < 0.5:
        return ("Electricity is a sizeable part of the bill:",
                "Energy therefore moves the economics as well as the grid, and " + scales)
    return ("Electricity is most of the bill:",
            "Energy therefore drives the economics, and " + scales)


def summary_cost_sentence(cents_per_query: float, typical_margin: float) -> str:
    """Opening sentence of the chapter's summary.

    Parameters
    ----------
    cents_per_query : float
        Median cost of an average query [US cents/query].
    typical_margin : float
        Median margin on a typical subscriber [fraction of revenue].

    Returns
    -------
    str
        One sentence.
    """
    size = ("a fraction of a cent" if cents_per_query < 1.0
            else f"about {cents_per_query:.2g} cents")
    if typical_margin > 0:
        return (f"Each query costs little, {size}, which a subscription or a list price "
                "easily covers.")
    return (f"Each query costs little, {size}, yet at a typical subscriber's use a flat "
            "subscription does not cover it.")


def frontier_over_small_sentence(ratio: float) -> str:
    """How much more a frontier-class token costs than a small-model token, chip for chip.

    Parameters
    ----------
    ratio : float
        Frontier-class over small-model cost per token, median over chips [ratio].

    Returns
    -------
    str
        One sentence.

    >>> frontier_over_small_sentence(1.0)[:58]
    'Chip for chip, the frontier-class model costs the same per'
    """
    if abs(ratio - 1.0) < 0.05:
        return ("Chip for chip, the frontier-class model costs the same per token as the small "
                "one, because in this scenario the two are the same size.")
    if ratio > 1.0:
        return (f"Chip for chip, the frontier-class model costs about {ratio:.2g} times as much "
                "per token as the small one (the median over the chips), because it must read "
                "more weights and a larger cache for every token.")
    return (f"Chip for chip, the frontier-class model costs only {ratio:.2g} times as much per "
            "token as the small one (the median over the chips), because in this scenario it "
            "is the smaller of the two.")


def users_in_words(users: float) -> str:
    """A round user count as the prose writes it.

    >>> users_in_words(1e6), users_in_words(2.5e7), users_in_words(1e9)
    ('a million', '25 million', 'a billion')
    """
    for size, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if users >= size:
            n = users / size
            return f"a {word}" if n == 1 else f"{n:,.3g} {word}"
    return f"{users:,.0f}"
