r"""The "Explore the model" page: what its sliders, outputs and charts need, computed once.

The page (``book/explore.md``, drawn by ``book/_static/aiboom-explore.js``) runs the model of
:mod:`aiboom.kernels` in the reader's browser: ``_static/aiboom-model.js``
(:func:`aiboom.kernels.javascript_source`) and ``_static/aiboom-explore-data.js``, a plain
script that assigns :func:`explore_payload` to ``window.aiboomExploreData`` (a script, not a
JSON file fetched at run time: ``fetch`` does not work from ``file://``). The build writes
both into the site (:func:`write_site_scripts`). Nothing runs on a server or a kernel.

Outputs beyond the kernel's five are the book's own functions, written once more in
JavaScript in :data:`DERIVED_JS` (the only place the page computes anything itself); each
mirrors one Python function, operation for operation, so that the two agree to rounding
(``tests/test_explore.py`` checks them at rtol 1e-9):

==============================  ======================================================
JavaScript (``aiboomDerived``)  mirrors
==============================  ======================================================
``usersComputeUsdPerMonth``     :func:`aiboom.economics.users_compute_usd_per_month`
``subscriptionRevenue``         :func:`aiboom.economics.subscription_revenue_usd_per_month`
``grossMargin``                 :func:`aiboom.economics.gross_margin`
``breakEvenConversionRate``     :func:`aiboom.economics.break_even_conversion_rate`
``costAgainstUsers``            :func:`aiboom.analysis.serving.cost_against_users` with
                                :func:`aiboom.analysis.serving.subscription_products`'
                                software product and typical subscriber
``millionTokenParams``          the inputs of :func:`aiboom.analysis.serving.implied_token_cost`
                                (a "query" of a million output tokens and nothing else)
==============================  ======================================================

The Python side of each output is :func:`derived_outputs`, :func:`payback_curve` and
:func:`users_curve`. The numbers are the model at the sliders' values (central inputs), not
the Monte Carlo medians the chapters quote.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from aiboom import charts, economics, kernels
from aiboom.kernels import INPUTS, Accelerator
from aiboom.registry import Assumption

#: The levers the issue asks for, always on the page: kernel inputs and the chatbot rows of
#: chapter 4 (:func:`aiboom.analysis.money.required_conversion`).
ISSUE_LEVERS: tuple[str, ...] = (
    "h100_usd_per_gpu_hour", "frontier_active_params", "decode_batch_size",
    "serving_utilization", "reasoning_query_share", "reasoning_token_multiplier",
    "output_tokens_per_query", "input_tokens_per_query", "paid_conversion_rate",
    "subscription_usd_per_month", "value_capture_share", "data_cleanup_delay_months")
#: Chatbot rows the derived outputs read besides the kernel inputs; the page offers the first
#: four as sliders, the rest travel with each scenario.
CHATBOT_LEVERS: tuple[str, ...] = (
    "paid_conversion_rate", "subscription_usd_per_month", "queries_per_free_user_per_day",
    "queries_per_paid_user_per_day")
EXTRA_INPUTS: tuple[str, ...] = (
    *CHATBOT_LEVERS, "software_fixed_cost_usd", "software_marginal_usd_per_user_month",
    "ai_training_fixed_cost_usd")
#: Labels of the rows that :data:`aiboom.analysis.money.INPUT_LABELS` does not name.
EXTRA_LABELS: dict[str, str] = {
    "paid_conversion_rate": "Paying share of weekly users",
    "subscription_usd_per_month": "Subscription price",
    "queries_per_free_user_per_day": "Queries per free user per day",
    "queries_per_paid_user_per_day": "Queries per paying user per day",
}
#: Slider range of a row whose registry range is one value (a list price), as factors of its
#: largest central value [unitless].
FIXED_SPAN: tuple[float, float] = (0.25, 10.0)
#: A range wider than this ratio (high over low) gets a logarithmic slider [unitless].
LOG_RATIO = 8.0
#: Positions of every slider (its ``max``; ``min`` is 0) [steps].
SLIDER_STEPS = 1000
#: Units whose values are whole numbers on the page.
INTEGER_UNITS = frozenset({"count", "tokens", "tokens/query"})
#: Points of the payback-against-a-lever chart [points].
CURVE_POINTS = 61

#: The derived outputs in JavaScript, once; see the module docstring for what each mirrors.
DERIVED_JS = r"""
(function (root) {
  "use strict";
  // aiboom.economics.DAYS_PER_MONTH and aiboom.analysis.serving constants
  const DAYS_PER_MONTH = 365.25 / 12.0;
  const DAYS_PER_YEAR = 365.25;
  const MONTHS_PER_YEAR = 12.0;
  function usersComputeUsdPerMonth(w, s, qf, qp, c) {
    return w * DAYS_PER_MONTH * c * ((1.0 - s) * qf + s * qp);
  }
  function subscriptionRevenue(w, s, price) { return w * s * price; }
  function grossMargin(revenue, cost) { return (revenue - cost) / revenue; }
  function breakEvenConversionRate(price, c, qf, qp) {
    const freeCost = DAYS_PER_MONTH * c * qf;
    const paidCost = DAYS_PER_MONTH * c * qp;
    const denominator = price - paidCost + freeCost;
    return (price >= paidCost && denominator > 0.0) ? freeCost / denominator : Infinity;
  }
  // serving.cost_against_users over serving.subscription_products' software product and
  // typical subscriber: yearly cost per user [USD/user/yr] at each user count
  function costAgainstUsers(users, x, c) {
    const products = [
      ["software", x.software_fixed_cost_usd,
       MONTHS_PER_YEAR * x.software_marginal_usd_per_user_month],
      ["ai", x.ai_training_fixed_cost_usd, DAYS_PER_YEAR * x.queries_per_paid_user_per_day * c]];
    const rows = [];
    products.forEach(function (p) {
      users.forEach(function (u) {
        const total = p[1] + p[2] * u;
        rows.push({product: p[0], users: u, total_usd: total, per_user_usd: total / u,
                   margin: grossMargin(MONTHS_PER_YEAR * x.subscription_usd_per_month * u,
                                       total)});
      });
    });
    return rows;
  }
  // serving.implied_token_cost: a "query" of a million output tokens and nothing else
  function millionTokenParams(params, overrides) {
    return Object.assign({}, params, overrides);
  }
  root.aiboomDerived = {usersComputeUsdPerMonth, subscriptionRevenue, grossMargin,
                        breakEvenConversionRate, costAgainstUsers, millionTokenParams};
})(typeof window !== "undefined" ? window : globalThis);
"""


def _label(key: str) -> str:
    from aiboom.analysis.money import INPUT_LABELS

    return INPUT_LABELS.get(key) or EXTRA_LABELS.get(key) or key


def lever_ranking(registry: Mapping[str, Assumption],
                  accelerator: Accelerator = kernels.H100_SXM) -> dict[str, list[str]]:
    """Kernel inputs in the order of the book's sensitivity analysis, largest swing first.

    Parameters
    ----------
    registry : mapping of str to Assumption
        The scenario's model rows (:func:`aiboom.montecarlo.scenario_inputs`).
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    dict
        ``payback``: the ids of chapter 4's payback tornado
        (:func:`aiboom.analysis.money.payback_tornado`); ``cost``: those of the cost-per-query
        tornado (:func:`aiboom.analysis.answer.cost_tornado`); every uncertain input in each.
    """
    from aiboom.analysis.answer import cost_tornado
    from aiboom.analysis.money import payback_tornado

    payback = payback_tornado(registry, top=len(INPUTS), backend="numpy",
                              accelerator=accelerator)
    cost = cost_tornado(registry, accelerator, top=len(INPUTS), backend="numpy")
    return {"payback": [str(k) for k in payback["id"]], "cost": [str(k) for k in cost["id"]]}


#: Levers taken from the top of each tornado besides the issue's [levers].
TOP_PAYBACK, TOP_COST = 8, 4


def lever_order(ranking: Mapping[str, Sequence[str]]) -> list[str]:
    """The page's sliders, in the order of the sensitivity analysis.

    Parameters
    ----------
    ranking : mapping
        From :func:`lever_ranking`.

    Returns
    -------
    list of str
        The kernel inputs among :data:`ISSUE_LEVERS`, the first :data:`TOP_PAYBACK` of the
        payback tornado and the first :data:`TOP_COST` of the cost tornado, in the payback
        tornado's order (then the cost tornado's, for any it lacks); then the chatbot levers
        (:data:`CHATBOT_LEVERS`), which no tornado ranks.
    """
    payback, cost = list(ranking["payback"]), list(ranking["cost"])
    wanted = {*ISSUE_LEVERS, *payback[:TOP_PAYBACK], *cost[:TOP_COST]}
    ranked = [k for k in payback + [k for k in cost if k not in payback] if k in wanted]
    return ranked + [k for k in CHATBOT_LEVERS if k not in ranked]


def _slider(key: str, rows: Sequence[Mapping[str, Assumption]]) -> dict[str, Any]:
    """Slider of one registry id, its range the union of every scenario's range."""
    a = [r[key] for r in rows]
    centrals = [x.central for x in a]
    low, high = min(x.low for x in a), max(x.high for x in a)
    unit = a[0].unit
    if high <= low:  # a fixed row: a span around its value
        low, high = FIXED_SPAN[0] * max(centrals), FIXED_SPAN[1] * max(centrals)
    if unit == "fraction":
        high = min(high, 1.0)
    log = low > 0.0 and high / low >= LOG_RATIO
    if min(centrals) <= low:  # keep every scenario's value strictly inside
        low = low / 2.0 if log else max(low - 0.1 * (high - low), 0.0)
    return {"id": key, "label": _label(key), "unit": unit, "low": float(low),
            "high": float(high), "central": float(rows[0][key].central),
            "scale": "log" if log else "linear", "steps": SLIDER_STEPS,
            "integer": unit in INTEGER_UNITS, "kernel": key in INPUTS,
            "description": a[0].description}


