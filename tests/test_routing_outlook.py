"""Chapters 5 and 6's chart kernels, called on the baseline scenario (checked by
test_kernel_routing)."""

from __future__ import annotations

import functools

import numpy as np
from _counting import baseline_model

from aiboom import data
from aiboom.analysis import money, outlook

N = 2_000  # samples: enough to exercise every path, small enough to take milliseconds


@functools.cache
def _genai() -> dict[str, np.ndarray]:
    scenario, registry, accelerator = baseline_model()
    return money.simulate_project(registry, "genai", N, scenario.seed, "numpy", accelerator)


def _cost_histogram():
    _, registry, accelerator = baseline_model()
    small = money.evaluate_with(_genai(), outlook.small_model_changes(registry), "numpy",
                                accelerator)
    return outlook.cost_histogram({"frontier": _genai()["usd_per_query"],
                                   "small": small["usd_per_query"]})


def _query_by_accelerator():
    scenario = baseline_model()[0]
    return outlook.query_by_accelerator(_genai(), data.accelerators(), scenario.registry,
                                        scenario.seed, samples_accelerator=scenario.accelerator)


def _price_paths():
    scenario, registry, _ = baseline_model()
    prices = data.api_prices()
    return outlook.price_paths(registry, outlook.frontier_price_trend(prices), 2026, N,
                               scenario.seed)


def _targets() -> dict[str, float]:
    registry = baseline_model()[1]
    return {"typical-tech payback": registry["survey_payback_typical_months"].central,
            "one-year payback": 12.0}


KERNELS = {
    "outlook.cost_histogram": _cost_histogram,
    "outlook.workload_bills": lambda: outlook.workload_bills(data.api_prices(),
                                                             baseline_model()[1]),
    "outlook.perf_per_watt": lambda: outlook.perf_per_watt(data.accelerators()),
    "outlook.query_by_accelerator": _query_by_accelerator,
    "outlook.price_paths": _price_paths,
    "outlook.lever_sweep": lambda: outlook.lever_sweep(
        money.central_inputs(baseline_model()[1]), [1.0, 3.0, 10.0], baseline_model()[2]),
    "outlook.what_must_be_true": lambda: outlook.what_must_be_true(
        money.central_inputs(baseline_model()[1]), _targets(), baseline_model()[2]),
}
