"""Training costs: the frontier cost trend, compute growth, diminishing returns of scale and the
price of one reference run (chapter "Training costs", Phase two).

The formulas live in :mod:`aiboom.training`; this module selects the data, fits the trends and
shapes the tables the chapter plots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from aiboom import charts, training
from aiboom.backend import computed_from, get_backend
from aiboom.registry import Assumption

__all__ = [
    "BACKTEST_BAND_FACTOR",
    "BACKTEST_METHOD_LABELS",
    "BILLION_USD",
    "COST_TREND_START_YEAR",
    "DECADE_YEARS",
    "FLOP_DECADES",
    "FLOP_GRID",
    "PRICED_FLOP_GRID",
    "PROJECTION_YEARS",
    "STEP_FACTOR",
    "USD_LABEL_EXPR",
    "DEFAULT_ACCELERATOR_LAG_YEARS",
    "DEFAULT_TRAINING_ACCELERATORS",
    "EPOCH_BILLION_RUN_YEAR",
    "FrontierReference",
    "ReferenceRun",
    "backtest_points",
    "billion_year_sentence",
    "costing_check_sentence",
    "bootstrap_growth",
    "default_accelerator",
    "frontier_reference_run",
    "frontier_run_costs",
    "growth_vs_epoch_sentence",
    "year_reaching_from",
    "chart_compute",
    "chart_cost_trend",
    "chart_loss_gain",
    "chart_loss_vs_cost",
    "chart_training_backtest",
    "compute_anchor",
    "decade_ticks",
    "decade_markers",
    "reducible_share_per_step",
    "compute_points",
    "loss_curves",
    "loss_gain_table",
    "max_compute_by",
    "reference_run",
    "reference_run_table",
    "scaling_laws",
    "trend_frame",
    "year_reaching",
    "MATCH_TOLERANCE",
    "FLAT_GROWTH_TOLERANCE",
    "SMALL_ENERGY_SHARE",
    "agreement_clause",
    "billion_summary_sentence",
    "cautions_sentence",
    "cheap_compute_sentence",
    "cluster_sentence",
    "compute_cost_gap_sentences",
    "compute_summary_sentence",
    "compute_vs_epoch_clause",
    "count_words",
    "electricity_weight_sentence",
    "gain_fall_clause",
    "growth_phrase",
    "round_sig",
    "run_cost_sentences",
    "squeeze_sentence",
    "usd_words",
    "documentation_sentence",
]

#: First year of the frontier-cost trend, as in Cottier et al. (2024): "since 2016" [yr].
COST_TREND_START_YEAR = 2016
#: Years the fitted trends are carried beyond the last data point [yr].
PROJECTION_YEARS = 4.0
#: Length of "a decade earlier" [yr].
DECADE_YEARS = 10.0
#: Training budgets of the loss curves, 1e18 to 1e28 FLOP [FLOP].
FLOP_GRID: np.ndarray = np.logspace(18, 28, 41)
#: Budgets of the loss-against-dollars chart, from a small research run to beyond the
#: frontier [FLOP].
PRICED_FLOP_GRID: np.ndarray = np.logspace(21, 28, 29)
#: Growth of the compute budget in one scaling step [ratio].
STEP_FACTOR = 10.0
#: Starting budgets of the "what one more tenfold buys" chart, one per decade [FLOP].
FLOP_DECADES: np.ndarray = np.logspace(18, 27, 10)
#: Cost threshold the chapter projects the trend to [USD].
BILLION_USD = 1.0e9
#: Year by which Cottier et al. (2024) project the largest training run to cost more than a
#: billion dollars, extrapolating their 2.4x per year trend ("by 2027") [yr].
EPOCH_BILLION_RUN_YEAR = 2027
#: Chips assumed for a frontier run whose hardware Epoch AI does not record, by designer:
#: Google's runs on its own TPUs, everyone else's on NVIDIA's data-centre GPUs (ids of
#: ``data/accelerators.csv``, oldest first). The run gets the newest of its list released
#: :data:`DEFAULT_ACCELERATOR_LAG_YEARS` or more before publication.
DEFAULT_TRAINING_ACCELERATORS = {"Google": ("tpu_v2", "tpu_v3", "tpu_v4", "tpu_v5p"),
                                 "other": ("k80", "p100", "v100", "a100_40gb", "h100")}
#: Years between a chip's release and the publication of the runs trained on it when the
#: hardware is unknown [yr]. Recorded frontier runs fit it: GPT-4 (March 2023) on the A100 of
#: May 2020, Gemini 1.0 Ultra (December 2023) on the TPU v4 of 2021, Llama 3.1 405B (July 2024)
#: and Grok 3 (February 2025) on the H100 of September 2022.
DEFAULT_ACCELERATOR_LAG_YEARS = 1.0


# --------------------------------------------------------------------------------------------
# Frontier cost and compute trends
# --------------------------------------------------------------------------------------------


def compute_points(models: pd.DataFrame) -> pd.DataFrame:
    """Models with known training compute, tagged frontier or not.

    Parameters
    ----------
    models : pandas.DataFrame
        ``data/models.csv``.

    Returns
    -------
    pandas.DataFrame
        ``model``, ``organization``, ``publication_date``, ``year`` [yr], ``training_flop``
        [FLOP] and ``group`` ("Frontier (top ten at release)" or "Other notable"), by date.
    """
    df = models.loc[models["training_flop"].notna(),
                    ["model", "organization", "publication_date", "training_flop",
                     "frontier"]].copy()
    df["year"] = training.decimal_year(df["publication_date"])
    df["group"] = np.where(df["frontier"], "Frontier (top ten at release)", "Other notable")
    return (df.drop(columns="frontier")
            .sort_values("publication_date", ignore_index=True))


def trend_frame(fit: training.TrendFit, start_year: float, end_year: float,
                n_points: int = 50, backend: str | None = None) -> pd.DataFrame:
    """A fitted exponential trend and its band on a grid of years.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        From :func:`aiboom.training.fit_log_linear_trend`.
    start_year, end_year : float
        Range of decimal years [yr].
    n_points : int, default 50
        Grid points.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        ``year`` [yr], ``central``, ``low``, ``high`` [units of the fitted values]. The band
        is the ``"slope"`` interval of :func:`aiboom.training.trend_predict`: the uncertainty
        of the growth rate, pivoting on the data's centroid, the grid evaluated at both ends
        of the slope interval at once. Tagged ``training_trends.trend_frame``.
    """
    be = get_backend(backend)
    years = be.xp.linspace(start_year, end_year, n_points)
    pred = training.trend_predict(fit, years, interval="slope")
    return be.frame("training_trends.trend_frame", {
        "year": years, "central": pred.central, "low": pred.low, "high": pred.high})


def year_reaching(fit: training.TrendFit, threshold: float) -> dict[str, float]:
    r"""
    Decimal year at which a fitted trend reaches a value, at the central and extreme slopes.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        Exponential trend fitted on log10 values.
    threshold : float
        Value to reach, positive [units of the fitted values].

    Returns
    -------
    dict
        ``central``, ``earliest`` and ``latest`` [yr]: the crossing of the central line and
        of the two lines bounding the slope interval (which pivot on the centroid).

    Notes
    -----
    With :math:`\bar y` the mean log10 value at the mean year :math:`\bar x`, a line of slope
    :math:`b` reaches :math:`\log_{10} T` at

    .. math::

        x = \bar x + \frac{\log_{10} T - \bar y}{b}
    """
    if threshold <= 0:
        raise ValueError(f"threshold must be positive; got {threshold}")
    y_bar = fit.intercept + fit.slope * fit.mean_year
    spread = fit.t_crit * fit.slope_se
    years = [fit.mean_year + (np.log10(threshold) - y_bar) / b
             for b in (fit.slope - spread, fit.slope, fit.slope + spread) if b > 0]
    if len(years) < 3:
        raise ValueError("the slope interval includes zero: the trend may never reach it")
    return {"central": float(years[1]), "earliest": float(min(years)),
            "latest": float(max(years))}


def year_reaching_from(fit: training.TrendFit, year: float, value: float,
                       threshold: float) -> float:
    r"""
    Year a point growing at the fitted rate from ``value`` in ``year`` reaches ``threshold``.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        Supplies the slope :math:`b` [OOM/yr].
    year : float
        Starting decimal year :math:`x_0` [yr].
    value, threshold : float
        Starting value :math:`v_0` and value to reach :math:`T`, positive [same units].

    Returns
    -------
    float
        :math:`x_0 + (\log_{10} T - \log_{10} v_0) / b` [yr].

    Examples
    --------
    >>> fit = training.fit_log_linear_trend([2000.0, 2001.0, 2002.0], [1.0, 10.0, 100.0])
    >>> round(year_reaching_from(fit, 2010.0, 1e3, 1e6), 6)
    2013.0
    """
    if value <= 0 or threshold <= 0 or fit.slope <= 0:
        raise ValueError("value, threshold and the fitted slope must be positive")
    return float(year + (np.log10(threshold) - np.log10(value)) / fit.slope)


def default_accelerator(publication_date: pd.Timestamp, organization: str | float,
                        accelerators: pd.DataFrame,
                        lag_years: float = DEFAULT_ACCELERATOR_LAG_YEARS) -> str:
    """The chip assumed for a run whose hardware is unknown.

    Parameters
    ----------
    publication_date : pandas.Timestamp
        Publication date of the run.
    organization : str
        Developer(s); a name containing "Google" or "DeepMind" picks Google's TPUs.
    accelerators : pandas.DataFrame
        ``data/accelerators.csv`` with all rows (``id``, ``release_date``).
    lag_years : float, default 1
        Least time from a chip's release to the publication of a run on it [yr].

    Returns
    -------
    str
        Id in ``data/accelerators.csv``: the newest chip of
        :data:`DEFAULT_TRAINING_ACCELERATORS` released ``lag_years`` or more before
        ``publication_date`` (the oldest of the list if none was).
    """
    org = organization.lower() if isinstance(organization, str) else ""
    family = DEFAULT_TRAINING_ACCELERATORS[
        "Google" if ("google" in org or "deepmind" in org) else "other"]
    released = accelerators.set_index("id")["release_date"]
    cutoff = publication_date - pd.Timedelta(days=365.25 * lag_years)
    ready = [chip for chip in family if released[chip] <= cutoff]
    return ready[-1] if ready else family[0]


def frontier_run_costs(models: pd.DataFrame | None = None, registry=None,
                       accelerators: pd.DataFrame | None = None,
                       since_year: int = COST_TREND_START_YEAR, backend: str | None = None,
                       **backtest_inputs) -> pd.DataFrame:
    r"""
    Every frontier run since ``since_year`` costed with the book's own model.

    Parameters
    ----------
    models : pandas.DataFrame, optional
        ``data/models.csv`` (default: the project's). Frontier runs are its ``frontier`` rows,
        Epoch AI's "Compute rank when published" of ten or better (see its sidecar), with
        known ``training_flop``.
    registry : mapping of str to Assumption, optional
        Passed to :func:`aiboom.training.backtest_runs` (MFU, run length, overheads, hardware
        life, PUE, electricity price). Default: the project's.
    accelerators : pandas.DataFrame, optional
        ``data/accelerators.csv``, all rows (default: the project's).
    since_year : int, default 2016
        First publication year kept [yr].
    backend : str, optional
        Array backend of the costing (:func:`aiboom.training.backtest_runs`).
    **backtest_inputs
        ``rental_prices``, ``ppi`` or ``server_prices`` for
        :func:`aiboom.training.backtest_runs`.

    Returns
    -------
    pandas.DataFrame
        By date: ``model``, ``organization``, ``publication_date``, ``year`` [yr],
        ``training_flop`` [FLOP], ``accelerator``, ``hardware_basis`` (``recorded`` or
        ``default``), ``hours_basis`` and ``mfu_source`` (from the back-test),
        ``imputed`` (True where the chip is a default, or the chip-hours come from the
        compute at the registry's utilisation), ``cost_usd_2023`` (the model's amortised
        hardware and energy cost, Epoch AI's method 1) and ``cloud_usd_2023`` (method 2)
        [constant 2023 USD], and ``epoch_usd_2023``, Epoch's own amortised estimate where it
        has one [constant 2023 USD]. Tagged as computed by ``training.backtest_runs``, both
        methods over every run at once on the backend.

    Notes
    -----
    Each run is priced by :func:`aiboom.training.backtest_runs` from its compute, chip, chip
    count, hours and dates, so runs after Epoch AI's published costs are costed the same way as
    the ones before. A run without recorded hardware gets :func:`default_accelerator`; one
    without chip-hours or chips-times-hours gets :math:`C / (3600\, u F)` with the registry's
    ``training_mfu`` :math:`u`.
    """
    from aiboom import data

    models = models if models is not None else data.models()
    accelerators = accelerators if accelerators is not None else data.accelerators(
        serving_only=False)
    keep = (models["frontier"] & models["training_flop"].notna()
            & (models["publication_date"].dt.year >= since_year))
    runs = models.loc[keep].copy()
    runs["hardware_basis"] = np.where(runs["accelerator"].notna(), "recorded", "default")
    missing = runs["accelerator"].isna()
    runs.loc[missing, "accelerator"] = [
        default_accelerator(r.publication_date, r.organization, accelerators)
        for r in runs.loc[missing].itertuples()]
    priced = training.backtest_runs(registry, models=runs, accelerators=accelerators,
                                    costed_only=False, backend=backend, **backtest_inputs)
    out = runs[["model", "organization", "publication_date", "training_flop", "accelerator",
                "hardware_basis"]].merge(
        priced[["model", "hours_basis", "mfu_source", "amortized_usd", "cloud_usd",
                "epoch_usd"]], on="model", how="inner")
    out.insert(3, "year", training.decimal_year(out["publication_date"]))
    out["imputed"] = (out["hardware_basis"] == "default") | (
        (out["hours_basis"] == "compute / (peak x MFU)") & (out["mfu_source"] == "registry"))
    out = out.rename(columns={"amortized_usd": "cost_usd_2023", "cloud_usd": "cloud_usd_2023",
                              "epoch_usd": "epoch_usd_2023"})
    return computed_from(out.sort_values("publication_date", ignore_index=True), priced)


def bootstrap_growth(points: pd.DataFrame, column: str = "cost_usd_2023",
                     n_draws: int = 2000, confidence: float = 0.9,
                     seed: int = 20240531) -> tuple[float, float]:
    """Percentile bootstrap interval of the fitted growth factor, resampling runs.

    Parameters
    ----------
    points : pandas.DataFrame
        ``year`` [yr] and ``column`` (positive values).
    column : str, default "cost_usd_2023"
        Values fitted.
    n_draws : int, default 2000
        Bootstrap resamples [count].
    confidence : float, default 0.9
        Coverage of the interval [unitless].
    seed : int
        Seed of NumPy's default generator.

    Returns
    -------
    tuple of float
        Lower and upper growth factor [x/yr].
    """
    x = points["year"].to_numpy(dtype=float)
    y = np.log10(points[column].to_numpy(dtype=float))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_draws, x.size))
    xs, ys = x[idx], y[idx]
    xc = xs - xs.mean(axis=1, keepdims=True)
    sxx = (xc**2).sum(axis=1)
    ok = sxx > 0
    slopes = (xc * (ys - ys.mean(axis=1, keepdims=True))).sum(axis=1)[ok] / sxx[ok]
    tail = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(slopes, [tail, 1.0 - tail])
    return float(10.0**lo), float(10.0**hi)


def growth_vs_epoch_sentence(fit: training.TrendFit, epoch: Assumption) -> str:
    """Whether the fitted growth interval contains Epoch AI's published rate, as a sentence.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        Fitted cost trend [x/yr].
    epoch : Assumption
        ``frontier_cost_growth_per_year`` (central and 90% interval) [x/yr].

    Returns
    -------
    str
        One sentence, chosen by how the two intervals relate.
    """
    theirs = (f"Epoch AI's published {epoch.central:.1f}-fold a year, from its own selection "
              "and costing,")
    own = f"Epoch's own interval ({epoch.low:.1f} to {epoch.high:.1f})"
    if fit.low <= epoch.central <= fit.high:
        return f"{theirs} lies inside that interval."
    side = "below" if epoch.central < fit.low else "above"
    overlap = epoch.high >= fit.low if side == "below" else epoch.low <= fit.high
    tail = f"though {own} overlaps it" if overlap else f"and {own} does not reach it"
    return f"{theirs} lies {side} that interval, {tail}."


def costing_check_sentence(fit: training.TrendFit, epoch_fit: training.TrendFit) -> str:
    """Whether the book's costing or the choice of runs drives the fitted rate, as a sentence.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        Trend of the book's costs of the frontier runs [x/yr].
    epoch_fit : aiboom.training.TrendFit
        Trend of Epoch AI's own cost estimates of those of the runs it costs [x/yr].

    Returns
    -------
    str
        One sentence, chosen by whether Epoch's-cost growth lies inside the book's interval.
    """
    head = (f"Fitted instead to Epoch AI's own cost estimates for the {epoch_fit.n} of these "
            f"runs it has costed, the line grows {epoch_fit.growth_per_year:.1f}-fold a year")
    if fit.low <= epoch_fit.growth_per_year <= fit.high:
        return (f"{head}, inside our interval: the rate comes from which runs are fitted, "
                "through which years, not from our costing.")
    return f"{head}, outside our interval: our costing, not only the runs, moves the rate."


def billion_year_sentence(crossing: Mapping[str, float], largest_crossing: float,
                          largest_model: str,
                          epoch_year: int = EPOCH_BILLION_RUN_YEAR) -> str:
    """When the trend passes a billion dollars, against Epoch AI's projection, as sentences.

    Parameters
    ----------
    crossing : mapping
        ``central``, ``earliest``, ``latest`` from :func:`year_reaching` [yr].
    largest_crossing : float
        Year a run growing at the fitted rate from the priciest run reaches a billion dollars
        (:func:`year_reaching_from`) [yr].
    largest_model : str
        Name of the priciest run.
    epoch_year : int, default 2027
        Epoch AI's year for the largest run passing a billion dollars [yr].

    Returns
    -------
    str
        Two sentences, chosen by where Epoch's year falls against each crossing.
    """
    span = f"{crossing['earliest']:.0f} to {crossing['latest']:.0f}"
    if crossing["earliest"] <= epoch_year <= crossing["latest"]:
        verdict = f"a range that includes Epoch AI's {epoch_year}"
    elif epoch_year < crossing["earliest"]:
        verdict = f"later than Epoch AI's {epoch_year}"
    else:
        verdict = f"earlier than Epoch AI's {epoch_year}"
    if abs(largest_crossing - epoch_year) < 0.5:
        compare = "as Epoch AI projects"
    elif largest_crossing < epoch_year:
        compare = "sooner than Epoch AI projects"
    else:
        compare = "later than Epoch AI projects"
    if largest_crossing < crossing["central"]:
        where = "the largest runs sit above the line"
    elif largest_crossing > crossing["central"]:
        where = "yet the priciest run so far sits below the line"
    else:
        where = "the priciest run so far sits on the line"
    return (f"The fitted line, which tracks a typical frontier run, passes a billion dollars "
            f"around {crossing['central']:.0f} ({span}), {verdict}. "
            f"But Epoch AI's projection is for the largest run, and {where}: growing at the "
            f"fitted rate from {largest_model}, a run would pass a billion dollars around "
            f"{largest_crossing:.0f}, {compare}.")


class FrontierReference(NamedTuple):
    """The largest frontier run in the data, costed by the book's model."""

    model: str  # name in Epoch AI's database
    organization: str  # developer
    publication_date: pd.Timestamp  # publication date
    training_flop: float  # Epoch AI's training compute [FLOP]
    accelerator: str  # chip id in data/accelerators.csv
    hardware_basis: str  # "recorded" or "default"
    owned_usd: float  # amortised hardware plus energy [constant 2023 USD]
    rental_usd: float  # the same chip-hours rented on 3-year commitment [constant 2023 USD]
    epoch_usd: float  # Epoch AI's amortised estimate, NaN where none [constant 2023 USD]


def frontier_reference_run(costs: pd.DataFrame, on_or_before: float | None = None
                           ) -> FrontierReference:
    """The run with the most training compute in :func:`frontier_run_costs`.

    Parameters
    ----------
    costs : pandas.DataFrame
        From :func:`frontier_run_costs`.
    on_or_before : float, optional
        Latest decimal publication year considered [yr]; default all.

    Returns
    -------
    FrontierReference
        Its name, date, compute and costs by both methods [2023 USD].
    """
    pool = costs if on_or_before is None else costs[costs["year"] <= on_or_before]
    if pool.empty:
        raise ValueError("no frontier run in range")
    r = pool.loc[pool["training_flop"].idxmax()]
    return FrontierReference(str(r["model"]), str(r["organization"]), r["publication_date"],
                             float(r["training_flop"]), str(r["accelerator"]),
                             str(r["hardware_basis"]), float(r["cost_usd_2023"]),
                             float(r["cloud_usd_2023"]), float(r["epoch_usd_2023"]))


def max_compute_by(points: pd.DataFrame, year: float) -> pd.Series:
    """The model with the most training compute published on or before a decimal year.

    Parameters
    ----------
    points : pandas.DataFrame
        From :func:`compute_points`.
    year : float
        Cut-off [yr].

    Returns
    -------
    pandas.Series
        That model's row.
    """
    before = points[points["year"] <= year]
    if before.empty:
        raise ValueError(f"no model with known compute on or before {year:.2f}")
    return before.loc[before["training_flop"].idxmax()]


def compute_anchor(registry: Mapping[str, Assumption], points: pd.DataFrame,
                   model_prefix: str = "Llama 3.1-405B") -> pd.DataFrame:
    """The registry's 6ND estimate for the reference model, placed at its publication date.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``llama31_405b_params``, ``llama31_405b_tokens`` and ``flop_per_param_token``.
    points : pandas.DataFrame
        From :func:`compute_points`; must hold the reference model.
    model_prefix : str, default "Llama 3.1-405B"
        Start of the reference model's name in Epoch AI's data.

    Returns
    -------
    pandas.DataFrame
        One row: ``model``, ``year`` [yr], ``training_flop`` (6ND) [FLOP],
        ``recorded_flop`` (Epoch AI's value) [FLOP] and ``label``.
    """
    match = points[points["model"].str.startswith(model_prefix)]
    if match.empty:
        raise ValueError(f"no model starting with {model_prefix!r} in the compute data")
    row = match.iloc[0]
    flop = float(training.training_flop(registry["llama31_405b_params"].central,
                                        registry["llama31_405b_tokens"].central,
                                        registry["flop_per_param_token"].central))
    return pd.DataFrame({"model": [row["model"]], "year": [row["year"]],
                         "training_flop": [flop], "recorded_flop": [row["training_flop"]],
                         "label": [f"6ND for {row['model']}"]})


def decade_markers(points: pd.DataFrame, years_back: float = DECADE_YEARS
                   ) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """The largest run in the data, the largest ``years_back`` years before it, and chart
    markers for both.

    Parameters
    ----------
    points : pandas.DataFrame
        From :func:`compute_points`.
    years_back : float, default 10
        Look-back from the latest publication date [yr].

    Returns
    -------
    now, then : pandas.Series
        Rows of :func:`max_compute_by` at the latest date and ``years_back`` earlier.
    markers : pandas.DataFrame
        ``flop`` [FLOP] and ``label`` ("Largest by <year>") for :func:`chart_loss_gain`.
    """
    latest = float(points["year"].max())
    now = max_compute_by(points, latest)
    then = max_compute_by(points, latest - years_back)
    markers = pd.DataFrame({
        "flop": [then["training_flop"], now["training_flop"]],
        "label": [f"Largest by {then['publication_date']:%Y}",
                  f"Largest by {now['publication_date']:%Y}"]})
    return now, then, markers


# --------------------------------------------------------------------------------------------
# Scaling laws
# --------------------------------------------------------------------------------------------


def scaling_laws(registry: Mapping[str, Assumption]) -> dict[str, training.ScalingLawParams]:
    """The two loss laws of the registry, by label.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``chinchilla_{e,a,b,alpha,beta}`` (Hoffmann et al. 2022) and
        ``besiroglu_{e,a,b,alpha,beta}`` (Besiroglu et al. 2024).

    Returns
    -------
    dict of str to aiboom.training.ScalingLawParams
        ``"Hoffmann et al. (Chinchilla)"`` and ``"Besiroglu et al. (refit)"``.
    """
    def law(prefix: str) -> training.ScalingLawParams:
        return training.ScalingLawParams(
            *(registry[f"{prefix}_{k}"].central for k in ("e", "a", "b", "alpha", "beta")))

    return {"Hoffmann et al. (Chinchilla)": law("chinchilla"),
            "Besiroglu et al. (refit)": law("besiroglu")}


def reducible_share_per_step(params: training.ScalingLawParams,
                             factor: float = STEP_FACTOR) -> float:
    r"""
    Share of the remaining reducible loss one step of ``factor`` times more compute removes.

    Parameters
    ----------
    params : ScalingLawParams
        Law constants [mixed].
    factor : float, default 10
        Growth of the compute budget in the step [ratio].

    Returns
    -------
    float
        :math:`1 - f^{-\gamma}` with :math:`\gamma = \alpha\beta/(\alpha+\beta)` [fraction],
        the same at every budget (see :func:`aiboom.training.loss_gain_per_10x`).

    Examples
    --------
    >>> round(reducible_share_per_step(training.ScalingLawParams(1.0, 1.0, 1.0, 0.5, 0.5)), 4)
    0.4377
    """
    gamma = params.alpha * params.beta / (params.alpha + params.beta)
    return float(1.0 - factor ** (-gamma))


def _law_columns(laws: Mapping[str, training.ScalingLawParams], xp: Any
                 ) -> training.ScalingLawParams:
    """The laws' constants as one column per constant, one row per law, on ``xp``."""
    return training.ScalingLawParams(*(
        xp.asarray([getattr(law, name) for law in laws.values()], dtype=float)[:, None]
        for name in training.ScalingLawParams._fields))


def loss_curves(flop: ArrayLike, laws: Mapping[str, training.ScalingLawParams],
                usd_per_flop: float, backend: str | None = None) -> pd.DataFrame:
    """Compute-optimal loss against compute and against the dollars that compute costs.

    Parameters
    ----------
    flop : array-like
        Training compute budgets [FLOP].
    laws : mapping of str to ScalingLawParams
        From :func:`scaling_laws`.
    usd_per_flop : float
        Price of one useful FLOP (:func:`aiboom.training.usd_per_flop`) [USD/FLOP].
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per law and budget, law by law: ``law``, ``flop`` [FLOP], ``usd`` [USD],
        ``loss`` [nats/token] and ``reducible_loss`` (loss above the law's irreducible
        :math:`E`) [nats/token]. Tagged ``training_trends.loss_curves``.

    Notes
    -----
    :math:`L^*(C)` of :func:`aiboom.training.compute_optimal_loss` on the laws x budgets
    grid, and :math:`C c` for the cost at :math:`c` US$ per FLOP.
    """
    be = get_backend(backend)
    xp = be.xp
    c = xp.asarray(flop, dtype=float)[None, :]
    law = _law_columns(laws, xp)
    loss = training.compute_optimal_loss(c, law)
    shape = loss.shape
    return be.frame("training_trends.loss_curves", {
        "law": [label for label in laws for _ in range(shape[1])],
        "flop": xp.broadcast_to(c, shape).ravel(),
        "usd": xp.broadcast_to(c * usd_per_flop, shape).ravel(),
        "loss": loss.ravel(), "reducible_loss": (loss - law.e).ravel()})


def loss_gain_table(flop: ArrayLike, laws: Mapping[str, training.ScalingLawParams],
                    backend: str | None = None) -> pd.DataFrame:
    """What one more tenfold step of compute buys, starting from each budget.

    Parameters
    ----------
    flop : array-like
        Starting budgets :math:`C` [FLOP].
    laws : mapping of str to ScalingLawParams
        From :func:`scaling_laws`.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        One row per law and budget, law by law: ``law``, ``flop`` [FLOP], ``gain`` =
        :math:`L^*(C) - L^*(10C)` [nats/token] (:func:`aiboom.training.loss_gain_per_10x`,
        on the laws x budgets grid). Tagged ``training_trends.loss_gain_table``.
    """
    be = get_backend(backend)
    xp = be.xp
    c = xp.asarray(flop, dtype=float)[None, :]
    gain = training.loss_gain_per_10x(c, _law_columns(laws, xp))
    return be.frame("training_trends.loss_gain_table", {
        "law": [label for label in laws for _ in range(gain.shape[1])],
        "flop": xp.broadcast_to(c, gain.shape).ravel(), "gain": gain.ravel()})


# --------------------------------------------------------------------------------------------
# One reference run, owned or rented
# --------------------------------------------------------------------------------------------


class ReferenceRun(NamedTuple):
    """Compute, time, energy and cost of one training run (all at central values)."""

    flop: float  # training compute [FLOP]
    accelerator_hours: float  # accelerator-hours [h]
    n_accelerators: float  # accelerators needed to finish in the run length [count]
    energy_mwh: float  # facility electricity [MWh]
    hardware_usd: float  # amortised hardware, servers and interconnect [USD]
    cluster_capex_usd: float  # price of buying the whole cluster outright [USD]
    energy_usd: float  # electricity bill [USD]
    rental_usd: float  # the same accelerator-hours rented [USD]

    @property
    def owned_usd(self) -> float:
        """Amortised hardware plus energy, Epoch AI's main method [USD]."""
        return self.hardware_usd + self.energy_usd


def reference_run(registry: Mapping[str, Assumption], accelerator: pd.Series,
                  usd_per_gpu_hour: float, backend: str | None = None) -> ReferenceRun:
    """Cost of training the registry's reference model (Llama 3.1 405B) on one accelerator type.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``llama31_405b_params``, ``llama31_405b_tokens``, ``flop_per_param_token``,
        ``training_mfu``, ``training_run_days``, ``server_cost_overhead``,
        ``cluster_interconnect_overhead``, ``hardware_lifetime_years``, ``pue`` and
        ``usd_per_kwh`` (central values).
    accelerator : pandas.Series
        Row of ``data/accelerators.csv``: ``bf16_dense_tflops``, ``tdp_w`` and
        ``purchase_usd_central``.
    usd_per_gpu_hour : float
        Price of one accelerator-hour, the scenario's one price for that chip
        (:func:`aiboom.montecarlo.accelerator_price_row`) [USD/GPU-hour].
    backend : str, optional
        Array backend of the arithmetic (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    ReferenceRun
        Plain floats, copied back from the backend.

    Notes
    -----
    Compute :math:`C = k N D` (:func:`aiboom.training.training_flop`); accelerator-hours
    :math:`C / (3600\\, u F)`; hardware by :func:`aiboom.training.amortized_hardware_cost_usd`
    with the registry's interconnect overhead :math:`o_{ic}` (added on top of servers)
    turned into the share of cluster capex :math:`f = o_{ic} / (1 + o_{ic})`; energy by
    :func:`aiboom.training.energy_cost_usd` with the average power of
    :func:`aiboom.training.average_power_w_per_accelerator` (Epoch AI's server-to-chip ratio
    and load); rental by :func:`aiboom.training.cloud_training_cost_usd`. Buying the cluster
    outright costs :math:`n P o (1 + o_{ic})` for :math:`n` accelerators at price :math:`P`
    with server overhead :math:`o`.
    """
    be = get_backend(backend)
    xp = be.xp
    c = {k: xp.asarray(registry[k].central, dtype=float) for k in (
        "llama31_405b_params", "llama31_405b_tokens", "flop_per_param_token", "training_mfu",
        "training_run_days", "server_cost_overhead", "cluster_interconnect_overhead",
        "hardware_lifetime_years", "pue", "usd_per_kwh")}
    flop = training.training_flop(c["llama31_405b_params"], c["llama31_405b_tokens"],
                                  c["flop_per_param_token"])
    peak = xp.asarray(float(accelerator["bf16_dense_tflops"]) * 1e12)
    hours = training.accelerator_hours(flop, peak, c["training_mfu"])
    n_acc = hours / (24.0 * c["training_run_days"])
    ic = c["cluster_interconnect_overhead"]
    price = xp.asarray(float(accelerator["purchase_usd_central"]))
    hardware = training.amortized_hardware_cost_usd(
        hours, price, server_cost_overhead=c["server_cost_overhead"],
        hardware_lifetime_years=c["hardware_lifetime_years"],
        interconnect_cost_fraction=ic / (1.0 + ic))
    capex = n_acc * price * c["server_cost_overhead"] * (1.0 + ic)
    power = training.average_power_w_per_accelerator(xp.asarray(float(accelerator["tdp_w"])))
    energy_mwh = training.training_energy_mwh(hours, power, c["pue"])
    energy_usd = training.energy_cost_usd(hours, power, c["pue"], c["usd_per_kwh"])
    rental = training.cloud_training_cost_usd(hours, xp.asarray(float(usd_per_gpu_hour)))
    values = be.asnumpy(xp.stack([flop, hours, n_acc, energy_mwh, hardware, capex, energy_usd,
                                  rental]))
    return ReferenceRun(*(float(v) for v in values))


def reference_run_table(run: ReferenceRun, backend: str | None = None) -> pd.DataFrame:
    """The run's cost by method and component, for a stacked bar chart.

    Parameters
    ----------
    run : ReferenceRun
        From :func:`reference_run`.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        ``method`` ("Owned cluster, amortised" or "Rented cloud GPUs"), ``component`` and
        ``usd_m`` [USD million]. Tagged ``training_trends.reference_run_table``.
    """
    be = get_backend(backend)
    owned, rented = "Owned cluster, amortised", "Rented cloud GPUs"
    usd = be.xp.asarray([run.hardware_usd, run.energy_usd, run.rental_usd], dtype=float)
    return be.frame("training_trends.reference_run_table", {
        "method": [owned, owned, rented],
        "component": ["Hardware, servers and network", "Electricity", "Rental"],
        "usd_m": usd / 1e6})


# --------------------------------------------------------------------------------------------
# Charts the generic builders cannot draw
# --------------------------------------------------------------------------------------------


#: Vega expression labelling a US$ axis in thousands, millions and billions.
USD_LABEL_EXPR = (
    "datum.value >= 1e9 ? '$' + format(datum.value / 1e9, '~g') + ' bn'"
    " : datum.value >= 1e6 ? '$' + format(datum.value / 1e6, '~g') + ' m'"
    " : datum.value >= 1e3 ? '$' + format(datum.value / 1e3, '~g') + ' k'"
    " : '$' + format(datum.value, '~g')")


def decade_ticks(low: float, high: float) -> list[float]:
    """Powers of ten from the decade at or below ``low`` to the one at or above ``high``.

    >>> decade_ticks(150.0, 2.0e4)
    [100.0, 1000.0, 10000.0, 100000.0]
    """
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high; got {low}, {high}")
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    return [float(10.0 ** k) for k in range(first, last + 1)]


def chart_cost_trend(points: pd.DataFrame, trend: pd.DataFrame, threshold_usd: float,
                     threshold_label: str,
                     dots_label: str = "Frontier model (Epoch AI estimate)") -> alt.LayerChart:
    """Frontier training costs (log y) with the fitted trend, its band and a threshold line.

    Parameters
    ----------
    points : pandas.DataFrame
        From :func:`frontier_run_costs`; the chip and
        whether the run was costed from defaults show in the tooltip where present.
    trend : pandas.DataFrame
        From :func:`trend_frame` [USD].
    threshold_usd : float
        Height of the dashed threshold line [USD].
    threshold_label : str
        Its label.
    dots_label : str, default "Frontier model (Epoch AI estimate)"
        Legend entry of the points.
    """
    trend_label = "Fitted trend (90% interval)"
    lo = min(points["cost_usd_2023"].min(), trend["low"].min())
    hi = max(points["cost_usd_2023"].max(), trend["high"].max(), threshold_usd)
    ticks = decade_ticks(lo, hi)
    y_scale = alt.Scale(type="log", domain=[ticks[0], ticks[-1]])
    x_scale = alt.Scale(domain=[float(np.floor(trend["year"].min())),
                                float(np.ceil(trend["year"].max()))], nice=False)
    color = charts.color("series", [dots_label, trend_label],
                         legend=alt.Legend(symbolOpacity=1.0))
    y_axis = alt.Axis(values=ticks, labelExpr=USD_LABEL_EXPR)
    x_axis = alt.Axis(format="d", tickMinStep=1)
    base = alt.Chart(trend.assign(series=trend_label)).encode(
        x=alt.X("year:Q", title="Publication date", scale=x_scale, axis=x_axis))
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title="Training cost, constant 2023 US$", scale=y_scale, axis=y_axis),
        y2="high:Q", color=color)
    line = base.mark_line().encode(
        y=alt.Y("central:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("year:Q", title="Year", format=".1f"),
                 alt.Tooltip("central:Q", title="Trend, 2023 US$", format="$,.3~s"),
                 alt.Tooltip("low:Q", title="Low", format="$,.3~s"),
                 alt.Tooltip("high:Q", title="High", format="$,.3~s")])
    tooltip = [alt.Tooltip("model:N", title="Model"),
               alt.Tooltip("organization:N", title="Developer"),
               alt.Tooltip("publication_date:T", title="Published", format="%b %Y"),
               alt.Tooltip("cost_usd_2023:Q", title="Cost, 2023 US$", format="$,.3~s")]
    shown = points.assign(series=dots_label)
    if {"accelerator", "imputed"} <= set(points.columns):
        shown = shown.assign(costed_from=np.where(points["imputed"], "defaults (see text)",
                                                  "recorded inputs"))
        tooltip += [alt.Tooltip("accelerator:N", title="Chip"),
                    alt.Tooltip("costed_from:N", title="Costed from")]
    dots = alt.Chart(shown).mark_point(filled=True, opacity=0.85).encode(
        x=alt.X("year:Q", scale=x_scale), y=alt.Y("cost_usd_2023:Q", scale=y_scale),
        color=color, tooltip=tooltip)
    line_df = pd.DataFrame({"y": [threshold_usd], "label": [threshold_label]})
    rule = alt.Chart(line_df).mark_rule(strokeDash=[4, 3], color="#333").encode(
        y=alt.Y("y:Q", scale=y_scale))
    text = alt.Chart(line_df).mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
        y=alt.Y("y:Q", scale=y_scale), x=alt.value(0), text="label:N")
    return alt.layer(area, line, dots, rule, text)


