"""Chapter 4's chart kernels, called on the baseline scenario (checked by test_kernel_routing).

Each entry builds one chart table of ``notebooks/04_where_is_the_money.md`` as the chapter
does, on a small Monte Carlo run and small grids (the runs go through the backend too).
``money.log_histogram`` is the histogram of chapter 5 (:mod:`aiboom.analysis.outlook`).
"""

from __future__ import annotations

import functools

from conftest import ROOT

from aiboom.analysis import money
from aiboom.scenarios import load_scenario

#: Monte Carlo samples per project here [samples].
N = 1_000


@functools.cache
def _chapter() -> dict:
    scenario = load_scenario(str(ROOT / "data" / "scenarios" / "baseline.yaml"))
    registry, accelerator = money.scenario_model(scenario)
    sims = {kind: money.simulate_project(registry, kind, N, scenario.seed,
                                         accelerator=accelerator)
            for kind in money.PROJECT_KINDS}
    return {"scenario": scenario, "registry": registry, "accelerator": accelerator,
            "sims": sims}


def _paybacks() -> dict:
    sims = _chapter()["sims"]
    return {label: sims[kind]["payback_months"] for kind, label in money.PROJECT_KINDS.items()}


def _free_tier():
    c = _chapter()
    return money.free_tier_by_conversion(c["registry"], c["sims"]["genai"]["usd_per_query"],
                                         c["scenario"].seed, money.CONVERSION_GRID[::10])


def _cleanup():
    c = _chapter()
    return money.cleanup_grid(c["sims"]["genai"], c["registry"], [0.0, 12.0],
                              accelerator=c["accelerator"])


def _tornado():
    c = _chapter()
    return money.payback_tornado(c["registry"], top=money.TOP_INPUTS,
                                 accelerator=c["accelerator"])


def _sobol():
    c = _chapter()
    return money.payback_sobol(c["registry"], n_base=2**8, seed=c["scenario"].seed,
                               top=money.TOP_INPUTS, accelerator=c["accelerator"])


def _capture():
    c = _chapter()
    return money.payback_by_capture(c["sims"]["genai"], money.CAPTURE_GRID[::6],
                                    accelerator=c["accelerator"])


KERNELS = {
    "money.payback_histogram": lambda: money.payback_histogram(_paybacks()),
    "money.log_histogram": lambda: money.log_histogram(_paybacks(), 1.0, 240.0, 12),
    "money.free_tier_by_conversion": _free_tier,
    "money.cleanup_grid": _cleanup,
    "money.payback_tornado": _tornado,
    "money.payback_sobol": _sobol,
    "money.payback_by_capture": _capture,
}
