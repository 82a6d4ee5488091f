"""Validation checks of the training family: model functions by check id.

The model's values come from :func:`aiboom.training.backtest_runs`, which prices every
training run in ``data/models.csv`` by Epoch AI's two methods [1]_ from the run's own
defining inputs (its chip, chip-hours or chip count and time, compute, precision, and the MFU
Epoch records for it, a measurement of that run rather than a fitted factor) and the
registry's central values. Two kinds of published figure are checked:

* Epoch AI's per-run costs, which are amortised hardware plus energy (method 1): the median
  ratio over every costed run, and GPT-4 and Gemini 1.0 Ultra by name.
* The cloud-rental costs (method 2) that Epoch AI produced for the AI Index [2]_ [3]_,
  published for a few runs only: each by name, and their median ratio. Epoch's database has
  no per-run series for this method, so the cloud method is not checked against the whole
  history (:func:`aiboom.training.backtest_summary` reports how far above the amortised
  series it lies).

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


def _amortized_median_ratio(registry: Registry) -> float:
    """Median over Epoch's costed runs of model / Epoch, amortised method [ratio]."""
    from aiboom.training import backtest_summary

    costed = _runs(registry)
    costed = costed[costed["epoch_usd"].notna()]
    return float(backtest_summary(costed).loc["amortized", "median_ratio"])


def _cloud_median_ratio(registry: Registry) -> float:
    """Median over the runs with a published cloud-method cost of model / published
    [ratio]."""
    from aiboom import data

    published = data.validation_figures().set_index("id")["published_value"]
    ratios = [_run_cost_usd_m(registry, model, "cloud") / float(published[check])
              for check, model in CLOUD_RUN_CHECKS.items()]
    return float(pd.Series(ratios).median())


def _run_check(model: str, method: str) -> ModelFn:
    return lambda reg: _run_cost_usd_m(reg, model, method)


#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {
    "training_backtest_amortized_median_ratio": _amortized_median_ratio,
    "training_backtest_cloud_median_ratio": _cloud_median_ratio,
    **{check: _run_check(model, "cloud") for check, model in CLOUD_RUN_CHECKS.items()},
    **{check: _run_check(model, "amortized") for check, model in AMORTIZED_RUN_CHECKS.items()},
}