def chart_compute(points: pd.DataFrame, anchor: pd.DataFrame) -> alt.LayerChart:
    """Training compute of notable models over time (log y), frontier models highlighted, with
    one labelled anchor point.

    Parameters
    ----------
    points : pandas.DataFrame
        From :func:`compute_points`.
    anchor : pandas.DataFrame
        One row: ``year`` [yr], ``training_flop`` [FLOP] and ``label``.
    """
    y_title = "Training compute, FLOP"
    dots = charts.scatter(
        points, x="year", y="training_flop", color="group", x_title="Publication date",
        y_title=y_title, log_y=True, y_format=".0e", x_format="d",
        tooltip=[("model:N", "Model", ""), ("organization:N", "Developer", ""),
                 ("publication_date:T", "Published", "%b %Y"),
                 ("training_flop:Q", "Training compute, FLOP", ".2e")])
    star = alt.Chart(anchor).mark_point(shape="diamond", size=160, filled=False,
                                        strokeWidth=2, color="#000").encode(
        x="year:Q", y=alt.Y("training_flop:Q", scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("label:N", title=""),
                 alt.Tooltip("training_flop:Q", title="6ND, FLOP", format=".3e")])
    text = alt.Chart(anchor).mark_text(align="right", dx=-10, dy=-10, fontSize=11).encode(
        x="year:Q", y=alt.Y("training_flop:Q", scale=alt.Scale(type="log")), text="label:N")
    return alt.layer(dots, star, text)


