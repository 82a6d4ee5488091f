r"""The answer chapter: does the revenue earn back the hardware before it wears out, and who pays
meanwhile.

Four pieces, each a function of the registry and the curated tables:

* **The revenue race** (:func:`revenue_race`). Cahn's rule gives the lifetime revenue
  :math:`R = k R_{gpu} / (1 - m)` that one year of accelerator purchases requires
  (:func:`aiboom.economics.revenue_required_usd_bn`). The sellers that disclose AI revenue earn
  :math:`E` a year today; if that grows by a factor :math:`g` a year, the revenue earned over
  the next :math:`t` years is

  .. math::

     S(t) = E \int_0^t g^{\tau}\, d\tau = E\,\frac{g^t - 1}{\ln g}
     \qquad (S(t) = E\,t \text{ when } g = 1),

  and the gap closes within the economic life :math:`T` of the hardware when
  :math:`S(T) \ge R`, after :math:`t^* = \ln(1 + R \ln g / E) / \ln g` years. The comparison is
  generous to the boom: all disclosed revenue is credited to a single year of purchases.
* **Depreciation lives** (:func:`depreciation_by_life`): straight-line depreciation of the
  accelerator share of the builders' capex at the accounting life of their 10-Ks and at the
  economic life of the registry.
* **Free cash flow** (:func:`free_cash_flow`): operating cash flow minus capex.
* **A lab's profit and loss** (:func:`lab_pnl`) against the modelled inference bill.

The watch list (:func:`watch_list`) solves for the value of each lever at which the answer
flips, with every other input at its central value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import altair as alt
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from aiboom import charts, economics, kernels, sensitivity
from aiboom.analysis import capex, money, outlook
from aiboom.arrays import array_module, check_range
from aiboom.backend import get_backend
from aiboom.kernels import INPUTS, Accelerator
from aiboom.registry import Assumption

__all__ = [
    "RevenueRace", "ScenarioAnswer", "answer_sentence", "break_even_usd_per_query",
    "cash_flow_sentence", "chart_cash_flow", "chart_depreciation", "chart_lab_pnl",
    "chatbot_sentence", "gap_sentence", "generosity_sentence", "growth_bullet",
    "growth_words", "usd_bn_text",
    "lab_costs_sentence", "purchases_growth", "rank_words", "race_sentence",
    "chart_revenue_race", "cost_tornado", "cumulative_revenue_usd_bn", "depreciation_by_life",
    "depreciation_gap", "depreciation_sentence", "free_cash_flow",
    "free_cash_flow_totals", "growth_needed_per_year", "inference_bill_usd_bn", "lab_pnl",
    "lab_sentence", "lever_label", "lever_threshold", "life_points", "payback_sentence",
    "race_curves", "race_flip_sentence", "race_from", "race_movers_sentence", "race_tornado",
    "revenue_race",
    "scenario_answer", "scenario_table", "scenarios_sentence", "short_title", "verdict_word",
    "watch_list", "watch_sentence", "years_to_earn",
]

#: Registry ids of the revenue race.
RACE_IDS: dict[str, str] = {
    "gpu_share": capex.CAHN_SAMPLED_IDS["gpu_share"],
    "end_user_margin": capex.CAHN_SAMPLED_IDS["end_user_margin"],
    "life_years": capex.CAHN_SAMPLED_IDS["life_years"],
    "growth": "ai_revenue_growth_per_year",
}
#: Registry id of the builders' accounting life of servers [years].
ACCOUNTING_LIFE_ID = "server_depreciation_years"
#: Days in the year, for a yearly bill from daily queries [days].
DAYS_PER_YEAR = 365.0
#: Months in a year [months].
MONTHS_PER_YEAR = 12.0
#: How far beyond the registry range :func:`lever_threshold` searches [ratio].
SEARCH_FACTOR = 100.0


# --------------------------------------------------------------------------------------------
# The revenue race
# --------------------------------------------------------------------------------------------


def cumulative_revenue_usd_bn(earned_usd_bn: ArrayLike, growth_per_year: ArrayLike,
                              years: ArrayLike) -> Any:
    r"""Revenue earned over the next ``years`` from a yearly rate growing geometrically.

    Parameters
    ----------
    earned_usd_bn : float or array
        Revenue earned a year today :math:`E` [USD bn/yr].
    growth_per_year : float or array
        Growth factor :math:`g`, positive [x/yr].
    years : float or array
        Horizon :math:`t`, non-negative [years].

    Returns
    -------
    float or array
        :math:`S(t) = E (g^t - 1)/\ln g`, or :math:`E t` when :math:`g = 1` [USD bn],
        elementwise over the broadcast inputs (NumPy or CuPy arrays alike); a float for
        scalar inputs.
    """
    xp = array_module(earned_usd_bn, growth_per_year, years)
    g = xp.asarray(growth_per_year, dtype=float)
    check_range("growth_per_year", growth_per_year, low=0.0, low_open=True)
    t = xp.asarray(years, dtype=float)
    log_g = xp.log(g)
    flat = xp.abs(log_g) < 1e-12
    out = xp.where(flat, earned_usd_bn * t,
                   earned_usd_bn * xp.expm1(t * log_g) / xp.where(flat, 1.0, log_g))
    return float(out) if out.ndim == 0 else out


def years_to_earn(required_usd_bn: ArrayLike, earned_usd_bn: ArrayLike,
                  growth_per_year: ArrayLike) -> Any:
    r"""Years until the cumulative revenue reaches ``required_usd_bn``.

    Parameters
    ----------
    required_usd_bn : float or array
        Lifetime revenue required :math:`R` [USD bn].
    earned_usd_bn : float or array
        Revenue earned a year today :math:`E` [USD bn/yr].
    growth_per_year : float or array
        Growth factor :math:`g` [x/yr].

    Returns
    -------
    float or array
        :math:`t^* = \ln(1 + R \ln g / E) / \ln g` (:math:`R/E` when :math:`g = 1`) [years];
        0 when nothing is required, ``inf`` when shrinking revenue never gets there or
        nothing is earned; elementwise (NumPy or CuPy arrays alike), a float for scalars.
    """
    xp = array_module(required_usd_bn, earned_usd_bn, growth_per_year)
    r = xp.asarray(required_usd_bn, dtype=float)
    e = xp.asarray(earned_usd_bn, dtype=float)
    log_g = xp.log(xp.asarray(growth_per_year, dtype=float))
    flat = xp.abs(log_g) < 1e-12
    e_safe = xp.where(e > 0, e, 1.0)
    inner = 1.0 + r * log_g / e_safe
    t = xp.where(flat, r / e_safe,
                 xp.log(xp.where(inner > 0, inner, 1.0)) / xp.where(flat, 1.0, log_g))
    t = xp.where(flat | (inner > 0), t, math.inf)
    t = xp.where(r <= 0, 0.0, xp.where(e <= 0, math.inf, t))
    return float(t) if t.ndim == 0 else t


def growth_needed_per_year(required_usd_bn: float, earned_usd_bn: float,
                           life_years: float) -> float:
    """Growth factor at which the cumulative revenue reaches the requirement in ``life_years``.

    Returns
    -------
    float
        :math:`g` with :math:`S(T) = R` [x/yr], by Brent's method on :math:`(10^{-3}, 10^3)`
        (:math:`S` rises with :math:`g`); NaN when no growth in that range does it.
    """
    def excess(g: float) -> float:
        return cumulative_revenue_usd_bn(earned_usd_bn, g, life_years) - required_usd_bn

    low, high = 1e-3, 1e3
    if excess(low) > 0 or excess(high) < 0:
        return math.nan
    return float(brentq(excess, low, high, xtol=1e-12, rtol=1e-10))


class RevenueRace(NamedTuple):
    """Revenue required by a year of accelerator purchases against revenue earned."""

    run_rate_usd_bn: float  #: latest NVIDIA data-centre revenue, annualised [USD bn/yr]
    required_usd_bn: float  #: lifetime revenue Cahn's rule requires [USD bn]
    earned_usd_bn: float  #: disclosed AI revenue run-rate today [USD bn/yr]
    growth_per_year: float  #: growth of that revenue [x/yr]
    life_years: float  #: economic life of the accelerators [years]
    gap_usd_bn: float  #: required minus one year of earned revenue [USD bn]
    earned_over_life_usd_bn: float  #: cumulative revenue over the life [USD bn]
    years_to_close: float  #: years until cumulative revenue meets the requirement [years]

    @property
    def closes(self) -> bool:
        """Whether the revenue earns back the requirement within the life."""
        return self.years_to_close <= self.life_years

    @property
    def share_over_life(self) -> float:
        """Cumulative revenue over the life as a share of the requirement [fraction]."""
        return self.earned_over_life_usd_bn / self.required_usd_bn


def race_from(run_rate_usd_bn: float, earned_usd_bn: float, gpu_share: float,
              end_user_margin: float, growth_per_year: float, life_years: float) -> RevenueRace:
    """:class:`RevenueRace` from its inputs (units as in its fields; shares in fractions)."""
    required = float(economics.revenue_required_usd_bn(run_rate_usd_bn, 1.0 / gpu_share,
                                                       end_user_margin))
    return RevenueRace(
        run_rate_usd_bn=float(run_rate_usd_bn), required_usd_bn=required,
        earned_usd_bn=float(earned_usd_bn), growth_per_year=float(growth_per_year),
        life_years=float(life_years),
        gap_usd_bn=float(economics.revenue_gap_usd_bn(required, earned_usd_bn)),
        earned_over_life_usd_bn=cumulative_revenue_usd_bn(earned_usd_bn, growth_per_year,
                                                           life_years),
        years_to_close=years_to_earn(required, earned_usd_bn, growth_per_year))


def revenue_race(registry: Mapping[str, Assumption], nvidia: pd.DataFrame,
                 ai_revenue: pd.DataFrame) -> RevenueRace:
    """The revenue race at the registry's central values.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Reads :data:`RACE_IDS` (central values): accelerator share of data-centre capex
        :math:`s` (so :math:`k = 1/s`), end-user gross margin :math:`m`, economic life
        :math:`T` and revenue growth :math:`g`.
    nvidia : pandas.DataFrame
        ``data/nvidia_datacenter_revenue.csv``; the latest quarter times four is :math:`R_{gpu}`.
    ai_revenue : pandas.DataFrame
        ``data/ai_revenue.csv``; the latest disclosed run-rates summed are :math:`E`
        (:func:`aiboom.analysis.capex.disclosed_ai_run_rate`).
    """
    rr = capex.nvidia_quarters(nvidia)["run_rate_usd_bn"].iloc[-1]
    earned = capex.disclosed_ai_run_rate(ai_revenue)["value_usd_bn"].sum()
    c = {k: registry[v].central for k, v in RACE_IDS.items()}
    return race_from(rr, earned, c["gpu_share"], c["end_user_margin"], c["growth"],
                     c["life_years"])


#: Short labels of the race inputs, for charts and prose.
RACE_LABELS: dict[str, str] = {
    "gpu_share": "Accelerator share of data-centre capex",
    "end_user_margin": "Gross margin of the chips' users",
    "life_years": "Economic life of the accelerators",
    "growth": "Growth of disclosed AI revenue",
}


def race_tornado(registry: Mapping[str, Assumption], nvidia: pd.DataFrame,
                 ai_revenue: pd.DataFrame, backend: str | None = None) -> pd.DataFrame:
    """Years to spare in the race with each of its inputs alone at the ends of its range.

    Parameters
    ----------
    registry, nvidia, ai_revenue
        As for :func:`revenue_race`.
    backend : str, optional
        Array backend: the central point and every input at each end, at once.

    Returns
    -------
    pandas.DataFrame
        One row per input of :data:`RACE_IDS`, largest swing first: ``key``, ``id``,
        ``label``, ``low``, ``central``, ``high`` [input unit], ``output_low``,
        ``output_high``, ``output_central`` (hardware life minus years to close, positive when
        the gap closes in time; ``-inf`` when it never closes) [years], ``swing`` [years] and
        ``flips_low``, ``flips_high`` (whether that end alone reverses the answer). Tagged as
        computed by ``answer.race_tornado``.
    """
    be = get_backend(backend)
    xp = be.xp
    rr = capex.nvidia_quarters(nvidia)["run_rate_usd_bn"].iloc[-1]
    earned = capex.disclosed_ai_run_rate(ai_revenue)["value_usd_bn"].sum()
    rows = [registry[v] for v in RACE_IDS.values()]
    n = len(rows)
    central = xp.asarray([a.central for a in rows])
    alone = xp.eye(n, dtype=bool)  # row i: input i moved, the others central
    # point 0 every input central; points 1..n: input i at its low; n+1..2n: at its high
    points = xp.concatenate([central[None, :],
                             xp.where(alone, xp.asarray([a.low for a in rows])[None, :],
                                      central[None, :]),
                             xp.where(alone, xp.asarray([a.high for a in rows])[None, :],
                                      central[None, :])])
    v = dict(zip(RACE_IDS, points.T, strict=True))
    required = economics.revenue_required_usd_bn(rr, 1.0 / v["gpu_share"],
                                                 v["end_user_margin"])
    spare = be.asnumpy(v["life_years"] - years_to_earn(required, earned, v["growth"]))
    base, lo, hi = spare[0], spare[1:n + 1], spare[n + 1:]
    with np.errstate(invalid="ignore"):
        swing = np.where(np.isfinite(hi - lo), np.abs(hi - lo), math.inf)
    frame = be.frame("answer.race_tornado", {
        "key": list(RACE_IDS), "id": list(RACE_IDS.values()),
        "label": [RACE_LABELS[k] for k in RACE_IDS], "low": [a.low for a in rows],
        "central": [a.central for a in rows], "high": [a.high for a in rows],
        "output_low": lo, "output_high": hi, "output_central": base, "swing": swing,
        "flips_low": (lo >= 0) != (base >= 0), "flips_high": (hi >= 0) != (base >= 0)})
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def race_flip_sentence(tornado: pd.DataFrame) -> str:
    """Which race inputs alone, at an end of their registry range, reverse the answer."""
    flips = []
    for r in tornado.itertuples():
        ends = [e for e, f in (("low", r.flips_low), ("high", r.flips_high)) if f]
        if ends:
            flips.append(f"{money.prose_label(r.label)} (at the {' or '.join(ends)} end of its "
                         "range)")
    if not flips:
        return ("None of the four inputs of the race, moved alone to either end of its registry "
                "range, reverses the answer.")
    steady = [money.prose_label(r.label) for r in tornado.itertuples()
              if not (r.flips_low or r.flips_high)]
    tail = (f"; {_listed(steady)} cannot do so alone" if steady else "")
    verb = "reverses" if len(flips) == 1 else "each reverse"
    return (f"Moved alone to the ends of their registry ranges, {_listed(flips)} {verb} the "
            f"answer{tail}.")


def usd_bn_text(usd_bn: float) -> str:
    """An amount in words to three significant figures: 'US$ 356 billion', 'US$ 1.42 trillion'
    [USD bn in]."""
    if abs(usd_bn) >= 1e3:
        return f"US$ {usd_bn / 1e3:.3g} trillion"
    return f"US$ {usd_bn:.3g} billion"


def _pct(share: float) -> str:
    """A share as a percentage to two significant figures ('0.51%', '5.5%', '40%')."""
    return f"{100 * share:.2g}%"


def _duration(years: float) -> str:
    """A positive span in words: months below a year, else years to two figures."""
    if years < 1.0:
        months = round(years * MONTHS_PER_YEAR)
        return "less than a month" if months < 1 else (
            "one month" if months == 1 else f"{months} months")
    return f"{years:.2g} years"


def growth_words(growth_per_year: float) -> str:
    """A yearly growth factor in words: 'doubling every year', 'growing 20% a year',
    'growing 3.5-fold a year', 'shrinking 10% a year' [x/yr in, words out]."""
    g = growth_per_year
    for factor, word in ((2.0, "doubling"), (3.0, "tripling")):
        if abs(g - factor) < 0.05:
            return f"{word} every year"
    if abs(g - 1.0) < 0.005:
        return "flat from year to year"
    if g < 1.0:
        return f"shrinking {1.0 - g:.0%} a year"
    if g < 2.0:
        return f"growing {g - 1.0:.0%} a year"
    return f"growing {g:.2g}-fold a year"


def answer_sentence(name: str, race: RevenueRace) -> str:
    """The chapter's answer for one scenario, chosen by whether the gap closes in time.

    Parameters
    ----------
    name : str
        Scenario name, as in its file (``"baseline"``).
    race : RevenueRace
        The scenario's race at central values.

    Returns
    -------
    str
        "an expensive boom rather than a bubble" when the gap closes within the hardware's
        life, "what a bubble looks like" when it does not.
    """
    head = (f"Under the {name} scenario, with disclosed AI revenue "
            f"{growth_words(race.growth_per_year)}, ")
    if race.closes:
        return (head + "the revenue gap closes within the economic life of the hardware: the "
                f"revenue earns back what a year of accelerator purchases requires in "
                f"{race.years_to_close:.1f} years, inside a {race.life_years:.2g}-year life. "
                "In the book's terms this is an expensive boom rather than a bubble, for as "
                "long as the growth lasts.")
    years = ("never" if not math.isfinite(race.years_to_close)
             else f"only after {race.years_to_close:.1f} years")
    return (head + "the revenue gap does not close within the economic life of the hardware: "
            f"by the time the accelerators are {race.life_years:.2g} years old the revenue has "
            f"covered {race.share_over_life:.0%} of what a year of purchases requires, and it "
            f"gets there {years}. In the book's terms the spending runs ahead of what it can "
            "earn back before it wears out, which is what a bubble looks like.")


def gap_sentence(race: RevenueRace) -> str:
    """What one year of disclosed revenue leaves of the requirement, by the sign of the gap.

    Returns
    -------
    str
        The gap in US$ billion when revenue falls short, or the surplus when one year of
        revenue already covers the requirement.
    """
    head = (f"The sellers that disclose their AI revenue take in "
            f"{usd_bn_text(race.earned_usd_bn)} a year, which ")
    if race.gap_usd_bn > 0:
        return head + f"leaves a gap of {usd_bn_text(race.gap_usd_bn)} after one year."
    return head + (f"already covers the requirement in one year, with "
                   f"{usd_bn_text(-race.gap_usd_bn)} to spare.")


def race_sentence(race: RevenueRace) -> str:
    """The race over the hardware's life in words: revenue earned by the end of the life, its
    share of the requirement, and when (if ever) the requirement is met.

    Returns
    -------
    str
        Chosen by whether the gap closes within the life, after it, or never.
    """
    head = (f"With that revenue {growth_words(race.growth_per_year)}, it adds up to "
            f"{usd_bn_text(race.earned_over_life_usd_bn)} over the {race.life_years:.2g} years "
            f"the hardware lasts, {race.share_over_life:.0%} of the requirement")
    if not math.isfinite(race.years_to_close):
        return head + ", and at that pace it never meets the requirement."
    if race.closes:
        return head + (f": the requirement is met after {race.years_to_close:.1f} years, "
                       f"{_duration(race.life_years - race.years_to_close)} before the "
                       "hardware wears out.")
    return head + (f"; the requirement is met only after {race.years_to_close:.1f} years, "
                   f"{_duration(race.years_to_close - race.life_years)} after the hardware has "
                   "worn out.")


def purchases_growth(nvidia: pd.DataFrame) -> float:
    """Latest annualised NVIDIA data-centre revenue over the run-rate four quarters earlier
    [ratio]; NaN with fewer than five quarters (:func:`aiboom.analysis.capex.nvidia_quarters`)."""
    rr = capex.nvidia_quarters(nvidia)["run_rate_usd_bn"].to_numpy()
    return float(rr[-1] / rr[-5]) if len(rr) >= 5 and rr[-5] > 0 else math.nan


def generosity_sentence(race: RevenueRace, purchases_growth_per_year: float) -> str:
    """What crediting all revenue to one year of purchases does to the answer.

    Parameters
    ----------
    race : RevenueRace
        The race at central values.
    purchases_growth_per_year : float
        Latest chip-purchase run-rate over the one a year earlier (:func:`purchases_growth`)
        [ratio].

    Returns
    -------
    str
        "generous to the boom" when purchases are not falling (each later year adds at least
        as large a requirement), with the consequence for a gap that closes or does not;
        a caveat when purchases are falling; a plain statement when the trend is unknown.
    """
    credit = ("credits every disclosed dollar to a single year of chip purchases, while each "
              "later year of purchases adds a requirement of its own")
    if not math.isfinite(purchases_growth_per_year):
        return f"The comparison {credit}."
    if purchases_growth_per_year >= 1.0:
        trend = ("purchases are still rising (NVIDIA's data-centre run-rate is "
                 f"{purchases_growth_per_year:.2g} times what it was a year earlier)"
                 if purchases_growth_per_year >= 1.05 else
                 "purchases are holding at the level of a year earlier")
        consequence = ("a gap that closes here may not close once later purchases are "
                       "counted" if race.closes else
                       "counting later purchases would only widen a gap that already fails "
                       "to close")
        return (f"The comparison is generous to the boom: it {credit}, and {trend}, so "
                f"{consequence}.")
    return (f"The comparison {credit}, but purchases are falling (NVIDIA's data-centre "
            f"run-rate is {purchases_growth_per_year:.0%} of what it was a year earlier), so "
            "later years add smaller requirements and the comparison is less generous to the "
            "boom than it looks.")


def verdict_word(race: RevenueRace) -> str:
    """Short verdict for a table: 'closes' or 'does not close'."""
    return "closes" if race.closes else "does not close"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def scenarios_sentence(answers: list[ScenarioAnswer]) -> str:
    """Which shipped scenarios see the gap close within the hardware's life, in words.

    Returns
    -------
    str
        "every one", "none" or the scenarios on each side, by name; counts in words.
    """
    closes = [a.name for a in answers if a.race.closes]
    fails = [a.name for a in answers if not a.race.closes]
    n = outlook.count_word(len(answers))
    if len(answers) == 1:
        return (f"The revenue gap {'closes' if closes else 'does not close'} within the "
                f"hardware's life under the only shipped scenario, {answers[0].name}.")
    same = ": on the book's numbers the answer does not depend on which of them holds."
    if not fails:
        every = "both" if len(answers) == 2 else f"all {n}"
        return (f"The revenue gap closes within the hardware's life in {every} shipped "
                "scenarios" + same)
    if not closes:
        none = "neither of the two" if len(answers) == 2 else f"none of the {n}"
        return (f"The revenue gap closes within the hardware's life in {none} shipped "
                "scenarios" + same)
    return (f"The revenue gap closes within the hardware's life under the {_listed(closes)} "
            f"{_plural(closes)}, and does not under the {_listed(fails)} {_plural(fails)}: the "
            "scenarios disagree, so the answer is a matter of which assumptions hold.")


def race_movers_sentence(answers: list[ScenarioAnswer], baseline: str = "baseline") -> str:
    """Which scenarios change the race itself (not only the other two clocks), in words.

    Parameters
    ----------
    answers : list of ScenarioAnswer
        One per scenario, the baseline among them.
    baseline : str, default "baseline"
        Name of the scenario the others are compared with.

    Returns
    -------
    str
        Names the scenarios whose race (revenue, growth, requirement, life) differs from the
        baseline's, or says that none or all of them do.
    """
    def key(a: ScenarioAnswer) -> tuple[float, ...]:
        r = a.race
        return tuple(round(v, 9) for v in (r.earned_usd_bn, r.growth_per_year,
                                           r.required_usd_bn, r.life_years))

    base = next((a for a in answers if a.name == baseline), None)
    others = [a for a in answers if a.name != baseline]
    if base is None or not others:
        return "Each scenario runs its own race."
    movers = [a.name for a in others if key(a) != key(base)]
    if not movers:
        return ("None of the other shipped scenarios changes an input of the race, so they "
                f"all run the {baseline} scenario's race and differ only on the other two "
                "clocks.")
    if len(movers) == len(others):
        return ("Every other shipped scenario changes an input of the race, so each runs a "
                "race of its own.")
    return (f"Of the other shipped scenarios, only the {_listed(movers)} {_plural(movers)} "
            f"{'changes' if len(movers) == 1 else 'change'} an input of the race; the rest "
            f"run the {baseline} scenario's race and differ only on the other two clocks.")


def _plural(names: list[str]) -> str:
    return "scenario" if len(names) == 1 else "scenarios"


def payback_sentence(payback_months: float, life_years: float) -> str:
    """Whether the generative-AI project at central inputs pays back before its hardware is
    worn out.

    Parameters
    ----------
    payback_months : float
        Payback at central inputs [months]; ``inf`` when never.
    life_years : float
        Economic life of the accelerators [years].
    """
    life_months = life_years * MONTHS_PER_YEAR
    head = "With every input at its central value, the generative-AI project "
    if not math.isfinite(payback_months) or payback_months >= kernels.PAYBACK_HORIZON_MONTHS:
        return (head + f"does not pay back within {money.months_text(math.inf)}, let alone "
                f"within the {life_years:.2g}-year life of its hardware.")
    if payback_months <= life_months:
        return (head + f"pays back in {money.months_text(payback_months)}, within the "
                f"{life_years:.2g}-year life of its hardware.")
    return (head + f"pays back in {money.months_text(payback_months)}, after the "
            f"{life_years:.2g}-year life of its hardware is over: the buyer needs a second "
            "generation of chips before the first has paid for itself.")


def chatbot_sentence(usd_per_query: float, break_even_share: float,
                     paying_share: float) -> str:
    """The third clock in words: the paying share at which subscriptions cover compute.

    Parameters
    ----------
    usd_per_query : float
        Cost of an average query at central inputs [USD/query].
    break_even_share : float
        Paying share at which subscriptions cover the compute of all users
        (:func:`aiboom.analysis.outlook.required_conversion`); ``inf`` when none does
        [fraction].
    paying_share : float
        Share of users who pay today [fraction].

    Returns
    -------
    str
        Chosen by whether today's paying share covers the break-even share.
    """
    cost = f"At a central cost of {100 * usd_per_query:.2g} US cents for an average query"
    if not math.isfinite(break_even_share) or break_even_share > 1.0:
        return (cost + ", subscriptions could not cover the compute even if every user paid: "
                "on this clock the chatbot cannot earn back what its queries cost.")
    if break_even_share <= paying_share:
        return (cost + f", subscriptions cover the compute of all users once "
                f"{_pct(break_even_share)} of them pay, and {_pct(paying_share)} pay today: on "
                "this clock the chatbot already earns back what its queries cost.")
    return (cost + f", subscriptions cover the compute of all users only once "
            f"{_pct(break_even_share)} of them pay, against {_pct(paying_share)} today: on this "
            "clock the chatbot does not yet earn back what its queries cost.")


def growth_bullet(threshold: float, today: float) -> str:
    """Summary bullet: the revenue growth at which the race flips, against today's growth."""
    if not math.isfinite(threshold):
        return ("The race turns on revenue growth, hardware life and the revenue each dollar "
                "of chips requires; no growth within reach changes the answer on its own.")
    side = "above" if today >= threshold else "below"
    return ("The race turns on revenue growth, hardware life and the revenue each dollar of "
            f"chips requires; the answer flips at revenue growth of {threshold:.1f} times a "
            f"year, and the central assumption, {today:.1f} times a year, lies {side} it.")


