r"""Where the money is: payback of technology, generative-AI and agentic projects, the free-tier
subsidy, data clean-up, value capture and the assumptions that matter most (chapter "Where is
the money", Phase three).

Every payback comes from the per-sample model of :mod:`aiboom.kernels` (the same roofline cost
per query and the same cash-flow curve as the rest of the book). The model is written for a
generative-AI project; the other two project types are expressed in its inputs by
:data:`PROJECT_ROWS`:

=====================================  ===========================  ==========================
kernel input (symbol)                  typical technology project   agentic-AI project
=====================================  ===========================  ==========================
``genai_project_capex_usd`` (K)        ``tech_project_capex_usd``   ``agentic_project_capex_usd``
``genai_monthly_benefit_usd`` (V)      ``tech_monthly_benefit_usd`` ``agentic_monthly_benefit_usd``
``value_capture_share`` (s)            ``tech_value_capture_share`` (unchanged)
``genai_ramp_months`` (R)              ``tech_ramp_months``         ``agentic_ramp_months``
``genai_monthly_opex_usd`` (X)         ``tech_monthly_opex_usd``    ``agentic_monthly_opex_usd``
``genai_queries_per_month`` (Q)        0: no per-use compute        tasks x steps per task
``data_cleanup_*`` (C0, C1, T0)        0: no data rebuild           (unchanged)
=====================================  ===========================  ==========================

A typical technology project (software built once, run at near-zero marginal cost) therefore
has no inference bill and no data clean-up; an agentic project makes
``agentic_tasks_per_month`` x ``agentic_steps_per_task`` model calls a month, each priced like a
chat query by the roofline. Every other input keeps its registry row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from aiboom import charts, economics, kernels, sensitivity
from aiboom.backend import Backend, get_backend
from aiboom.kernels import INPUTS, PAYBACK_HORIZON_MONTHS, Accelerator
from aiboom.montecarlo import accelerator_constants
from aiboom.montecarlo import inverted_cdf as quantiles
from aiboom.registry import Assumption
from aiboom.sampling import draw_samples

__all__ = [
    "CAPTURE_GRID",
    "CENTS_PER_USD",
    "CLEANUP_DELAYS_MONTHS",
    "COMPUTE_INPUTS",
    "CONVERSION_GRID",
    "GRID_CHUNK_SAMPLES",
    "SOBOL_BASE_SAMPLES",
    "TOP_INPUTS",
    "central_break_even_conversion",
    "required_conversion",
    "central_inputs",
    "central_payback_months",
    "central_usd_per_query",
    "compute_share_of_revenue",
    "LABELLED_BARS_WIDTH_PX",
    "LEVER_QUANTITIES",
    "agentic_contrast_clause",
    "benefit_swing_clause",
    "break_even_tails_sentence",
    "capture_curve_sentences",
    "compute_binding_sentences",
    "median_against_central_sentence",
    "never_phrase",
    "percent_text",
    "second_target_clause",
    "tech_within_year_clause",
    "chart_payback_by_capture",
    "chart_tornado",
    "inference_share_of_monthly_cost",
    "prose_label",
    "AGENTIC_QUERY_FACTORS",
    "INPUT_LABELS",
    "MAX_SAMPLES",
    "MONTHS_PER_YEAR",
    "PAYBACK_TICKS_MONTHS",
    "PROJECT_KINDS",
    "PROJECT_ROWS",
    "accelerator_constants",
    "break_even_conversion_samples",
    "chart_free_tier",
    "chart_payback",
    "cleanup_added_months",
    "cleanup_grid",
    "evaluate_with",
    "payback_on_grid",
    "free_tier_by_conversion",
    "free_tier_subsidy_samples",
    "input_label",
    "payback_by_capture",
    "log_histogram",
    "months_text",
    "payback_histogram",
    "payback_sobol",
    "payback_summary",
    "payback_tornado",
    "project_registry",
    "quantiles",
    "payback_rows",
    "scenario_model",
    "simulate_project",
    "survey_ranges",
]

#: Project types, by key, with the label the chapter uses.
PROJECT_KINDS: dict[str, str] = {
    "tech": "Typical tech project", "genai": "Generative AI", "agentic": "Agentic AI"}

#: Per project type, the kernel inputs that take another registry row (a str) or a fixed value
#: (a float) in the kernel input's unit; inputs not listed keep their own row.
PROJECT_ROWS: dict[str, dict[str, str | float]] = {
    "tech": {
        "genai_project_capex_usd": "tech_project_capex_usd",
        "genai_monthly_benefit_usd": "tech_monthly_benefit_usd",
        "value_capture_share": "tech_value_capture_share",
        "genai_ramp_months": "tech_ramp_months",
        "genai_monthly_opex_usd": "tech_monthly_opex_usd",
        "genai_queries_per_month": 0.0,
        "data_cleanup_oneoff_usd": 0.0,
        "data_cleanup_monthly_usd": 0.0,
        "data_cleanup_delay_months": 0.0,
    },
    "genai": {},
    "agentic": {
        "genai_project_capex_usd": "agentic_project_capex_usd",
        "genai_monthly_benefit_usd": "agentic_monthly_benefit_usd",
        "genai_ramp_months": "agentic_ramp_months",
        "genai_monthly_opex_usd": "agentic_monthly_opex_usd",
    },
}
#: Registry rows whose product is an agentic project's model calls per month [count].
AGENTIC_QUERY_FACTORS: tuple[str, str] = ("agentic_tasks_per_month", "agentic_steps_per_task")
#: Most samples a chapter keeps in memory (inputs and outputs of every sample) [samples].
MAX_SAMPLES = 10**6
#: Months in a year [months/yr].
MONTHS_PER_YEAR = 12.0
#: Tick marks of the log payback axis: three months to the model's twenty-year horizon [months].
PAYBACK_TICKS_MONTHS: tuple[float, ...] = (3.0, 6.0, 12.0, 24.0, 48.0, 96.0,
                                           PAYBACK_HORIZON_MONTHS)

#: Base sample size of the Sobol analysis; the sampling error of an index is about 0.01
#: at this size (:mod:`aiboom.sensitivity`) [samples].
SOBOL_BASE_SAMPLES = 2**14
#: Inputs shown in the sensitivity charts [count].
TOP_INPUTS = 12
#: Width of horizontal bar charts whose long row labels take the rest of the figure [px].
LABELLED_BARS_WIDTH_PX = 360
#: US cents in a dollar [cents/USD].
CENTS_PER_USD = 100.0
#: Paying shares on the free-tier chart, none to a fifth of users [fraction].
CONVERSION_GRID: np.ndarray = np.linspace(0.0, 0.2, 41)
#: Clean-up delays on the clean-up chart, none to two years [months].
CLEANUP_DELAYS_MONTHS: np.ndarray = np.arange(0.0, 25.0, 3.0)
#: Value-capture shares on the value chart, a tenth to all of the benefit [fraction].
CAPTURE_GRID: np.ndarray = np.round(np.linspace(0.1, 1.0, 19), 3)
#: Most samples per :func:`aiboom.kernels.evaluate` call when a grid of input values is run on
#: every sample (whole grid rows at a time; the chunk size of
#: :func:`aiboom.montecarlo.run_monte_carlo`) [samples].
GRID_CHUNK_SAMPLES = 2**20

#: Short chart labels of the kernel inputs (registry descriptions are too long for an axis).
INPUT_LABELS: dict[str, str] = {
    "h100_usd_per_gpu_hour": "GPU-hour price",
    "frontier_active_params": "Active parameters",
    "frontier_total_to_active_params": "Stored over active parameters",
    "weight_bytes_per_param": "Bytes per weight",
    "kv_bytes_per_value": "Bytes per KV value",
    "context_tokens": "Context length",
    "decode_batch_size": "Decode batch size",
    "inference_mfu": "Prefill FLOP utilisation",
    "decode_mfu": "Decode FLOP utilisation",
    "inference_mbu": "Memory-bandwidth utilisation",
    "serving_utilization": "Fleet utilisation",
    "input_tokens_per_query": "Input tokens per query",
    "cached_input_share": "Cached input share",
    "output_tokens_per_query": "Output tokens per query",
    "reasoning_token_multiplier": "Reasoning tokens per output token",
    "reasoning_query_share": "Share of reasoning queries",
    "server_watts_per_gpu": "Server power per GPU",
    "accelerator_power_share": "Accelerator share of power",
    "idle_power_fraction": "Idle power fraction",
    "pue": "Power usage effectiveness",
    "genai_project_capex_usd": "Up-front build cost",
    "genai_monthly_benefit_usd": "Monthly gross benefit",
    "value_capture_share": "Share of value captured",
    "genai_ramp_months": "Adoption ramp",
    "genai_monthly_opex_usd": "Monthly running cost",
    "genai_queries_per_month": "Queries per month",
    "data_cleanup_oneoff_usd": "Data clean-up, one-off",
    "data_cleanup_monthly_usd": "Data upkeep, monthly",
    "data_cleanup_delay_months": "Data clean-up delay",
}


#: Kernel inputs on the serving side: they set the inference bill (cost per query, or the
#: number of queries), not the project's benefit or its other costs.
COMPUTE_INPUTS: tuple[str, ...] = tuple(
    k for k in INPUTS if not k.startswith(("genai_", "data_cleanup_", "value_capture"))
) + ("genai_queries_per_month",)


def input_label(param_id: str) -> str:
    """Short label of a kernel input for charts; the registry id itself when none is known."""
    return INPUT_LABELS.get(param_id, param_id)


# --------------------------------------------------------------------------------------------
# The model under a scenario
# --------------------------------------------------------------------------------------------


def scenario_model(scenario: Any) -> tuple[Mapping[str, Assumption], Accelerator]:
    """Registry and accelerator constants of the per-sample model under a scenario.

    Parameters
    ----------
    scenario : aiboom.scenarios.Scenario
        The loaded scenario.

    Returns
    -------
    (mapping, Accelerator)
        The registry rows the model samples (the GPU-hour price is the scenario
        accelerator's) and the serving accelerator's constants, from
        :func:`aiboom.montecarlo.scenario_inputs`, so every chapter resolves a scenario alike.
    """
    from aiboom.montecarlo import scenario_inputs

    return scenario_inputs(scenario)


def _fixed(a: Assumption, value: float, target: str) -> Assumption:
    return replace(a, id=target, low=value, central=value, high=value, distribution="fixed")


def project_registry(registry: Mapping[str, Assumption], kind: str) -> dict[str, Assumption]:
    """The registry with the kernel inputs of one project type remapped (:data:`PROJECT_ROWS`).

    Parameters
    ----------
    registry : mapping of str to Assumption
        Must hold every kernel input and every row named in :data:`PROJECT_ROWS`.
    kind : {"tech", "genai", "agentic"}
        Project type.

    Returns
    -------
    dict of str to Assumption
        A copy; each remapped row keeps the source row's distribution under the kernel input's
        id (so it samples as that input). The agentic query count is not remapped here (it is
        a product of two rows; see :func:`simulate_project`).
    """
    if kind not in PROJECT_ROWS:
        raise ValueError(f"unknown project kind {kind!r}; allowed: {', '.join(PROJECT_ROWS)}")
    rows = dict(registry)
    for target, source in PROJECT_ROWS[kind].items():
        if isinstance(source, str):
            rows[target] = replace(registry[source], id=target)
        else:
            rows[target] = _fixed(registry[target], float(source), target)
    return rows


def simulate_project(registry: Mapping[str, Assumption], kind: str, n_samples: int, seed: int,
                     backend: str | None = None,
                     accelerator: Accelerator = kernels.H100_SXM) -> dict[str, np.ndarray]:
    r"""Monte Carlo of one project type: every input and output of every sample.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry.
    kind : {"tech", "genai", "agentic"}
        Project type (:data:`PROJECT_ROWS`).
    n_samples : int
        Samples, capped at :data:`MAX_SAMPLES` [samples].
    seed : int
        Root seed (the same seed gives the same draws; see :mod:`aiboom.sampling`).
    backend : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"``.
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    dict of str to numpy.ndarray
        Every id of :data:`aiboom.kernels.INPUTS` (in the kernel input's unit) and every
        output of :data:`aiboom.kernels.OUTPUTS` (``usd_per_query`` [USD/query],
        ``payback_months`` [months], ``inf`` when not within
        :data:`aiboom.kernels.PAYBACK_HORIZON_MONTHS`, ...), shape ``(n,)``.

    Notes
    -----
    Inputs are drawn with :func:`aiboom.sampling.draw_samples`, the sampler of
    :func:`aiboom.montecarlo.run_monte_carlo`, so the ``"genai"`` project reproduces the
    engine's samples exactly. For ``"agentic"`` the query count per month is

    .. math:: Q = n_{tasks}\, n_{steps}

    with both factors drawn from their own rows.
    """
    n = min(int(n_samples), MAX_SAMPLES)
    x = draw_samples(project_registry(registry, kind), INPUTS, n, seed)
    if kind == "agentic":
        f = draw_samples(registry, AGENTIC_QUERY_FACTORS, n, seed)
        x["genai_queries_per_month"] = f[AGENTIC_QUERY_FACTORS[0]] * f[AGENTIC_QUERY_FACTORS[1]]
    y = kernels.evaluate(x, backend, accelerator=accelerator)
    return {**x, **y}


def evaluate_with(samples: Mapping[str, np.ndarray], changes: Mapping[str, ArrayLike],
                  backend: str | None = None,
                  accelerator: Accelerator = kernels.H100_SXM) -> dict[str, np.ndarray]:
    """Re-run the model on the same samples with some inputs changed (common random numbers).

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        From :func:`simulate_project`.
    changes : mapping of str to numeric
        Kernel input id to a value or an array of the samples' length [input unit].
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    dict of str to numpy.ndarray
        The model outputs [:data:`aiboom.kernels.OUTPUT_UNITS`].
    """
    unknown = set(changes) - set(INPUTS)
    if unknown:
        raise KeyError(f"not model inputs: {sorted(unknown)}")
    n = len(samples[INPUTS[0]])
    x = {k: (np.broadcast_to(np.asarray(changes[k], dtype=float), (n,)) if k in changes
             else samples[k]) for k in INPUTS}
    return kernels.evaluate(x, backend, accelerator=accelerator)


def payback_on_grid(samples: Mapping[str, np.ndarray], grid: Mapping[str, Any],
                    backend: Backend | str | None = None,
                    accelerator: Accelerator = kernels.H100_SXM) -> Any:
    r"""Payback of every sample at every point of a grid of input values (common random
    numbers): grid x samples through the backend.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        From :func:`simulate_project`, ``n`` samples.
    grid : mapping of str to array-like
        Kernel input id to its values at the ``G`` grid points, all of shape ``(G,)``
        (arrays of the backend, or host values) [input unit]; every other input keeps its
        sampled value.
    backend : Backend or str, optional
        As for :func:`aiboom.backend.get_backend`.
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    array
        Of the backend's array module, shape ``(G, n)``: payback [months], ``inf`` when not
        within :data:`aiboom.kernels.PAYBACK_HORIZON_MONTHS`.

    Notes
    -----
    Row :math:`g` equals ``evaluate_with(samples, {k: grid[k][g]})["payback_months"]``. The
    grid is run on all samples in :func:`aiboom.kernels.evaluate_device` calls of whole rows,
    at most :data:`GRID_CHUNK_SAMPLES` samples each (at least one row), built from the
    backend's arrays: on a GPU nothing crosses to the host until the quantiles.
    """
    be = backend if isinstance(backend, Backend) else get_backend(backend)
    xp = be.xp
    unknown = set(grid) - set(INPUTS)
    if unknown:
        raise KeyError(f"not model inputs: {sorted(unknown)}")
    points = {k: xp.asarray(v, dtype=float).ravel() for k, v in grid.items()}
    n_points = {v.size for v in points.values()}
    if len(n_points) != 1:
        raise ValueError(f"grid columns differ in length: {sorted(n_points)}")
    g = n_points.pop()
    sampled = {k: xp.asarray(samples[k], dtype=float) for k in INPUTS if k not in points}
    n = len(samples[INPUTS[0]])
    rows = max(1, GRID_CHUNK_SAMPLES // max(n, 1))
    out = xp.empty((g, n))
    for lo in range(0, g, rows):
        hi = min(lo + rows, g)
        x = {k: xp.repeat(points[k][lo:hi], n) if k in points else xp.tile(sampled[k], hi - lo)
             for k in INPUTS}
        y = kernels.evaluate_device(x, be, accelerator)["payback_months"]  # stays on the device
        out[lo:hi] = y.reshape(hi - lo, n)
    return out


# --------------------------------------------------------------------------------------------
# Payback distributions
# --------------------------------------------------------------------------------------------


def payback_summary(payback_months: ArrayLike, within_months: float = MONTHS_PER_YEAR
                    ) -> dict[str, float]:
    """Median, ninety per cent interval and tail shares of sampled paybacks.

    Parameters
    ----------
    payback_months : array-like
        Payback per sample, ``inf`` for never [months].
    within_months : float, default 12
        Threshold for ``share_within`` [months].

    Returns
    -------
    dict
        ``p5``, ``p50``, ``p95`` [months] (``inf`` where that quantile never pays back),
        ``share_never`` (not within the model's horizon) and ``share_within`` (at most
        ``within_months``) [fraction of samples].
    """
    p = np.asarray(payback_months, dtype=float)
    p5, p50, p95 = quantiles(p)
    return {"p5": float(p5), "p50": float(p50), "p95": float(p95),
            "share_never": float(np.mean(~np.isfinite(p))),
            "share_within": float(np.mean(p <= within_months))}


def log_histogram(groups: Mapping[str, ArrayLike], low: float, high: float, n_bins: int,
                  group: str = "group", backend: Backend | str | None = None) -> pd.DataFrame:
    r"""Log-binned shares of samples, one block of rows per group.

    Parameters
    ----------
    groups : mapping of str to array-like
        Label to samples [any positive unit]; non-finite samples fall in no bin.
    low, high : float
        Range of the bins, ``0 < low < high``; finite samples below ``low`` join the first bin
        and samples at or above ``high`` fall in no bin [unit of the samples].
    n_bins : int
        Number of log-spaced bins.
    group : str, default "group"
        Name of the label column.
    backend : Backend or str, optional
        As for :func:`aiboom.backend.get_backend`.

    Returns
    -------
    pandas.DataFrame
        ``bin_low``, ``bin_high`` [unit of the samples], ``share`` [fraction of all samples of
        the group, non-finite ones included] and the label column, tagged as computed by
        ``money.log_histogram``.

    Notes
    -----
    Bin :math:`i` holds the samples with :math:`e_i \le x < e_{i+1}`, edges
    :math:`e_i = l\,(h/l)^{i/n}`, as :func:`numpy.histogram` counts them; every group is
    counted at once on the backend (one ``bincount`` over group x bin).
    """
    return _log_histogram(groups, low, high, n_bins, group, "money.log_histogram", backend)


def _log_histogram(groups: Mapping[str, ArrayLike], low: float, high: float, n_bins: int,
                   group: str, kernel: str, backend: Backend | str | None) -> pd.DataFrame:
    """:func:`log_histogram`, its table tagged as computed by ``kernel``."""
    if not 0.0 < low < high:
        raise ValueError(f"need 0 < low < high; got {low}, {high}")
    be = backend if isinstance(backend, Backend) else get_backend(backend)
    xp = be.xp
    n_bins = int(n_bins)
    edges = xp.asarray(np.geomspace(low, high, n_bins + 1))  # the bins, as numpy.histogram's
    labels = list(groups)
    values = [xp.asarray(v, dtype=float).ravel() for v in groups.values()]
    sizes = [v.size for v in values]
    v = xp.concatenate(values)
    member = xp.repeat(xp.arange(len(values)), sizes)
    binned = xp.isfinite(v) & (v < high)
    b = xp.searchsorted(edges, xp.maximum(v, low), side="right") - 1  # below low: first bin
    cell = xp.where(binned, member * n_bins + b, len(values) * n_bins)  # unbinned: spare cell
    counts = xp.bincount(cell, minlength=len(values) * n_bins + 1)[:-1]
    share = counts.reshape(len(values), n_bins) / xp.asarray(sizes)[:, None]
    return be.frame(kernel, {
        "bin_low": xp.tile(edges[:-1], len(values)), "bin_high": xp.tile(edges[1:], len(values)),
        "share": share.ravel(), group: [label for label in labels for _ in range(n_bins)]})


def payback_histogram(paybacks: Mapping[str, ArrayLike],
                      low_months: float = PAYBACK_TICKS_MONTHS[0],
                      high_months: float = PAYBACK_HORIZON_MONTHS, n_bins: int = 36,
                      backend: Backend | str | None = None) -> pd.DataFrame:
    """Log-binned shares of sampled paybacks, one group (``project``) per project type.

    Parameters
    ----------
    paybacks : mapping of str to array-like
        Label to payback samples [months] (``inf`` allowed; counted in no bin).
    low_months, high_months : float
        Range of the bins; paybacks below ``low_months`` join the first bin [months].
    n_bins : int, default 36
        Number of log-spaced bins.
    backend : Backend or str, optional
        As for :func:`aiboom.backend.get_backend`.

    Returns
    -------
    pandas.DataFrame
        As :func:`log_histogram` with the label column ``project``, tagged as computed by
        ``money.payback_histogram``. The shares of a group sum to the share of its samples that
        pay back within ``high_months``.
    """
    return _log_histogram(paybacks, low_months, high_months, n_bins, "project",
                          "money.payback_histogram", backend)


def months_text(months: float, horizon_months: float = PAYBACK_HORIZON_MONTHS) -> str:
    """A payback for prose: whole months below four years, years to two significant figures
    from four years, or "more than N years" beyond the horizon.

    >>> months_text(43.6)
    '44 months'
    >>> months_text(232.0)
    '19 years'
    >>> months_text(float("inf"))
    'more than 20 years'
    """
    if not math.isfinite(months) or months >= horizon_months:
        return f"more than {horizon_months / MONTHS_PER_YEAR:.0f} years"
    if months >= 4 * MONTHS_PER_YEAR:
        return f"{months / MONTHS_PER_YEAR:.2g} years"
    return f"{months:,.0f} months"


def payback_rows(name: str, summary: Mapping[str, float], what: str) -> list[tuple]:
    """Rows of :func:`aiboom.results.record_table` for a payback summary.

    Parameters
    ----------
    name : str
        Glue key of the median; ``name_text``, ``name_p5_text``, ``name_p95_text``,
        ``name_share_never`` and ``name_share_within_year`` are recorded beside it.
    summary : mapping
        From :func:`payback_summary`.
    what : str
        What the payback is of, for the manifest's descriptions.

    Returns
    -------
    list of tuple
        ``(name, value, unit, description, options)`` rows, each with its own quantity,
        basis and subject.

    Notes
    -----
    Numbers go to the manifest capped at :data:`aiboom.kernels.PAYBACK_HORIZON_MONTHS` (a
    payback that never comes is recorded as the horizon, and said so); the prose uses the
    ``_text`` keys, which read "more than 20 years" in that case.
    """
    def cap(v: float) -> float:
        return min(v, PAYBACK_HORIZON_MONTHS)

    subject = what.lower()
    rows: list[tuple] = [
        (name, cap(summary["p50"]), "months", f"median payback of {what} (horizon if never)",
         {"quantity": "payback_months", "basis": "median", "subject": subject,
          "p5": cap(summary["p5"]), "p95": cap(summary["p95"])}),
    ]
    for key in ("p50", "p5", "p95"):
        suffix = "" if key == "p50" else f"_{key}"
        rows.append((f"{name}{suffix}_text", months_text(summary[key]), "text",
                     f"{key} payback of {what}, in words",
                     {"quantity": "payback_months",
                      "basis": "median" if key == "p50" else key, "subject": subject}))
    rows.append((f"{name}_share_never", summary["share_never"], "fraction",
                 f"share of samples of {what} that never pay back within the horizon",
                 {"quantity": "share_never_paying_back", "basis": "monte_carlo",
                  "subject": subject}))
    rows.append((f"{name}_share_within_year", summary["share_within"], "fraction",
                 f"share of samples of {what} that pay back within a year",
                 {"quantity": "share_paying_back_within_year", "basis": "monte_carlo",
                  "subject": subject}))
    return rows


def survey_ranges(registry: Mapping[str, Assumption]) -> pd.DataFrame:
    """Payback ranges reported by executives (Deloitte survey rows of the registry), in months.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``low_months``, ``central_months``, ``high_months`` [months]: typical
        technology investments (``survey_payback_typical_months``) and AI use cases
        (``survey_payback_genai_years`` times twelve).
    """
    tech = registry["survey_payback_typical_months"]
    ai = registry["survey_payback_genai_years"]
    return pd.DataFrame([
        {"label": "Survey: typical tech", "low_months": tech.low,
         "central_months": tech.central, "high_months": tech.high},
        {"label": "Survey: AI use cases", "low_months": ai.low * MONTHS_PER_YEAR,
         "central_months": ai.central * MONTHS_PER_YEAR,
         "high_months": ai.high * MONTHS_PER_YEAR},
    ])


#: Small counts in words, for sentences chosen by the numbers.
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


def survey_fit_sentence(summaries: Mapping[str, Mapping[str, float]], survey: pd.DataFrame,
                        registry: Mapping[str, Assumption]) -> str:
    """How the simulated medians sit against the survey ranges, and why, chosen by the numbers.

    Parameters
    ----------
    summaries : mapping
        :func:`payback_summary` per project kind (``tech``, ``genai``, ``agentic``) [months].
    survey : pandas.DataFrame
        From :func:`survey_ranges` (row 0: typical technology, row 1: AI use cases) [months].
    registry : mapping of str to Assumption
        Its ``calibrated_to`` column names the inputs set to reproduce the survey.

    Returns
    -------
    str
        One or two sentences: whether the technology and generative-AI medians fall inside
        their survey ranges, and that the build costs were calibrated to those ranges (so a
        match is by construction and the model's test lies in the validation appendix).
    """
    checks = {"tech": survey.iloc[0], "genai": survey.iloc[1]}
    inside = {k: row["low_months"] <= summaries[k]["p50"] <= row["high_months"]
              for k, row in checks.items()}
    calibrated = sorted(rid for rid, a in registry.items() if any(
        t.startswith("deloitte2025_") for t in a.calibration_targets))
    rows = _COUNT_WORDS[len(calibrated)] if len(calibrated) < len(_COUNT_WORDS) else \
        f"{len(calibrated):,}"
    rows += " registry row" if len(calibrated) == 1 else " registry rows"
    basis = (f"The build costs of the projects ({rows}) are "
             "calibrated to these survey ranges, so where the medians land inside them they "
             "do so by construction; the model's tests against figures it was not fitted to "
             "are in the validation appendix.") if calibrated else (
             "No input was calibrated to the survey, so this comparison is a test of the "
             "model.")
    if all(inside.values()):
        lead = "The simulated medians land inside the ranges executives report."
    elif not any(inside.values()):
        lead = ("The simulated medians land outside the ranges executives report, for the "
                "technology and the generative-AI project alike.")
    else:
        hit, miss = ("technology", "generative-AI") if inside["tech"] else \
            ("generative-AI", "technology")
        lead = (f"The {hit} project's median lands inside the range executives report; the "
                f"{miss} project's does not.")
    return f"{lead} {basis}"


def chart_payback(hist: pd.DataFrame, survey: pd.DataFrame) -> alt.LayerChart:
    """Overlaid payback histograms (log months) under shaded, labelled survey ranges.

    Parameters
    ----------
    hist : pandas.DataFrame
        From :func:`payback_histogram`.
    survey : pandas.DataFrame
        From :func:`survey_ranges`.
    """
    order = list(dict.fromkeys(hist["project"]))
    bars = charts.histogram(hist, left="bin_low", right="bin_high", share="share",
                            x_title="Payback time, months (log scale)", color="project",
                            log_x=True, x_format=",.0f")
    bars = bars.encode(color=alt.Color("project:N", title=None, sort=order))
    x_scale = alt.Scale(type="log", domain=[float(hist["bin_low"].min()),
                                            float(hist["bin_high"].max())])
    bars = bars.encode(x=alt.X("bin_low:Q", bin="binned", scale=x_scale,
                               title="Payback time, months (log scale)",
                               axis=alt.Axis(format=",.0f",
                                             values=list(PAYBACK_TICKS_MONTHS))))
    band = alt.Chart(survey).mark_rect(opacity=0.12, color="#333").encode(
        x=alt.X("low_months:Q", scale=x_scale), x2="high_months:Q",
        tooltip=[alt.Tooltip("label:N", title=""),
                 alt.Tooltip("low_months:Q", title="From, months", format=",.0f"),
                 alt.Tooltip("high_months:Q", title="To, months", format=",.0f")])
    edges = pd.concat([survey.assign(x=survey["low_months"]),
                       survey.assign(x=survey["high_months"])], ignore_index=True)
    rules = alt.Chart(edges).mark_rule(strokeDash=[4, 3], color="#333").encode(
        x=alt.X("x:Q", scale=x_scale))
    text = alt.Chart(survey.assign(mid=np.sqrt(survey["low_months"] * survey["high_months"]))
                     ).mark_text(align="center", dy=-4, fontSize=11, color="#333").encode(
        x=alt.X("mid:Q", scale=x_scale), y=alt.value(0),
        text=alt.Text("label:N"))
    return alt.layer(band, bars, rules, text)


# --------------------------------------------------------------------------------------------
# Free tiers
# --------------------------------------------------------------------------------------------

_FREE_TIER_IDS = ("weekly_active_users", "paid_conversion_rate", "queries_per_free_user_per_day",
                  "queries_per_paid_user_per_day", "subscription_usd_per_month")


def _free_tier_draws(registry: Mapping[str, Assumption], n: int, seed: int
                     ) -> dict[str, np.ndarray]:
    return draw_samples(registry, _FREE_TIER_IDS, n, seed)


def free_tier_subsidy_samples(registry: Mapping[str, Assumption], usd_per_query: ArrayLike,
                              seed: int) -> np.ndarray:
    r"""Monthly compute bill of a chatbot's free users, per Monte Carlo sample.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``weekly_active_users``, ``paid_conversion_rate`` and
        ``queries_per_free_user_per_day``.
    usd_per_query : array-like
        Serving cost of an average query, one value per sample (e.g. the ``usd_per_query``
        samples of :func:`simulate_project`) [USD/query].
    seed : int
        Root seed for the user-side draws.

    Returns
    -------
    numpy.ndarray
        Subsidy per sample [USD bn/month].

    Notes
    -----
    :func:`aiboom.economics.free_tier_subsidy_usd_per_month`,
    :math:`S = W (1 - s) q_f c \bar d`, divided by :math:`10^9`.
    """
    c = np.asarray(usd_per_query, dtype=float)
    d = _free_tier_draws(registry, c.size, seed)
    return economics.free_tier_subsidy_usd_per_month(
        d["weekly_active_users"], d["paid_conversion_rate"],
        d["queries_per_free_user_per_day"], c) / 1e9


def break_even_conversion_samples(registry: Mapping[str, Assumption], usd_per_query: ArrayLike,
                                  seed: int, subscription_share: float = 1.0) -> np.ndarray:
    r"""Paying share at which subscriptions cover the compute of all users, per sample.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``subscription_usd_per_month``, ``queries_per_free_user_per_day`` and
        ``queries_per_paid_user_per_day``.
    usd_per_query : array-like
        Serving cost of an average query per sample [USD/query].
    seed : int
        Root seed for the user-side draws.
    subscription_share : float, default 1.0
        Share of the subscription price available for compute, in (0, 1]; ``1 - g`` asks for a
        gross margin :math:`g` on compute [unitless].

    Returns
    -------
    numpy.ndarray
        Break-even share :math:`s^*` per sample, ``inf`` where even an all-paying base does not
        cover its own compute [fraction].

    Notes
    -----
    :func:`aiboom.economics.break_even_conversion_rate` with price :math:`P (1 - g)`:

    .. math:: s^* = \frac{\bar d\, c\, q_f}{P(1-g) - \bar d\, c\, (q_p - q_f)}
    """
    if not 0.0 < subscription_share <= 1.0:
        raise ValueError(f"subscription_share must be in (0, 1]; got {subscription_share}")
    c = np.asarray(usd_per_query, dtype=float)
    d = _free_tier_draws(registry, c.size, seed)
    return np.asarray(economics.break_even_conversion_rate(
        d["subscription_usd_per_month"] * subscription_share, c,
        d["queries_per_free_user_per_day"], d["queries_per_paid_user_per_day"]), dtype=float)


def compute_share_of_revenue(registry: Mapping[str, Assumption], usd_per_query: ArrayLike,
                             seed: int) -> np.ndarray:
    r"""Compute bill of all users as a share of subscription revenue, per sample.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads the rows of :func:`free_tier_by_conversion`; the paying share is drawn from
        ``paid_conversion_rate``.
    usd_per_query : array-like
        Serving cost of an average query per sample [USD/query].
    seed : int
        Root seed for the user-side draws.

    Returns
    -------
    numpy.ndarray
        :math:`\bar d\, c\, [(1 - s) q_f + s q_p] / (s P)` per sample [fraction of revenue];
        above one, subscriptions do not cover compute.
    """
    c = np.asarray(usd_per_query, dtype=float)
    d = _free_tier_draws(registry, c.size, seed)
    s = d["paid_conversion_rate"]
    cost = economics.users_compute_usd_per_month(  # per user
        1.0, s, d["queries_per_free_user_per_day"], d["queries_per_paid_user_per_day"], c)
    return cost / economics.subscription_revenue_usd_per_month(
        1.0, s, d["subscription_usd_per_month"])


def free_tier_by_conversion(registry: Mapping[str, Assumption], usd_per_query: ArrayLike,
                            seed: int, conversion: ArrayLike,
                            backend: Backend | str | None = None) -> pd.DataFrame:
    r"""Subscription revenue and compute cost of a chatbot against its paying share.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads the rows of :func:`free_tier_subsidy_samples` and
        :func:`break_even_conversion_samples`.
    usd_per_query : array-like
        Serving cost of an average query per sample [USD/query].
    seed : int
        Root seed for the user-side draws.
    conversion : array-like
        Paying shares to evaluate, in [0, 1] [fraction].
    backend : Backend or str, optional
        As for :func:`aiboom.backend.get_backend`.

    Returns
    -------
    pandas.DataFrame
        One row per share and series: ``series`` ("Subscription revenue" or "Compute cost of
        all users"), ``conversion`` [fraction], ``p5``, ``p50``, ``p95`` [USD bn/month];
        tagged as computed by ``money.free_tier_by_conversion``.

    Notes
    -----
    Per sample, revenue :func:`aiboom.economics.subscription_revenue_usd_per_month` and
    compute :func:`aiboom.economics.users_compute_usd_per_month` [USD/month]; the two cross
    at :math:`s^*` (:func:`aiboom.economics.break_even_conversion_rate`).
    Evaluated on the backend for every paying share and sample at once (share x sample).
    """
    be = get_backend(backend)
    xp = be.xp
    c = xp.asarray(usd_per_query, dtype=float)
    d = {k: xp.asarray(v) for k, v in _free_tier_draws(registry, c.size, seed).items()}
    s = xp.asarray(conversion, dtype=float).ravel()[:, None]  # paying share x sample
    w = d["weekly_active_users"]
    revenue = economics.subscription_revenue_usd_per_month(
        w, s, d["subscription_usd_per_month"]) / 1e9
    cost = economics.users_compute_usd_per_month(
        w, s, d["queries_per_free_user_per_day"], d["queries_per_paid_user_per_day"], c) / 1e9
    p5, p50, p95 = quantiles(xp.stack([revenue, cost], axis=1))  # each share x series
    series = ("Subscription revenue", "Compute cost of all users")
    return be.frame("money.free_tier_by_conversion", {
        "series": list(series) * s.shape[0], "conversion": xp.repeat(s[:, 0], len(series)),
        "p5": p5.ravel(), "p50": p50.ravel(), "p95": p95.ravel()})


def chart_free_tier(df: pd.DataFrame, observed_conversion: float) -> alt.LayerChart:
    """Revenue and compute cost against the paying share (bands), with the observed share.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`free_tier_by_conversion`.
    observed_conversion : float
        Paying share today, drawn as a dashed rule [fraction].
    """
    chart = charts.band(df, x="conversion", low="p5", high="p95", mid="p50",
                        x_title="Share of weekly users who pay",
                        y_title="US$ billion per month", color="series", x_format=".0%",
                        y_format=",.1f")
    rule_df = pd.DataFrame({"x": [observed_conversion], "label": ["Paying today"]})
    rule = alt.Chart(rule_df).mark_rule(strokeDash=[4, 3], color="#333").encode(
        x="x:Q", tooltip=[alt.Tooltip("x:Q", title="Paying share today", format=".1%")])
    text = alt.Chart(rule_df).mark_text(align="left", dx=4, fontSize=11).encode(
        x="x:Q", y=alt.value(10), text="label:N")
    return alt.layer(chart, rule, text)


def central_inputs(registry: Mapping[str, Assumption]) -> dict[str, float]:
    """Central value of every kernel input [registry units]."""
    return {k: registry[k].central for k in INPUTS}


def central_payback_months(registry: Mapping[str, Assumption],
                           accelerator: Accelerator = kernels.H100_SXM) -> float:
    """Payback of the generative-AI project with every kernel input at its central value.

    The one definition of the "central-input payback" that chapters 4 and 6 both state.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry (:func:`scenario_model`).
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    float
        Payback [months], ``inf`` when not within the horizon
        (:func:`aiboom.kernels.reference_per_sample`).
    """
    return float(kernels.reference_per_sample(central_inputs(registry),
                                              accelerator)["payback_months"])


def central_usd_per_query(registry: Mapping[str, Assumption],
                          accelerator: Accelerator = kernels.H100_SXM) -> float:
    """Roofline cost of an average query with every kernel input central [USD/query]."""
    return float(kernels.reference_per_sample(central_inputs(registry),
                                              accelerator)["usd_per_query"])


def required_conversion(registry: Mapping[str, Assumption], usd_per_query: float,
                        gross_margin: float = 0.0) -> float:
    r"""Paying share a chatbot needs for subscriptions to cover compute at a gross margin.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Central ``subscription_usd_per_month``, ``queries_per_free_user_per_day`` and
        ``queries_per_paid_user_per_day``.
    usd_per_query : float
        Serving cost of an average query [USD/query].
    gross_margin : float, default 0.0
        Gross margin to leave after compute, in [0, 1) [fraction].

    Returns
    -------
    float
        :func:`aiboom.economics.break_even_conversion_rate` with the price scaled by
        :math:`1 - g` [fraction]; ``inf`` when no share works.
    """
    if not 0.0 <= gross_margin < 1.0:
        raise ValueError(f"gross_margin must be in [0, 1); got {gross_margin}")
    return float(economics.break_even_conversion_rate(
        registry["subscription_usd_per_month"].central * (1.0 - gross_margin), usd_per_query,
        registry["queries_per_free_user_per_day"].central,
        registry["queries_per_paid_user_per_day"].central))


def central_break_even_conversion(registry: Mapping[str, Assumption],
                                  accelerator: Accelerator = kernels.H100_SXM,
                                  gross_margin: float = 0.0) -> float:
    r"""Paying share a chatbot needs at central values, for subscriptions to cover compute.

    The one definition of the central-input break-even paying share that chapters 4 and 6
    both state; the Monte Carlo counterpart is :func:`break_even_conversion_samples`.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Central ``subscription_usd_per_month``, ``queries_per_free_user_per_day``,
        ``queries_per_paid_user_per_day`` and the kernel inputs.
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants (the cost per query is :func:`central_usd_per_query`).
    gross_margin : float, default 0.0
        As for :func:`required_conversion` [fraction].

    Returns
    -------
    float
        :func:`required_conversion` at the central cost per query [fraction].
    """
    return required_conversion(registry, central_usd_per_query(registry, accelerator),
                               gross_margin)


def inference_share_of_monthly_cost(inputs: Mapping[str, float],
                                    accelerator: Accelerator = kernels.H100_SXM) -> float:
    r"""Inference bill as a share of a project's monthly spending at full adoption.

    Parameters
    ----------
    inputs : mapping of str to float
        One value per kernel input (e.g. central values) [registry units].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    float
        :math:`Q q / (Q q + X + C_1)` [fraction], with :math:`q` the roofline cost per query.
    """
    usd = kernels.reference_per_sample(dict(inputs), accelerator)["usd_per_query"]
    bill = inputs["genai_queries_per_month"] * usd
    total = bill + inputs["genai_monthly_opex_usd"] + inputs["data_cleanup_monthly_usd"]
    return bill / total if total > 0 else 0.0


# --------------------------------------------------------------------------------------------
# Data clean-up
# --------------------------------------------------------------------------------------------

_CLEANUP_IDS = ("data_cleanup_oneoff_usd", "data_cleanup_monthly_usd", "data_cleanup_delay_months")


def cleanup_grid(samples: Mapping[str, np.ndarray], registry: Mapping[str, Assumption],
                 delays_months: ArrayLike, backend: str | None = None,
                 accelerator: Accelerator = kernels.H100_SXM) -> pd.DataFrame:
    """Median payback against the clean-up delay, at the low, central and high one-off cost.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        Generative-AI samples from :func:`simulate_project`.
    registry : mapping of str to Assumption
        Supplies ``data_cleanup_oneoff_usd`` (low, central, high) and the central
        ``data_cleanup_monthly_usd``.
    delays_months : array-like
        Clean-up delays to evaluate [months].
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    pandas.DataFrame
        ``delay_months`` [months], ``oneoff_usd`` [USD], ``oneoff`` (label) and
        ``payback_p50`` [months] (``inf`` when more than half never pay back), one row per
        one-off cost and delay (cost-major); tagged as computed by ``money.cleanup_grid``.

    Notes
    -----
    Every other input keeps its sampled value (common random numbers), so the lines differ
    only by the clean-up. The one-off cost x delay grid runs on every sample at once
    (:func:`payback_on_grid`) and its medians are taken on the backend.
    """
    be = get_backend(backend)
    xp = be.xp
    row = registry["data_cleanup_oneoff_usd"]
    levels = (("low", row.low), ("central", row.central), ("high", row.high))
    cost, delay = xp.broadcast_arrays(xp.asarray([c for _, c in levels], dtype=float)[:, None],
                                      xp.asarray(delays_months, dtype=float)[None, :])
    cost, delay = cost.ravel(), delay.ravel()  # one-off cost x delay, cost-major
    monthly = xp.full(cost.shape, registry["data_cleanup_monthly_usd"].central)
    payback = payback_on_grid(samples, {"data_cleanup_oneoff_usd": cost,
                                        "data_cleanup_monthly_usd": monthly,
                                        "data_cleanup_delay_months": delay}, be, accelerator)
    n_delays = delay.size // len(levels)
    labels = [f"{level.capitalize()}: US$ {c / 1e3:,.0f} thousand"
              for level, c in levels for _ in range(n_delays)]
    return be.frame("money.cleanup_grid", {
        "delay_months": delay, "oneoff_usd": cost, "oneoff": labels,
        "payback_p50": quantiles(payback, (0.5,))[0]})


def cleanup_added_months(samples: Mapping[str, np.ndarray], registry: Mapping[str, Assumption],
                         backend: str | None = None,
                         accelerator: Accelerator = kernels.H100_SXM) -> dict[str, float]:
    r"""Months of payback added by the central data clean-up, sample by sample.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        Generative-AI samples from :func:`simulate_project`.
    registry : mapping of str to Assumption
        Supplies the central values of the three ``data_cleanup_*`` rows.
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    dict
        ``p5``, ``p50``, ``p95`` of the added months [months]; ``median_with`` and
        ``median_without``, the median paybacks with the central clean-up and with none
        [months].

    Notes
    -----
    For each sample, :math:`\Delta = \min(T_{with}, H) - \min(T_{without}, H)` with
    :math:`H` = :data:`aiboom.kernels.PAYBACK_HORIZON_MONTHS`, so a project that never pays
    back counts as paying back at the horizon.
    """
    be = get_backend(backend)
    xp = be.xp
    # row 0: the central clean-up; row 1: none
    payback = payback_on_grid(
        samples, {k: xp.asarray([registry[k].central, 0.0]) for k in _CLEANUP_IDS}, be,
        accelerator)
    capped = xp.minimum(payback, PAYBACK_HORIZON_MONTHS)
    p5, p50, p95 = (float(q) for q in quantiles(capped[0] - capped[1]))
    median_with, median_without = (float(q) for q in quantiles(payback, (0.5,))[0])
    return {"p5": p5, "p50": p50, "p95": p95,
            "median_with": median_with, "median_without": median_without}


# --------------------------------------------------------------------------------------------
# Which inputs matter
# --------------------------------------------------------------------------------------------


def payback_tornado(registry: Mapping[str, Assumption], top: int = 12,
                    backend: str | None = None,
                    accelerator: Accelerator = kernels.H100_SXM) -> pd.DataFrame:
    """One-at-a-time swings of the generative-AI payback, largest first.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry (low, central and high of every kernel input).
    top : int, default 12
        Rows kept.
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    pandas.DataFrame
        :func:`aiboom.sensitivity.tornado` columns plus ``label`` (short name); payback beyond
        the horizon is reported as the horizon [months] so every bar has two ends. Tagged as
        computed by ``money.payback_tornado``: all :math:`1 + 2k` points run in one
        :func:`aiboom.kernels.evaluate` call on the backend.
    """
    be = get_backend(backend)
    model = sensitivity.kernel_model("payback_months", be, accelerator._asdict(),
                                     cap_payback=True)
    ids = [k for k in INPUTS if registry[k].uncertain]
    frame = sensitivity.tornado(registry, "payback_months", ids, model=model).head(top)
    return _tagged(be, "money.payback_tornado", frame)


def _tagged(be: Backend, kernel: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A sensitivity table with its ``label`` column, as :meth:`Backend.frame` tags it."""
    out = be.frame(kernel, {**dict(frame.items()),
                            "label": [input_label(k) for k in frame["id"]]})
    out.attrs["output"] = frame.attrs["output"]
    return out


def chart_tornado(df: pd.DataFrame) -> alt.LayerChart:
    """:func:`aiboom.charts.tornado` of :func:`payback_tornado`, sized for long row labels.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`payback_tornado`.
    """
    x_title = f"Payback, months (no payback shown as {PAYBACK_HORIZON_MONTHS:.0f})"
    chart = charts.tornado(df, label="label", low="output_low", high="output_high",
                           base=float(df["output_central"].iloc[0]), x_title=x_title,
                           x_format=",.0f")
    chart.layer[0] = chart.layer[0].encode(
        x=alt.X("output_low:Q", title=x_title, axis=alt.Axis(format=",.0f", tickCount=6)))
    return chart.properties(width=LABELLED_BARS_WIDTH_PX)


def payback_sobol(registry: Mapping[str, Assumption], n_base: int, seed: int, top: int = 12,
                  backend: str | None = None,
                  accelerator: Accelerator = kernels.H100_SXM) -> pd.DataFrame:
    """Sobol indices of the generative-AI payback, largest total effect first.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry.
    n_base : int
        Base sample size :math:`N` (the model runs :math:`N(k + 2)` times) [samples].
    seed : int
        Root seed.
    top : int, default 12
        Rows kept.
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``first_order``, ``total_order`` [fraction of payback variance], ``label``,
        payback capped at the horizon (:func:`aiboom.sensitivity.sobol`, its :math:`N(k + 2)`
        runs in one :func:`aiboom.kernels.evaluate` call on the backend); tagged as computed
        by ``money.payback_sobol``.
    """
    be = get_backend(backend)
    frame = sensitivity.sobol(registry, "payback_months", n_base, seed, backend=be,
                              constants=accelerator._asdict()).head(top)
    return _tagged(be, "money.payback_sobol", frame)


# --------------------------------------------------------------------------------------------
# Value that is hard to isolate
# --------------------------------------------------------------------------------------------


def chart_payback_by_capture(df: pd.DataFrame) -> alt.LayerChart:
    """Median payback with its ninety per cent band against the value-capture share (log y,
    topped at the horizon, where a dashed rule marks "no payback").

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`payback_by_capture`.
    """
    y_scale = alt.Scale(type="log", domain=[float(min(df["p5"].min(), PAYBACK_TICKS_MONTHS[2])),
                                            PAYBACK_HORIZON_MONTHS])
    x = alt.X("capture_share:Q", title="Share of the gross benefit captured as attributable cash",
              axis=alt.Axis(format=".0%"))
    base = alt.Chart(df).encode(x=x)
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("p5:Q", scale=y_scale, title="Payback, months (log scale)",
                axis=alt.Axis(format=",.0f", values=list(PAYBACK_TICKS_MONTHS))),
        y2="p95:Q")
    line = base.mark_line().encode(
        y=alt.Y("p50:Q", scale=y_scale),
        tooltip=[alt.Tooltip("capture_share:Q", title="Share captured", format=".0%"),
                 alt.Tooltip("p50:Q", title="Median payback, months", format=",.0f"),
                 alt.Tooltip("p5:Q", title="5th percentile", format=",.0f"),
                 alt.Tooltip("p95:Q", title="95th percentile", format=",.0f"),
                 alt.Tooltip("share_never:Q", title="Never pays back", format=".0%")])
    label = f"No payback within {PAYBACK_HORIZON_MONTHS / MONTHS_PER_YEAR:.0f} years"
    rule_df = pd.DataFrame({"y": [PAYBACK_HORIZON_MONTHS], "label": [label]})
    rule = alt.Chart(rule_df).mark_rule(strokeDash=[4, 3], color="#333").encode(
        y=alt.Y("y:Q", scale=y_scale))
    text = alt.Chart(rule_df).mark_text(align="right", dy=10, fontSize=11).encode(
        y=alt.Y("y:Q", scale=y_scale), x=alt.value(charts.WIDTH_PX), text="label:N")
    return alt.layer(area, line, rule, text)


def prose_label(label: str) -> str:
    """A chart label for use mid-sentence: first letter lowered unless it starts an acronym.

    >>> prose_label("Share of value captured"), prose_label("GPU-hour price")
    ('share of value captured', 'GPU-hour price')
    """
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def payback_by_capture(samples: Mapping[str, np.ndarray], shares: ArrayLike,
                       backend: str | None = None,
                       accelerator: Accelerator = kernels.H100_SXM) -> pd.DataFrame:
    """Payback quantiles with the value-capture share fixed at each of ``shares``.

    Parameters
    ----------
    samples : mapping of str to numpy.ndarray
        Samples from :func:`simulate_project`.
    shares : array-like
        Values of ``value_capture_share`` to evaluate, in [0, 1] [fraction].
    backend, accelerator
        As for :func:`simulate_project`.

    Returns
    -------
    pandas.DataFrame
        ``capture_share`` [fraction], ``p5``, ``p50``, ``p95`` [months, capped at the
        horizon] and ``share_never`` [fraction of samples]; tagged as computed by
        ``money.payback_by_capture``.

    Notes
    -----
    Every other input keeps its sampled value (common random numbers); the shares run on
    every sample at once (:func:`payback_on_grid`) and the quantiles are taken on the backend.
    """
    be = get_backend(backend)
    xp = be.xp
    share = xp.asarray(shares, dtype=float).ravel()
    payback = payback_on_grid(samples, {"value_capture_share": share}, be, accelerator)
    p5, p50, p95 = xp.minimum(quantiles(payback), PAYBACK_HORIZON_MONTHS)
    never = (~xp.isfinite(payback)).sum(axis=1) / payback.shape[1]
    return be.frame("money.payback_by_capture", {
        "capture_share": share, "p5": p5, "p50": p50, "p95": p95, "share_never": never})


# --- Claims chosen by the numbers -------------------------------------------------------------
# Each function below returns the sentence (or clause) whose truth depends on the simulated
# numbers, so the prose never states what a scenario contradicts (tests/test_claims.py).

def _pct(share: float) -> str:
    """A share for prose, to two significant figures at most (``0.4%``, ``12%``)."""
    if share < 1e-3:
        return "less than 0.1%"
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def percent_text(share: float) -> str:
    """A share for prose, to two significant figures at most ("0.4%", "7.0%", "12%")."""
    return _pct(share)


def within_year_sentence(summary: Mapping[str, float]) -> str:
    """How many generative-AI samples pay back within a year, in words chosen by the share.

    Parameters
    ----------
    summary : mapping
        :func:`payback_summary` of the generative-AI project [months, fractions].

    Returns
    -------
    str
        "Virtually none" below one in a thousand, "Few" below a tenth, else the share.
    """
    share = summary["share_within"]
    if share < 1e-3:
        return "Virtually none of the samples pay back within a year"
    if share < 0.1:
        return f"Few of the samples pay back within a year (about {_pct(share)})"
    return f"About {_pct(share)} of the samples pay back within a year"


def agentic_lead(genai: Mapping[str, float], agentic: Mapping[str, float]) -> str:
    """Opening clause comparing the agentic project's median payback with the assistant's.

    Returns "The agentic project is slower still" when its median payback exceeds the
    generative-AI project's by more than a tenth, "faster" when it is more than a tenth
    shorter, and "about as slow" otherwise (both beyond the horizon counts as equal).
    """
    g, a = genai["p50"], agentic["p50"]
    if not np.isfinite(g) and not np.isfinite(a):
        return "The agentic project is just as slow"
    if a > 1.1 * g:
        return "The agentic project is slower still"
    if a < g / 1.1:
        return "The agentic project is, perhaps surprisingly, faster than the assistant"
    return "The agentic project is about as slow"


def tails_sentence(tech: Mapping[str, float], genai: Mapping[str, float]) -> str:
    """The contrast between the technology project's quick payback and the AI project's tail.

    The claim "a technology project repays within a year or so" needs a technology median
    of at most eighteen months; "an AI project can take most of a decade" needs a
    generative-AI 95th percentile of five to ten years, "more than a decade" one of ten years
    or more (or, when the 95th percentile never pays back, a median of ten years or more), and
    "years ... or never" a 95th percentile that never pays back.
    """
    quick = tech["p50"] <= 18.0
    long_tail = genai["p95"] >= 5 * MONTHS_PER_YEAR
    first = ("A technology project that works repays within a year or so" if quick else
             f"Even a technology project that works takes {months_text(tech['p50'])}")
    if long_tail:
        span = ("more than a decade" if genai["p95"] >= 10 * MONTHS_PER_YEAR else
                "most of a decade")
        if not np.isfinite(genai["p95"]):
            span = "more than a decade" if genai["p50"] >= 10 * MONTHS_PER_YEAR else "years"
        second = (f"an AI project can work as intended and still take {span} to repay, or "
                  "never repay at all" if not np.isfinite(genai["p95"]) else
                  f"an AI project can work as intended and still take {span} to repay")
    else:
        second = (f"an AI project's slow tail reaches {months_text(genai['p95'])}, shorter "
                  "than a decade but far beyond a software budget's patience")
    return (f"{first}; {second}, because its costs keep running while its benefit is slow "
            "to arrive and uncertain in size.")


def gap_clause(summaries: Mapping[str, Mapping[str, float]], survey: pd.DataFrame) -> str:
    """Whether the simulated medians reproduce the months-versus-years gap of the survey."""
    tech_ok = summaries["tech"]["p50"] <= survey.iloc[0]["high_months"]
    g = summaries["genai"]["p50"]
    ai = survey.iloc[1]
    if tech_ok and ai["low_months"] <= g <= ai["high_months"]:
        return "matching the months-versus-years gap executives report"
    if tech_ok and g > ai["high_months"]:
        return "a gap wider than the one executives report"
    if tech_ok and g < ai["low_months"]:
        return "a gap narrower than the one executives report"
    return "a pattern that departs from the gap executives report"


def cleanup_slope_clause(slope: float) -> str:
    """"more than one for one" when a month of clean-up adds more than a month of payback."""
    if slope > 1.05:
        return ("more than one for one, because running costs accrue during the wait and the "
                "ramp only starts when it ends")
    if slope < 0.95:
        return ("less than one for one, because part of the delay overlaps time the project "
                "would have spent ramping anyway")
    return "about one for one"


def revenue_margin_sentence(compute_share: float, saas_cost_share: float) -> str:
    """Lead sentence on what subscriptions leave after compute, chosen by the compute share."""
    if compute_share >= 1.0:
        return "Subscriptions do not even cover the compute, let alone leave anything over."
    if compute_share > saas_cost_share:
        return "Even where subscriptions do cover the compute, they leave little over."
    return ("Here subscriptions cover the compute with room to spare, at a cost share no "
            "higher than ordinary software's.")


def serving_rank_sentence(inference_share: float) -> str:
    """Where the per-query cost inputs sit in the tornado, chosen by the inference share."""
    if inference_share < 0.25:
        return (f"The inputs that set the cost of a query sit near the bottom: at central "
                f"values the inference bill is only {_pct(inference_share)} of what the "
                "project spends each month once it is fully adopted.")
    return (f"The inputs that set the cost of a query matter too: at central values the "
            f"inference bill is {_pct(inference_share)} of what the project spends each month "
            "once it is fully adopted.")


def compute_interaction_sentences(total: float, first: float, name: str) -> str:
    """What the largest serving-side Sobol index says, chosen by its size and interactions.

    "not irrelevant" needs a total index of at least five per cent; "mostly through
    interactions" needs a first-order index below half the total.
    """
    if total < 0.05:
        only = "" if total < 1e-3 else "only "
        return (f"The serving side barely matters: its largest input, {name}, has a total "
                f"index of {only}{_pct(total)}.")
    lead = (f"The serving side is not irrelevant once inputs move together: its largest "
            f"input, {name}, has a total index of {_pct(total)}")
    if first < total / 2:
        return (lead + f" but a first-order index of only {_pct(first)}. Compute matters "
                "mostly through interactions, in the unlucky corners where an expensive query "
                "meets a modest benefit and tips a slow project into one that never pays back.")
    return lead + f", most of it ({_pct(first)}) on its own."


def compute_bullet_clause(total: float, first: float) -> str:
    """Summary clause on compute's role in payback, on the same conditions as above."""
    if total < 0.05:
        return "while compute costs barely move it"
    if first < total / 2:
        return "while compute costs matter mainly in combination with other bad news"
    return "and compute costs matter in their own right"


def value_top_sentence(top_ids: Sequence[str]) -> str:
    """Whether the inputs at the top of both rankings are value inputs (not serving ones)."""
    if all(i not in COMPUTE_INPUTS for i in top_ids):
        return ("The inputs at the top of both rankings are about value: how much the project "
                "is worth, and how much of that worth the company can show.")
    return ("Value inputs share the top of the rankings with serving costs: how much the "
            "project is worth, and how much of that worth the company can show, matter "
            "alongside the price of a query.")


def tech_capture_sentence(share: float) -> str:
    """"captures most of its benefit" only when the central capture share exceeds a half."""
    if share > 0.5:
        return (f"A typical technology project captures most of its benefit, {_pct(share)} at "
                "the registry's central value, because it was bought to move a number that "
                "someone already measures.")
    return (f"Even a typical technology project captures only {_pct(share)} of its benefit at "
            "the registry's central value.")


def never_phrase(share_never: float) -> str:
    """How many samples never pay back, as the subject and verb of a clause.

    Parameters
    ----------
    share_never : float
        Share of samples not paying back within the horizon [fraction].

    Returns
    -------
    str
        "every sample repays" at none, "no sample repays" at all, "fewer than one sample in
        a hundred never repays" below half a per cent, else "12% of samples never repay".
    """
    if share_never <= 0.0:
        return "every sample repays"
    if share_never >= 1.0:
        return "no sample repays"
    if share_never < 0.005:
        return "fewer than one sample in a hundred never repays"
    if share_never > 0.995:
        return "fewer than one sample in a hundred repays"
    return f"{share_never:.0%} of samples never repay"


def tech_within_year_clause(share_within: float) -> str:
    """How many technology projects repay within a year, as a clause after "and".

    Parameters
    ----------
    share_within : float
        Share of samples paying back within twelve months [fraction].
    """
    if share_within <= 0.0:
        return "none of the simulated projects repays within a year"
    if share_within >= 1.0:
        return "every simulated project repays within a year"
    if share_within > 0.995:
        return "all but a handful of the simulated projects repay within a year"
    if share_within < 0.005:
        return "fewer than one simulated project in a hundred repays within a year"
    return f"{share_within:.0%} of the simulated projects repay within a year"


def break_even_tails_sentence(share_above: float, share_infeasible: float) -> str:
    """How often the break-even paying share exceeds today's, and how often none exists.

    Parameters
    ----------
    share_above : float
        Share of samples whose break-even paying share is above today's [fraction]
        (samples with no break-even count as above).
    share_infeasible : float
        Share of samples in which no paying share covers the compute [fraction].
    """
    if share_above <= 0.0:
        first = "In no sample is the break-even share above today's paying share"
    elif share_above >= 1.0:
        first = "In every sample the break-even share is above today's paying share"
    else:
        first = f"In {_pct(share_above)} of the samples the break-even share is above today's"
    if share_infeasible <= 0.0:
        second = ("and in every sample some paying share does cover the compute, because a "
                  "paying user's own queries always cost less than the subscription")
    else:
        second = (f"and in {_pct(share_infeasible)} of them no paying share works at all, "
                  "because a paying user's own queries cost more than the subscription")
    return f"{first}, {second}."


def agentic_contrast_clause(registry: Mapping[str, Assumption]) -> str:
    """How the agentic project's central benefit, build cost and ramp compare with the
    assistant's, as the opening of a sentence (the prose continues with its model calls).

    Parameters
    ----------
    registry : mapping of str to Assumption
        Central ``agentic_*`` and ``genai_*`` rows of benefit [USD/month], build cost [USD]
        and adoption ramp [months].
    """
    def cmp(row: str) -> int:
        a, g = registry[f"agentic_{row}"].central, registry[f"genai_{row}"].central
        return 0 if math.isclose(a, g, rel_tol=0.05) else (1 if a > g else -1)

    benefit = {1: "It promises a larger benefit", 0: "It promises about the same benefit",
               -1: "It promises a smaller benefit"}[cmp("monthly_benefit_usd")]
    worse = [w for row, w in (("project_capex_usd", "dearer to build"),
                              ("ramp_months", "slower to adopt")) if cmp(row) > 0]
    if not worse:
        return f"{benefit}, is no dearer to build or slower to adopt"
    joined = " and ".join(worse)
    link = ", but it is" if cmp("monthly_benefit_usd") > 0 else ", and it is"
    return f"{benefit}{link} {joined}"


def benefit_swing_clause(tornado: pd.DataFrame,
                         ids: Sequence[str] = ("genai_monthly_benefit_usd",
                                               "value_capture_share")) -> str:
    """How far the benefit-side inputs swing the payback in the tornado, as a clause.

    Parameters
    ----------
    tornado : pandas.DataFrame
        From :func:`payback_tornado` (``id``, ``output_low``, ``output_high`` [months]).
    ids : sequence of str
        The benefit-side inputs; one missing from the frame swings less than its last row.

    Returns
    -------
    str
        "swing the payback by years" when the smaller swing is at least two years, "by a year
        or more" when it is at least twelve months, else "move it by months only".
    """
    rows = tornado.set_index("id")
    swings = [abs(float(rows.loc[i, "output_high"] - rows.loc[i, "output_low"]))
              if i in rows.index else 0.0 for i in ids]
    least = min(swings)
    if least >= 2 * MONTHS_PER_YEAR:
        return "swing the payback by years"
    if least >= MONTHS_PER_YEAR:
        return "swing the payback by a year or more"
    return "move the payback by months only"


def capture_curve_sentences(by_capture: pd.DataFrame) -> tuple[str, str]:
    """What the payback-against-capture curve shows, for the paragraph and the summary.

    Parameters
    ----------
    by_capture : pandas.DataFrame
        From :func:`payback_by_capture` on an increasing grid (``capture_share``
        [fraction], ``p5``, ``p50``, ``p95`` [months]).

    Returns
    -------
    tuple of str
        "steep where the capture share is low" when, among the shares whose median pays back
        within the horizon, the median falls at least twice as fast per point of capture over
        the first step as over the last; the summary says "longer and more uncertain" when the
        median falls and the interval narrows (among intervals not wholly beyond the horizon)
        from the lowest to the highest share, "longer" when only the median falls.
    """
    df = by_capture.sort_values("capture_share")
    open_ = df[df["p50"] < PAYBACK_HORIZON_MONTHS]  # medians that pay back: slopes are defined
    x, p50 = open_["capture_share"].to_numpy(), open_["p50"].to_numpy()
    steep = False
    if len(x) >= 3:
        first = (p50[0] - p50[1]) / (x[1] - x[0])
        last = (p50[-2] - p50[-1]) / (x[-1] - x[-2])
        steep = first > 0 and first >= 2 * max(last, 0.0)
    if steep:
        para = ("The curve is steep where the capture share is low: each percentage point of "
                "value that can be shown on a budget shortens the payback far more there than "
                "at the top.")
    else:
        para = ("The curve falls about evenly: each percentage point of value that can be shown "
                "on a budget shortens the payback by a similar amount, low or high.")
    p50 = df["p50"].to_numpy()
    spread = df[df["p5"] < PAYBACK_HORIZON_MONTHS]  # intervals not wholly beyond the horizon
    width = (spread["p95"] - spread["p5"]).to_numpy()
    if p50[0] > p50[-1] and len(width) >= 2 and width[0] > width[-1]:
        bullet = ("The less of its benefit a company can isolate, the longer and more uncertain "
                  "the payback, and the harder the business is for investors to value.")
    elif p50[0] > p50[-1]:
        bullet = ("The less of its benefit a company can isolate, the longer the payback, and "
                  "the harder the business is for investors to value.")
    else:
        bullet = ("How much of its benefit a company can isolate barely moves the payback in "
                  "this scenario.")
    return para, bullet


def second_target_clause(typical_months: float, year_months: float = MONTHS_PER_YEAR) -> str:
    """How the one-year target compares with the typical-technology one, as an aside.

    Parameters
    ----------
    typical_months, year_months : float
        The two target paybacks [months]; the later target is the easier one to meet.
    """
    if math.isclose(typical_months, year_months, rel_tol=0.02):
        return "about as demanding"
    return "a little easier" if year_months > typical_months else "a little harder"


def compute_binding_sentences(free_query_months: float, target_months: float
                              ) -> tuple[str, str]:
    """Whether cheaper compute alone could close the gap, for the paragraph and the summary.

    Parameters
    ----------
    free_query_months : float
        Payback of the central project with queries that cost nothing [months].
    target_months : float
        The typical-technology target payback [months].

    Returns
    -------
    tuple of str
        The paragraph's closing sentence and the summary's lead (before "free queries would
        ... leave a payback of ...").
    """
    if free_query_months > target_months:
        return ("Cheaper compute is welcome, but for an enterprise project of this kind it is "
                "not what stands between its payback and that of ordinary software.",
                "Compute is not the binding constraint for an enterprise project: free queries "
                "would still leave a payback of")
    return ("Here cheaper compute alone could bring the project within the payback of ordinary "
            "software.",
            "Compute can be the binding constraint for an enterprise project: free queries "
            "would leave a payback of")


def median_against_central_sentence(median: float, central: float, what: str) -> str:
    """How the Monte Carlo median of a quantity compares with its central-input value.

    Parameters
    ----------
    median, central : float
        The two values [same unit]; ``inf`` allowed.
    what : str
        The quantity, as a noun phrase ("the break-even paying share").
    """
    if not math.isfinite(central) and not math.isfinite(median):
        return f"Neither at central values nor at the median of the Monte Carlo does {what} exist."
    if not math.isfinite(median) or median > 1.1 * central:
        return (f"The median of the Monte Carlo puts {what} higher than the central value, "
                "because the cost of a query multiplies many uncertain inputs whose ranges "
                "reach further towards dear than towards cheap, so the median query costs more "
                "than one with every input central.")
    if median < central / 1.1:
        return f"The median of the Monte Carlo puts {what} lower than the central value."
    return f"The median of the Monte Carlo puts {what} close to the central value."


#: Quantity names (:func:`aiboom.results.record`) of the levers of chapter 6, by their short
#: name in :data:`aiboom.analysis.outlook.LEVERS`.
LEVER_QUANTITIES: dict[str, str] = {
    "benefit": "monthly_gross_benefit_usd",
    "capture": "value_capture_share",
    "query_cost": "usd_per_query",
    "utilisation": "fleet_utilisation",
    "build_cost": "build_cost_usd",
    "cleanup_delay": "data_cleanup_delay_months",
}