def chart_loss_gain(gains: pd.DataFrame, markers: pd.DataFrame) -> alt.LayerChart:
    """Loss removed by one more tenfold step against the starting budget (log-log), one line
    per law, with labelled vertical markers.

    Parameters
    ----------
    gains : pandas.DataFrame
        From :func:`loss_gain_table`.
    markers : pandas.DataFrame
        ``flop`` [FLOP] and ``label`` of each vertical marker.
    """
    ticks = decade_ticks(float(gains["flop"].min()), float(gains["flop"].max()))[::2]
    x_scale = alt.Scale(type="log")
    line = alt.Chart(gains).mark_line(point=True).encode(
        x=alt.X("flop:Q", scale=x_scale, title="Training compute before the step, FLOP",
                axis=alt.Axis(values=ticks, format=".0e")),
        y=alt.Y("gain:Q", scale=alt.Scale(type="log"),
                title="Loss removed by 10× compute, nats/token", axis=alt.Axis(format=".2~f")),
        color=alt.Color("law:N", title=None),
        tooltip=[alt.Tooltip("law:N", title=""),
                 alt.Tooltip("flop:Q", title="Starting compute, FLOP", format=".0e"),
                 alt.Tooltip("gain:Q", title="Loss removed, nats/token", format=".3f")])
    rule = alt.Chart(markers).mark_rule(strokeDash=[4, 3], color="#333").encode(
        x="flop:Q", tooltip=[alt.Tooltip("label:N", title=""),
                             alt.Tooltip("flop:Q", title="FLOP", format=".2e")])
    text = alt.Chart(markers).mark_text(align="right", dx=-4, fontSize=11).encode(
        x="flop:Q", y=alt.value(10), text="label:N")
    return alt.layer(line, rule, text)


