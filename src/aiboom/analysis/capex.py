"""Phase one, the capex surge: hyperscaler spending, NVIDIA's data-centre sales, Cahn's revenue
requirement, adoption speed and who was paid in the first wave.

Every function takes the curated tables of ``data/`` (or the assumption registry) and returns a
tidy :class:`pandas.DataFrame` or a float; the chart helpers at the end draw the shapes the
generic builders in :mod:`aiboom.charts` cannot. Money is nominal US dollars throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from aiboom.backend import get_backend
from aiboom.charts import color as entity_color
from aiboom.economics import (
    GIGAWATT_COMPONENTS,
    W_PER_GW,
    GigawattCapex,
    GigawattCost,
    gigawatt_capex_usd_bn,
    gigawatt_yearly_cost_usd_bn,
    revenue_gap_usd_bn,
    revenue_required_usd_bn,
)
from aiboom.registry import Assumption
from aiboom.sampling import draw_samples

__all__ = [
    "ANNOUNCED_POWER_IDS",
    "CAHN_SAMPLED_IDS",
    "CAPEX_PER_GW_CHECK_ID",
    "CHATGPT_LAUNCH",
    "GIGAWATT_COMPONENT_LABELS",
    "GIGAWATT_GENERATIONS",
    "GIGAWATT_INPUT_IDS",
    "HALF_TRILLION_USD_BN",
    "MONTHS_PER_YEAR",
    "QUARTERS_PER_YEAR",
    "USERS_MILESTONE",
    "adoption_sentence",
    "adoption_shares",
    "announced_gigawatts",
    "cahn_factor_samples",
    "cahn_requirement",
    "cahn_requirement_by_quarter",
    "cahn_vintages",
    "capex_by_company",
    "capex_cross_check",
    "capex_totals",
    "chart_adoption_shares",
    "chart_cahn",
    "chart_capex",
    "chart_gigawatt_costs",
    "chart_nvidia_quarters",
    "convergence_clause",
    "disclosed_ai_run_rate",
    "disclosed_ai_run_rate_series",
    "first_wave",
    "first_wave_sentence",
    "generation_clause",
    "gigawatt_cost",
    "gigawatt_cost_samples",
    "gigawatt_costs",
    "gigawatt_inputs",
    "growth_multiple",
    "guidance_change_phrase",
    "half_trillion_sentence",
    "in_step_clause",
    "latest_comparable_year",
    "months_to_users",
    "nvidia_fiscal_years",
    "nvidia_quarters",
    "per_year_cover_sentence",
    "ratio_uncertainty_clause",
    "scale_clause",
]

#: Quarters in a year, used to annualise one quarter's revenue [quarters/yr].
QUARTERS_PER_YEAR = 4
#: Months in a year [months/yr].
MONTHS_PER_YEAR = 12

#: ChatGPT's public launch, the usual start date of the boom [date].
CHATGPT_LAUNCH = pd.Timestamp("2022-11-30")
#: The user milestone popular comparisons of adoption speed use [users].
USERS_MILESTONE = 100_000_000

#: Registry rows sampled for the uncertainty of Cahn's two ratios. Cahn fixes both at 2
#: (``sequoia_dc_cost_multiplier``, ``sequoia_end_user_margin``); the evidence behind them is
#: the accelerator share of data-centre capex (multiplier = 1 / share) and the gross margin of
#: AI applications, the buyers of the compute. The life row turns one year's requirement into
#: revenue per year of the hardware's life.
CAHN_SAMPLED_IDS: dict[str, str] = {
    "gpu_share": "gpu_share_of_dc_capex",
    "end_user_margin": "ai_app_gross_margin",
    "life_years": "gpu_economic_life_years",
}

#: ``data/ai_revenue.csv`` metrics that are annualised run-rates of AI sales [USD bn/yr].
RUN_RATE_METRICS: tuple[str, ...] = ("annualized_run_rate", "ai_business_run_rate")


# --------------------------------------------------------------------------------------------
# Hyperscaler capex
# --------------------------------------------------------------------------------------------


def capex_by_company(capex: pd.DataFrame) -> pd.DataFrame:
    """
    Capex of each hyperscaler by year, actuals and guidance, in a fixed order.

    Parameters
    ----------
    capex : pandas.DataFrame
        ``data/capex.csv`` (:func:`aiboom.data.capex`): ``company``, ``year``,
        ``capex_usd_bn`` and its ``_low``/``_high`` range, ``kind`` (``actual`` or
        ``guidance``) [USD bn/yr].

    Returns
    -------
    pandas.DataFrame
        Columns ``company``, ``year``, ``kind``, ``capex_usd_bn``, ``capex_usd_bn_low``,
        ``capex_usd_bn_high`` [USD bn/yr], sorted by year and then by each company's spend in
        the latest actual year (largest first, so stacks keep one order).
    """
    cols = ["company", "year", "kind", "capex_usd_bn", "capex_usd_bn_low", "capex_usd_bn_high"]
    df = capex[cols].copy()
    df["year"] = df["year"].astype(int)
    last = df.loc[df["kind"] == "actual", "year"].max()
    order = (df[(df["year"] == last)].sort_values("capex_usd_bn", ascending=False)["company"]
             .tolist())
    df["_rank"] = df["company"].map({c: i for i, c in enumerate(order)})
    return df.sort_values(["year", "_rank"]).drop(columns="_rank").reset_index(drop=True)


def capex_totals(capex: pd.DataFrame) -> pd.DataFrame:
    """
    Combined capex of the hyperscalers in each year, with the guidance range.

    Parameters
    ----------
    capex : pandas.DataFrame
        ``data/capex.csv`` [USD bn/yr].

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year``, ``kind``, ``n_companies``, ``total_usd_bn``,
        ``total_usd_bn_low``, ``total_usd_bn_high`` [USD bn/yr]. For actual years the three
        totals are equal; for a guidance year low and high sum the companies' ranges.

    Raises
    ------
    ValueError
        If a year mixes actuals and guidance or lacks one of the companies (a total over a
        different set of firms would not be comparable).

    Notes
    -----
    :math:`K_t = \\sum_i K_{i,t}`, summed over the companies in the file (Microsoft,
    Alphabet, Amazon, Meta). Microsoft's figures for 2019 to 2021 are its fiscal years ending
    in June; every other value is a calendar year.
    """
    companies = set(capex["company"])
    rows = []
    for year, grp in capex.groupby("year", sort=True):
        kinds = set(grp["kind"])
        if len(kinds) != 1:
            raise ValueError(f"year {year} mixes {sorted(kinds)}: totals need one kind per year")
        if set(grp["company"]) != companies:
            missing = sorted(companies - set(grp["company"]))
            raise ValueError(f"year {year} lacks {', '.join(missing)}")
        rows.append({"year": int(year), "kind": kinds.pop(), "n_companies": len(grp),
                     "total_usd_bn": grp["capex_usd_bn"].sum(),
                     "total_usd_bn_low": grp["capex_usd_bn_low"].sum(),
                     "total_usd_bn_high": grp["capex_usd_bn_high"].sum()})
    return pd.DataFrame(rows)


def growth_multiple(totals: pd.DataFrame, from_year: int, to_year: int,
                    column: str = "total_usd_bn") -> float:
    """
    How many times larger a yearly total is in ``to_year`` than in ``from_year``.

    Parameters
    ----------
    totals : pandas.DataFrame
        Output of :func:`capex_totals` (or any frame with ``year`` and ``column``).
    from_year, to_year : int
        Base and comparison years [year].
    column : str, default "total_usd_bn"
        Column to compare.

    Returns
    -------
    float
        :math:`K_{to} / K_{from}` [unitless].
    """
    by_year = totals.set_index("year")[column]
    return float(by_year.loc[to_year] / by_year.loc[from_year])


def chart_capex(by_company: pd.DataFrame, totals: pd.DataFrame) -> alt.LayerChart:
    """Stacked capex bars by company; the guidance year paler, with its range as an error bar
    and each year's total written above its bar."""
    guidance_years = totals.loc[totals["kind"] == "guidance", "year"].tolist()
    label = ("indexof([" + ",".join(str(y) for y in guidance_years) + "], datum.value) >= 0"
             " ? [datum.label, 'guidance'] : datum.label")
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelExpr=label))
    fmt = ",.0f"
    companies = by_company["company"].unique().tolist()
    ranked = by_company.assign(rank=by_company["company"].map(companies.index))
    bars = alt.Chart(ranked).mark_bar().encode(
        x=x,
        y=alt.Y("capex_usd_bn:Q", title="Capital expenditure (US$ billion per year)",
                axis=alt.Axis(format=fmt)),
        color=alt.Color("company:N", title=None, sort=companies),
        order=alt.Order("rank:Q"),
        opacity=alt.condition("datum.kind == 'guidance'", alt.value(0.45), alt.value(1.0)),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("company:N", title="Company"),
                 alt.Tooltip("kind:N", title="Actual or guidance"),
                 alt.Tooltip("capex_usd_bn:Q", title="Capex (US$ bn)", format=",.1f"),
                 alt.Tooltip("capex_usd_bn_low:Q", title="Guidance low (US$ bn)", format=",.1f"),
                 alt.Tooltip("capex_usd_bn_high:Q", title="Guidance high (US$ bn)",
                             format=",.1f")],
    )
    guide = totals[totals["kind"] == "guidance"]
    err = alt.Chart(guide).mark_rule(color="#333", strokeWidth=1.5).encode(
        x=x, y="total_usd_bn_low:Q", y2="total_usd_bn_high:Q",
        tooltip=[alt.Tooltip("total_usd_bn_low:Q", title="Guidance total, low (US$ bn)",
                             format=",.0f"),
                 alt.Tooltip("total_usd_bn_high:Q", title="Guidance total, high (US$ bn)",
                             format=",.0f")])
    caps = alt.Chart(guide).transform_fold(["total_usd_bn_low", "total_usd_bn_high"]).mark_tick(
        color="#333", thickness=1.5, size=14).encode(x=x, y="value:Q")
    # Labels formatted in Python so they match the numbers glued into the prose.
    labelled = totals.assign(label=totals["total_usd_bn"].map(lambda v: f"{v:,.0f}"))
    text = alt.Chart(labelled).mark_text(dy=-7, fontSize=11, color="#333").encode(
        x=x, y="total_usd_bn_high:Q", text="label:N")
    return alt.layer(bars, err, caps, text)