def explore_payload(scenarios: Iterable[Any]) -> dict[str, Any]:
    """Everything the explore page needs, JSON-serialisable.

    Parameters
    ----------
    scenarios : iterable of aiboom.scenarios.Scenario
        The shipped scenarios; the first (the baseline) sets the ranking and each slider's
        ``central``.

    Returns
    -------
    dict
        ``sliders`` (in :func:`lever_order`: ``id``, ``label``, ``unit``, ``low``, ``high``
        [registry unit], ``central`` (the first scenario's), ``scale`` ("log" or "linear"),
        ``steps``, ``integer``, ``kernel``, ``description``); ``ranking`` (:func:`lever_ranking`);
        ``scenarios`` (name to ``title``, ``inputs`` (every id of :data:`aiboom.kernels.INPUTS`
        and :data:`EXTRA_INPUTS` to its central [registry unit]) and ``accelerator``
        (:class:`aiboom.kernels.Accelerator` fields [FLOP/s, B/s, B]));
        ``scenario_order``; ``horizon_months``; ``million_token_overrides`` (inputs of
        :func:`aiboom.analysis.serving.implied_token_cost`); ``users_grid``
        (:data:`aiboom.analysis.serving.USERS_GRID`) [users]; ``products`` (labels of the
        two products of :func:`users_curve`); ``curve_points``; ``palette``
        (:data:`aiboom.charts.PALETTE`).
    """
    from aiboom.analysis import serving
    from aiboom.montecarlo import scenario_inputs

    resolved = []
    for s in scenarios:
        rows, accelerator = scenario_inputs(s)
        resolved.append((s, dict(rows), accelerator))
    if not resolved:
        raise ValueError("explore_payload needs at least one scenario")
    base_rows, base_acc = resolved[0][1], resolved[0][2]
    ranking = lever_ranking(base_rows, base_acc)
    order = lever_order(ranking)
    all_rows = [r for _, r, _ in resolved]
    return {
        "sliders": [_slider(k, all_rows) for k in order],
        "ranking": ranking,
        "scenario_order": [s.name for s, _, _ in resolved],
        "scenarios": {s.name: {
            "title": s.title,
            "inputs": {k: float(rows[k].central) for k in (*INPUTS, *EXTRA_INPUTS)},
            "accelerator": {k: float(v) for k, v in acc._asdict().items()}}
            for s, rows, acc in resolved},
        "horizon_months": kernels.PAYBACK_HORIZON_MONTHS,
        "million_token_overrides": million_token_overrides(),
        "users_grid": [float(u) for u in serving.USERS_GRID],
        "products": {"software": serving.SOFTWARE, "ai": serving.AI_TYPICAL},
        "curve_points": CURVE_POINTS,
        "palette": list(charts.PALETTE),
    }