def chart_loss_vs_cost(curves: pd.DataFrame) -> alt.Chart:
    """Compute-optimal loss against the dollar cost of the compute, log x with one labelled
    tick per decade (US$ thousand, million, billion).

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`loss_curves` (``usd``, ``loss``, ``law``).
    """
    lo, hi = float(curves["usd"].min()), float(curves["usd"].max())
    ticks = [t for t in decade_ticks(lo, hi) if lo <= t <= hi]
    return alt.Chart(curves).mark_line().encode(
        x=alt.X("usd:Q", scale=alt.Scale(type="log"),
                title="Cost of the compute at rental prices, US$",
                axis=alt.Axis(values=ticks, labelExpr=USD_LABEL_EXPR)),
        y=alt.Y("loss:Q", title="Loss, nats per token", scale=alt.Scale(zero=False),
                axis=alt.Axis(format=".2f")),
        color=alt.Color("law:N", title=None),
        tooltip=[alt.Tooltip("law:N", title=""),
                 alt.Tooltip("usd:Q", title="Cost, US$", format="$,.3~s"),
                 alt.Tooltip("flop:Q", title="Compute, FLOP", format=".2e"),
                 alt.Tooltip("loss:Q", title="Loss, nats per token", format=".3f")])


#: Label of each back-test method in the chart legend, in :data:`training.BACKTEST_METHODS`
#: order.
BACKTEST_METHOD_LABELS = {"amortized": "Method 1: amortised hardware + energy",
                          "cloud": "Method 2: cloud rental"}

