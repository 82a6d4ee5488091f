r"""What comes next and what must be true: small and open models, performance per watt, cost per
query over time, and the values at which a generative-AI project pays back like ordinary
software (chapters "What comes next" and "What must be true").

The roofline costs come from the per-sample model of :mod:`aiboom.kernels` (through
:func:`aiboom.analysis.money.simulate_project`), list-price bills from
:func:`aiboom.inference.usd_per_query`, and the break-even values from
:func:`aiboom.economics.solve_for` applied to the same model at central values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from aiboom import charts, economics, inference, kernels, training
from aiboom.analysis.money import (
    CENTS_PER_USD,
    LABELLED_BARS_WIDTH_PX,
    LEVER_QUANTITIES,
    PAYBACK_TICKS_MONTHS,
    central_inputs,
    evaluate_with,
    log_histogram,
    months_text,
    percent_text,
    required_conversion,  # one definition, in money; re-exported here
)
from aiboom.backend import computed_from, get_backend
from aiboom.kernels import INPUTS, PAYBACK_HORIZON_MONTHS, Accelerator
from aiboom.montecarlo import (
    REFERENCE_ACCELERATOR,
    accelerator_constants,
    accelerator_price_row,
    inverted_cdf,
)
from aiboom.registry import Assumption
from aiboom.sampling import draw_samples

__all__ = [
    "accelerator_ids",
    "central_rental_price",
    "IMPROVEMENT_FACTORS",
    "LEVERS",
    "OUTLOOK_YEARS",
    "REFERENCE_ACCELERATOR",
    "SMALL_MODEL_ROWS",
    "Lever",
    "Workload",
    "central_inputs",
    "chart_accelerator_query",
    "chart_cost_histogram",
    "chart_intervals",
    "cost_histogram",
    "chart_lever_sweep",
    "chart_required",
    "favourable_inputs",
    "format_value",
    "requirement_text",
    "improvement_factor",
    "improvements_needed",
    "chart_workload_bills",
    "create_workload",
    "date_text",
    "dated_prices",
    "like_with_like_prices",
    "median_list_price",
    "prices_as_of",
    "decade_ticks",
    "frontier_price_trend",
    "generation_gain",
    "lever_sweep",
    "payback_at",
    "perf_per_watt",
    "price_paths",
    "accelerator_price_samples",
    "query_by_accelerator",
    "required_conversion",
    "required_value",
    "reference_chip_name",
    "small_model_changes",
    "small_model_name",
    "what_must_be_true",
    "what_must_be_true_table",
    "lever_today_rows",
    "paying_share_text",
    "requirement_rows",
    "workload_bills",
]

#: Kernel input -> registry row of the small specialised model that replaces it.
SMALL_MODEL_ROWS: dict[str, str] = {
    "frontier_active_params": "small_model_active_params",
    "frontier_layers": "small_layers",
    "frontier_kv_heads": "small_kv_heads",
    "frontier_head_dim": "small_head_dim",
    "frontier_query_heads": "small_query_heads",
    "frontier_total_to_active_params": "small_total_to_active_params",
    "frontier_kv_latent_dim": "small_kv_latent_dim",
}
#: Improvement factors of the lever sweep, from today's value to thirty times better [ratio].
IMPROVEMENT_FACTORS: np.ndarray = np.geomspace(1.0, 30.0, 41)
#: Room left for the accelerator names beside the two panels of the per-chip chart [px].
ACCELERATOR_LABEL_PX = 120
#: Years ahead on the cost-per-query paths [years].
OUTLOOK_YEARS = 3


# --------------------------------------------------------------------------------------------
# Small and open models
# --------------------------------------------------------------------------------------------


def small_model_changes(registry: Mapping[str, Assumption]) -> dict[str, float]:
    """Kernel inputs that turn the served frontier-class model into the small one.

    Returns
    -------
    dict of str to float
        Central values of the rows of :data:`SMALL_MODEL_ROWS` under the kernel's input ids
        [parameters, count].
    """
    return {target: registry[source].central for target, source in SMALL_MODEL_ROWS.items()}


def small_model_name(registry: Mapping[str, Assumption]) -> str:
    """Name of the open model whose architecture the small-model rows describe, read from the
    bracket of ``small_model_active_params``'s description (the description itself if none).

    >>> from aiboom.registry import load_registry
    >>> small_model_name(load_registry())
    'Llama 3.1 8B'
    """
    text = registry["small_model_active_params"].description
    match = re.search(r"\(([^()]+)\)\s*$", text)
    return match.group(1) if match else text


def cost_histogram(groups: Mapping[str, ArrayLike], n_bins: int = 40,
                   coverage: float = 0.999, backend: str | None = None) -> pd.DataFrame:
    """Log-binned shares of positive samples over whole decades that hold nearly all of them.

    Parameters
    ----------
    groups : mapping of str to array-like
        Label to samples [any positive unit].
    n_bins : int, default 40
        Number of bins.
    coverage : float, default 0.999
        The range spans the decades from the lowest ``(1 - coverage)`` quantile to the highest
        ``coverage`` quantile of any group [fraction].
    backend : str, optional
        Array backend of the quantiles and the binning (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        As :func:`aiboom.analysis.money.log_histogram`, label column ``model``; tagged as
        computed by ``outlook.cost_histogram``.
    """
    be = get_backend(backend)
    xp = be.xp
    levels = xp.asarray([1.0 - coverage, coverage])
    ends = np.array([be.asnumpy(xp.quantile(xp.asarray(v, dtype=float), levels))
                     for v in groups.values()])  # group x (low, high) [unit of the samples]
    low = 10.0 ** math.floor(math.log10(ends[:, 0].min()))
    high = 10.0 ** math.ceil(math.log10(ends[:, 1].max()))
    hist = log_histogram(groups, low, high, n_bins, group="model", backend=be)
    return be.frame("outlook.cost_histogram", {c: hist[c].to_numpy() for c in hist.columns})


def chart_cost_histogram(hist: pd.DataFrame, x_title: str) -> alt.Chart:
    """Overlaid histograms from :func:`cost_histogram` on a log axis ticked at each decade.

    Parameters
    ----------
    hist : pandas.DataFrame
        From :func:`cost_histogram`.
    x_title : str
        Axis title with its unit.
    """
    chart = charts.histogram(hist, left="bin_low", right="bin_high", share="share",
                             color="model", x_title=x_title, log_x=True, x_format=".3~g")
    ticks = decade_ticks(pd.concat([hist["bin_low"], hist["bin_high"]]))
    return chart.encode(
        x=alt.X("bin_low:Q", bin="binned", title=x_title,
                scale=alt.Scale(type="log", domain=[ticks[0], ticks[-1]]),
                axis=alt.Axis(format="~g", values=ticks)),
        color=alt.Color("model:N", title=None, sort=list(dict.fromkeys(hist["model"]))))


class Workload(NamedTuple):
    """A month of an enterprise assistant's traffic (central registry values)."""

    queries_per_month: float  # model calls per month [count]
    input_tokens: float  # prompt tokens per query [tokens/query]
    output_tokens: float  # visible answer tokens per query [tokens/query]
    cached_input_share: float  # share of prompt tokens read from the cache [fraction]
    cached_input_price_ratio: float  # cached over uncached input price [fraction]
    reasoning_multiplier: float  # hidden tokens per visible one, averaged over queries [ratio]


def create_workload(registry: Mapping[str, Assumption]) -> Workload:
    r"""The generative-AI project's monthly traffic, from central registry values.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``genai_queries_per_month``, ``input_tokens_per_query``,
        ``output_tokens_per_query``, ``cached_input_share``, ``cached_input_price_ratio``,
        ``reasoning_token_multiplier`` and ``reasoning_query_share``.

    Returns
    -------
    Workload

    Notes
    -----
    A share :math:`s` of queries reason, with :math:`r` hidden tokens per visible one, so the
    average query carries :math:`m = r s` hidden tokens per visible token.
    """
    c = {k: registry[k].central for k in (
        "genai_queries_per_month", "input_tokens_per_query", "output_tokens_per_query",
        "cached_input_share", "cached_input_price_ratio", "reasoning_token_multiplier",
        "reasoning_query_share")}
    w = Workload(c["genai_queries_per_month"], c["input_tokens_per_query"],
                 c["output_tokens_per_query"], c["cached_input_share"],
                 c["cached_input_price_ratio"],
                 c["reasoning_token_multiplier"] * c["reasoning_query_share"])
    if not 0.0 <= w.cached_input_share <= 1.0:
        raise ValueError(f"cached_input_share must be in [0, 1]; got {w.cached_input_share}")
    return w


def prices_as_of(api_prices: pd.DataFrame) -> pd.Timestamp:
    """The day the price table was taken (``as_of`` of ``data/api_prices.meta.yml``).

    Falls back to the latest date in the table when the frame carries no metadata.
    """
    meta = api_prices.attrs.get("meta") or {}
    if meta.get("as_of"):
        return pd.Timestamp(meta["as_of"])
    dates = pd.concat([api_prices[c] for c in ("from_date", "release_date")]).dropna()
    return pd.Timestamp(dates.max())


def date_text(day: pd.Timestamp) -> str:
    """A date as the prose writes it.

    >>> date_text(pd.Timestamp("2026-11-27"))
    '27 November 2026'
    """
    return f"{day.day} {day:%B %Y}"


def like_with_like_prices(api_prices: pd.DataFrame, as_of: pd.Timestamp | None = None, *,
                          tier: str | None = None, price_tier: str = "standard"
                          ) -> pd.DataFrame:
    """Prices that compare like with like: one row per model on sale, standard tiers apart.

    Parameters
    ----------
    api_prices : pandas.DataFrame
        ``data/api_prices.csv``.
    as_of : pandas.Timestamp, optional
        Day of the comparison; the table's own date (:func:`prices_as_of`) when omitted.
    tier : str, optional
        Capability tier to keep ("frontier", "mid", "small"); every tier when omitted.
    price_tier : str, default "standard"
        "standard" list prices, or the "premium" pro and deep-research variants.

    Returns
    -------
    pandas.DataFrame
        The rows whose price is in effect on ``as_of`` (``from_date`` empty or not after it,
        ``to_date`` empty or after it), of models not retired by then (``retired`` empty or
        after it), that are not a repeat of another row (``duplicate_of`` empty), in the
        price tier asked for; one row per vendor and model.
    """
    day = prices_as_of(api_prices) if as_of is None else pd.Timestamp(as_of)
    df = api_prices
    keep = ((df["from_date"].isna() | (df["from_date"] <= day))
            & (df["to_date"].isna() | (df["to_date"] > day))
            & (df["retired"].isna() | (df["retired"] > day))
            & df["duplicate_of"].isna() & (df["price_tier"] == price_tier))
    if tier is not None:
        keep &= df["tier"] == tier
    out = df[keep]
    if out.duplicated(["vendor", "model"]).any():
        raise ValueError("more than one price in effect for: " + ", ".join(
            out.loc[out.duplicated(["vendor", "model"]), "model"]))
    return out.reset_index(drop=True)


def median_list_price(api_prices: pd.DataFrame, tier: str = "frontier",
                      column: str = "output_usd_per_m", as_of: pd.Timestamp | None = None
                      ) -> float:
    """Median list price of one capability tier, like with like (:func:`like_with_like_prices`).

    Returns
    -------
    float
        Median of ``column`` over the standard-price models of ``tier`` on sale on ``as_of``
        [USD/Mtoken].
    """
    return float(like_with_like_prices(api_prices, as_of, tier=tier)[column].median())


def _bill(w: Workload, usd_per_m_input: ArrayLike, usd_per_m_output: ArrayLike,
          cached_ratio: ArrayLike) -> np.ndarray | float:
    """Monthly bill of workload ``w`` at the given list prices [USD/month], elementwise."""
    return w.queries_per_month * inference.usd_per_query(
        w.input_tokens, w.output_tokens, usd_per_m_input, usd_per_m_output,
        w.cached_input_share, cached_ratio, w.reasoning_multiplier)


def workload_bills(api_prices: pd.DataFrame, registry: Mapping[str, Assumption],
                   backend: str | None = None) -> pd.DataFrame:
    r"""Monthly API bill of one workload at each current list price, and at registry prices.

    Parameters
    ----------
    api_prices : pandas.DataFrame
        ``data/api_prices.csv``.
    registry : mapping of str to Assumption
        The workload (:func:`create_workload`), ``frontier_input_usd_per_m_tokens``,
        ``frontier_output_usd_per_m_tokens`` and ``open_model_price_discount``.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per model on sale: ``group`` ("Frontier tier", "Mid tier", "Small tier"),
        ``model``, ``vendor``, ``bill_usd_per_month`` [USD/month], ``bill_low``,
        ``bill_high`` (equal to the bill) ; then two rows at registry prices, "Frontier
        (registry)" and "Open model (registry discount)", whose ``bill_low``/``bill_high``
        span the registry's low and high [USD/month]. Tagged as computed by
        ``outlook.workload_bills``.

    Notes
    -----
    Bill :math:`= Q \cdot` :func:`aiboom.inference.usd_per_query`, reasoning tokens billed
    as output. A model's cached-input price sets its cache ratio; without one the registry's
    ``cached_input_price_ratio`` is used. The open-model price is the frontier price times
    the discount :math:`\delta`, on input and output alike.
    """
    be = get_backend(backend)
    xp = be.xp
    w = create_workload(registry)
    cur = like_with_like_prices(api_prices)
    ratio = (cur["cached_input_usd_per_m"] / cur["input_usd_per_m"]).fillna(
        w.cached_input_price_ratio)
    levels = ("low", "central", "high")
    p_in = registry["frontier_input_usd_per_m_tokens"]
    p_out = registry["frontier_output_usd_per_m_tokens"]
    disc = registry["open_model_price_discount"]
    # one price per model on sale, then the registry's frontier price at low, central, high
    usd_in = xp.asarray([*cur["input_usd_per_m"].astype(float),
                         *(getattr(p_in, v) for v in levels)])
    usd_out = xp.asarray([*cur["output_usd_per_m"].astype(float),
                          *(getattr(p_out, v) for v in levels)])
    cached = xp.asarray([*ratio.astype(float), *[w.cached_input_price_ratio] * len(levels)])
    bills = _bill(w, usd_in, usd_out, cached)  # [USD/month]
    n = len(cur)
    frontier = bills[n:]  # low, central, high
    open_ = frontier[1] * xp.asarray([getattr(disc, v) for v in levels])
    on_sale = bills[:n]
    return be.frame("outlook.workload_bills", {
        "group": [*(cur["tier"].str.capitalize() + " tier"), "Frontier (registry)",
                  "Open model (registry discount)"],
        "model": [*cur["model"], "registry central price", "frontier price x discount"],
        "vendor": [*cur["vendor"], "", ""],
        "bill_usd_per_month": xp.concatenate([on_sale, frontier[1:2], open_[1:2]]),
        "bill_low": xp.concatenate([on_sale, frontier[0:1], open_[0:1]]),
        "bill_high": xp.concatenate([on_sale, frontier[2:3], open_[2:3]]),
    })


def decade_ticks(values: ArrayLike) -> list[float]:
    """Powers of ten spanning positive ``values``, for uncluttered log axes.

    >>> decade_ticks([0.03, 4.0])
    [0.01, 0.1, 1.0, 10.0]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    return [float(10.0**k) for k in range(lo, hi + 1)]


def chart_workload_bills(df: pd.DataFrame, order: Sequence[str]) -> alt.LayerChart:
    """Strip plot of monthly bills (log x), one row per group, with registry ranges as bars.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`workload_bills`.
    order : sequence of str
        Row order of the groups.
    """
    y = alt.Y("group:N", sort=list(order), title=None)
    x_title = "API bill for the workload, US$ per month (log scale)"
    tooltip = [alt.Tooltip("group:N", title=""), alt.Tooltip("model:N", title="Model"),
               alt.Tooltip("vendor:N", title="Vendor"),
               alt.Tooltip("bill_usd_per_month:Q", title="US$ per month", format="$,.0f")]
    span = alt.Chart(df[df["bill_low"] < df["bill_high"]]).mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("bill_low:Q", scale=alt.Scale(type="log"), title=x_title), x2="bill_high:Q",
        color=alt.Color("group:N", legend=None, sort=list(order)),
        tooltip=[alt.Tooltip("group:N", title=""),
                 alt.Tooltip("bill_low:Q", title="At registry low", format="$,.0f"),
                 alt.Tooltip("bill_high:Q", title="At registry high", format="$,.0f")])
    points = alt.Chart(df).mark_point(filled=True, size=70, opacity=0.75).encode(
        y=y, x=alt.X("bill_usd_per_month:Q", scale=alt.Scale(type="log"), title=x_title,
                     axis=alt.Axis(format="$,.0f", values=decade_ticks(
                         pd.concat([df["bill_low"], df["bill_high"]])))),
        color=alt.Color("group:N", legend=None, sort=list(order)), tooltip=tooltip)
    return alt.layer(span, points).properties(height=40 * len(order))


# --------------------------------------------------------------------------------------------
# Performance per watt
# --------------------------------------------------------------------------------------------


def perf_per_watt(accelerators: pd.DataFrame, backend: str | None = None) -> pd.DataFrame:
    r"""Dense throughput per watt of board power, by accelerator and precision.

    Parameters
    ----------
    accelerators : pandas.DataFrame
        ``data/accelerators.csv``; chips without ``tdp_w`` are left out.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per chip and precision with a published peak, BF16 rows first: ``id``,
        ``name``, ``vendor``, ``year``, ``precision`` ("BF16" or "FP8"), ``tflops_per_w``
        [TFLOP/s per W]. Tagged as computed by ``outlook.perf_per_watt``.

    Notes
    -----
    :math:`F / P_{TDP}`: dense peak over thermal design power, the power the board is rated
    for, for every precision and chip at once. Servers draw more (host, network, cooling), in
    roughly the same proportion for each generation.
    """
    be = get_backend(backend)
    xp = be.xp
    acc = accelerators.dropna(subset=["tdp_w"])
    columns = {"bf16_dense_tflops": "BF16", "fp8_dense_tflops": "FP8"}
    peak = xp.asarray(acc[list(columns)].to_numpy(dtype=float).T)  # precision x chip [TFLOP/s]
    tdp_w = xp.asarray(acc["tdp_w"].to_numpy(dtype=float))  # [W]
    per_w = (peak / tdp_w[None, :]).ravel()
    published = be.asnumpy(~xp.isnan(peak).ravel())
    n = len(columns)

    def labels(values: ArrayLike) -> np.ndarray:
        return np.tile(np.asarray(values), n)[published]

    return be.frame("outlook.perf_per_watt", {
        "id": labels(acc["id"]), "name": labels(acc["name"].str.split(" \\(").str[0]),
        "vendor": labels(acc["vendor"]), "year": labels(acc["year"].astype(int)),
        "precision": np.repeat(list(columns.values()), len(acc))[published],
        "tflops_per_w": per_w[xp.asarray(published)]})


def generation_gain(perf: pd.DataFrame, vendor: str = "NVIDIA", precision: str = "BF16"
                    ) -> dict[str, Any]:
    r"""Average gain in throughput per watt from one accelerator generation to the next.

    Parameters
    ----------
    perf : pandas.DataFrame
        From :func:`perf_per_watt`.
    vendor : str, default "NVIDIA"
        Vendor whose line is followed.
    precision : str, default "BF16"
        Precision compared (every generation must have it).

    Returns
    -------
    dict
        ``gain`` [ratio per generation], ``chips`` (names, oldest first), ``first_year`` and
        ``last_year`` [year], ``n_generations`` [count], ``per_year`` [ratio per year].

    Notes
    -----
    A generation is a launch year; within a year the chip with the best throughput per watt
    stands for it. With :math:`e_1 \ldots e_n` those values, the mean gain is the geometric
    mean of the steps,

    .. math:: g = (e_n / e_1)^{1/(n-1)} .
    """
    sub = perf[(perf["vendor"] == vendor) & (perf["precision"] == precision)]
    best = sub.loc[sub.groupby("year")["tflops_per_w"].idxmax()].sort_values("year")
    if len(best) < 2:
        raise ValueError(f"need at least two {vendor} generations with {precision} figures")
    e = best["tflops_per_w"].to_numpy()
    years = best["year"].to_numpy()
    gain = (e[-1] / e[0]) ** (1.0 / (len(e) - 1))
    return {"gain": float(gain), "chips": best["name"].tolist(), "first_year": int(years[0]),
            "last_year": int(years[-1]), "n_generations": len(e),
            "per_year": float((e[-1] / e[0]) ** (1.0 / (years[-1] - years[0])))}


def accelerator_price_samples(registry: Mapping[str, Assumption], accelerators: pd.DataFrame,
                              accelerator_id: str, n_samples: int, seed: int) -> np.ndarray:
    """Draws of the price of one GPU-hour on a given accelerator.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's own registry (not remapped to its serving chip).
    accelerators : pandas.DataFrame
        ``data/accelerators.csv``.
    accelerator_id : str
        Chip id.
    n_samples, seed : int
        Draws and root seed.

    Returns
    -------
    numpy.ndarray
        Price per GPU-hour [USD/GPU-hour]: the registry row ``<id>_usd_per_gpu_hour`` when
        there is one, otherwise the :data:`REFERENCE_ACCELERATOR` row scaled by the ratio of
        the chips' central rental prices (the rule of :func:`aiboom.montecarlo.scenario_inputs`).
    """
    row = accelerator_price_row(registry, accelerators.set_index("id"), accelerator_id)
    return draw_samples({row.id: row}, [row.id], n_samples, seed)[row.id]


def reference_chip_name(accelerators: pd.DataFrame) -> str:
    """Short name of :data:`REFERENCE_ACCELERATOR` (e.g. "NVIDIA H100 SXM5 80GB")."""
    return str(accelerators.set_index("id").loc[REFERENCE_ACCELERATOR, "name"]).split(" (")[0]


def accelerator_ids(accelerators: pd.DataFrame) -> dict[str, str]:
    """Accelerator id by short name (the name before any parenthesis).

    ``accelerators`` is ``data/accelerators.csv``; e.g. ``"NVIDIA H100 SXM5 80GB"`` to its id.
    """
    short = accelerators["name"].str.split(" (", regex=False).str[0]
    return dict(zip(short, accelerators["id"], strict=True))


def central_rental_price(registry: Mapping[str, Assumption], accelerators: pd.DataFrame,
                         accelerator_id: str) -> float:
    """Central price of one GPU-hour on a chip, as the model prices it [USD/GPU-hour].

    The central value of :func:`aiboom.montecarlo.accelerator_price_row`: the registry's row for
    the chip, or the reference chip's scaled by the ratio of rental prices.
    """
    return accelerator_price_row(registry, accelerators.set_index("id"), accelerator_id).central


def query_by_accelerator(samples: Mapping[str, np.ndarray], accelerators: pd.DataFrame,
                         registry: Mapping[str, Assumption], seed: int,
                         backend: str | None = None,
                         samples_accelerator: str = REFERENCE_ACCELERATOR) -> pd.DataFrame:
    r"""Energy and cost of one query on each accelerator, sample by sample.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        Generative-AI samples from :func:`aiboom.analysis.money.simulate_project`.
    accelerators : pandas.DataFrame
        ``data/accelerators.csv``; chips without ``tdp_w`` are left out.
    registry : mapping of str to Assumption
        The scenario's own registry, for the GPU-hour prices.
    seed : int
        Root seed of the price draws.
    backend : str, optional
        Array backend of the roofline of each chip (:func:`aiboom.kernels.evaluate`), of its
        server power and of its quantiles.
    samples_accelerator : str, default REFERENCE_ACCELERATOR
        The chip whose server power the samples carry (the scenario's accelerator:
        :func:`aiboom.montecarlo.scenario_inputs` has already scaled it when the table gives
        that chip's rated power).

    Returns
    -------
    pandas.DataFrame
        One row per chip, by launch year: ``accelerator``, ``year``, ``wh_p5``, ``wh_p50``,
        ``wh_p95`` [Wh/query], ``usd_p5``, ``usd_p50``, ``usd_p95`` [USD/query]; tagged as
        computed by ``outlook.query_by_accelerator``.

    Notes
    -----
    Each chip gets its own price per GPU-hour (:func:`accelerator_price_samples`), peaks and
    bandwidth (:func:`aiboom.analysis.money.accelerator_constants`), and the registry's
    server power per GPU, which describes the :data:`REFERENCE_ACCELERATOR`, scaled by the
    ratio of rated board powers,

    .. math:: W_a = W\, \frac{P_a}{P_{ref}} .
    """
    be = get_backend(backend)
    xp = be.xp
    acc = accelerators.dropna(subset=["tdp_w"]).sort_values(["year", "id"])
    table = accelerators.set_index("id")
    ref = table.loc[samples_accelerator]
    if pd.isna(ref["tdp_w"]):  # scenario_inputs left the registry's (reference) power as is
        ref = table.loc[REFERENCE_ACCELERATOR]
    n = len(samples["server_watts_per_gpu"])
    watts_ref = xp.asarray(samples["server_watts_per_gpu"])  # [W/GPU]
    wh_q = xp.empty((len(acc), 3))  # chip x (p5, p50, p95) [Wh/query]
    usd_q = xp.empty((len(acc), 3))  # [USD/query]
    # one roofline run per chip: its peaks and bandwidth are constants of the kernel
    for i, (_, chip) in enumerate(acc.iterrows()):
        price = accelerator_price_samples(registry, accelerators, chip["id"], n, seed)
        watts = watts_ref * float(chip["tdp_w"]) / float(ref["tdp_w"])  # W_a [W/GPU]
        y = evaluate_with(samples, {"h100_usd_per_gpu_hour": price,
                                    "server_watts_per_gpu": be.asnumpy(watts)}, backend,
                          accelerator_constants(chip))
        wh_q[i] = inverted_cdf(xp.asarray(y["wh_per_query_fleet"]), overwrite=True)
        usd_q[i] = inverted_cdf(xp.asarray(y["usd_per_query"]), overwrite=True)
    return be.frame("outlook.query_by_accelerator", {
        "accelerator": acc["name"].str.split(" (", regex=False).str[0].to_numpy(),
        "year": acc["year"].astype(int).to_numpy(),
        "wh_p5": wh_q[:, 0], "wh_p50": wh_q[:, 1], "wh_p95": wh_q[:, 2],
        "usd_p5": usd_q[:, 0], "usd_p50": usd_q[:, 1], "usd_p95": usd_q[:, 2]})


def chart_accelerator_query(df: pd.DataFrame) -> alt.HConcatChart:
    """Energy (left) and cost (right) of one query by accelerator: medians with ninety per cent
    rules on log axes, rows by launch year.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`query_by_accelerator`.
    """
    order = df["accelerator"].tolist()
    panel_width = (charts.WIDTH_PX - ACCELERATOR_LABEL_PX) // 2
    energy = chart_intervals(df, label="accelerator", low="wh_p5", mid="wh_p50", high="wh_p95",
                             x_title="Energy, Wh per query (log)", x_format=".3~g",
                             order=order).properties(width=panel_width)
    cents = df.assign(c_p5=df["usd_p5"] * CENTS_PER_USD, c_p50=df["usd_p50"] * CENTS_PER_USD,
                      c_p95=df["usd_p95"] * CENTS_PER_USD)
    cost = chart_intervals(cents, label="accelerator", low="c_p5", mid="c_p50", high="c_p95",
                           x_title="Cost, US cents per query (log)", x_format=".3~g",
                           order=order, show_labels=False).properties(width=panel_width)
    return alt.hconcat(energy, cost, spacing=16)


def chart_intervals(df: pd.DataFrame, *, label: str, low: str, mid: str, high: str,
                    x_title: str, x_format: str, color: str | None = None,
                    order: Sequence[str] | None = None, show_labels: bool = True
                    ) -> alt.LayerChart:
    """Median dots with 5th-95th percentile rules, one row per label (log x).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per label.
    label, low, mid, high : str
        Columns of the row label and of the interval [x unit].
    x_title, x_format : str
        Axis title (with unit) and d3 number format.
    color : str, optional
        Column that colours the rows.
    order : sequence of str, optional
        Row order; default the frame's.
    show_labels : bool, default True
        Draw the row labels (off for a second panel beside a first).
    """
    order = list(df[label]) if order is None else list(order)
    y = alt.Y(f"{label}:N", sort=order, title=None,
              axis=alt.Axis() if show_labels else None)
    x_scale = alt.Scale(type="log")
    color_enc = {"color": alt.Color(f"{color}:N", title=None)} if color else {}
    rule = alt.Chart(df).mark_rule(strokeWidth=2, opacity=0.6).encode(
        y=y, x=alt.X(f"{low}:Q", scale=x_scale, title=x_title), x2=f"{high}:Q", **color_enc)
    ticks = decade_ticks(pd.concat([df[low], df[high]]))
    dots = alt.Chart(df).mark_point(filled=True, size=80).encode(
        y=y, x=alt.X(f"{mid}:Q", scale=x_scale, title=x_title,
                     axis=alt.Axis(format=x_format, values=ticks)),
        tooltip=[alt.Tooltip(f"{label}:N", title=""),
                 alt.Tooltip(f"{mid}:Q", title="Median", format=x_format),
                 alt.Tooltip(f"{low}:Q", title="5th percentile", format=x_format),
                 alt.Tooltip(f"{high}:Q", title="95th percentile", format=x_format)],
        **color_enc)
    return alt.layer(rule, dots).properties(height=max(120, 32 * len(order)))


# --------------------------------------------------------------------------------------------
# Cost per query over time
# --------------------------------------------------------------------------------------------


def dated_prices(api_prices: pd.DataFrame, tier: str = "frontier",
                 price_tier: str = "standard") -> pd.DataFrame:
    """Dated list prices of one tier, each model's price once: the points of a price trend.

    A price is dated by ``from_date``, else ``release_date``; undated rows, repeats of another
    row (``duplicate_of``) and other price tiers are left out. Retired models stay: a trend
    is a history.

    Returns
    -------
    pandas.DataFrame
        The kept rows with a ``date`` column, sorted by it.
    """
    df = api_prices[(api_prices["tier"] == tier) & (api_prices["price_tier"] == price_tier)
                    & api_prices["duplicate_of"].isna()].copy()
    df["date"] = df["from_date"].fillna(df["release_date"])
    return df.dropna(subset=["date"]).sort_values("date", ignore_index=True)


def frontier_price_trend(api_prices: pd.DataFrame, tier: str = "frontier",
                         confidence: float = 0.9) -> training.TrendFit:
    """Exponential trend of standard output-token list prices of one tier, by date of the price.

    Parameters
    ----------
    api_prices : pandas.DataFrame
        ``data/api_prices.csv``; the points are :func:`dated_prices` (standard prices, each
        model once, dated rows only).
    tier : str, default "frontier"
        Tier fitted.
    confidence : float, default 0.9
        Level of the interval on the yearly change.

    Returns
    -------
    aiboom.training.TrendFit
        ``growth_per_year`` below one means prices fall [x/yr].
    """
    df = dated_prices(api_prices, tier)
    return training.fit_log_linear_trend(df["date"], df["output_usd_per_m"], confidence)


def price_paths(registry: Mapping[str, Assumption], trend: training.TrendFit, start_year: int,
                n_samples: int, seed: int, years: int = OUTLOOK_YEARS,
                backend: str | None = None) -> pd.DataFrame:
    r"""List price of one query over the coming years, three ways.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads the frontier token prices, the per-query token counts, the cache settings,
        ``reasoning_token_multiplier`` and ``api_price_decline_per_year``.
    trend : aiboom.training.TrendFit
        Trend of frontier list prices (:func:`frontier_price_trend`).
    start_year : int
        Calendar year of today's prices [year].
    n_samples : int
        Draws of the constant-capability decline [samples].
    seed : int
        Root seed.
    years : int, default OUTLOOK_YEARS
        Years ahead [years].
    backend : str, optional
        Array backend: every year and sample at once.

    Returns
    -------
    pandas.DataFrame
        ``series``, ``year`` [year], ``p5``, ``p50``, ``p95`` [USD/query], tagged as computed
        by ``outlook.price_paths``.

    Notes
    -----
    With :math:`c_0` the price of a plain answer at today's frontier list prices and
    :math:`c_0^{r}` that of an answer with :math:`r` hidden reasoning tokens per visible one
    (:func:`aiboom.inference.usd_per_query`), after :math:`t` years

    .. math::
       c_{same}(t) = c_0\, d^{-t}, \qquad c_{frontier}(t) = c_0\, g^{t}, \qquad
       c_{reasoning}(t) = c_0^{r}\, g^{t}

    where :math:`d` is the yearly price decline at constant capability (registry,
    interval from its distribution) and :math:`g` the fitted yearly change of frontier list
    prices (interval from the fit's slope).
    """
    be = get_backend(backend)
    xp = be.xp
    c = {k: registry[k].central for k in (
        "input_tokens_per_query", "output_tokens_per_query", "frontier_input_usd_per_m_tokens",
        "frontier_output_usd_per_m_tokens", "cached_input_share", "cached_input_price_ratio",
        "reasoning_token_multiplier")}
    # c_0 and c_0^r: plain and reasoning answers at today's frontier list prices [USD/query]
    today = inference.usd_per_query(
        c["input_tokens_per_query"], c["output_tokens_per_query"],
        c["frontier_input_usd_per_m_tokens"], c["frontier_output_usd_per_m_tokens"],
        c["cached_input_share"], c["cached_input_price_ratio"],
        xp.asarray([0.0, c["reasoning_token_multiplier"]]))
    decline = xp.asarray(draw_samples(registry, ["api_price_decline_per_year"], n_samples,
                                      seed)["api_price_decline_per_year"])
    t = xp.arange(int(years) + 1, dtype=float)  # [years]
    same = decline[None, :] ** (-t[:, None])  # year x sample
    same *= today[0]  # in place, as the sort below: one year-by-sample array at a time
    same = inverted_cdf(same, overwrite=True).T  # year x q
    change = xp.asarray([trend.low, trend.growth_per_year, trend.high])  # [x/yr]
    frontier = today[:, None, None] * change[None, None, :] ** t[None, :, None]  # answer x year x q
    paths = xp.stack([same, frontier[0], frontier[1]], axis=1)  # year x series x q
    series = ["Same capability, plain answer", "Frontier, plain answer",
              "Frontier, reasoning answer"]
    n_years = int(years) + 1
    return be.frame("outlook.price_paths", {
        "series": series * n_years,
        "year": np.repeat(start_year + np.arange(n_years), len(series)),
        "p5": paths[..., 0].ravel(), "p50": paths[..., 1].ravel(), "p95": paths[..., 2].ravel()})


# --------------------------------------------------------------------------------------------
# What must be true
# --------------------------------------------------------------------------------------------


def payback_at(inputs: Mapping[str, float], accelerator: Accelerator = kernels.H100_SXM,
               usd_per_query: float | None = None) -> float:
    r"""Payback of the generative-AI project at given inputs, optionally at a set query cost.

    Parameters
    ----------
    inputs : mapping of str to float
        One value per kernel input [registry units].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.
    usd_per_query : float, optional
        Serving cost of one query to impose [USD/query]; the GPU-hour price :math:`p` is
        scaled so that the roofline gives this cost (cost is proportional to :math:`p`).

    Returns
    -------
    float
        Payback [months], ``inf`` when not within the horizon
        (:func:`aiboom.kernels.reference_per_sample`).
    """
    params = dict(inputs)
    if usd_per_query is not None:
        base = kernels.reference_per_sample(params, accelerator)["usd_per_query"]
        params["h100_usd_per_gpu_hour"] = params["h100_usd_per_gpu_hour"] * usd_per_query / base
    return kernels.reference_per_sample(params, accelerator)["payback_months"]


class Lever(NamedTuple):
    """One input the solver may move."""

    key: str  # kernel input id, or "usd_per_query"
    short: str  # short name for glue keys
    label: str  # name in the table and charts
    unit: str  # unit of the value [registry unit]
    bracket: tuple[float, float]  # interval searched [unit]
    better: str  # "higher" or "lower": the direction that shortens payback


#: Levers of the generative-AI project, with the interval the solver searches: shares in
#: [0, 1], money and months from zero to the limits of economics.DEFAULT_BRACKETS.
LEVERS: tuple[Lever, ...] = (
    Lever("genai_monthly_benefit_usd", "benefit", "Monthly gross benefit", "USD/month",
          economics.DEFAULT_BRACKETS["monthly_benefit_usd"], "higher"),
    Lever("value_capture_share", "capture", "Share of value captured", "fraction",
          economics.DEFAULT_BRACKETS["value_capture_share"], "higher"),
    Lever("usd_per_query", "query_cost", "Serving cost per query", "USD/query",
          economics.DEFAULT_BRACKETS["usd_per_query"], "lower"),
    Lever("serving_utilization", "utilisation", "Fleet utilisation", "fraction",
          economics.DEFAULT_BRACKETS["utilization"], "higher"),
    Lever("genai_project_capex_usd", "build_cost", "Up-front build cost", "USD",
          economics.DEFAULT_BRACKETS["capex_usd"], "lower"),
    Lever("data_cleanup_delay_months", "cleanup_delay", "Data clean-up delay", "months",
          economics.DEFAULT_BRACKETS["cleanup_delay_months"], "lower"),
)


def _lever_fn(inputs: Mapping[str, float], lever: Lever,
              accelerator: Accelerator) -> Callable[[float], float]:
    if lever.key == "usd_per_query":
        return lambda x: payback_at(inputs, accelerator, usd_per_query=x)
    return lambda x: payback_at({**inputs, lever.key: x}, accelerator)


def improvement_factor(lever: Lever, current: float, value: float) -> float:
    """How many times better than ``current`` a value is, in the lever's good direction:
    ``value / current`` for levers where higher is better, ``current / value`` otherwise
    [ratio]; NaN when undefined."""
    if not (math.isfinite(value) and math.isfinite(current)) or current <= 0:
        return math.nan
    if lever.better == "higher":
        return value / current
    return current / value if value > 0 else math.inf


def required_value(inputs: Mapping[str, float], lever: Lever, target_months: float,
                   accelerator: Accelerator = kernels.H100_SXM) -> float:
    """Value of one lever at which the central project pays back in ``target_months``.

    Parameters
    ----------
    inputs : mapping of str to float
        Central kernel inputs (:func:`aiboom.analysis.money.central_inputs`) [registry units].
    lever : Lever
        The input to move; all others stay as given.
    target_months : float
        Payback to reach [months].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    float
        Required value [lever unit]; NaN when no value within ``lever.bracket`` reaches the
        target (the lever alone cannot do it).

    Notes
    -----
    :func:`aiboom.economics.solve_for` (Brent's method) on :func:`payback_at`, which is
    monotone in each lever.
    """
    fn = _lever_fn(inputs, lever, accelerator)
    try:
        return economics.solve_for(target_months, "x", payback_fn=lambda x: fn(x),
                                   bracket=lever.bracket)
    except ValueError:
        return math.nan


def _central_usd_per_query(inputs: Mapping[str, float], accelerator: Accelerator,
                           be: Any) -> float:
    """Roofline cost of one query at ``inputs``, by the backend kernel [USD/query]."""
    chunk = {k: np.full(1, float(inputs[k])) for k in INPUTS}
    return float(kernels.evaluate(chunk, be, accelerator=accelerator)["usd_per_query"][0])


def _current_values(inputs: Mapping[str, float], levers: Sequence[Lever],
                    accelerator: Accelerator, be: Any) -> tuple[np.ndarray, float]:
    """Value of every lever at ``inputs`` [lever units], and the roofline cost of a query
    there (by the backend kernel; the value of the "usd_per_query" lever) [USD/query]."""
    usd = _central_usd_per_query(inputs, accelerator, be)
    return np.array([usd if lv.key == "usd_per_query" else float(inputs[lv.key])
                     for lv in levers]), usd


def _payback_with(inputs: Mapping[str, float], levers: Sequence[Lever], lever_index: np.ndarray,
                  values: np.ndarray, accelerator: Accelerator, be: Any,
                  usd_per_query: float) -> np.ndarray:
    r"""Payback at many points, each with one lever moved, in one backend kernel call.

    Parameters
    ----------
    inputs : mapping of str to float
        Kernel inputs of every point but the lever moved [registry units].
    levers : sequence of Lever
        The levers.
    lever_index, values : numpy.ndarray
        Per point: which lever is moved, and to what value [lever unit].
    accelerator : Accelerator
        Serving accelerator constants.
    be : Backend
        Array backend of :func:`aiboom.kernels.evaluate`.
    usd_per_query : float
        Roofline cost of a query at ``inputs`` [USD/query]; a point that imposes a cost
        :math:`c` scales the GPU-hour price :math:`p` by :math:`c / c_0` (cost is proportional
        to :math:`p`), as :func:`payback_at` does.

    Returns
    -------
    numpy.ndarray
        Payback per point [months], ``inf`` when not within the horizon.
    """
    chunk = {k: np.full(len(values), float(inputs[k])) for k in INPUTS}
    for j, lever in enumerate(levers):
        at = lever_index == j
        if lever.key == "usd_per_query":
            p = float(inputs["h100_usd_per_gpu_hour"])
            chunk["h100_usd_per_gpu_hour"][at] = p * values[at] / usd_per_query
        else:
            chunk[lever.key][at] = values[at]
    return kernels.evaluate(chunk, be, accelerator=accelerator)["payback_months"]


def what_must_be_true(inputs: Mapping[str, float], targets: Mapping[str, float],
                      accelerator: Accelerator = kernels.H100_SXM,
                      levers: Sequence[Lever] = LEVERS, backend: str | None = None
                      ) -> pd.DataFrame:
    """Required value of each lever for each target payback, against its current value.

    Parameters
    ----------
    inputs : mapping of str to float
        Central kernel inputs [registry units].
    targets : mapping of str to float
        Target name to payback [months].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.
    levers : sequence of Lever, default LEVERS
        Levers to solve for.
    backend : str, optional
        Array backend of the current values and of the best paybacks, every lever in one
        kernel call (:func:`aiboom.kernels.evaluate`).

    Returns
    -------
    pandas.DataFrame
        One row per lever and target: ``short``, ``lever``, ``unit``, ``better``, ``target``,
        ``target_months`` [months], ``current`` and ``required`` [lever unit] (NaN when out of
        reach), ``factor`` (:func:`improvement_factor` of the required value) [ratio] and
        ``best_payback`` [months], the payback with this lever alone at the favourable end
        of its bracket (``inf`` for never). Tagged as computed by
        ``outlook.what_must_be_true``.

    Notes
    -----
    Each required value is a root, found by Brent's method (:func:`required_value`) one lever
    and target at a time.
    """
    be = get_backend(backend)
    xp = be.xp
    current, usd = _current_values(inputs, levers, accelerator, be)
    best_x = np.array([lv.bracket[1] if lv.better == "higher" else lv.bracket[0]
                       for lv in levers])
    best = xp.asarray(_payback_with(inputs, levers, np.arange(len(levers)), best_x,
                                    accelerator, be, usd))
    required = np.array([[required_value(inputs, lever, months, accelerator)
                          for months in targets.values()] for lever in levers])
    factor = [[improvement_factor(lever, c, r) for r in row]
              for lever, c, row in zip(levers, current, required, strict=True)]
    n_targets = len(targets)

    def per_lever(values: Sequence[Any]) -> list[Any]:
        return [v for v in values for _ in range(n_targets)]

    return be.frame("outlook.what_must_be_true", {
        "short": per_lever([lv.short for lv in levers]),
        "lever": per_lever([lv.label for lv in levers]),
        "unit": per_lever([lv.unit for lv in levers]),
        "better": per_lever([lv.better for lv in levers]),
        "target": list(targets) * len(levers),
        "target_months": [float(m) for m in targets.values()] * len(levers),
        "current": xp.repeat(xp.asarray(current), n_targets),
        "required": required.ravel(), "factor": np.ravel(factor),
        "best_payback": xp.repeat(best, n_targets)})


def requirement_text(required: float, factor: float, unit: str) -> str:
    """A solver result in words: the value and its multiple of today's, or why there is none.

    >>> requirement_text(4.03e6, 16.1, "USD/month")
    "US$ 4.03 million a month, 16.1 times today's"
    >>> requirement_text(float("nan"), float("nan"), "fraction")
    'out of reach, since no value of this lever alone is enough'
    """
    if required is None or not math.isfinite(required):
        return "out of reach, since no value of this lever alone is enough"
    return f"{format_value(required, unit)}, {factor:,.1f} times today's"


def format_value(value: float, unit: str) -> str:
    """A lever value in words for tables and prose; "out of reach" for NaN.

    >>> format_value(4.03e6, "USD/month"), format_value(0.5, "fraction")
    ('US$ 4.03 million a month', '50%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "out of reach"
    if unit == "fraction":
        return f"{value:.0%}"
    if unit == "months":
        return f"{value:,.1f} months"
    if unit.startswith("USD"):
        if value >= 1e6:
            money = f"US$ {value / 1e6:,.2f} million"
        elif value >= 1e3:
            money = f"US$ {value / 1e3:,.0f} thousand"
        elif value >= 1.0:
            money = f"US$ {value:,.2f}"
        else:
            money = f"{value * 100:,.3g} US cents"
        return money + {"USD/month": " a month", "USD/query": " a query"}.get(unit, "")
    return f"{value:,.3g} {unit}"


def what_must_be_true_table(df: pd.DataFrame, months_text: Callable[[float], str]
                            ) -> pd.DataFrame:
    """The solver's results as a table for readers: one row per lever.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`what_must_be_true`.
    months_text : callable
        Formats a payback in words (e.g. :func:`aiboom.analysis.money.months_text`).

    Returns
    -------
    pandas.DataFrame
        Columns "Lever", "Today", one "Needed for ..." column per target, and "Shortest
        payback, this lever alone"; every cell is text.
    """
    out = []
    for lever, group in df.groupby("lever", sort=False):
        first = group.iloc[0]
        row = {"Lever": lever, "Today": format_value(first["current"], first["unit"])}
        for _, r in group.iterrows():
            row[f"Needed for {r['target']}"] = format_value(r["required"], r["unit"])
        row["Shortest payback, this lever alone"] = months_text(first["best_payback"])
        out.append(row)
    return pd.DataFrame(out)


def lever_sweep(inputs: Mapping[str, float], factors: ArrayLike,
                accelerator: Accelerator = kernels.H100_SXM,
                levers: Sequence[Lever] = LEVERS, backend: str | None = None) -> pd.DataFrame:
    """Payback as each lever alone improves by each factor, the others as given.

    Parameters
    ----------
    inputs : mapping of str to float
        Central kernel inputs [registry units].
    factors : array-like
        Improvement factors [ratio]: the value is the current one times the factor where
        higher is better, divided by it where lower is better. Values outside the lever's
        bracket (a share above one) are skipped.
    accelerator, levers
        As for :func:`what_must_be_true`.
    backend : str, optional
        Array backend: every lever and factor in one kernel call
        (:func:`aiboom.kernels.evaluate`).

    Returns
    -------
    pandas.DataFrame
        ``lever``, ``factor`` [ratio], ``value`` [lever unit], ``payback_months`` [months,
        capped at the horizon] and ``never`` (True where it does not pay back), lever by
        lever; tagged as computed by ``outlook.lever_sweep``.
    """
    be = get_backend(backend)
    xp = be.xp
    current, usd = _current_values(inputs, levers, accelerator, be)
    f = xp.asarray(factors, dtype=float)[None, :]
    now = xp.asarray(current)[:, None]  # lever x 1 [lever unit]
    higher = xp.asarray([lv.better == "higher" for lv in levers])[:, None]
    x = xp.where(higher, now * f, now / f)  # lever x factor [lever unit]
    low = xp.asarray([lv.bracket[0] for lv in levers])[:, None]
    high = xp.asarray([lv.bracket[1] for lv in levers])[:, None]
    keep = (low <= x) & (x <= high)
    lever_index, factor_index = (be.asnumpy(i) for i in xp.nonzero(keep))
    values = be.asnumpy(x[keep])
    payback = xp.asarray(_payback_with(inputs, levers, lever_index, values, accelerator, be,
                                       usd))
    return be.frame("outlook.lever_sweep", {
        "lever": [levers[i].label for i in lever_index],
        "factor": be.asnumpy(f[0])[factor_index], "value": values,
        "payback_months": xp.minimum(payback, PAYBACK_HORIZON_MONTHS),
        "never": ~xp.isfinite(payback)})


def chart_lever_sweep(df: pd.DataFrame, targets: Mapping[str, float]) -> alt.LayerChart:
    """Payback against each lever's improvement factor (log-log), with the targets as rules.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`lever_sweep`.
    targets : mapping of str to float
        Target label to payback [months].
    """
    lines = charts.lines(df, x="factor", y="payback_months", color="lever",
                         x_title="Lever improved by this factor, times today (log scale)",
                         y_title="Payback, months (log scale)", log_x=True, log_y=True,
                         points=False, y_format=",.0f", x_format="~g")
    ticks = _payback_ticks(df, targets)
    top = max(float(df["payback_months"].max()), max(targets.values()))
    y_scale = alt.Scale(type="log", domain=[ticks[0], max(ticks[-1], top)])
    lines = lines.encode(
        color=alt.Color("lever:N", title=None, sort=list(dict.fromkeys(df["lever"]))),
        x=alt.X("factor:Q", title="Lever improved by this factor, times today (log scale)",
                scale=alt.Scale(type="log", domain=[float(df["factor"].min()),
                                                    float(df["factor"].max())]),
                axis=alt.Axis(format="~g")),
        y=alt.Y("payback_months:Q", title="Payback, months (log scale)",
                scale=y_scale, axis=alt.Axis(format=",.0f", values=ticks)))
    rules_df = pd.DataFrame({"y": list(targets.values()), "label": list(targets)})
    rules = alt.Chart(rules_df).mark_rule(strokeDash=[4, 3], color="#333").encode(
        y=alt.Y("y:Q", scale=y_scale), tooltip=[alt.Tooltip("label:N", title=""),
                                                alt.Tooltip("y:Q", title="Months",
                                                            format=",.1f")])
    text = alt.Chart(rules_df).mark_text(align="right", dy=-6, fontSize=11).encode(
        y=alt.Y("y:Q", scale=y_scale), x=alt.value(charts.WIDTH_PX - 4), text="label:N")
    return alt.layer(lines, rules, text).properties(height=320)


def _payback_ticks(df: pd.DataFrame, targets: Mapping[str, float]) -> list[float]:
    """Ticks of the payback axis of :func:`chart_lever_sweep` [months]."""
    lo = min(float(df["payback_months"].min()), min(targets.values()))
    hi = max(float(df["payback_months"].max()), max(targets.values()))
    top = min([t for t in PAYBACK_TICKS_MONTHS if t >= hi], default=hi)
    ticks = [t for t in PAYBACK_TICKS_MONTHS if lo / 2.0 <= t <= top]
    return ticks or [lo, hi]


def favourable_inputs(registry: Mapping[str, Assumption], inputs: Mapping[str, float],
                      accelerator: Accelerator = kernels.H100_SXM) -> dict[str, float]:
    """Every uncertain kernel input at whichever end of its registry range shortens payback.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Low and high of each input.
    inputs : mapping of str to float
        Central kernel inputs [registry units].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    dict of str to float
        The inputs with each uncertain one moved, one at a time, to the end that gave the
        shorter payback, then all together [registry units].
    """
    best = dict(inputs)
    for k in inputs:
        a = registry[k]
        if not a.uncertain:
            continue
        low = payback_at({**inputs, k: a.low}, accelerator)
        high = payback_at({**inputs, k: a.high}, accelerator)
        best[k] = a.low if low < high else a.high if high < low else a.central
    return best


def improvements_needed(solved: pd.DataFrame, paying_now: float,
                        paying_shares: Mapping[str, float]) -> pd.DataFrame:
    """The rows of :func:`chart_required`: each lever that reaches a target alone, then the
    paying share a chatbot needs for each goal.

    Parameters
    ----------
    solved : pandas.DataFrame
        From :func:`what_must_be_true`.
    paying_now : float
        Share of a chatbot's users who pay today [fraction].
    paying_shares : mapping of str to float
        Goal to the paying share it needs [fraction]; shares above one are left out.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``goal``, ``factor`` [ratio], ``required_text``, ``current_text``; tagged
        as computed by the kernels that computed ``solved``.
    """
    needed = solved[solved["required"].notna()].assign(
        label=lambda d: d["lever"], goal=lambda d: d["target"].str.capitalize(),
        required_text=lambda d: [format_value(v, u) for v, u in zip(d["required"], d["unit"],
                                                                    strict=True)],
        current_text=lambda d: [format_value(v, u) for v, u in zip(d["current"], d["unit"],
                                                                   strict=True)])
    consumer = pd.DataFrame([
        {"label": "Chatbot paying share", "goal": goal, "factor": value / paying_now,
         "required_text": f"{value:.1%}", "current_text": f"{paying_now:.1%}"}
        for goal, value in paying_shares.items() if value <= 1.0])
    both = pd.concat([needed[["label", "goal", "factor", "required_text", "current_text"]],
                      consumer], ignore_index=True)
    return computed_from(both, solved)


def chart_required(df: pd.DataFrame) -> alt.LayerChart:
    """Improvement needed, times today (log x), one dot per lever and goal, with today at 1.

    Parameters
    ----------
    df : pandas.DataFrame
        ``label`` (row), ``goal`` (colour), ``factor`` [ratio], ``required_text`` and
        ``current_text`` (tooltips).
    """
    order = list(dict.fromkeys(df["label"]))
    ticks = decade_ticks(pd.concat([df["factor"], pd.Series([1.0])]))
    dots = alt.Chart(df).mark_point(filled=True, size=90).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("factor:Q", scale=alt.Scale(type="log", domain=[ticks[0], ticks[-1]]),
                title="Needed value relative to today, times (log scale)",
                axis=alt.Axis(format="~g", values=ticks)),
        color=alt.Color("goal:N", title=None, sort=list(dict.fromkeys(df["goal"])),
                        legend=alt.Legend(columns=2)),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("goal:N", title="Goal"),
                 alt.Tooltip("current_text:N", title="Today"),
                 alt.Tooltip("required_text:N", title="Needed"),
                 alt.Tooltip("factor:Q", title="Times today", format=",.2f")])
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#333").encode(x="x:Q")
    return alt.layer(rule, dots).properties(width=LABELLED_BARS_WIDTH_PX,
                                            height=max(120, 34 * len(order)))


# --- Claims chosen by the numbers -------------------------------------------------------------
# Sentences whose truth depends on the numbers, chosen by them (tests/test_claims.py).

def small_saving_sentence(cost_ratio: float, param_ratio: float) -> str:
    """Whether the small model's saving falls short of the ratio of parameter counts.

    Parameters
    ----------
    cost_ratio : float
        Frontier cost per query over small-model cost per query (median) [ratio].
    param_ratio : float
        Frontier active parameters over small-model active parameters [ratio].
    """
    if cost_ratio < param_ratio:
        return ("The saving is smaller than the ratio of parameter counts, because some costs "
                "do not shrink with the model: the attention cache grows with the context, and "
                "a small model still reads it in full at every step.")
    return ("The saving is at least the ratio of parameter counts: the small model's shorter "
            "attention cache shrinks the bill as much as its weights do.")


def inference_decisive_sentence(inference_share: float) -> str:
    """Whether a cheaper token decides the payback of the previous chapter's project."""
    if inference_share < 0.25:
        return ("For the project of the previous chapter this is welcome but not decisive, "
                "because the inference bill was already a small part of its monthly spending.")
    return ("For the project of the previous chapter this matters, because the inference bill "
            "is a large part of its monthly spending.")


def tier_spread_sentence(bills: pd.DataFrame) -> str:
    """Whether the spread of bills within each tier is as wide as the gap between tiers.

    The claim needs the ratio of the dearest to the cheapest bill within the frontier tier and
    within the small tier each to reach the ratio of the two tiers' median bills.
    """
    by = bills.groupby("group")["bill_usd_per_month"]
    gap = by.median()["Frontier tier"] / by.median()["Small tier"]
    spreads = [by.max()[g] / by.min()[g] for g in ("Frontier tier", "Small tier")]
    if min(spreads) >= gap:
        return ("The spread within each tier is as wide as the gap between them: vendors "
                "price the same tier very differently.")
    return "The gap between the tiers is wider than the spread of prices within either."


def chip_query_sentences(first: str, last: str, wh_first: float, wh_last: float,
                         cost_first: float, cost_last: float, price_first: float,
                         price_last: float) -> str:
    """Energy and hardware cost of a query on the oldest and newest chip, in words.

    Parameters
    ----------
    first, last : str
        Oldest and newest accelerator compared.
    wh_first, wh_last : float
        Energy per query (medians) [Wh].
    cost_first, cost_last : float
        Hardware cost per query (medians) [US cents].
    price_first, price_last : float
        Price of one GPU-hour of each chip [USD/h].
    """
    def change(a: float, b: float) -> str:
        if abs(a / b - 1.0) < 0.05:
            return "about the same"
        return f"{a / b:.2g} times less" if a > b else f"{b / a:.2g} times more"

    out = (f"The same query takes {wh_first:.2g} watt-hours on the {first} and {wh_last:.2g} on "
           f"the {last}, {change(wh_first, wh_last)}.\n")
    rent = ("even though the newer chip rents for more per hour" if price_last > price_first
            else "helped by a lower rent per hour")
    if cost_last < cost_first:
        return out + (f"Its hardware cost falls from {cost_first:.2g} to {cost_last:.2g} US "
                      f"cents, {change(cost_first, cost_last)}, {rent}.")
    return out + (f"Its hardware cost rises from {cost_first:.2g} to {cost_last:.2g} US cents, "
                  "because the newer chip's rent grows faster than its speed.")


def frontier_fall_sentence(fall: float, p5: float, p95: float) -> str:
    """What the fitted fall of frontier prices says, chosen by the fall and its interval.

    Parameters
    ----------
    fall : float
        Fitted yearly fall of frontier list prices; below one is a rise [x/yr].
    p5, p95 : float
        Bounds of its ninety per cent confidence interval [x/yr]; a bound at or below one
        means the interval includes no fall at all (or a rise).
    """
    lo, hi = min(p5, p95), max(p5, p95)
    ci = f"ninety per cent confidence interval of the fit from {lo:.2g} to {hi:.2g}"
    if fall <= 1.0:
        return (f"no fall at all: the fitted yearly change is a {fall:.2g}-fold fall, that is, "
                f"a rise ({ci}).\nEach new frontier model launches at or above the price of "
                "the last.")
    interval = f"a fall of only {fall:.2g}-fold a year, with a {ci}"
    if lo <= 1.0:
        return (interval + ", an interval that includes no fall at all.\nEach new frontier "
                "model launches at roughly the price of the last.")
    return (interval + ": frontier prices do fall, but more slowly than the price of a fixed "
            "capability.")


def frontier_lead_sentence(frontier_fall: float, constant_decline: float) -> str:
    """Whether the frontier's price has fallen as fast as the price of a fixed capability.

    Parameters
    ----------
    frontier_fall : float
        Fitted yearly fall of frontier list prices [x/yr].
    constant_decline : float
        Yearly fall of the price of a fixed capability (registry central) [x/yr].
    """
    if frontier_fall < constant_decline:
        return "The price of the *frontier* has not collapsed."
    return "The price of the *frontier* has fallen at least as fast."


def ratio_phrase(ratio: float) -> str:
    """How a first amount compares with a second that is ``ratio`` times smaller, in words.

    >>> ratio_phrase(12.3)
    '12 times less'
    >>> ratio_phrase(1.1)
    'about the same'
    """
    if ratio >= 1.5:
        return f"{ratio:.2g} times less"
    if ratio > 1.0 / 1.5:
        return "about the same"
    return f"{1.0 / ratio:.2g} times more"


def every_years_phrase(years: float) -> str:
    """A period in years after "every", in words.

    >>> every_years_phrase(2.0)
    'every two years'
    >>> every_years_phrase(1.0)
    'every year'
    """
    if abs(years - 1.0) < 0.05:
        return "every year"
    if abs(years - round(years)) < 0.05:
        return f"every {count_word(int(round(years)))} years"
    return f"every {years:.2g} years"


def sig_text(value: float, digits: int = 2) -> str:
    """A number rounded to ``digits`` significant figures, written out without an exponent.

    >>> sig_text(0.000981), sig_text(1512.0), sig_text(9.712)
    ('0.00098', '1,500', '9.7')
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - exponent, 0)
    rounded = round(value, digits - 1 - exponent)
    return f"{rounded:,.{decimals}f}"


def final_gap_sentences(final_year: int, same_cents: float, reasoning_cents: float) -> str:
    """Price of a plain answer at today's capability against a frontier answer with reasoning
    at the end of the price paths, and what the gap means, in words.

    Parameters
    ----------
    final_year : int
        Last year of the paths [year].
    same_cents : float
        Price of a plain answer at today's frontier capability then (median) [US cents].
    reasoning_cents : float
        Price of a frontier answer with reasoning then (fitted trend) [US cents].
    """
    gap = reasoning_cents / same_cents
    head = (f"If both trends hold until {final_year}, a plain answer at today's frontier "
            f"capability will cost about {sig_text(same_cents)} US cents")
    if gap >= 1.5:
        return (head + f", while the frontier answer with reasoning will still cost "
                f"{sig_text(reasoning_cents)} cents, {sig_text(gap)} times as much.\n"
                "The gap is the choice every buyer faces.\n"
                "Whoever can do the job with yesterday's capability will find it almost free; "
                "whoever insists on the frontier, and on reasoning, will see the price of every "
                "answer fall far more slowly.")
    return (head + f", and the frontier answer with reasoning about {sig_text(reasoning_cents)} "
            "cents: on these trends the frontier, even with reasoning, costs little more "
            "than yesterday's capability.")


def decline_bullet(constant_decline: float, frontier_fall: float) -> str:
    """The closing bullet on prices: fixed capability against the frontier, in words.

    Parameters
    ----------
    constant_decline : float
        Yearly fall of the price of a fixed capability (registry central) [x/yr].
    frontier_fall : float
        Fitted yearly fall of frontier list prices [x/yr].
    """
    head = f"The price of a fixed capability falls about {constant_decline:.2g}-fold a year"
    tail = "reasoning multiplies the tokens of every answer."
    if frontier_fall <= 1.0:
        return head + ", but the frontier's price does not fall at all, and " + tail
    if frontier_fall < constant_decline:
        return (head + f", but the frontier's price only about {frontier_fall:.2g}-fold, and "
                + tail)
    return (head + f", and the frontier's price as fast or faster ({frontier_fall:.2g}-fold); "
            "but " + tail)


def chip_bullet(wh_first: float, wh_last: float, cost_first: float, cost_last: float) -> str:
    """Whether energy and cost per query both fall from the oldest to the newest chip.

    Parameters
    ----------
    wh_first, wh_last : float
        Energy per query on the oldest and newest chip (medians) [Wh].
    cost_first, cost_last : float
        Hardware cost per query on them (medians) [any one currency unit].
    """
    energy, cost = wh_last < wh_first, cost_last < cost_first
    if energy and cost:
        return "energy and cost per query fall with it"
    if energy:
        return "energy per query falls with it, but not every newer chip answers more cheaply"
    if cost:
        return "cost per query falls with it, but not the energy per query"
    return "yet neither the energy nor the cost per query falls on the newest chip"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")


def count_word(n: int) -> str:
    """A small count in words ("two"), digits beyond twelve."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def levers_reachable_sentence(n_levers: int, n_typical: int, n_year: int) -> str:
    """How many levers alone reach each target, in words chosen by the counts."""
    total = count_word(n_levers)

    def part(n: int) -> str:
        if n == 0:
            return "none"
        if n == n_levers:
            return "all of them"
        return f"only {count_word(n)}" if n == 1 else count_word(n)

    t, y = part(n_typical), part(n_year)
    if n_typical == 0 and n_year == 0:
        return (f"None of the {total} levers can deliver either target on its own.")
    return (f"Of the {total} levers, {t} can deliver the typical-technology payback on its own, "
            f"and {y} a one-year payback.")


def benefit_sentences(solved: pd.DataFrame, format_months: Callable[[float], str]) -> str:
    """What the benefit lever must reach, and whether it is the lever that matters most.

    "matters most" needs the benefit's best one-lever payback to be the shortest of all
    levers; "a gap of that size" needs the typical-technology target to ask for at least
    twice today's benefit, or to be out of reach.
    """
    firsts = solved.drop_duplicates("short").set_index("short")
    strongest = firsts["best_payback"].idxmin() == "benefit"
    rows = solved[solved["short"] == "benefit"].set_index("target")
    typ, year = rows.loc["typical-tech payback"], rows.loc["one-year payback"]
    lead = ("The benefit is the lever that matters most." if strongest else
            "The benefit is one lever among several.")
    if not math.isfinite(typ["required"]) and not math.isfinite(year["required"]):
        need = "No benefit, however large, would deliver either target alone."
    elif not math.isfinite(typ["required"]):
        need = (f"No benefit alone delivers a typical-technology payback; a one-year payback "
                f"needs {requirement_text(year['required'], year['factor'], year['unit'])}.")
    else:
        need = (f"A typical-technology payback needs "
                f"{requirement_text(typ['required'], typ['factor'], typ['unit'])}, and a "
                f"one-year payback "
                f"{requirement_text(year['required'], year['factor'], year['unit'])}.")
    big = (not math.isfinite(typ["required"])) or typ["factor"] >= 2.0
    tail = (" A gap of that size is not closed by running the same project better; it needs a "
            "use with a much larger payoff.") if big else (
            " That is within reach of a project run better.")
    return f"{lead} {need}{tail}"


def serving_registers_sentence(central_payback: float, free_query: float,
                               full_utilisation: float) -> str:
    """Whether the serving levers barely move the payback (each within a tenth of central)."""
    if min(free_query, full_utilisation) >= 0.9 * central_payback:
        return "The serving side barely registers."
    return "The serving side moves the payback, though it cannot close the gap alone."


def others_short_sentence(solved: pd.DataFrame, shorts: Sequence[str] = (
        "capture", "build_cost", "cleanup_delay")) -> str:
    """"The other levers fall short alone" only when none of them reaches either target."""
    rows = solved[solved["short"].isin(shorts)]
    if rows["required"].isna().all() or not np.isfinite(rows["required"]).any():
        return "The other levers fall short alone."
    return "Some of the other levers can reach a target alone."


def favourable_sentences(best_payback: float, target_months: float) -> tuple[str, str]:
    """What the all-favourable payback says, and the summary clause, by the target it meets.

    Returns
    -------
    tuple of str
        The paragraph's sentences and the summary's clause after the colon.
    """
    if best_payback <= target_months:
        return ("That is the best case the evidence allows, and it is the case in which a "
                "generative-AI project looks like ordinary software. It requires everything to "
                "go right at once.",
                "AI can pay back like software, but only when everything goes right")
    return ("That is the best case the evidence allows, and even it is slower than the payback "
            "executives expect of ordinary software.",
            "even when everything goes right, AI does not pay back like software")


def levers_bullet(n_levers: int, n_typical: int, benefit_required: float,
                  benefit_factor: float, benefit_unit: str) -> str:
    """Summary sentence: how many levers alone close the gap, and what the benefit needs."""
    head = (f"None of the {count_word(n_levers)} levers can close that gap alone"
            if n_typical == 0 else
            f"{count_word(n_typical).capitalize()} of the {count_word(n_levers)} levers can "
            "close that gap alone")
    if not math.isfinite(benefit_required):
        return head + ", not even the benefit, however large."
    return (head + "; the benefit would need "
            f"{requirement_text(benefit_required, benefit_factor, benefit_unit)}.")


def requirement_rows(solved: pd.DataFrame, target_keys: Mapping[str, str], subject: str,
                     prefix: str = "wmbt") -> list[tuple]:
    """The :func:`aiboom.results.record_table` rows of what each lever must reach, per target.

    Four rows for each row of :func:`what_must_be_true`, named
    ``{prefix}_{short}_{target_keys[target]}``: the value needed in words (``_text``); the
    value itself and its multiple of today's (``_factor``), both skipped (``None``) when no
    value of the lever alone reaches the target; and the value with its multiple in words
    (``_need_text``). Each row sets its quantity (from ``LEVER_QUANTITIES``) and subject
    (``"{subject} for a {target}"``); the table gives the basis.
    """
    rows: list[tuple] = []
    for _, row in solved.iterrows():
        key = f"{prefix}_{row['short']}_{target_keys[row['target']]}"
        needed = f"{row['lever'].lower()} needed for a {row['target']}"
        quantity = LEVER_QUANTITIES[row["short"]]
        options = {"quantity": quantity, "subject": f"{subject} for a {row['target']}"}
        reached = math.isfinite(row["required"])
        rows += [
            (f"{key}_text", format_value(row["required"], row["unit"]), "text",
             f"{needed}, in words", options),
            (key, row["required"] if reached else None, row["unit"], needed, options),
            (f"{key}_factor", row["factor"] if reached else None, "ratio",
             f"{needed}, times today's (in the direction that shortens payback)",
             {**options, "quantity": f"{quantity}_needed_over_today"}),
            (f"{key}_need_text", requirement_text(row["required"], row["factor"], row["unit"]),
             "text", f"{needed} and its multiple of today's, in words",
             {**options, "quantity": f"{quantity}_needed_with_multiple"}),
        ]
    return rows


def lever_today_rows(solved: pd.DataFrame, subject: str, prefix: str = "wmbt",
                     query_subject: str = "average query") -> list[tuple]:
    """The :func:`aiboom.results.record_table` rows of each lever today and at its best.

    Two rows per lever of :func:`what_must_be_true`, in its order: the lever's central value in
    words (``{prefix}_{short}_today_text``, whose subject is ``query_subject`` for the cost per
    query and ``subject`` otherwise) and the shortest payback with that lever alone at its best
    (``{prefix}_{short}_best_text``); the table gives the basis.
    """
    rows: list[tuple] = []
    for short, row in solved.drop_duplicates("short").set_index("short").iterrows():
        lever = row["lever"].lower()
        rows += [
            (f"{prefix}_{short}_today_text", format_value(row["current"], row["unit"]), "text",
             f"{lever} today (central), in words",
             {"quantity": LEVER_QUANTITIES[short],
              "subject": query_subject if short == "query_cost" else subject}),
            (f"{prefix}_{short}_best_text", months_text(row["best_payback"]), "text",
             f"shortest payback with {lever} alone at its best, in words",
             {"quantity": "payback_months", "subject": f"{subject} with {lever} at best"}),
        ]
    return rows


def paying_share_text(share: float) -> str:
    """A needed paying share for prose: a percentage, or "more than every user" above one.

    >>> paying_share_text(0.042), paying_share_text(1.3)
    ('4.2%', 'more than every user')
    """
    return percent_text(share) if share <= 1.0 else "more than every user"
