"""Validation checks of the training family: model functions by check id.

The model's values come from :func:`aiboom.training.backtest_runs`, which prices every
training run in ``data/models.csv`` by Epoch AI's two methods [1]_ from the run's own
defining inputs (its chip, chip-hours or chip count and time, compute, precision, and the MFU
Epoch records for it, a measurement of that run rather than a fitted factor) and the
registry's central values. Two kinds of published figure are checked:

* Epoch AI's per-run costs by each method, run by run, each method against its own series:
  the amortised hardware-plus-energy cost (method 1; Epoch's pipeline output of July 2025
  where it has the run, else the database's ``Training compute cost (2023 USD)``) and the
  cloud-rental cost (method 2; the same pipeline output, 35 runs): the median ratio per
  method, and GPT-4 and Gemini 1.0 Ultra by name.
* The cloud-rental costs that Epoch AI produced for the AI Index [2]_ [3]_: GPT-4, Gemini
  1.0 Ultra and Llama 3.1 405B by name.

See :mod:`aiboom.validation`.

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models,"
   arXiv:2405.21015, 2024.
.. [2] N. Maslej et al., "The AI Index 2024 Annual Report," Stanford HAI, 2024.
.. [3] N. Maslej et al., "The AI Index 2025 Annual Report," Stanford HAI, 2025.
"""

from __future__ import annotations

import pandas as pd

from aiboom.registry import Registry
from aiboom.validation import ModelFn

#: Check ids of the published cloud-method costs of named runs, with the run each prices.
CLOUD_RUN_CHECKS: dict[str, str] = {
    "training_cloud_cost_gpt4": "GPT-4",
    "training_cloud_cost_gemini_ultra": "Gemini 1.0 Ultra",
    "training_cloud_cost_llama31_405b": "Llama 3.1-405B",
}

#: Check ids of Epoch AI's amortised costs of named runs, with the run each prices.
AMORTIZED_RUN_CHECKS: dict[str, str] = {
    "training_amortized_cost_gpt4": "GPT-4",
    "training_amortized_cost_gemini_ultra": "Gemini 1.0 Ultra",
}

_memo: list[tuple[Registry, pd.DataFrame]] = []


def _runs(registry: Registry) -> pd.DataFrame:
    """The back-test of every run with an accelerator row, computed once per registry."""
    from aiboom.training import backtest_runs

    if not _memo or _memo[0][0] is not registry:
        _memo[:] = [(registry, backtest_runs(registry, costed_only=False))]
    return _memo[0][1]


def _run_cost_usd_m(registry: Registry, model: str, method: str) -> float:
    """One run's cost by ``method`` (``amortized`` or ``cloud``) [USD million, 2023]."""
    runs = _runs(registry).set_index("model")
    return float(runs.loc[model, f"{method}_usd"]) / 1.0e6


def _median_ratio(registry: Registry, method: str) -> float:
    """Median over the runs Epoch AI costs by ``method`` of model / Epoch [ratio]."""
    from aiboom.training import backtest_summary

    return float(backtest_summary(_runs(registry)).loc[method, "median_ratio"])


def _amortized_median_ratio(registry: Registry) -> float:
    """Median over Epoch's amortised per-run costs of model / Epoch, method 1 [ratio]."""
    return _median_ratio(registry, "amortized")


def _cloud_median_ratio(registry: Registry) -> float:
    """Median over Epoch's cloud-rental per-run costs of model / Epoch, method 2 [ratio]."""
    return _median_ratio(registry, "cloud")


def _run_check(model: str, method: str) -> ModelFn:
    return lambda reg: _run_cost_usd_m(reg, model, method)


#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {
    "training_backtest_amortized_median_ratio": _amortized_median_ratio,
    "training_backtest_cloud_median_ratio": _cloud_median_ratio,
    **{check: _run_check(model, "cloud") for check, model in CLOUD_RUN_CHECKS.items()},
    **{check: _run_check(model, "amortized") for check, model in AMORTIZED_RUN_CHECKS.items()},
}