#: Factor either side of agreement shaded in the back-test chart [unitless].
BACKTEST_BAND_FACTOR = 2.0


def backtest_points(table: pd.DataFrame) -> pd.DataFrame:
    """The back-test in long form, one row per run and method with both costs positive.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`aiboom.training.backtest_runs` [2023 USD].

    Returns
    -------
    pandas.DataFrame
        ``model``, ``accelerator``, ``publication_date``, ``method`` (legend label),
        ``epoch_usd`` (Epoch's estimate by the same method: ``epoch_usd`` for the amortised
        method, ``epoch_cloud_usd`` for the cloud method) and ``model_usd`` [2023 USD] and
        ``ratio`` [unitless].
    """
    epoch_column = {"amortized": "epoch_usd", "cloud": "epoch_cloud_usd"}
    parts = []
    for method, label in BACKTEST_METHOD_LABELS.items():
        part = table[["model", "accelerator", "publication_date"]].assign(
            method=label, epoch_usd=table[epoch_column[method]],
            model_usd=table[f"{method}_usd"])
        parts.append(part)
    out = computed_from(pd.concat(parts, ignore_index=True), table)
    out = out[(out["epoch_usd"] > 0) & (out["model_usd"] > 0)]
    return out.assign(ratio=out["model_usd"] / out["epoch_usd"]).reset_index(drop=True)


