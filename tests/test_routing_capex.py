"""Chapter 1's chart kernels, called on the baseline scenario (checked by test_kernel_routing)."""

from __future__ import annotations

import functools

from aiboom import data
from aiboom.analysis import capex
from aiboom.scenarios import load_scenario


@functools.cache
def _registry():
    return load_scenario("data/scenarios/baseline.yaml").registry


def _cahn_by_quarter():
    """Cahn's requirement over a few of NVIDIA's quarters, with a small set of draws."""
    quarters = capex.nvidia_quarters(data.nvidia_datacenter_revenue()).tail(4)
    factor = capex.cahn_factor_samples(_registry(), 200, 1)["factor"]
    return capex.cahn_requirement_by_quarter(quarters, _registry(), factor)


KERNELS = {
    "capex.cahn_requirement": _cahn_by_quarter,
    "capex.gigawatt_costs": lambda: capex.gigawatt_costs(_registry(), data.accelerators()),
}
