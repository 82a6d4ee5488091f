"""Chapter 8's chart kernels, called on the baseline scenario (checked by test_kernel_routing)."""

from __future__ import annotations

import functools

import pandas as pd
from _counting import baseline_model

from aiboom import data
from aiboom.analysis import answer


@functools.cache
def _answer() -> answer.ScenarioAnswer:
    return answer.scenario_answer(baseline_model()[0], data.nvidia_datacenter_revenue(),
                                  data.ai_revenue())


def _depreciation() -> pd.DataFrame:
    capex = data.capex()
    actual = capex[capex["kind"] == "actual"].groupby("year")["capex_usd_bn"].sum()
    return answer.depreciation_by_life(actual, {"accounting": 6.0, "economic": 4.0}, 0.6)


KERNELS = {
    "answer.race_curves": lambda: answer.race_curves([_answer()], n=9),
    "answer.race_tornado": lambda: answer.race_tornado(
        baseline_model()[0].registry, data.nvidia_datacenter_revenue(), data.ai_revenue()),
    "answer.cost_tornado": lambda: answer.cost_tornado(*baseline_model()[1:], top=4),
    "answer.lab_pnl": lambda: answer.lab_pnl(data.ai_revenue(), baseline_model()[0].registry,
                                             _answer().usd_per_query),
    "answer.depreciation_by_life": _depreciation,
}