def chart_training_backtest(table: pd.DataFrame) -> alt.LayerChart:
    """Each run's modelled training cost against Epoch AI's estimate, log-log, one colour per
    method, with the line of agreement and a shaded factor-of-two band.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`aiboom.training.backtest_runs` [2023 USD].
    """
    points = backtest_points(table)
    lo = float(min(points["epoch_usd"].min(), points["model_usd"].min()))
    hi = float(max(points["epoch_usd"].max(), points["model_usd"].max()))
    ticks = decade_ticks(lo, hi)
    scale = alt.Scale(type="log", domain=[ticks[0], ticks[-1]], nice=False)
    axis = alt.Axis(values=ticks, labelExpr=USD_LABEL_EXPR)
    k = BACKTEST_BAND_FACTOR
    diagonal = pd.DataFrame({"x": ticks})
    diagonal = diagonal.assign(y=diagonal["x"], low=(diagonal["x"] / k).clip(lower=ticks[0]),
                               high=(diagonal["x"] * k).clip(upper=ticks[-1]))
    x = alt.X("x:Q", scale=scale, title="Epoch AI's estimate, constant 2023 US$", axis=axis)
    band = alt.Chart(diagonal).mark_area(opacity=0.2, color="#777").encode(
        x=x, y=alt.Y("low:Q", scale=scale, title="Model, constant 2023 US$", axis=axis),
        y2="high:Q")
    line = alt.Chart(diagonal).mark_line(color="#555", strokeDash=[4, 3]).encode(
        x=x, y=alt.Y("y:Q", scale=scale))
    labels = list(BACKTEST_METHOD_LABELS.values())
    dots = alt.Chart(points).mark_point(filled=True, opacity=0.75).encode(
        x=alt.X("epoch_usd:Q", scale=scale), y=alt.Y("model_usd:Q", scale=scale),
        color=charts.color("method", labels, legend=alt.Legend(symbolOpacity=1.0)),
        tooltip=[alt.Tooltip("model:N", title="Run"),
                 alt.Tooltip("accelerator:N", title="Chip"),
                 alt.Tooltip("publication_date:T", title="Published", format="%b %Y"),
                 alt.Tooltip("method:N", title="Method"),
                 alt.Tooltip("model_usd:Q", title="Model, 2023 US$", format="$,.3~s"),
                 alt.Tooltip("epoch_usd:Q", title="Epoch AI, 2023 US$", format="$,.3~s"),
                 alt.Tooltip("ratio:Q", title="Model / Epoch", format=".2f")])
    return alt.layer(band, line, dots)


# --------------------------------------------------------------------------------------------
# Claims: sentences chosen by the numbers
# --------------------------------------------------------------------------------------------

#: Relative difference within which two estimates are said to match [unitless].
MATCH_TOLERANCE = 0.05
#: Growth factors within this of one are "about flat" [x/yr].
FLAT_GROWTH_TOLERANCE = 0.05
#: Share of the owned cost below which electricity is called "only" a small part [fraction].
SMALL_ENERGY_SHARE = 0.2

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")