def rank_words(i: int) -> str:
    """'largest', 'second largest', ... for a zero-based rank."""
    return "largest" if i == 0 else f"{['second', 'third', 'fourth', 'fifth'][i - 1]} largest"


# --------------------------------------------------------------------------------------------
# Scenarios and levers
# --------------------------------------------------------------------------------------------


def break_even_usd_per_query(registry: Mapping[str, Assumption], paying_share: float) -> float:
    """Cost per query at which a chatbot's subscriptions just cover the compute of all users.

    Parameters
    ----------
    registry : mapping of str to Assumption
        As for :func:`aiboom.analysis.outlook.required_conversion`.
    paying_share : float
        Share of users who pay, in (0, 1) [fraction].

    Returns
    -------
    float
        The cost :math:`c` at which the break-even paying share equals ``paying_share``
        [USD/query] (Brent's method; the break-even share rises with :math:`c`).
    """
    def excess(c: float) -> float:
        share = outlook.required_conversion(registry, c)
        return (share if math.isfinite(share) else 2.0) - paying_share

    high = 1e-6
    while excess(high) < 0 and high < 1e3:
        high *= 2.0
    return float(brentq(excess, 1e-12, high, xtol=1e-15, rtol=1e-10))


class ScenarioAnswer(NamedTuple):
    """What one scenario implies, at central values."""

    name: str
    title: str
    race: RevenueRace
    payback_months: float  #: central enterprise generative-AI project [months]
    usd_per_query: float  #: central serving cost of an average query [USD/query]
    break_even_usd_per_query: float  #: cost at which subscriptions cover compute [USD/query]