def million_token_overrides() -> dict[str, float]:
    """Inputs that turn a query into a million output tokens and nothing else, as
    :func:`aiboom.analysis.serving.implied_token_cost` sets them [registry units]."""
    from aiboom.analysis.serving import TOKENS_PER_MILLION

    return {"input_tokens_per_query": 0.0, "output_tokens_per_query": TOKENS_PER_MILLION,
            "reasoning_token_multiplier": 0.0, "cached_input_share": 0.0}


def derived_outputs(inputs: Mapping[str, float],
                    accelerator: Accelerator = kernels.H100_SXM) -> dict[str, float]:
    """The page's outputs at one set of inputs, by the book's Python functions.

    Parameters
    ----------
    inputs : mapping of str to float
        Every id of :data:`aiboom.kernels.INPUTS` and :data:`EXTRA_INPUTS` [registry units].
    accelerator : Accelerator, default H100_SXM
        Serving accelerator constants.

    Returns
    -------
    dict of str to float
        ``usd_per_query`` [USD/query], ``usd_per_million_output_tokens`` [USD/Mtoken],
        ``compute_usd_per_user_month`` (all weekly users, free and paying, per user)
        [USD/user/month], ``margin_at_price`` (subscriptions less that compute, over
        subscriptions) [fraction], ``payback_months`` [months, ``inf`` for never] and
        ``break_even_paying_share`` [fraction, ``inf`` when none].
    """
    model = kernels.reference_per_sample(inputs, accelerator)
    token = kernels.reference_per_sample({**inputs, **million_token_overrides()}, accelerator)
    c = model["usd_per_query"]
    s, price = inputs["paid_conversion_rate"], inputs["subscription_usd_per_month"]
    qf, qp = inputs["queries_per_free_user_per_day"], inputs["queries_per_paid_user_per_day"]
    cost = float(economics.users_compute_usd_per_month(1.0, s, qf, qp, c))
    revenue = float(economics.subscription_revenue_usd_per_month(1.0, s, price))
    return {
        "usd_per_query": c,
        "usd_per_million_output_tokens": token["usd_per_query"],
        "compute_usd_per_user_month": cost,
        "margin_at_price": float(economics.gross_margin(revenue, cost)),
        "payback_months": model["payback_months"],
        "break_even_paying_share": float(economics.break_even_conversion_rate(
            price, c, qf, qp)),
    }