# --------------------------------------------------------------------------------------------
# NVIDIA data-centre revenue
# --------------------------------------------------------------------------------------------


def nvidia_quarters(nvidia: pd.DataFrame) -> pd.DataFrame:
    """
    NVIDIA revenue by fiscal quarter with its data-centre share and annualised run-rate.

    Parameters
    ----------
    nvidia : pandas.DataFrame
        ``data/nvidia_datacenter_revenue.csv``: ``fiscal_quarter`` (``FY24Q3``),
        ``period_end`` [date], ``datacenter_revenue_usd_bn``, ``total_revenue_usd_bn``
        [USD bn per quarter].

    Returns
    -------
    pandas.DataFrame
        Sorted by ``period_end``, adding ``fiscal_year`` (e.g. 2024) [year],
        ``other_revenue_usd_bn`` [USD bn per quarter], ``datacenter_share`` [fraction] and
        ``run_rate_usd_bn`` [USD bn/yr].

    Notes
    -----
    The run-rate annualises one quarter, :math:`R_{gpu} = 4\\, r_q`, as Cahn does [1]_. NVIDIA's
    fiscal year ends in late January, so fiscal year :math:`y` is roughly calendar year
    :math:`y - 1`.

    References
    ----------
    .. [1] D. Cahn, "AI's $600B question," Sequoia Capital, June 2024.
    """
    df = nvidia.sort_values("period_end").reset_index(drop=True).copy()
    parsed = df["fiscal_quarter"].str.extract(r"^FY(\d{2})Q([1-4])$")
    if parsed.isna().any().any():
        bad = df.loc[parsed.isna().any(axis=1), "fiscal_quarter"].tolist()
        raise ValueError(f"fiscal_quarter must look like FY24Q3; got {bad}")
    df["fiscal_year"] = 2000 + parsed[0].astype(int)
    df["other_revenue_usd_bn"] = df["total_revenue_usd_bn"] - df["datacenter_revenue_usd_bn"]
    df["datacenter_share"] = df["datacenter_revenue_usd_bn"] / df["total_revenue_usd_bn"]
    df["run_rate_usd_bn"] = QUARTERS_PER_YEAR * df["datacenter_revenue_usd_bn"]
    return df


def nvidia_fiscal_years(nvidia: pd.DataFrame) -> pd.DataFrame:
    """
    NVIDIA data-centre and total revenue summed by fiscal year.

    Parameters
    ----------
    nvidia : pandas.DataFrame
        ``data/nvidia_datacenter_revenue.csv`` [USD bn per quarter].

    Returns
    -------
    pandas.DataFrame
        ``fiscal_year`` [year], ``n_quarters``, ``complete`` (all four quarters present),
        ``datacenter_revenue_usd_bn``, ``total_revenue_usd_bn`` [USD bn/yr] and
        ``datacenter_share`` [fraction].
    """
    q = nvidia_quarters(nvidia)
    out = q.groupby("fiscal_year", as_index=False).agg(
        n_quarters=("fiscal_quarter", "size"),
        datacenter_revenue_usd_bn=("datacenter_revenue_usd_bn", "sum"),
        total_revenue_usd_bn=("total_revenue_usd_bn", "sum"))
    out["complete"] = out["n_quarters"] == QUARTERS_PER_YEAR
    out["datacenter_share"] = out["datacenter_revenue_usd_bn"] / out["total_revenue_usd_bn"]
    return out