def scenario_answer(scenario: Any, nvidia: pd.DataFrame, ai_revenue: pd.DataFrame
                    ) -> ScenarioAnswer:
    """Revenue race, payback and cost per query of one scenario at central values.

    The payback and the cost are those chapters 4 and 6 state
    (:func:`aiboom.analysis.money.central_payback_months`,
    :func:`~aiboom.analysis.money.central_usd_per_query`).

    Parameters
    ----------
    scenario : aiboom.scenarios.Scenario
        The loaded scenario (its registry carries the overrides).
    nvidia, ai_revenue : pandas.DataFrame
        As for :func:`revenue_race`.
    """
    model_registry, accelerator = money.scenario_model(scenario)
    return ScenarioAnswer(
        name=scenario.name, title=scenario.title,
        race=revenue_race(scenario.registry, nvidia, ai_revenue),
        payback_months=money.central_payback_months(model_registry, accelerator),
        usd_per_query=money.central_usd_per_query(model_registry, accelerator),
        break_even_usd_per_query=break_even_usd_per_query(
            model_registry, model_registry["paid_conversion_rate"].central))


def _finite(value: float) -> float:
    """NaN (shown blank in tables) for a value that is never reached."""
    return value if math.isfinite(value) else math.nan


def _round_sig(value: float, digits: int) -> float:
    """``value`` to ``digits`` significant figures (NaN stays NaN)."""
    return float(f"{value:.{digits}g}") if math.isfinite(value) else math.nan