def payback_curve(inputs: Mapping[str, float], lever: str, values: Sequence[float],
                  accelerator: Accelerator = kernels.H100_SXM) -> list[float]:
    """Payback against one kernel input, others held, as the page charts it.

    Returns
    -------
    list of float
        :func:`aiboom.kernels.reference_per_sample`'s payback at each value, a payback never
        reached drawn at :data:`aiboom.kernels.PAYBACK_HORIZON_MONTHS` (as the tornado of
        chapter 4 does) [months].
    """
    horizon = kernels.PAYBACK_HORIZON_MONTHS
    return [min(kernels.reference_per_sample({**inputs, lever: float(v)}, accelerator)[
        "payback_months"], horizon) for v in values]


def users_curve(inputs: Mapping[str, float], usd_per_query: float,
                users: Sequence[float]) -> list[dict[str, Any]]:
    """Yearly cost per user of software and of a typical AI subscriber against users.

    :func:`aiboom.analysis.serving.cost_against_users` of the software product and the
    typical subscriber of :func:`aiboom.analysis.serving.subscription_products` (registry
    values from ``inputs``, the page's cost per query for the subscriber).

    Returns
    -------
    list of dict
        ``product`` ("software" or "ai"), ``users`` [users], ``total_usd`` [USD/yr],
        ``per_user_usd`` [USD/user/yr], ``margin`` [fraction], products in that order.
    """
    from aiboom.analysis import serving

    products = {
        "software": (inputs["software_fixed_cost_usd"],
                     serving.MONTHS_PER_YEAR * inputs["software_marginal_usd_per_user_month"]),
        "ai": (inputs["ai_training_fixed_cost_usd"],
               serving.DAYS_PER_YEAR * inputs["queries_per_paid_user_per_day"] * usd_per_query),
    }
    frame = serving.cost_against_users(np.asarray(users, dtype=float), products,
                                       inputs["subscription_usd_per_month"], "numpy")
    return [{k: (row[k] if k == "product" else float(row[k]))
             for k in ("product", "users", "total_usd", "per_user_usd", "margin")}
            for _, row in frame.iterrows()]


def payload_script(payload: Mapping[str, Any]) -> str:
    """``_static/aiboom-explore-data.js``: the payload as a plain script, then
    :data:`DERIVED_JS`. Infinite numbers (none are expected) would not be JSON, so they
    raise."""
    text = json.dumps(payload, sort_keys=True, allow_nan=False)
    return ("// aiboom explore page data (aiboom.explore.explore_payload), generated: do not "
            f"edit.\nwindow.aiboomExploreData = {text};\n{DERIVED_JS.lstrip()}")


def write_site_scripts(static: Path, scenarios: Iterable[Any] | None = None) -> list[Path]:
    """Write ``aiboom-model.js`` and ``aiboom-explore-data.js`` into ``static``.

    Parameters
    ----------
    static : pathlib.Path
        The staged ``book/_static`` folder.
    scenarios : iterable of Scenario, optional
        Defaults to the shipped scenarios (:data:`aiboom.scenarios.SHIPPED_SCENARIOS`) that
        ``data/scenarios`` holds.

    Returns
    -------
    list of pathlib.Path
        The two files written.
    """
    if scenarios is None:
        from aiboom import paths
        from aiboom.scenarios import SHIPPED_SCENARIOS, load_scenario

        files = [paths.SCENARIOS / f"{name}.yaml" for name in SHIPPED_SCENARIOS]
        scenarios = [load_scenario(f) for f in files if f.is_file()]
    model, data = static / "aiboom-model.js", static / "aiboom-explore-data.js"
    model.write_text(kernels.javascript_source(), encoding="utf-8")
    data.write_text(payload_script(explore_payload(scenarios)), encoding="utf-8")
    return [model, data]