def chart_nvidia_quarters(quarters: pd.DataFrame) -> alt.Chart:
    """Stacked quarterly bars: NVIDIA data-centre revenue and the rest of its sales."""
    long = quarters.melt(
        id_vars=["fiscal_quarter", "period_end"],
        value_vars=["datacenter_revenue_usd_bn", "other_revenue_usd_bn"],
        var_name="segment", value_name="revenue_usd_bn")
    names = {"datacenter_revenue_usd_bn": "Data centre",
             "other_revenue_usd_bn": "Other segments (gaming, visualisation, automotive)"}
    long["segment"] = long["segment"].map(names)
    long["order"] = long["segment"].map({v: i for i, v in enumerate(names.values())})
    return alt.Chart(long).mark_bar(width=18).encode(
        x=alt.X("period_end:T", title="Quarter ending",
                axis=alt.Axis(format="%Y", tickCount="year", labelAngle=0)),
        y=alt.Y("revenue_usd_bn:Q", title="Revenue (US$ billion per quarter)",
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("segment:N", title=None, sort=list(names.values()),
                        legend=alt.Legend(columns=2, labelLimit=400)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("fiscal_quarter:N", title="NVIDIA fiscal quarter"),
                 alt.Tooltip("period_end:T", title="Quarter ending", format="%d %b %Y"),
                 alt.Tooltip("segment:N", title="Segment"),
                 alt.Tooltip("revenue_usd_bn:Q", title="Revenue (US$ bn)", format=",.2f")],
    )


# --------------------------------------------------------------------------------------------
# Cahn's arithmetic: revenue required against revenue earned
# --------------------------------------------------------------------------------------------


def cahn_factor_samples(registry: Mapping[str, Assumption], n_samples: int, seed: int
                        ) -> dict[str, np.ndarray]:
    """
    Monte Carlo draws of Cahn's revenue multiple and of the hardware's economic life.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry; the rows named in :data:`CAHN_SAMPLED_IDS` are drawn.
    n_samples : int
        Draws [samples].
    seed : int
        Root seed (:func:`aiboom.sampling.draw_samples`).

    Returns
    -------
    dict of str to numpy.ndarray
        ``factor``: revenue required per dollar of annual GPU revenue, :math:`k/(1-m)`
        [unitless]; ``life_years``: economic life of the hardware [yr]; and the raw draws
        ``dc_cost_multiplier`` [unitless] and ``end_user_margin`` [fraction].

    Notes
    -----
    The data-centre multiplier is the reciprocal of the accelerator share of all-in capex,
    :math:`k = 1/s`, and the margin is that of the applications buying the compute, so

    .. math::

        f = \\frac{k}{1 - m} = \\frac{1}{s\\,(1 - m)} ,

    computed with :func:`aiboom.economics.revenue_required_usd_bn` at a run-rate of one. At
    the registry's central values (:math:`s = m = 0.5`) :math:`f = 4`, Cahn's "times two,
    times two".
    """
    ids = CAHN_SAMPLED_IDS
    draws = draw_samples(registry, list(ids.values()), n_samples, seed)
    multiplier = 1.0 / draws[ids["gpu_share"]]
    margin = draws[ids["end_user_margin"]]
    return {"factor": revenue_required_usd_bn(1.0, multiplier, margin),
            "life_years": draws[ids["life_years"]],
            "dc_cost_multiplier": multiplier, "end_user_margin": margin}


def cahn_requirement(run_rate_usd_bn: float | Sequence[float] | np.ndarray,
                     dc_cost_multiplier: float, end_user_margin: float,
                     factor: np.ndarray, ai_revenue_usd_bn: float | np.ndarray = 0.0,
                     levels: tuple[float, float] = (0.05, 0.95), backend: str | None = None
                     ) -> pd.DataFrame:
    """
    Revenue required by Cahn's rule, and the gap to revenue earned, with an interval.

    Parameters
    ----------
    run_rate_usd_bn : numeric or sequence
        Annualised NVIDIA data-centre revenue :math:`R_{gpu}`, non-negative [USD bn/yr].
    dc_cost_multiplier : float
        Central data-centre cost per dollar of GPUs :math:`k` [unitless].
    end_user_margin : float
        Central gross margin of the compute's buyers :math:`m` [fraction].
    factor : numpy.ndarray
        Draws of :math:`k/(1-m)` from :func:`cahn_factor_samples` [unitless].
    ai_revenue_usd_bn : numeric, default 0
        AI revenue earned at the same dates :math:`R_{AI}` [USD bn/yr].
    levels : tuple of float, default (0.05, 0.95)
        Lower and upper quantile levels of the interval [unitless].
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`): the draws' quantiles and every
        run-rate at once.

    Returns
    -------
    pandas.DataFrame
        One row per run-rate: ``run_rate_usd_bn``, ``required_usd_bn`` (central),
        ``required_usd_bn_p5``, ``required_usd_bn_p95``, ``ai_revenue_usd_bn``,
        ``gap_usd_bn``, ``gap_usd_bn_p5``, ``gap_usd_bn_p95`` [USD bn]. Tagged
        ``capex.cahn_requirement``.

    Notes
    -----
    :math:`R = k R_{gpu} / (1 - m)` and :math:`G = R - R_{AI}`
    (:func:`aiboom.economics.revenue_required_usd_bn`,
    :func:`~aiboom.economics.revenue_gap_usd_bn`).
    With :math:`R_{gpu}` and :math:`R_{AI}` known, :math:`R` is a positive multiple of the
    factor :math:`f`, so its quantiles are :math:`R_{gpu}` times those of :math:`f`, and the
    gap's are shifted by :math:`R_{AI}`: exact, with no need to broadcast the draws.
    """
    be = get_backend(backend)
    xp = be.xp
    rr = xp.atleast_1d(xp.asarray(np.asarray(run_rate_usd_bn, dtype=float)))
    earned = xp.broadcast_to(xp.asarray(np.asarray(ai_revenue_usd_bn, dtype=float)), rr.shape)
    lo_f, hi_f = xp.quantile(xp.asarray(np.asarray(factor, dtype=float)), xp.asarray(levels))
    required = revenue_required_usd_bn(rr, dc_cost_multiplier, end_user_margin)
    lo, hi = rr * lo_f, rr * hi_f
    return be.frame("capex.cahn_requirement", {
        "run_rate_usd_bn": rr,
        "required_usd_bn": required,
        "required_usd_bn_p5": lo,
        "required_usd_bn_p95": hi,
        "ai_revenue_usd_bn": earned,
        "gap_usd_bn": revenue_gap_usd_bn(required, earned),
        "gap_usd_bn_p5": revenue_gap_usd_bn(lo, earned),
        "gap_usd_bn_p95": revenue_gap_usd_bn(hi, earned),
    })


def cahn_vintages(registry: Mapping[str, Assumption], factor: np.ndarray,
                  years: Sequence[int] = (2023, 2024), backend: str | None = None
                  ) -> pd.DataFrame:
    """
    Cahn's published vintages recomputed from the registry.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads ``sequoia_<year>_nvda_dc_run_rate_usd_bn``, ``sequoia_<year>_ai_revenue_usd_bn``,
        ``sequoia_dc_cost_multiplier`` and ``sequoia_end_user_margin`` (central values).
    factor : numpy.ndarray
        Draws of the revenue multiple from :func:`cahn_factor_samples` [unitless].
    years : sequence of int, default (2023, 2024)
        Vintages: 2023 is "AI's $200B question" [1]_, 2024 "AI's $600B question" [2]_.
    backend : str, optional
        Array backend of :func:`cahn_requirement`.

    Returns
    -------
    pandas.DataFrame
        :func:`cahn_requirement` with ``year`` and ``date``, the month of publication (the
        registry rows' ``as_of``).

    References
    ----------
    .. [1] D. Cahn, "AI's $200B question," Sequoia Capital, Sept. 2023.
    .. [2] D. Cahn, "AI's $600B question," Sequoia Capital, June 2024.
    """
    k = registry["sequoia_dc_cost_multiplier"].central
    m = registry["sequoia_end_user_margin"].central
    rr = [registry[f"sequoia_{y}_nvda_dc_run_rate_usd_bn"].central for y in years]
    earned = np.array([registry[f"sequoia_{y}_ai_revenue_usd_bn"].central for y in years])
    out = cahn_requirement(rr, k, m, factor, earned, backend=backend)
    out.insert(0, "date", pd.to_datetime(
        [registry[f"sequoia_{y}_nvda_dc_run_rate_usd_bn"].as_of for y in years]))
    out.insert(0, "year", list(years))
    return out


def cahn_requirement_by_quarter(quarters: pd.DataFrame, registry: Mapping[str, Assumption],
                                factor: np.ndarray, backend: str | None = None
                                ) -> pd.DataFrame:
    """
    Cahn's requirement at every NVIDIA quarter's annualised data-centre revenue.

    Parameters
    ----------
    quarters : pandas.DataFrame
        Output of :func:`nvidia_quarters`.
    registry : mapping of str to Assumption
        For the central ratios ``sequoia_dc_cost_multiplier`` and ``sequoia_end_user_margin``.
    factor : numpy.ndarray
        Draws of the revenue multiple [unitless].
    backend : str, optional
        Array backend of :func:`cahn_requirement`.

    Returns
    -------
    pandas.DataFrame
        ``fiscal_quarter``, ``period_end`` and the columns of :func:`cahn_requirement`
        [USD bn], tagged as its output.
    """
    k = registry["sequoia_dc_cost_multiplier"].central
    m = registry["sequoia_end_user_margin"].central
    out = cahn_requirement(quarters["run_rate_usd_bn"].to_numpy(), k, m, factor,
                           backend=backend)
    out.insert(0, "period_end", quarters["period_end"].to_numpy())
    out.insert(0, "fiscal_quarter", quarters["fiscal_quarter"].to_numpy())
    return out.drop(columns=["ai_revenue_usd_bn", "gap_usd_bn", "gap_usd_bn_p5",
                             "gap_usd_bn_p95"])


def disclosed_ai_run_rate(ai_revenue: pd.DataFrame, as_of: pd.Timestamp | str | None = None
                          ) -> pd.DataFrame:
    """
    Each company's latest disclosed annualised AI revenue at a date.

    Parameters
    ----------
    ai_revenue : pandas.DataFrame
        ``data/ai_revenue.csv`` (``company``, ``metric``, ``date``, ``value_usd_bn``).
    as_of : date-like, optional
        Use data points dated on or before this; default the latest date in the table.

    Returns
    -------
    pandas.DataFrame
        One row per company with a run-rate metric (:data:`RUN_RATE_METRICS`): ``company``,
        ``metric``, ``date``, ``value_usd_bn`` [USD bn/yr].

    Notes
    -----
    A generous tally: Microsoft's AI business includes Azure capacity sold to model makers,
    so adding it to their revenue counts some dollars twice, and run-rates overstate a year's
    revenue while sales are ramping up.
    """
    df = ai_revenue[ai_revenue["metric"].isin(RUN_RATE_METRICS)]
    if as_of is not None:
        df = df[df["date"] <= pd.Timestamp(as_of)]
    latest = df.sort_values("date").groupby("company", as_index=False).tail(1)
    return latest[["company", "metric", "date", "value_usd_bn"]].sort_values(
        "value_usd_bn", ascending=False).reset_index(drop=True)


def disclosed_ai_run_rate_series(ai_revenue: pd.DataFrame) -> pd.DataFrame:
    """
    Sum of the companies' latest disclosed AI run-rates, at each date one of them changes.

    Parameters
    ----------
    ai_revenue : pandas.DataFrame
        ``data/ai_revenue.csv``.

    Returns
    -------
    pandas.DataFrame
        ``date`` and ``value_usd_bn`` [USD bn/yr], from the first date at which every
        company with a run-rate has disclosed one (each value carried forward until the
        next).
    """
    df = ai_revenue[ai_revenue["metric"].isin(RUN_RATE_METRICS)]
    wide = (df.pivot_table(index="date", columns="company", values="value_usd_bn",
                           aggfunc="last").sort_index().ffill().dropna())
    return pd.DataFrame({"date": wide.index, "value_usd_bn": wide.sum(axis=1).to_numpy()})


def chart_cahn(by_quarter: pd.DataFrame, vintages: pd.DataFrame, earned: pd.DataFrame
               ) -> alt.LayerChart:
    """Revenue Cahn's rule requires (central line and interval) against revenue earned, on a
    log axis: Cahn's published figures as points, disclosed run-rates as a step line."""
    names = ["Revenue required by Cahn's rule", "Cahn's published requirement",
             "AI revenue credited by Cahn",
             "Disclosed AI run-rates of OpenAI, Anthropic and Microsoft"]
    color = entity_color("series", names,
                         legend=alt.Legend(columns=1, symbolType="circle", symbolOpacity=1,
                                           labelLimit=480))
    y_scale = alt.Scale(type="log", domain=[10, 3000])
    y_title = "US$ billion (log scale)"
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))
    fmt = ",.0f"
    band_df = by_quarter.rename(columns={"period_end": "date"}).assign(series=names[0])
    band = alt.Chart(band_df).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("required_usd_bn_p5:Q", title=y_title, scale=y_scale,
                      axis=alt.Axis(format=fmt)),
        y2="required_usd_bn_p95:Q", color=color)
    line = alt.Chart(band_df).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=x, y=alt.Y("required_usd_bn:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("fiscal_quarter:N", title="NVIDIA fiscal quarter"),
                 alt.Tooltip("run_rate_usd_bn:Q", title="Data-centre run-rate (US$ bn/yr)",
                             format=fmt),
                 alt.Tooltip("required_usd_bn:Q", title="Required (US$ bn)", format=fmt),
                 alt.Tooltip("required_usd_bn_p5:Q", title="5th percentile", format=fmt),
                 alt.Tooltip("required_usd_bn_p95:Q", title="95th percentile", format=fmt)])
    pts = pd.concat([
        pd.DataFrame({"date": vintages["date"].to_numpy(), "series": names[1],
                      "value_usd_bn": vintages["required_usd_bn"].to_numpy()}),
        pd.DataFrame({"date": vintages["date"].to_numpy(), "series": names[2],
                      "value_usd_bn": vintages["ai_revenue_usd_bn"].to_numpy()}),
    ])
    points = alt.Chart(pts).mark_point(size=110, filled=True, opacity=1).encode(
        x=x, y=alt.Y("value_usd_bn:Q", scale=y_scale), color=color,
        shape=alt.value("diamond"),
        tooltip=[alt.Tooltip("series:N", title=""),
                 alt.Tooltip("date:T", title="Date", format="%b %Y"),
                 alt.Tooltip("value_usd_bn:Q", title="US$ bn", format=fmt)])
    earned_df = earned.assign(series=names[3])
    step = alt.Chart(earned_df).mark_line(interpolate="step-after", point=True).encode(
        x=x, y=alt.Y("value_usd_bn:Q", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("date:T", title="Date", format="%b %Y"),
                 alt.Tooltip("value_usd_bn:Q", title="Disclosed run-rate (US$ bn/yr)",
                             format=fmt)])
    return alt.layer(band, line, points, step)