def scenario_table(answers: list[ScenarioAnswer]) -> pd.DataFrame:
    """One row per scenario: the verdict and the numbers it rests on, for display, rounded to
    what central values support (three significant figures for money, two for the cost of a
    query, a tenth of a year, a whole month); a gap that never closes and a project that
    never pays back are left blank."""
    return pd.DataFrame({
        "Scenario": [a.title for a in answers],
        "Required revenue (US$ bn)": [_round_sig(a.race.required_usd_bn, 3) for a in answers],
        "Gap today (US$ bn)": [_round_sig(a.race.gap_usd_bn, 3) for a in answers],
        "Revenue growth (x/yr)": [round(a.race.growth_per_year, 1) for a in answers],
        "Years to close": [round(_finite(a.race.years_to_close), 1) for a in answers],
        "Hardware life (years)": [round(a.race.life_years, 1) for a in answers],
        "Gap within life": [verdict_word(a.race) for a in answers],
        "Payback (months)": [round(_finite(a.payback_months)) if math.isfinite(a.payback_months)
                             else math.nan for a in answers],
        "Cost per query (US cents)": [_round_sig(100.0 * a.usd_per_query, 2) for a in answers],
    })


def lever_label(registry: Mapping[str, Assumption], param_id: str) -> str:
    """Short chart label of a kernel input (:func:`aiboom.analysis.money.input_label`), or its
    registry description where the money chapter has no label for it."""
    label = money.input_label(param_id)
    return registry[param_id].description.split(" (")[0] if label == param_id else label


