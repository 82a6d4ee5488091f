"""The validation appendix: the table and chart of every published figure against the model.

The checks themselves are in :mod:`aiboom.validation`; this module shapes them for the page
and for ``aiboom validate``.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from aiboom import charts
from aiboom.validation import FAMILIES, CheckResult, results_frame

#: Family names as the page shows them.
FAMILY_LABELS: dict[str, str] = {"training": "Training cost", "inference": "Serving",
                                 "energy": "Energy per query", "economics": "Bills and revenue"}


def fmt_ratio(ratio: float) -> str:
    """A ratio as the page writes it: ``×1.47`` or ``×0.95`` (three significant figures)."""
    return f"×{ratio:.3g}"


def check_table(results: list[CheckResult]) -> pd.DataFrame:
    """One row per check, with the columns the appendix and ``aiboom validate`` show.

    Returns
    -------
    pandas.DataFrame
        ``Family``, ``Check``, ``Published``, ``Model``, ``Unit``, ``Ratio`` (model /
        published), ``Tolerance`` (``×k``), ``Result`` (``pass``/``FAIL``), ``Source``,
        ``url``, ``As of``, ``id``.
    """
    frame = results_frame(results)
    return pd.DataFrame({
        "Family": frame["family"].map(FAMILY_LABELS),
        "Check": frame["description"],
        "Published": frame["published"],
        "Model": frame["model"],
        "Unit": frame["unit"],
        "Ratio": frame["ratio"].map(fmt_ratio),
        "Tolerance": frame["tolerance_factor"].map(lambda k: f"within ×{k:g}"),
        "Result": np.where(frame["passed"], "pass",
                           np.where(frame["known_miss"], "miss (known)", "FAIL")),
        "Source": frame["source"],
        "url": frame["url"],
        "As of": frame["as_of"],
        "id": frame["id"],
    })


def text_report(results: list[CheckResult]) -> str:
    """The plain-text table ``aiboom validate`` prints, one line per check, and a total."""
    frame = results_frame(results)
    lines = [f"{'check':<44} {'published':>12} {'model':>12} {'ratio':>8} {'tol':>6}  result"]
    for r in frame.itertuples(index=False):
        result = "pass" if r.passed else "MISS (known)" if r.known_miss else "FAIL"
        if r.passed and r.known_miss:
            result = "pass (flagged known_miss: remove the flag)"
        lines.append(f"{r.id:<44} {r.published:>12.4g} {r.model:>12.4g} "
                     f"{fmt_ratio(r.ratio):>8} {'×' + format(r.tolerance_factor, 'g'):>6}  "
                     f"{result}  [{r.unit}; {r.source_key}, {r.as_of}]")
    known = int((frame["known_miss"] & ~frame["passed"]).sum())
    lines.append(f"{int(frame['passed'].sum())} of {len(frame)} checks within tolerance"
                 + (f"; {known} known miss{'es' * (known != 1)} shown, not tuned away"
                    if known else ""))
    return "\n".join(lines)


#: Ticks of the ratio axis (those inside its domain are drawn) [unitless].
RATIO_TICKS: tuple[float, ...] = (0.25, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 4.0)


def chart_ratios(results: list[CheckResult]) -> alt.LayerChart:
    """Model / published per check on a log axis, with each check's tolerance band.

    One row per check, grouped by family (colour); the grey bar spans the check's accepted
    ratios :math:`[1/k, k]` and the dashed rule marks a ratio of one.
    """
    frame = results_frame(results).assign(
        family_label=lambda d: d["family"].map(FAMILY_LABELS),
        low=lambda d: 1.0 / d["tolerance_factor"], high=lambda d: d["tolerance_factor"],
        outcome=lambda d: np.where(d["passed"], "within tolerance", "outside tolerance"))
    order = list(frame["id"])
    lo = float(min(frame["low"].min(), frame["ratio"].min())) / 1.2
    hi = float(max(frame["high"].max(), frame["ratio"].max())) * 1.2
    x_scale = alt.Scale(type="log", domain=[lo, hi])
    ticks = [t for t in RATIO_TICKS if lo <= t <= hi]
    y = alt.Y("id:N", sort=order, title=None, axis=alt.Axis(labelLimit=180))
    band = alt.Chart(frame).mark_bar(color="#bbb", opacity=0.45, height=10).encode(
        y=y, x=alt.X("low:Q", scale=x_scale, title="Model value / published figure (log)",
                     axis=alt.Axis(values=ticks, format=".2~g")),
        x2="high:Q")
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3]).encode(
        x=alt.X("x:Q", scale=x_scale))
    points = alt.Chart(frame).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("ratio:Q", scale=x_scale),
        color=alt.Color("family_label:N", title="Family",
                        sort=[FAMILY_LABELS[f] for f in FAMILIES]),
        shape=alt.Shape("outcome:N", title=None),
        tooltip=[alt.Tooltip("description:N", title="Check"),
                 alt.Tooltip("published:Q", title="Published", format=",.4g"),
                 alt.Tooltip("model:Q", title="Model", format=",.4g"),
                 alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("ratio:Q", title="Ratio", format=".3g"),
                 alt.Tooltip("source:N", title="Source")])
    return alt.layer(band, one, points).properties(height=22 * len(frame) + 20)


def figure_ratios(results: list[CheckResult]):
    """:func:`chart_ratios` as a captioned, sourced book figure."""
    return charts.figure(
        chart_ratios(results),
        caption="Each published figure against the model's value for it: the ratio of the "
                "two on a log scale, inside the grey band when within the check's tolerance",
        source="aiboom model; published figures as listed in the table (data/validation.csv)",
        alt_text="Dot plot of the ratio of model value to published figure for every "
                 "validation check, on a logarithmic axis, with a grey tolerance band per check "
                 "and a dashed line at a ratio of one")


def family_table(results: list[CheckResult]) -> pd.DataFrame:
    """Per family: number of checks, number within tolerance and the median ratio."""
    frame = results_frame(results)
    rows = []
    for family in FAMILIES:
        group = frame[frame["family"] == family]
        if len(group):
            rows.append({"Family": FAMILY_LABELS[family], "Checks": len(group),
                         "Within tolerance": int(group["passed"].sum()),
                         "Median ratio": fmt_ratio(float(group["ratio"].median()))})
    return pd.DataFrame(rows)


def verdict_sentence(results: list[CheckResult]) -> str:
    """How many checks pass and what the reader should take from that, chosen by the results
    themselves."""
    failed = [r for r in results if not r.passed]
    if not failed:
        return (f"All {len(results)} checks land within their tolerance: every published "
                "figure is matched.")
    names = "; ".join(f"{r.description.split(',')[0]} (model at {fmt_ratio(r.ratio)} of it)"
                      for r in failed[:3])
    more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
    return (f"{len(results) - len(failed)} of the {len(results)} checks land within their "
            f"tolerance. The model misses {'one figure' if len(failed) == 1 else 'these figures'} "
            f"outside its tolerance: {names}{more}. The table below gives the ratios; a miss "
            "is a finding about the model, left visible rather than tuned away.")


#: The back-test's goal for each method: median ratio within this factor [unitless] ...
BACKTEST_MEDIAN_FACTOR = 1.25
#: ... and at least this share of runs within a factor of two [fraction].
BACKTEST_SHARE_WITHIN_2X = 0.9

_METHOD_NAMES = {"amortized": "amortised-hardware method", "cloud": "cloud-rental method"}


def backtest_sentence(summary: pd.DataFrame) -> str:
    """Whether each method of the training back-test meets its goal (median within
    ×1.25, nine runs in ten within ×2), and by how much it misses where it does.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`aiboom.training.backtest_summary`, indexed by method.
    """
    parts = []
    for method, row in summary.iterrows():
        median_ok = 1 / BACKTEST_MEDIAN_FACTOR <= row["median_ratio"] <= BACKTEST_MEDIAN_FACTOR
        share_ok = row["share_within_2x"] >= BACKTEST_SHARE_WITHIN_2X
        name = _METHOD_NAMES.get(str(method), str(method))
        if median_ok and share_ok:
            parts.append(f"The {name} meets the goal set for it: a median within a quarter "
                         "of Epoch's and nine runs in ten within a factor of two.")
        else:
            missed = [what for what, ok in (("its median", median_ok),
                                            ("the share within a factor of two", share_ok))
                      if not ok]
            parts.append(f"The {name} misses the goal on {' and '.join(missed)}; the chart "
                         "shows which runs fall outside the band.")
    return " ".join(parts)