# --------------------------------------------------------------------------------------------
# What a gigawatt costs
# --------------------------------------------------------------------------------------------

#: Accelerator generations priced per gigawatt: label to (row of ``data/accelerators.csv``,
#: registry row of the all-in IT power per accelerator [W]).
GIGAWATT_GENERATIONS: dict[str, tuple[str, str]] = {
    "Hopper (H100)": ("h100", "server_watts_per_gpu"),
    "Blackwell (GB200)": ("gb200", "gb200_it_watts_per_gpu"),
}

#: Registry rows shared by every generation, by argument name of
#: :func:`aiboom.economics.gigawatt_capex_usd_bn` and
#: :func:`aiboom.economics.gigawatt_yearly_cost_usd_bn`.
GIGAWATT_INPUT_IDS: dict[str, str] = {
    "server_cost_overhead": "server_cost_overhead",
    "cluster_interconnect_overhead": "cluster_interconnect_overhead",
    "facility_capex_usd_bn_per_gw": "facility_capex_usd_bn_per_gw",
    "pue": "pue",
    "it_load_factor": "it_load_factor",
    "usd_per_kwh": "usd_per_kwh",
    "operations_share_of_capex": "dc_operations_share_of_capex",
    "discount_rate_annual": "discount_rate_annual",
    "it_life_years": "gpu_economic_life_years",
    "facility_life_years": "facility_life_years",
}