def cost_tornado(registry: Mapping[str, Assumption], accelerator: Accelerator,
                 top: int = 8, backend: str | None = None) -> pd.DataFrame:
    """One-at-a-time swings of the cost per query, largest first (as
    :func:`aiboom.analysis.money.payback_tornado`, for ``usd_per_query``) [USD/query].

    Every point (all central, each input at its low and at its high) is one sample of a
    single run of the backend kernel (:func:`aiboom.sensitivity.kernel_model`); the table is
    tagged as computed by ``answer.cost_tornado``.
    """
    be = get_backend(backend)
    model = sensitivity.kernel_model("usd_per_query", be, accelerator._asdict())
    ids = [k for k in INPUTS if registry[k].uncertain]
    frame = sensitivity.tornado(registry, "usd_per_query", ids, model=model).head(top)
    out = be.frame("answer.cost_tornado", {c: frame[c].to_numpy() for c in frame.columns})
    out["label"] = [lever_label(registry, k) for k in out["id"]]
    return out


def lever_threshold(fn: Callable[[float], float], target: float, a: Assumption) -> float:
    """Value of one input at which ``fn`` crosses ``target``, others held.

    Parameters
    ----------
    fn : callable
        Model output as a function of the input, monotone over the search range.
    target : float
        Output value to reach [output unit].
    a : Assumption
        The input; the search runs from ``low / SEARCH_FACTOR`` to ``high * SEARCH_FACTOR``,
        within (0, 1] for a fraction [input unit].

    Returns
    -------
    float
        The crossing [input unit], or NaN when the output does not cross ``target`` in range.
    """
    low = max(a.low / SEARCH_FACTOR, 1e-9)
    high = min(a.high, 1.0) if a.unit == "fraction" else a.high * SEARCH_FACTOR
    if a.unit == "fraction":
        low = min(low, 1e-6)

    def excess(x: float) -> float:
        y = fn(x)
        return (y if math.isfinite(y) else 1e30) - target

    # scan on a log grid for the first sign change next to the central value
    grid = np.geomspace(low, high, 200)
    values = np.array([excess(x) for x in grid])
    signs = np.sign(values)
    changes = np.nonzero(signs[:-1] * signs[1:] < 0)[0]
    if len(changes) == 0:
        return math.nan
    centre = np.searchsorted(grid, a.central)
    i = changes[np.argmin(np.abs(changes - centre))]
    return float(brentq(excess, grid[i], grid[i + 1], xtol=1e-12 * grid[i], rtol=1e-10))