def count_words(n: int) -> str:
    """A count in words up to twelve ("no", "one", ... "twelve"), in digits beyond.

    >>> count_words(1), count_words(12), count_words(86)
    ('one', 'twelve', '86')
    """
    n = int(n)
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def round_sig(x: float, digits: int = 2) -> float:
    """``x`` rounded to ``digits`` significant figures.

    >>> round_sig(4397.49), round_sig(0.016058, 2)
    (4400.0, 0.016)
    """
    if x == 0 or not np.isfinite(x):
        return float(x)
    return float(round(x, digits - 1 - int(np.floor(np.log10(abs(x))))))


def usd_words(usd: float, digits: int = 2) -> str:
    """A dollar amount in words, rounded to ``digits`` significant figures.

    >>> usd_words(4397.49), usd_words(6.86e9), usd_words(5.7e7)
    ('4,400 dollars', '6.9 billion dollars', '57 million dollars')
    """
    x = round_sig(float(usd), digits)
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if abs(x) >= scale:
            return f"{round_sig(x / scale, digits):g} {word} dollars"
    return f"{x:,.0f} dollars" if abs(x) >= 1 else f"{x:g} dollars"


def growth_phrase(growth_per_year: float) -> str:
    """How a quantity growing ``growth_per_year``-fold a year has moved, as a verb phrase.

    Parameters
    ----------
    growth_per_year : float
        Fitted growth factor [x/yr].

    Returns
    -------
    str
        "grown 2.7-fold a year", "stayed about flat" or "fallen by 20% a year".

    >>> growth_phrase(2.728), growth_phrase(1.01), growth_phrase(0.8)
    ('grown 2.7-fold a year', 'stayed about flat', 'fallen by 20% a year')
    """
    if abs(growth_per_year - 1.0) <= FLAT_GROWTH_TOLERANCE:
        return "stayed about flat"
    if growth_per_year > 1.0:
        return f"grown {growth_per_year:.2g}-fold a year"
    return f"fallen by {1.0 - growth_per_year:.0%} a year"


def agreement_clause(estimate: float, reference: float, reference_name: str,
                     tolerance: float = MATCH_TOLERANCE) -> str:
    """How an estimate compares with a reference value, as a clause.

    Parameters
    ----------
    estimate, reference : float
        The two values, positive [same units].
    reference_name : str
        What the reference is ("the value Epoch AI records").
    tolerance : float, default 0.05
        Relative difference still called a match [unitless].

    Returns
    -------
    str
        "matching the value ... to within a few per cent", or "12% above/below ...".

    >>> agreement_clause(0.998, 1.0, "the record")
    'matching the record to within a few per cent'
    >>> agreement_clause(1.3, 1.0, "the record")
    '30% above the record'
    """
    ratio = estimate / reference
    if abs(ratio - 1.0) <= tolerance:
        return f"matching {reference_name} to within a few per cent"
    side = "above" if ratio > 1.0 else "below"
    return f"{abs(ratio - 1.0):.0%} {side} {reference_name}"


def compute_vs_epoch_clause(fit: training.TrendFit, epoch: Assumption) -> str:
    """How the fitted compute growth compares with Epoch AI's published rate, as a clause.

    Parameters
    ----------
    fit : aiboom.training.TrendFit
        Fitted frontier-compute trend [x/yr].
    epoch : Assumption
        ``frontier_compute_growth_per_year`` [x/yr].

    Returns
    -------
    str
        "in line with", "faster than" or "slower than" Epoch AI's rate, by whether that rate
        lies inside, below or above the fitted interval.
    """
    rate = f"Epoch AI's {epoch.central:.2g}-fold"
    if fit.low <= epoch.central <= fit.high:
        return f"in line with {rate}"
    return f"{'faster' if epoch.central < fit.low else 'slower'} than {rate}"


def compute_cost_gap_sentences(compute_growth: float, cost_growth: float,
                               flop_per_usd_growth: float) -> str:
    """Whether compute outgrows cost, and how much of the gap cheaper chips explain.

    Parameters
    ----------
    compute_growth : float
        Fitted growth of frontier training compute [x/yr].
    cost_growth : float
        Fitted growth of frontier training cost [x/yr].
    flop_per_usd_growth : float
        Growth of hardware FLOP per dollar (Epoch AI) [x/yr].

    Returns
    -------
    str
        Two or three sentences, chosen by whether compute grows faster than cost and whether
        better chips per dollar alone cover the gap.
    """
    gap = compute_growth / cost_growth
    if gap <= 1.0 + FLAT_GROWTH_TOLERANCE:
        return ("In these fits compute has not outgrown cost: the cost of a unit of useful "
                "computation on the frontier has not clearly fallen, although chips deliver "
                f"{flop_per_usd_growth:.2g} times more operations per dollar each year.")
    head = (f"Compute grows faster than cost because each dollar buys more computation every "
            f"year: the gap between the two trends is {gap:.2g}-fold a year.")
    if flop_per_usd_growth >= gap:
        return (f"{head} Better chips per dollar alone would give {flop_per_usd_growth:.2g}-fold, "
                "at least the whole gap, so the frontier has not even kept pace with its "
                "hardware; the two fits also cover different sets of models, so the gap is a "
                "rough guide rather than a measurement.")
    return (f"{head} Better chips per dollar account for {flop_per_usd_growth:.2g}-fold of it; "
            "the rest comes from using them better (higher utilisation, lower-precision "
            "arithmetic) and partly from the two fits covering different sets of models, so "
            "the gap is a rough guide rather than a measurement.")


def cheap_compute_sentence(cost_growth: float, compute_growth: float) -> str:
    """Whether cheaper computation has made frontier training cheap, as a sentence.

    Parameters
    ----------
    cost_growth, compute_growth : float
        Fitted growth of frontier training cost and compute [x/yr].

    Returns
    -------
    str
        One sentence chosen by whether the bill rises and whether compute outruns it.
    """
    if cost_growth <= 1.0 + FLAT_GROWTH_TOLERANCE:
        return ("Cheaper computation has kept the frontier bill from rising: the gains in "
                "price-performance have been spent on more compute, not more dollars.")
    if compute_growth > cost_growth:
        return ("Cheaper computation does not make frontier training cheap; it only lets "
                "compute outrun the bill.")
    return ("Cheaper computation has not even let compute outrun the bill: the frontier "
            "spends more on each unit of compute than it once did.")


def gain_fall_clause(gain_then: float, gain_now: float) -> str:
    """How the loss bought by one tenfold step today compares with a decade ago, as a clause.

    Parameters
    ----------
    gain_then, gain_now : float
        Loss removed by one more tenfold step from the largest run a decade ago and from
        today's largest [nats/token].

    Returns
    -------
    str
        "13 times less", "about the same" or "2 times more".

    >>> gain_fall_clause(0.204, 0.016), gain_fall_clause(0.1, 0.1)
    ('13 times less', 'about the same')
    """
    ratio = gain_then / gain_now
    if abs(ratio - 1.0) <= MATCH_TOLERANCE:
        return "about the same"
    if ratio > 1.0:
        return f"{ratio:.2g} times less"
    return f"{1.0 / ratio:.2g} times more"


def run_cost_sentences(hardware_usd: float, energy_usd: float, rental_usd: float) -> str:
    """The owned and rented costs of one run and how they compare, as sentences.

    Parameters
    ----------
    hardware_usd, energy_usd : float
        Amortised hardware and electricity of the run on an owned cluster [USD].
    rental_usd : float
        The same accelerator-hours rented [USD].

    Returns
    -------
    str
        Two sentences: the owned cost with electricity's share (called small where it is
        below :data:`SMALL_ENERGY_SHARE`), then the rented cost against it, chosen by which is
        larger.
    """
    owned = hardware_usd + energy_usd
    share = energy_usd / owned
    only = "only " if share < SMALL_ENERGY_SHARE else ""
    lead = (f"it costs {usd_words(owned)}, of which {only}{usd_words(energy_usd)} "
            f"({share:.0%}) is electricity")
    ratio = rental_usd / owned
    if abs(ratio - 1.0) <= MATCH_TOLERANCE:
        rented = (f"Rented, it costs {usd_words(rental_usd)}, about the same: at the scenario's "
                  "price an hour of a rented chip costs what an hour of an owned one does.")
    elif ratio > 1.0:
        rented = f"Rented, it costs {usd_words(rental_usd)}, {ratio:.2g} times as much."
    else:
        rented = (f"Rented, it costs {usd_words(rental_usd)}, {1.0 - ratio:.0%} less than "
                  "owning.")
    return f"{lead}. {rented}"