#: Words for each cost component of :class:`aiboom.economics.GigawattCost`, in stack order.
GIGAWATT_COMPONENT_LABELS: dict[str, str] = {
    "accelerators": "Accelerators",
    "rest_of_server": "Rest of the servers",
    "networking": "Networking",
    "facility": "Building, power and cooling",
    "electricity": "Electricity",
    "operations": "Operations",
    "cost_of_capital": "Cost of capital",
}

#: Announced gigawatts: announcement to the registry rows whose power adds up to it [W].
ANNOUNCED_POWER_IDS: dict[str, tuple[str, ...]] = {
    "Stargate": ("stargate_planned_power_w",),
    "OpenAI chip agreements": ("openai_nvidia_power_w", "openai_amd_power_w",
                               "openai_broadcom_power_w"),
}

#: Registry row of the published all-in capex per GW, used only as a cross-check.
CAPEX_PER_GW_CHECK_ID = "capex_per_gw_usd_bn"


def gigawatt_inputs(values: Mapping[str, float | np.ndarray], accelerators: pd.DataFrame,
                    generation: str) -> dict[str, float | np.ndarray]:
    """
    Arguments of the gigawatt cost model for one accelerator generation.

    Parameters
    ----------
    values : mapping of str to float or numpy.ndarray
        Registry values by id (central values, or Monte Carlo draws), holding every row of
        :data:`GIGAWATT_INPUT_IDS` and the generation's IT-power row [registry units].
    accelerators : pandas.DataFrame
        ``data/accelerators.csv`` (:func:`aiboom.data.accelerators`); the central purchase
        price is used [USD].
    generation : str
        A key of :data:`GIGAWATT_GENERATIONS`.

    Returns
    -------
    dict of str to float or numpy.ndarray
        Keyword arguments by name: ``accelerator_price_usd`` [USD],
        ``it_watts_per_accelerator`` [W] and every name of :data:`GIGAWATT_INPUT_IDS`.
    """
    chip_id, watts_id = GIGAWATT_GENERATIONS[generation]
    chip = accelerators.set_index("id").loc[chip_id]
    out: dict[str, float | np.ndarray] = {
        "accelerator_price_usd": float(chip["purchase_usd_central"]),
        "it_watts_per_accelerator": values[watts_id],
    }
    out.update({name: values[rid] for name, rid in GIGAWATT_INPUT_IDS.items()})
    return out


def gigawatt_cost(inputs: Mapping[str, float | np.ndarray], it_power_gw: float | np.ndarray = 1.0
                  ) -> tuple[GigawattCapex, GigawattCost]:
    """
    Capex and yearly cost of ``it_power_gw`` of IT load from the arguments of
    :func:`gigawatt_inputs`.

    Returns
    -------
    (GigawattCapex, GigawattCost)
        Up-front capital by asset [USD bn] and yearly cost by component [USD bn/yr]
        (:func:`aiboom.economics.gigawatt_capex_usd_bn`,
        :func:`aiboom.economics.gigawatt_yearly_cost_usd_bn`).
    """
    names = ("accelerator_price_usd", "it_watts_per_accelerator", "server_cost_overhead",
             "cluster_interconnect_overhead", "facility_capex_usd_bn_per_gw")
    capex = gigawatt_capex_usd_bn(*(inputs[n] for n in names), it_power_gw=it_power_gw)
    yearly = gigawatt_yearly_cost_usd_bn(
        capex, it_power_gw, inputs["pue"], inputs["it_load_factor"], inputs["usd_per_kwh"],
        inputs["operations_share_of_capex"], inputs["discount_rate_annual"],
        inputs["it_life_years"], inputs["facility_life_years"])
    return capex, yearly