def watch_list(race: RevenueRace, registry: Mapping[str, Assumption],
               model_registry: Mapping[str, Assumption], accelerator: Accelerator,
               payback_lever: str, cost_lever: str) -> pd.DataFrame:
    """What would change the answer: each lever, its value today and where the answer flips.

    Parameters
    ----------
    race : RevenueRace
        From :func:`revenue_race`.
    registry : mapping of str to Assumption
        The scenario's full registry (for the race's rows).
    model_registry : mapping of str to Assumption
        The rows of the per-sample model (:func:`aiboom.analysis.money.scenario_model`).
    accelerator : Accelerator
        Serving accelerator constants.
    payback_lever, cost_lever : str
        Kernel input ids: the largest levers of the payback and of the cost per query.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``lever``, ``quantity`` and ``subject`` (for the results manifest),
        ``unit``, ``today``, ``threshold`` [lever unit; NaN when out of
        reach], ``answer`` (what is decided), ``holds_if`` ("above" or "below": on which side
        of the threshold the answer holds), ``holds`` (whether it holds today) and ``low``,
        ``high`` (the lever's registry range; NaN where it has no registry row).
    """
    inputs = money.central_inputs(model_registry)
    life_months = race.life_years * MONTHS_PER_YEAR
    payback = kernels.reference_per_sample(inputs, accelerator)
    c_star = break_even_usd_per_query(model_registry,
                                      model_registry["paid_conversion_rate"].central)

    def model_out(key: str, output: str) -> Callable[[float], float]:
        return lambda x: kernels.reference_per_sample({**inputs, key: x}, accelerator)[output]

    earned_needed = race.required_usd_bn / cumulative_revenue_usd_bn(
        1.0, race.growth_per_year, race.life_years)
    rows = [
        {"key": "growth", "lever": "growth of disclosed AI revenue",
         "quantity": "growth_per_year", "subject": "disclosed ai revenue, race flips",
         "unit": "x/yr", "today": race.growth_per_year,
         "threshold": growth_needed_per_year(race.required_usd_bn, race.earned_usd_bn,
                                             race.life_years),
         "answer": "the revenue gap closes within the hardware's life", "closes_high": True,
         "holds": race.closes, "low": registry[RACE_IDS["growth"]].low,
         "high": registry[RACE_IDS["growth"]].high},
        {"key": "life", "lever": "economic life of the accelerators",
         "quantity": "economic_life", "subject": "ai accelerator, race flips",
         "unit": "years", "today": race.life_years, "threshold": race.years_to_close,
         "answer": "the revenue gap closes within the hardware's life", "closes_high": True,
         "holds": race.closes, "low": registry[RACE_IDS["life_years"]].low,
         "high": registry[RACE_IDS["life_years"]].high},
        {"key": "earned", "lever": "disclosed AI revenue", "unit": "USD bn/yr",
         "quantity": "revenue_usd_per_year", "subject": "disclosed ai run-rates, race flips",
         "today": race.earned_usd_bn, "threshold": earned_needed,
         "answer": "the revenue gap closes within the hardware's life", "closes_high": True,
         "holds": race.closes, "low": math.nan, "high": math.nan},
        {"key": "payback", "lever": money.prose_label(lever_label(model_registry, payback_lever)),
         "quantity": payback_lever,
         "subject": "generative ai, payback equal to hardware life",
         "unit": model_registry[payback_lever].unit, "today": inputs[payback_lever],
         "threshold": lever_threshold(model_out(payback_lever, "payback_months"), life_months,
                                      model_registry[payback_lever]),
         "answer": "the generative-AI project pays back within the hardware's life",
         "closes_high": _rises(model_out(payback_lever, "payback_months"),
                               model_registry[payback_lever], falling_is_good=True),
         "holds": payback["payback_months"] <= life_months,
         "low": model_registry[payback_lever].low, "high": model_registry[payback_lever].high},
        {"key": "cost", "lever": money.prose_label(lever_label(model_registry, cost_lever)),
         "quantity": cost_lever,
         "subject": "average query, subscriptions just covering compute",
         "unit": model_registry[cost_lever].unit, "today": inputs[cost_lever],
         "threshold": lever_threshold(model_out(cost_lever, "usd_per_query"), c_star,
                                      model_registry[cost_lever]),
         "answer": "subscriptions at today's paying share cover the compute",
         "closes_high": _rises(model_out(cost_lever, "usd_per_query"),
                               model_registry[cost_lever], falling_is_good=True),
         "holds": payback["usd_per_query"] <= c_star,
         "low": model_registry[cost_lever].low, "high": model_registry[cost_lever].high},
    ]
    frame = pd.DataFrame(rows)
    frame["holds_if"] = np.where(frame["closes_high"], "above", "below")
    return frame.drop(columns="closes_high")


def _rises(fn: Callable[[float], float], a: Assumption, falling_is_good: bool) -> bool:
    """Whether raising the input improves the answer (output falls when ``falling_is_good``)."""
    lo, hi = fn(a.low), fn(a.high)
    lo = lo if math.isfinite(lo) else 1e30
    hi = hi if math.isfinite(hi) else 1e30
    return (hi < lo) if falling_is_good else (hi > lo)


