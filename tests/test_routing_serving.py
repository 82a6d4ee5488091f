"""Chapter 2's chart kernels, called on the baseline scenario (checked by test_kernel_routing).

Each entry builds one chart table of ``notebooks/02_serving_costs.md`` as the chapter does, on a
small grid or a small Monte Carlo run (the runs go through the backend too).
"""

from __future__ import annotations

import functools

from conftest import ROOT

from aiboom import data
from aiboom.analysis import serving as sv
from aiboom.montecarlo import scenario_inputs
from aiboom.scenarios import load_scenario

#: Monte Carlo samples per run here [samples].
N = 1_000


@functools.cache
def _chapter() -> dict:
    scenario = load_scenario(str(ROOT / "data" / "scenarios" / "baseline.yaml"))
    registry = scenario.registry
    setup = sv.create_serving_setup(registry)
    accelerators = sv.with_registry_prices(data.accelerators(), registry)
    mc_registry, mc_accelerator = scenario_inputs(scenario)
    return {"scenario": scenario, "registry": registry, "setup": setup,
            "models": sv.served_models(registry, setup.kv_bytes_per_value),
            "accelerators": accelerators,
            "chip": accelerators.set_index("id").loc[scenario.accelerator],
            "mc": (mc_registry, mc_accelerator)}


def _query_costs() -> sv.QueryCosts:
    c = _chapter()
    mc_registry, mc_accelerator = c["mc"]
    return sv.run_query_costs(mc_registry, N, c["scenario"].seed, accelerator=mc_accelerator)


def _users_curve():
    c = _chapter()
    products = sv.subscription_products(c["registry"], 0.003, 0.02)
    return sv.cost_against_users(sv.USERS_GRID[::5], products,
                                 c["registry"]["subscription_usd_per_month"].central)


def _by_chip():
    c = _chapter()
    return sv.decode_cost_by_accelerator(c["accelerators"], c["models"], c["setup"],
                                         price_column="registry_usd_per_gpu_hour")


def _sweep():
    c = _chapter()
    return sv.roofline_sweep(c["chip"], c["models"], c["setup"],
                             c["chip"]["registry_usd_per_gpu_hour"], sv.BATCH_SIZES[::3])


def _band():
    c = _chapter()
    mc_registry, mc_accelerator = c["mc"]
    token_cost = sv.implied_token_cost(mc_registry, N, c["scenario"].seed,
                                       accelerator=mc_accelerator)
    dates = sv.api_price_points(data.api_prices())["date"]
    return sv.token_cost_band(dates, token_cost)


def _histogram():
    costs = _query_costs()
    return sv.histogram_frame({"plain": costs.plain, "reasoning": costs.reasoning},
                              "usd_per_query", scale=sv.CENTS_PER_USD)


def _spend():
    mix = sv.interval_row("mix", _query_costs().mix, "usd_per_query")
    return sv.cumulative_spend(365.0, 2.5e9, mix, n_points=7)


def _energy():
    return sv.energy_intervals(_query_costs(), _chapter()["registry"]["wh_per_query_reference"])


KERNELS = {
    "serving.cost_against_users": _users_curve,
    "serving.decode_cost_by_accelerator": _by_chip,
    "serving.roofline_sweep": _sweep,
    "serving.token_cost_band": _band,
    "serving.histogram_frame": _histogram,
    "serving.cumulative_spend": _spend,
    "serving.energy_intervals": _energy,
}