def electricity_weight_sentence(energy_share: float, energy_gwh: float) -> str:
    """Whether the run's electricity matters more to the grid than to the budget.

    Parameters
    ----------
    energy_share : float
        Electricity's share of the owned cost [fraction].
    energy_gwh : float
        The run's facility electricity [GWh].
    """
    amount = f"The electricity, {energy_gwh:.2g} gigawatt-hours,"
    if energy_share < SMALL_ENERGY_SHARE:
        return f"{amount} matters more to the grid than to the budget."
    return f"{amount} is a real part of the budget as well as a load on the grid."


def cluster_sentence(rental_usd: float, owned_usd: float, capex_usd: float) -> str:
    """What owning costs up front against renting, as sentences.

    Parameters
    ----------
    rental_usd, owned_usd : float
        Rented and amortised owned cost of the run [USD].
    capex_usd : float
        Price of buying the cluster outright [USD].
    """
    buy = (f"Buying the cluster outright costs about {usd_words(capex_usd)}, "
           f"{capex_usd / owned_usd:.2g} times the share one run uses up, which is why the "
           "hardware race of the first phase and the training bill are the same money seen "
           "from two sides.")
    if owned_usd < rental_usd * (1.0 - MATCH_TOLERANCE):
        return ("The owned figure is the smaller one only for a lab that already has the "
                f"cluster. {buy}")
    return ("Renting is no dearer than owning here, and it spares the lab the up-front bill. "
            + buy)


def billion_summary_sentence(cost_growth: float, crossing_year: float,
                             largest_crossing: float, last_data_year: float) -> str:
    """The chapter's summary of the billion-dollar run, as a sentence.

    Parameters
    ----------
    cost_growth : float
        Fitted growth of frontier training cost [x/yr].
    crossing_year : float
        Year the fitted trend passes a billion dollars (:func:`year_reaching`) [yr].
    largest_crossing : float
        Year a run growing from the priciest run passes it (:func:`year_reaching_from`) [yr].
    last_data_year : float
        Publication year of the newest run in the data [yr].
    """
    if cost_growth <= 1.0 + FLAT_GROWTH_TOLERANCE:
        return ("Frontier training costs have not grown in these fits, so the trend sets no "
                "date for a billion-dollar run.")
    tense = "passes" if crossing_year > last_data_year else "has passed"
    head = (f"Frontier training costs have {growth_phrase(cost_growth)}: on the fitted trend a "
            f"typical frontier run {tense} a billion dollars for its final run alone around "
            f"{crossing_year:.0f}")
    if largest_crossing < crossing_year - 0.5:
        return (f"{head}, and the largest runs, which sit above the trend, around "
                f"{largest_crossing:.0f}.")
    if largest_crossing > crossing_year + 0.5:
        return (f"{head}; the priciest run so far sits below the trend, so growing from it "
                f"the crossing comes later, around {largest_crossing:.0f}.")
    return f"{head}, and the largest runs, which sit on the trend, at about the same time."


def compute_summary_sentence(compute_growth: float, cost_growth: float) -> str:
    """The chapter's summary of compute against cost and what scale buys, as a sentence."""
    returns = ("yet the scaling laws say each tenfold step buys a smaller fall in loss than the "
               "one before.")
    if compute_growth > cost_growth * (1.0 + FLAT_GROWTH_TOLERANCE):
        return f"Compute has grown faster still, because every dollar buys more of it, {returns}"
    return f"Compute has grown no faster than the bill, {returns}"


def squeeze_sentence(cost_growth: float) -> str:
    """The chapter's closing sentence, chosen by whether the entry ticket rises."""
    tail = ("and, as the previous chapter showed, the cost of serving what it buys is paid "
            "again with every query.")
    if cost_growth > 1.0 + FLAT_GROWTH_TOLERANCE:
        return ("That is the second half of the squeeze: the entry ticket to the frontier rises "
                f"exponentially, {tail}")
    return f"The entry ticket to the frontier has stopped rising in these fits, {tail}"


def cautions_sentence(n_runs: int, n_after: int, last_epoch_year: int, n_imputed: int,
                      n_default_chip: int, n_hours_from_compute: int) -> str:
    """How many runs are costed past Epoch AI's data or from defaults, in words.

    Parameters
    ----------
    n_runs : int
        Frontier runs in the trend [count].
    n_after : int
        Of them, published after the last frontier run Epoch AI costs [count].
    last_epoch_year : int
        Year of that run [yr].
    n_imputed, n_default_chip, n_hours_from_compute : int
        Runs costed partly from defaults; of them, with a default chip; and with chip-hours
        from compute at the registry's utilisation [count].
    """
    def were(n: int) -> str:
        return "was" if n == 1 else "were"

    def have(n: int) -> str:
        return "has" if n == 1 else "have"

    def their(n: int) -> str:
        return "its" if n == 1 else "their"

    after = ("none was published after the last frontier run that Epoch AI's database costs, "
             f"from {last_epoch_year}" if n_after == 0 else
             f"{count_words(n_after)} {were(n_after)} published after the last frontier run "
             f"that Epoch AI's database costs, from {last_epoch_year}")
    if n_imputed == 0:
        return (f"Of the {count_words(n_runs)} runs, {after}, and every one is costed from "
                "recorded inputs.")
    chip = (f"{count_words(n_default_chip)} {have(n_default_chip)} no recorded hardware and "
            f"{'gets' if n_default_chip == 1 else 'get'} the newest chip released a year or "
            f"more before {'it' if n_default_chip == 1 else 'them'} (Google's own TPUs for "
            "Google)")
    k = n_hours_from_compute
    hours = (f"{count_words(k)} {have(k)} neither recorded chip-hours nor both a chip count "
             f"and a duration, and no utilisation of {their(k)} own, so {their(k)} chip-hours "
             f"come from {their(k)} compute at the registry's utilisation")
    parts = [p for n, p in ((n_default_chip, chip), (n_hours_from_compute, hours)) if n > 0]
    return (f"Of the {count_words(n_runs)} runs, {after}, and {count_words(n_imputed)} "
            f"{'is' if n_imputed == 1 else 'are'} costed partly from defaults: "
            + ", and ".join(parts) + ".")


def documentation_sentence(share_new: float, share_old: float, last_data_year: int) -> str:
    """Whether the newest runs are the least documented, as a sentence.

    Parameters
    ----------
    share_new : float
        Share of the runs published after Epoch AI's last costed frontier run that are costed
        partly from defaults [fraction].
    share_old : float
        The same share among the earlier runs [fraction].
    last_data_year : int
        Publication year of the newest run in the data [yr].

    Returns
    -------
    str
        One sentence, chosen by whether the newer runs need defaults more often.

    >>> documentation_sentence(0.79, 0.49, 2025)[:40]
    'The newest runs are the least documente'
    """
    end = f"and the database ends with runs published in {last_data_year}."
    if share_new > share_old + MATCH_TOLERANCE:
        return (f"The newest runs are the least documented: {share_new:.0%} of those Epoch AI "
                f"has not costed need defaults, against {share_old:.0%} of the earlier ones, "
                f"{end}")
    if share_new < share_old - MATCH_TOLERANCE:
        return (f"The newest runs are better documented than the earlier ones: "
                f"{share_new:.0%} of those Epoch AI has not costed need defaults, against "
                f"{share_old:.0%}, {end}")
    return (f"The newest runs are documented about as well as the earlier ones, "
            f"{share_new:.0%} of them needing defaults, {end}")