def _fmt(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "out of reach"
    return outlook.format_value(value, unit) if unit in {"USD/month", "fraction", "USD/query",
                                                         "USD", "months"} else (
        f"US$ {value:,.0f} billion a year" if unit == "USD bn/yr"
        else f"{value:.1f} times a year" if unit == "x/yr"
        else f"{value:.1f} years" if unit == "years"
        else _sig(value) if unit in {"ratio", "unitless", "count"}
        else f"{_sig(value)} {unit.replace('/query', ' a query').replace('/', ' per ')}")


def _sig(value: float) -> str:
    """Three significant figures without exponent notation ('2,000', '24,300', '0.125')."""
    r = float(f"{value:.3g}")
    return f"{r:,.0f}" if abs(r) >= 100 else f"{r:.3g}"


def watch_sentence(row: Mapping[str, Any]) -> str:
    """One watch-list item in words, its direction chosen by where the threshold lies."""
    lever = row["lever"][0].upper() + row["lever"][1:]
    today, threshold = _fmt(row["today"], row["unit"]), _fmt(row["threshold"], row["unit"])
    if not math.isfinite(row["threshold"]):
        return (f"{lever} (today {today}): no value within a hundredfold of its registry range "
                f"changes whether the {row['answer']}, so it is not the lever to watch.")
    state = "holds" if row["holds"] else "fails"
    flip = row["holds_if"] if not row["holds"] else (
        "below" if row["holds_if"] == "above" else "above")
    verb = "would start to hold" if not row["holds"] else "would fail"
    text = (f"{lever} is {today} today, and the claim that {row['answer']} {state}; it "
            f"{verb} {flip} {threshold}")
    low, high = row.get("low", math.nan), row.get("high", math.nan)
    if math.isfinite(low) and math.isfinite(high) and not low <= row["threshold"] <= high:
        text += (f", outside the registry's range of {_fmt(low, row['unit'])} to "
                 f"{_fmt(high, row['unit'])}, so this lever alone is unlikely to flip it")
    return text + "."


# --------------------------------------------------------------------------------------------
# Financing: depreciation lives, free cash flow, a lab's profit and loss
# --------------------------------------------------------------------------------------------


def actual_capex_by_year(capex: pd.DataFrame) -> pd.Series:
    """Reported (``kind == "actual"``) capex of the builders summed by year [USD bn/yr];
    guidance rows are left out."""
    return capex[capex["kind"] == "actual"].groupby("year")["capex_usd_bn"].sum()


def depreciation_lives(accounting_years: float, economic_years: float) -> dict[str, float]:
    """The two lives the depreciation chart compares, labelled as it shows them [years]:
    the accounting life first, then the economic life."""
    return {f"Accounting life, {accounting_years:.0f} years": accounting_years,
            f"Economic life, {economic_years:.0f} years": economic_years}


def depreciation_by_life(capex_by_year: pd.Series, lives: Mapping[str, float],
                         share: float = 1.0, backend: str | None = None) -> pd.DataFrame:
    """Yearly straight-line depreciation of a capex series at several lives.

    Parameters
    ----------
    capex_by_year : pandas.Series
        Capex indexed by consecutive years [USD bn].
    lives : mapping of str to float
        Label to useful life [years].
    share : float, default 1
        Share of capex depreciated at these lives (e.g. the accelerator share) [fraction].
    backend : str, optional
        Array backend: every life and year at once.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``life`` (label), ``life_years`` [years], ``depreciation_usd_bn`` [USD bn/yr]
        (:func:`aiboom.economics.depreciation_schedule_usd`, full-year convention: a vintage is
        charged from the year it is spent), life by life; tagged as computed by
        ``answer.depreciation_by_life``.
    """
    be = get_backend(backend)
    xp = be.xp
    years = capex_by_year.index.to_numpy()
    if len(years) and not np.array_equal(years, np.arange(years[0], years[0] + len(years))):
        raise ValueError("capex_by_year must cover consecutive years")
    life = xp.asarray(list(lives.values()), dtype=float)  # [years]
    spent = xp.asarray(capex_by_year.to_numpy(dtype=float)) * share  # [USD bn]
    dep = economics.depreciation_schedule_usd(
        xp.broadcast_to(spent[None, :], (len(lives), len(years))), life)  # life x year
    return be.frame("answer.depreciation_by_life", {
        "year": np.tile(years, len(lives)), "life": np.repeat(list(lives), len(years)),
        "life_years": xp.repeat(life, len(years)), "depreciation_usd_bn": dep.ravel()})


def depreciation_gap(dep: pd.DataFrame, economic: str, accounting: str) -> pd.Series:
    """Depreciation at the economic life minus at the accounting life, by year [USD bn/yr];
    positive when reported profit is overstated."""
    wide = dep.pivot(index="year", columns="life", values="depreciation_usd_bn")
    return wide[economic] - wide[accounting]


def depreciation_sentence(gap_usd_bn: float, economic_years: float, accounting_years: float,
                          year: int) -> str:
    """What the choice of life does to the builders' reported profit, by its sign."""
    if abs(gap_usd_bn) < 0.05:
        return (f"With an economic life of {economic_years:.2g} years against an accounting "
                f"life of {accounting_years:.2g}, the choice of life hardly changes reported "
                "profit.")
    if gap_usd_bn > 0:
        return (f"Accelerators that wear out in {economic_years:.2g} years but are written off "
                f"over {accounting_years:.2g} flatter reported profit: in {year} the four "
                f"builders charged about US$ {gap_usd_bn:,.0f} billion less depreciation than "
                "the hardware's economic life implies.")
    return (f"Accelerators that last {economic_years:.2g} years but are written off over "
            f"{accounting_years:.2g} understate reported profit: in {year} the four builders "
            f"charged about US$ {-gap_usd_bn:,.0f} billion more depreciation than the "
            "hardware's economic life implies.")


def free_cash_flow(cash_flow: pd.DataFrame) -> pd.DataFrame:
    """``data/cash_flow.csv`` with ``fcf_usd_bn`` = operating cash flow minus capex [USD bn]
    and ``capex_share_of_ocf`` [fraction]."""
    out = cash_flow.copy()
    out["fcf_usd_bn"] = out["operating_cash_flow_usd_bn"] - out["capex_usd_bn"]
    out["capex_share_of_ocf"] = out["capex_usd_bn"] / out["operating_cash_flow_usd_bn"]
    return out


def free_cash_flow_totals(fcf: pd.DataFrame) -> pd.DataFrame:
    """Sum over companies by year: ``operating_cash_flow_usd_bn``, ``capex_usd_bn``,
    ``fcf_usd_bn`` [USD bn] and ``capex_share_of_ocf`` [fraction]."""
    tot = fcf.groupby("year", as_index=False)[["operating_cash_flow_usd_bn", "capex_usd_bn",
                                               "fcf_usd_bn"]].sum()
    tot["capex_share_of_ocf"] = tot["capex_usd_bn"] / tot["operating_cash_flow_usd_bn"]
    return tot


def cash_flow_sentence(totals: pd.DataFrame, guidance_usd_bn: float,
                       guidance_year: int) -> str:
    """How next year's capex guidance compares with the latest operating cash flow."""
    last = totals.iloc[-1]
    ocf = last["operating_cash_flow_usd_bn"]
    if guidance_usd_bn > ocf:
        return (f"Their capex guidance for {guidance_year}, about US$ {guidance_usd_bn:,.0f} "
                f"billion, is more than the US$ {ocf:,.0f} billion of cash their operations "
                f"brought in during {int(last['year'])}: at that pace the build-out is no "
                "longer paid for out of operating cash, and the rest has to come from cash "
                "piles, debt or leases.")
    return (f"Their capex guidance for {guidance_year}, about US$ {guidance_usd_bn:,.0f} "
            f"billion, is {guidance_usd_bn / ocf:.0%} of the US$ {ocf:,.0f} billion of cash their "
            f"operations brought in during {int(last['year'])}: the build-out is still paid "
            "for out of operating cash.")


def lab_pnl(ai_revenue: pd.DataFrame, registry: Mapping[str, Assumption],
            usd_per_query: float, company: str = "OpenAI", year: int = 2025,
            backend: str | None = None) -> pd.DataFrame:
    """A lab's reported year against the modelled inference bill.

    Parameters
    ----------
    ai_revenue : pandas.DataFrame
        ``data/ai_revenue.csv``: rows ``revenue``, ``cost_of_revenue``, ``operating_loss``
        dated 31 December of ``year``.
    registry : mapping of str to Assumption
        The users and queries of :func:`inference_bill_usd_bn`.
    usd_per_query : float
        Cost of an average query [USD/query].
    company : str, default "OpenAI"
    year : int, default 2025
    backend : str, optional
        Array backend of the arithmetic.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``value_usd_bn`` [USD bn], ``kind`` ("reported" or "modelled"); operating
        expenses are revenue plus operating loss, and the modelled row is the yearly compute
        bill of the lab's chat queries (:func:`inference_bill_usd_bn`). Tagged as computed
        by ``answer.lab_pnl``.
    """
    be = get_backend(backend)
    xp = be.xp
    rows = ai_revenue[(ai_revenue["company"] == company)
                      & (ai_revenue["date"] == pd.Timestamp(f"{year}-12-31"))]
    value = rows.set_index("metric")["value_usd_bn"]
    missing = {"revenue", "cost_of_revenue", "operating_loss"} - set(value.index)
    if missing:
        raise KeyError(f"{company} {year}: no {', '.join(sorted(missing))} in ai_revenue")
    reported = xp.asarray([value["revenue"], value["cost_of_revenue"], value["operating_loss"]],
                          dtype=float)  # [USD bn]
    bill = inference_bill_usd_bn(registry, xp.asarray([usd_per_query], dtype=float))
    return be.frame("answer.lab_pnl", {
        "item": ["Revenue", "Cost of revenue", "Operating costs", "Operating loss",
                 "Modelled inference bill"],
        "value_usd_bn": xp.concatenate([reported[:2], reported[0:1] + reported[2:3],
                                        reported[2:3], bill]),
        "kind": ["reported"] * 4 + ["modelled"],
    })


def inference_bill_usd_bn(registry: Mapping[str, Assumption], usd_per_query: ArrayLike) -> Any:
    r"""Yearly compute bill of a chatbot's queries, :math:`U q\, 365\, c / 10^9` [USD bn/yr],
    from central ``weekly_active_users`` and ``queries_per_user_per_day``
    (as :func:`aiboom.validation.economics.chatgpt_inference_bill_usd_bn`), elementwise in the
    cost per query :math:`c` [USD/query] (NumPy or CuPy arrays alike)."""
    return (registry["weekly_active_users"].central
            * registry["queries_per_user_per_day"].central * DAYS_PER_YEAR * usd_per_query / 1e9)


def lab_costs_sentence(pnl: pd.DataFrame, company: str = "OpenAI", year: int = 2025) -> str:
    """A lab's reported year in words, chosen by whether its costs exceed its revenue.

    Parameters
    ----------
    pnl : pandas.DataFrame
        From :func:`lab_pnl` [USD bn].
    company : str, default "OpenAI"
    year : int, default 2025

    Returns
    -------
    str
        Revenue, cost of revenue and operating result, and the dollars spent per dollar taken
        in; investors pay the difference when there is a loss.
    """
    v = pnl.set_index("item")["value_usd_bn"]
    revenue, cor, loss = v["Revenue"], v["Cost of revenue"], v["Operating loss"]
    per_dollar = v["Operating costs"] / revenue
    head = (f"In {year} {company} recognised US$ {revenue:,.3g} billion of revenue, with a cost "
            f"of revenue of US$ {cor:,.3g} billion and ")
    if loss > 0:
        return head + (f"an operating loss of US$ {loss:,.3g} billion: it spent "
                       f"{per_dollar:.2g} dollars for each dollar it took in, and its investors "
                       "paid the difference.")
    return head + (f"an operating profit of US$ {-loss:,.3g} billion: it spent "
                   f"{per_dollar:.2g} dollars for each dollar it took in, and paid its way "
                   "from revenue.")


def lab_sentence(pnl: pd.DataFrame) -> str:
    """Where the modelled inference bill sits in the lab's reported costs.

    Parameters
    ----------
    pnl : pandas.DataFrame
        From :func:`lab_pnl` [USD bn].

    Returns
    -------
    str
        The bill as a share of the cost of revenue when it is smaller (then what the costs
        below the gross line do to the operating result), or as a multiple when it is larger.
    """
    v = pnl.set_index("item")["value_usd_bn"]
    bill, cor, revenue = v["Modelled inference bill"], v["Cost of revenue"], v["Revenue"]
    loss = v["Operating loss"]
    below = v["Operating costs"] - cor
    if bill <= cor:
        if loss <= 0:
            tail = "which its revenue covered"
        elif below >= loss:
            tail = "which on their own exceed the operating loss"
        else:
            tail = f"which come to {below / loss:.0%} of the operating loss"
        return (f"The modelled bill for answering chat queries is {bill / cor:.0%} of the "
                "reported cost of revenue, so chat serving explains only part of it; the rest "
                "lies outside the per-query model (the API, other products and hosting "
                "overheads), as do the training runs, research and staff below the gross line, "
                f"{tail}.")
    return (f"The modelled bill for answering chat queries is {bill / cor:.2g} times the "
            f"reported cost of revenue and {bill / revenue:.0%} of revenue: at these inputs the "
            "model prices queries higher than the lab reports paying for them.")


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def race_curves(answers: list[ScenarioAnswer], horizon_years: float | None = None,
                n: int = 81, backend: str | None = None) -> pd.DataFrame:
    """Cumulative revenue against the requirement by year [USD bn].

    Parameters
    ----------
    answers : list of ScenarioAnswer
        The scenarios; one curve per distinct (revenue, growth, requirement), labelled with
        every scenario that shares it.
    horizon_years : float, optional
        Last year drawn; a quarter beyond the longest hardware life or closing time by
        default [years].
    n : int, default 81
        Points per curve.
    backend : str, optional
        Array backend: every curve and year at once.

    Returns
    -------
    pandas.DataFrame
        ``curve`` (label), ``years`` [years], ``cumulative_usd_bn``
        (:func:`cumulative_revenue_usd_bn`) and ``required_usd_bn`` [USD bn], curve by curve;
        tagged as computed by ``answer.race_curves``.
    """
    be = get_backend(backend)
    xp = be.xp
    if horizon_years is None:
        ends = [v for a in answers for v in (a.race.life_years, a.race.years_to_close)
                if math.isfinite(v)]
        horizon_years = 1.25 * max(ends)
    groups: dict[tuple, list[ScenarioAnswer]] = {}
    for a in answers:
        key = tuple(round(v, 9) for v in (a.race.earned_usd_bn, a.race.growth_per_year,
                                          a.race.required_usd_bn))
        groups.setdefault(key, []).append(a)
    races = [members[0].race for members in groups.values()]
    t = xp.linspace(0.0, horizon_years, n)  # [years]
    earned = xp.asarray([r.earned_usd_bn for r in races])[:, None]
    growth = xp.asarray([r.growth_per_year for r in races])[:, None]
    cumulative = cumulative_revenue_usd_bn(earned, growth, t[None, :])  # curve x year
    return be.frame("answer.race_curves", {
        "curve": np.repeat([", ".join(short_title(m.title) for m in members)
                            for members in groups.values()], n),
        "years": xp.tile(t, len(races)), "cumulative_usd_bn": cumulative.ravel(),
        "required_usd_bn": np.repeat([r.required_usd_bn for r in races], n)})


def short_title(title: str) -> str:
    """A scenario title up to its colon ('Bear: the correction deepens' -> 'Bear')."""
    return title.split(":")[0].strip()


def life_points(answers: list[ScenarioAnswer]) -> pd.DataFrame:
    """Each scenario's hardware life and the cumulative revenue earned by then [USD bn]."""
    return pd.DataFrame({
        "scenario": [short_title(a.title) for a in answers],
        "years": [a.race.life_years for a in answers],
        "cumulative_usd_bn": [a.race.earned_over_life_usd_bn for a in answers],
        "verdict": [verdict_word(a.race) for a in answers]})


def chart_revenue_race(curves: pd.DataFrame, points: pd.DataFrame) -> alt.LayerChart:
    """Cumulative disclosed AI revenue (lines) against the revenue a year of purchases
    requires (dashed), with a marker where each scenario's hardware wears out."""
    lines = charts.lines(curves, x="years", y="cumulative_usd_bn", color="curve",
                         x_title="Years from today", y_title="US$ billion", y_format=",.0f",
                         points=False)
    need = alt.Chart(curves.drop_duplicates("curve")).mark_rule(strokeDash=[4, 3]).encode(
        y="required_usd_bn:Q", color=alt.Color("curve:N", legend=None))
    dots = alt.Chart(points).mark_point(filled=True, size=80, color="#333").encode(
        x="years:Q", y="cumulative_usd_bn:Q", shape=alt.Shape("scenario:N", title="Life ends"),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("years:Q", title="Hardware life, years", format=".1f"),
                 alt.Tooltip("cumulative_usd_bn:Q", title="Earned by then, US$ bn",
                             format=",.0f"),
                 alt.Tooltip("verdict:N", title="Gap within life")])
    return alt.layer(lines, need, dots)