def gigawatt_costs(registry: Mapping[str, Assumption], accelerators: pd.DataFrame,
                   backend: str | None = None) -> pd.DataFrame:
    """
    Yearly cost of one gigawatt of AI IT load by generation and component, at the registry's
    central values.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry.
    accelerators : pandas.DataFrame
        ``data/accelerators.csv``.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`): every generation at once.

    Returns
    -------
    pandas.DataFrame
        Tagged ``capex.gigawatt_costs``. One row per generation and component, in
        :data:`GIGAWATT_GENERATIONS` and
        :data:`aiboom.economics.GIGAWATT_COMPONENTS` order: ``generation``, ``component``,
        ``label``, ``usd_bn_per_year`` [USD bn/yr per GW of IT load], ``share`` [fraction of
        the generation's total], ``total_usd_bn_per_year`` [USD bn/yr per GW],
        ``capex_usd_bn`` (all-in up-front capex) [USD bn per GW], ``n_accelerators``
        [accelerators per GW] and ``peak_pflop_per_s`` (dense BF16 peak of the gigawatt)
        [PFLOP/s per GW].
    """
    be = get_backend(backend)
    xp = be.xp
    central = {a_id: a.central for a_id, a in registry.items()}
    generations = list(GIGAWATT_GENERATIONS)
    by_generation = [gigawatt_inputs(central, accelerators, g) for g in generations]
    # One entry per generation in every input: the model runs on all generations at once.
    inputs = {name: xp.asarray([float(i[name]) for i in by_generation])
              for name in by_generation[0]}
    capex, yearly = gigawatt_cost(inputs)
    n_acc = W_PER_GW / inputs["it_watts_per_accelerator"]
    tflops = accelerators.set_index("id").loc[
        [chip_id for chip_id, _ in GIGAWATT_GENERATIONS.values()], "bf16_dense_tflops"]
    pflops = n_acc * xp.asarray(tflops.to_numpy(dtype=float)) / 1e3
    shares = yearly.shares()
    n = len(GIGAWATT_COMPONENTS)

    def per_component(values: Mapping[str, object]) -> object:
        """generations x components, flattened generation by generation."""
        return xp.stack([values[c] for c in GIGAWATT_COMPONENTS], axis=1).ravel()

    return be.frame("capex.gigawatt_costs", {
        "generation": [g for g in generations for _ in range(n)],
        "component": list(GIGAWATT_COMPONENTS) * len(generations),
        "label": [GIGAWATT_COMPONENT_LABELS[c] for c in GIGAWATT_COMPONENTS] * len(generations),
        "usd_bn_per_year": per_component(yearly._asdict()), "share": per_component(shares),
        "total_usd_bn_per_year": xp.repeat(yearly.total, n),
        "capex_usd_bn": xp.repeat(capex.total_usd_bn, n),
        "n_accelerators": xp.repeat(n_acc, n), "peak_pflop_per_s": xp.repeat(pflops, n)})


def gigawatt_cost_samples(registry: Mapping[str, Assumption], accelerators: pd.DataFrame,
                          generation: str, n_samples: int, seed: int) -> dict[str, np.ndarray]:
    """
    Monte Carlo draws of the capex and yearly cost of one gigawatt of one generation.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's registry; the rows of :data:`GIGAWATT_INPUT_IDS` and the generation's
        IT-power row are drawn (the accelerator price stays at its central value).
    accelerators : pandas.DataFrame
        ``data/accelerators.csv``.
    generation : str
        A key of :data:`GIGAWATT_GENERATIONS`.
    n_samples : int
        Draws [samples].
    seed : int
        Root seed (:func:`aiboom.sampling.draw_samples`).

    Returns
    -------
    dict of str to numpy.ndarray
        ``capex_usd_bn`` [USD bn per GW] and ``total_usd_bn_per_year`` [USD bn/yr per GW].
    """
    ids = [*GIGAWATT_INPUT_IDS.values(), GIGAWATT_GENERATIONS[generation][1]]
    draws = draw_samples(registry, ids, n_samples, seed)
    capex, yearly = gigawatt_cost(gigawatt_inputs(draws, accelerators, generation))
    return {"capex_usd_bn": np.asarray(capex.total_usd_bn, dtype=float),
            "total_usd_bn_per_year": np.asarray(yearly.total, dtype=float)}


def announced_gigawatts(registry: Mapping[str, Assumption]) -> pd.DataFrame:
    """
    Power of the announced build-outs of :data:`ANNOUNCED_POWER_IDS`.

    Returns
    -------
    pandas.DataFrame
        ``announcement``, ``power_gw`` [GW] (sum of the rows' central values, read as IT load)
        and ``source_keys`` (BibTeX keys, comma-separated).
    """
    rows = []
    for name, ids in ANNOUNCED_POWER_IDS.items():
        rows.append({"announcement": name,
                     "power_gw": sum(registry[i].central for i in ids) / W_PER_GW,
                     "source_keys": ",".join(registry[i].source_key for i in ids)})
    return pd.DataFrame(rows)


def capex_cross_check(capex_usd_bn_per_gw: float, registry: Mapping[str, Assumption]
                      ) -> tuple[str, float, float]:
    """
    Where a bottom-up capex per GW falls against the published range of
    :data:`CAPEX_PER_GW_CHECK_ID`.

    Returns
    -------
    (str, float, float)
        ``"below"``, ``"within"`` or ``"above"``, and the range's low and high [USD bn/GW].
    """
    row = registry[CAPEX_PER_GW_CHECK_ID]
    where = ("below" if capex_usd_bn_per_gw < row.low
             else "above" if capex_usd_bn_per_gw > row.high else "within")
    return where, row.low, row.high


def chart_gigawatt_costs(costs: pd.DataFrame) -> alt.Chart:
    """Horizontal stacked bars: yearly cost of one gigawatt of IT load by component, one bar
    per accelerator generation (from :func:`gigawatt_costs`)."""
    labels = list(GIGAWATT_COMPONENT_LABELS.values())
    df = costs.assign(order=costs["component"].map(
        {c: i for i, c in enumerate(GIGAWATT_COMPONENT_LABELS)}))
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("generation:N", title=None, sort=list(GIGAWATT_GENERATIONS)),
        x=alt.X("usd_bn_per_year:Q", title="US$ billion a year per gigawatt of IT load",
                axis=alt.Axis(format=",.0f")),
        color=entity_color("label", labels, sort=labels),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("generation:N", title="Generation"),
                 alt.Tooltip("label:N", title="Component"),
                 alt.Tooltip("usd_bn_per_year:Q", title="US$ bn a year", format=",.2f"),
                 alt.Tooltip("share:Q", title="Share of the yearly cost", format=".1%")],
    ).properties(width=460, height=120)


# --------------------------------------------------------------------------------------------
# Adoption speed
# --------------------------------------------------------------------------------------------


def adoption_shares(adoption: pd.DataFrame) -> pd.DataFrame:
    """
    Share of US adults using each technology a given number of years after its launch.

    Parameters
    ----------
    adoption : pandas.DataFrame
        ``data/adoption.csv`` (``technology``, ``metric``, ``years_since_launch``, ``value``,
        ``unit``).

    Returns
    -------
    pandas.DataFrame
        ``technology``, ``years_since_launch`` [yr], ``share`` [fraction], ``source_key``.
        Where two releases give the same point, the later row of the file (the newer
        release) is kept.
    """
    df = adoption[adoption["unit"] == "fraction"]
    df = df.drop_duplicates(["technology", "years_since_launch"], keep="last")
    out = df[["technology", "years_since_launch", "value", "source_key"]].rename(
        columns={"value": "share"})
    return out.sort_values(["years_since_launch", "share"], ascending=[True, False]
                           ).reset_index(drop=True)


def months_to_users(adoption: pd.DataFrame, users: float, metric: str = "monthly active users"
                    ) -> pd.DataFrame:
    """
    Months each product took to reach a number of users.

    Parameters
    ----------
    adoption : pandas.DataFrame
        ``data/adoption.csv``.
    users : float
        Threshold [users]; rows whose ``value`` equals it are kept.
    metric : str, default "monthly active users"
        Which user count.

    Returns
    -------
    pandas.DataFrame
        ``technology`` and ``months`` [months], fastest first.
    """
    df = adoption[(adoption["metric"] == metric) & np.isclose(adoption["value"], users)]
    return pd.DataFrame({"technology": df["technology"].to_numpy(),
                         "months": MONTHS_PER_YEAR * df["years_since_launch"].to_numpy()}
                        ).sort_values("months").reset_index(drop=True)


def chart_adoption_shares(shares: pd.DataFrame) -> alt.Chart:
    """Horizontal grouped bars: share of adults using each technology, two and three years
    after launch."""
    df = shares.assign(age=shares["years_since_launch"].map(
        lambda y: f"{y:g} years after launch"))
    ages = sorted(df["age"].unique(), key=lambda s: float(s.split()[0]))
    order = (df.sort_values(["years_since_launch", "share"], ascending=[False, False])
             ["technology"].unique().tolist())
    return alt.Chart(df).mark_bar().encode(
        y=alt.Y("technology:N", title=None, sort=order),
        yOffset=alt.YOffset("age:N", sort=ages),
        x=alt.X("share:Q", title="Share of US adults using it", axis=alt.Axis(format=".0%")),
        color=entity_color("age", ages, sort=ages),
        tooltip=[alt.Tooltip("technology:N", title="Technology"),
                 alt.Tooltip("age:N", title="When"),
                 alt.Tooltip("share:Q", title="Share of adults", format=".1%")],
    ).properties(width=440, height=200)


# --------------------------------------------------------------------------------------------
# Who was paid in the first wave
# --------------------------------------------------------------------------------------------


def _lab_revenue(ai_revenue: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows of recognised (not annualised) AI-company revenue for one calendar year."""
    return ai_revenue[(ai_revenue["metric"] == "revenue") & (ai_revenue["date"].dt.year == year)]


def latest_comparable_year(capex: pd.DataFrame, nvidia: pd.DataFrame,
                           ai_revenue: pd.DataFrame) -> int:
    """
    Latest calendar year with hyperscaler capex actuals, a complete NVIDIA fiscal year and
    recognised AI-company revenue.

    Parameters
    ----------
    capex, nvidia, ai_revenue : pandas.DataFrame
        ``data/capex.csv``, ``data/nvidia_datacenter_revenue.csv``, ``data/ai_revenue.csv``.

    Returns
    -------
    int
        The calendar year [year]. NVIDIA fiscal year :math:`y + 1` stands for calendar
        year :math:`y` (it ends in late January of :math:`y + 1`).
    """
    capex_years = set(capex_totals(capex).query("kind == 'actual'")["year"])
    fy = nvidia_fiscal_years(nvidia)
    nvda_years = set(fy.loc[fy["complete"], "fiscal_year"] - 1)
    rev = ai_revenue[ai_revenue["metric"] == "revenue"]
    lab_years = set(rev["date"].dt.year)
    common = capex_years & nvda_years & lab_years
    if not common:
        raise ValueError("no calendar year is covered by all three tables")
    return int(max(common))


def first_wave(capex: pd.DataFrame, nvidia: pd.DataFrame, ai_revenue: pd.DataFrame,
               year: int) -> pd.DataFrame:
    """
    Money spent on AI infrastructure against money earned selling chips and selling AI.

    Parameters
    ----------
    capex, nvidia, ai_revenue : pandas.DataFrame
        ``data/capex.csv``, ``data/nvidia_datacenter_revenue.csv``, ``data/ai_revenue.csv``.
    year : int
        Calendar year [year].

    Returns
    -------
    pandas.DataFrame
        Three rows, ``flow``, ``value_usd_bn`` [USD bn/yr] and ``basis``: the hyperscalers'
        capex in ``year``; NVIDIA's data-centre revenue in fiscal year ``year + 1``; and the
        recognised revenue of the AI companies that report it for ``year`` (the model makers
        OpenAI and Anthropic in ``data/ai_revenue.csv``).
    """
    totals = capex_totals(capex).set_index("year")
    if totals.loc[year, "kind"] != "actual":
        raise ValueError(f"{year} capex is guidance, not an actual")
    fy = nvidia_fiscal_years(nvidia).set_index("fiscal_year")
    if not fy.loc[year + 1, "complete"]:
        raise ValueError(f"NVIDIA fiscal year {year + 1} is incomplete")
    labs = _lab_revenue(ai_revenue, year)
    if labs.empty:
        raise ValueError(f"no recognised AI-company revenue for {year}")
    companies = " and ".join(sorted(labs["company"]))
    return pd.DataFrame({
        "flow": ["Hyperscaler capex", "NVIDIA data-centre revenue", f"{companies} revenue"],
        "value_usd_bn": [totals.loc[year, "total_usd_bn"],
                         fy.loc[year + 1, "datacenter_revenue_usd_bn"],
                         labs["value_usd_bn"].sum()],
        "basis": [f"cash capex of {int(totals.loc[year, 'n_companies'])} companies, "
                  f"calendar {year}",
                  f"NVIDIA fiscal year {year + 1} (February {year} to January {year + 1})",
                  f"recognised revenue, calendar {year}"],
    })


# --------------------------------------------------------------------------------------------
# Computed claims: sentences of chapter 1 chosen by the numbers
# --------------------------------------------------------------------------------------------

#: The spending level the early boom called extravagant, half a trillion dollars [USD bn/yr].
HALF_TRILLION_USD_BN = 500.0


def guidance_change_phrase(multiple: float) -> str:
    """
    How guided capex compares with the latest actual year, as a phrase.

    Parameters
    ----------
    multiple : float
        Central guidance over latest actual capex [unitless].

    Returns
    -------
    str
        "another 1.4-fold rise in a single year", "about the level of the year before" (within
        5 %) or "a fall of 12% in a single year".
    """
    if multiple >= 1.05:
        return f"another {multiple:.1f}-fold rise in a single year"
    if multiple > 0.95:
        return "about the level of the year before"
    return f"a fall of {1.0 - multiple:.0%} in a single year"


def half_trillion_sentence(latest_usd_bn: float, guidance_usd_bn: float,
                           mark_usd_bn: float = HALF_TRILLION_USD_BN) -> str:
    """
    Where actual and guided capex stand against the half-trillion-dollar mark.

    Parameters
    ----------
    latest_usd_bn : float
        Combined capex in the latest actual year [USD bn/yr].
    guidance_usd_bn : float
        Combined central guidance for the next year [USD bn/yr].
    mark_usd_bn : float, default 500
        The mark [USD bn/yr].

    Returns
    -------
    str
        One sentence, chosen by which side of the mark each number lies.
    """
    if latest_usd_bn >= mark_usd_bn:
        return ("Spending had already passed the half-trillion-dollar mark that sounded "
                "extravagant when the boom began.")
    if guidance_usd_bn >= 1.2 * mark_usd_bn:
        return ("If the guidance holds, the half-trillion-dollar mark that sounded extravagant "
                "when the boom began will be left well behind.")
    if guidance_usd_bn >= mark_usd_bn:
        return ("If the guidance holds, spending will pass the half-trillion-dollar mark that "
                "sounded extravagant when the boom began.")
    return ("Even the guidance stays short of the half-trillion-dollar mark that sounded "
            "extravagant when the boom began.")


def in_step_clause(min_multiple: float, max_multiple: float, max_name: str) -> str:
    """
    Whether the four hyperscalers grew their capex together, as a clause.

    Parameters
    ----------
    min_multiple, max_multiple : float
        Smallest and largest company growth multiple over the same years [unitless].
    max_name : str
        Company with the largest multiple.

    Returns
    -------
    str
        "the four move in step: each multiplied its spending by at least 1.9, and Meta by
        3.1" when every company at least doubled (to one decimal place, 1.95), else a clause
        saying that they did not.
    """
    if min_multiple >= 1.95:
        return (f"the four move in step: each multiplied its spending by at least "
                f"{min_multiple:.1f}, and {max_name} by {max_multiple:.1f}")
    if min_multiple >= 1.0:
        return (f"the four do not move in step: the slowest raised its spending only "
                f"{min_multiple:.1f}-fold, while {max_name} multiplied it by {max_multiple:.1f}")
    return (f"the four do not move in step: one spent less than before, while {max_name} "
            f"multiplied its spending by {max_multiple:.1f}")


def scale_clause(nvidia_over_capex: float) -> str:
    """
    How NVIDIA's data-centre revenue compares in scale with the hyperscalers' capex.

    Parameters
    ----------
    nvidia_over_capex : float
        NVIDIA data-centre revenue over the four hyperscalers' capex [unitless].

    Returns
    -------
    str
        "of the same order as" (within a factor of three either way), "larger than" or "a
        small fraction of", completed with "the largest buyers' entire capital budgets".
    """
    if nvidia_over_capex > 3.0:
        word = "larger than"
    elif nvidia_over_capex >= 1.0 / 3.0:
        word = "of the same order as"
    else:
        word = "a small fraction of"
    return f"the chip maker's revenue is {word} the largest buyers' entire capital budgets"


def ratio_uncertainty_clause(cover_p5: float) -> str:
    """
    Whether the uncertainty of Cahn's ratios could close the gap, as a clause.

    Parameters
    ----------
    cover_p5 : float
        5th percentile of required revenue over disclosed AI revenue [unitless].

    Returns
    -------
    str
        "uncertainty in the rule's ratios does not change the conclusion" when even the 5th
        percentile of the requirement exceeds the revenue, else a clause saying it could.
    """
    if cover_p5 > 1.0:
        return "uncertainty in the rule's ratios does not change the conclusion"
    return "at the low end of the rule's ratios the disclosed revenue would already cover it"


def convergence_clause(first_cover: float, latest_cover: float) -> str:
    """
    Whether requirement and revenue drew together since the first full disclosure.

    Parameters
    ----------
    first_cover, latest_cover : float
        Required over disclosed revenue at the first date all sellers disclosed, and now
        [unitless].

    Returns
    -------
    str
        "which is why the two lines converge on the log scale" when the ratio fell, else "so
        the two lines have not converged on the log scale".
    """
    if latest_cover < first_cover:
        return "which is why the two lines converge on the log scale"
    return "so the two lines have not converged on the log scale"


def per_year_cover_sentence(cover: float) -> str:
    """
    Cahn's requirement per year of hardware life against disclosed revenue, as a sentence.

    Parameters
    ----------
    cover : float
        Requirement per year over disclosed AI revenue (median) [unitless].

    Returns
    -------
    str
        "That is still 1.8 times what the disclosed sellers earn, ..." above one (rounded),
        "That is about what ..." near one, else the share of revenue it would take.
    """
    if cover >= 1.05:
        return (f"That is still {cover:.1f} times what the disclosed sellers earn, and it "
                "counts only one year of purchases while the purchases keep growing.")
    if cover > 0.95:
        return ("That is about what the disclosed sellers earn, and it counts only one year of "
                "purchases while the purchases keep growing.")
    return (f"That is {cover:.0%} of what the disclosed sellers earn, though it counts only "
            "one year of purchases while the purchases keep growing.")


def adoption_sentence(genai: float, internet: float, pc: float) -> str:
    """
    How generative AI's adoption compares with the internet's and the PC's at the same age.

    Parameters
    ----------
    genai, internet, pc : float
        Shares of US adults using each technology at the same age [fraction].

    Returns
    -------
    str
        A sentence naming which of the earlier technologies generative AI outpaced.
    """
    if genai > max(internet, pc):
        return ("Adoption outpaced both the internet and the personal computer, so the "
                "shortfall is not a lack of users: it is a question of what each user pays and "
                "what each user costs.")
    if genai > min(internet, pc):
        slower = "internet" if internet > genai else "personal computer"
        return (f"Adoption kept pace with earlier technologies but not with the {slower}; the "
                "question is still what each user pays and what each user costs.")
    return ("Adoption lagged both the internet and the personal computer at the same age, so "
            "users as well as what each pays are in question.")


def first_wave_sentence(capex_over_labs: float) -> str:
    """
    What the sellers of AI earned against what was spent on compute, as a sentence.

    Parameters
    ----------
    capex_over_labs : float
        Hyperscaler capex over the model makers' revenue [unitless].

    Returns
    -------
    str
        "a small fraction of that" when capex exceeds their revenue fivefold or more, "less
        than that" when it exceeds it at all, else "more than that".
    """
    if capex_over_labs >= 5.0:
        share = "a small fraction of that"
    elif capex_over_labs > 1.0:
        share = "less than that"
    else:
        share = "more than that"
    return (f"The companies selling AI to end users earned {share}, and the next part of the "
            "book asks why their costs keep pace with their sales.")


def generation_clause(cost_ratio: float, compute_per_dollar_gain: float) -> str:
    """
    How a Blackwell gigawatt compares with a Hopper gigawatt, in cost and compute per dollar.

    Parameters
    ----------
    cost_ratio : float
        Yearly cost of a Blackwell gigawatt over a Hopper gigawatt [unitless].
    compute_per_dollar_gain : float
        Dense peak compute per yearly dollar, Blackwell over Hopper [unitless].

    Returns
    -------
    str
        A clause such as "the newer generation costs more per gigawatt, but it delivers 2.6
        times as much peak compute per dollar", each direction chosen by the numbers (within
        10 % of one counts as "about as much" / "about the same").
    """
    if abs(cost_ratio - 1.0) < 0.1:
        cost = "about as much as the older"
    elif cost_ratio > 1.0:
        cost = "more than the older"
    else:
        cost = "less than the older"
    if compute_per_dollar_gain >= 1.1:
        join = "but" if cost_ratio >= 1.1 else "and"
        compute = (f"{join} it delivers {compute_per_dollar_gain:.1f} times as much peak "
                   "compute per dollar")
    elif compute_per_dollar_gain > 0.9:
        compute = "and it delivers about the same peak compute per dollar"
    else:
        compute = (f"and it delivers only {compute_per_dollar_gain:.0%} of the older "
                   "generation's peak compute per dollar")
    return f"the newer generation costs {cost} per gigawatt, {compute}"