def chart_depreciation(dep: pd.DataFrame) -> alt.Chart:
    """Yearly depreciation of the accelerator share of capex at each life."""
    return charts.lines(dep, x="year", y="depreciation_usd_bn", color="life",
                        x_title="Year", y_title="Depreciation, US$ billion a year",
                        y_format=",.0f")


def chart_cash_flow(totals: pd.DataFrame) -> alt.LayerChart:
    """Operating cash flow and capex of the four builders (bars side by side) and free cash
    flow (line), by year."""
    long = totals.melt(id_vars="year", value_vars=["operating_cash_flow_usd_bn", "capex_usd_bn"],
                       var_name="measure", value_name="usd_bn")
    long["measure"] = long["measure"].map({"operating_cash_flow_usd_bn": "Operating cash flow",
                                           "capex_usd_bn": "Capital expenditure"})
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("year:O", title="Year"), xOffset="measure:N",
        y=alt.Y("usd_bn:Q", title="US$ billion", axis=alt.Axis(format=",.0f")),
        color=alt.Color("measure:N", title=None),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("usd_bn:Q", title="US$ bn", format=",.1f")])
    line = alt.Chart(totals.assign(label="Free cash flow")).mark_line(
        point=True, color="#333").encode(
        x="year:O", y="fcf_usd_bn:Q",
        tooltip=[alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("fcf_usd_bn:Q", title="Free cash flow, US$ bn", format=",.1f")])
    return alt.layer(bars, line)


def chart_lab_pnl(pnl: pd.DataFrame) -> alt.Chart:
    """A lab's reported revenue and costs and the modelled inference bill, as bars."""
    return alt.Chart(pnl).mark_bar().encode(
        y=alt.Y("item:N", sort=list(pnl["item"]), title=None),
        x=alt.X("value_usd_bn:Q", title="US$ billion", axis=alt.Axis(format=",.0f")),
        color=alt.Color("kind:N", title=None),
        tooltip=[alt.Tooltip("item:N", title="Item"),
                 alt.Tooltip("value_usd_bn:Q", title="US$ bn", format=",.2f")])
