"""Chapter 3's chart kernels, called on the baseline scenario (checked by test_kernel_routing)."""

from __future__ import annotations

import functools

import numpy as np

from aiboom import data, montecarlo, training
from aiboom.analysis import training_trends as tt
from aiboom.scenarios import load_scenario


@functools.cache
def _registry():
    return load_scenario("data/scenarios/baseline.yaml").registry


@functools.cache
def _h100():
    return data.accelerators().set_index("id").loc["h100"]


def _frontier_runs():
    """A handful of frontier runs, costed by the book's model (both of Epoch's methods)."""
    models = data.models()
    return tt.frontier_run_costs(models[models["frontier"]].tail(6), _registry())


def _trend():
    fit = training.fit_log_linear_trend([2016.0, 2018.0, 2020.0, 2022.0], [1e5, 1e6, 2e7, 1e8])
    return tt.trend_frame(fit, 2016.0, 2026.0, n_points=7)


def _reference_run_table():
    price = montecarlo.accelerator_price_row(_registry(), data.accelerators().set_index("id"),
                                             "h100").central
    return tt.reference_run_table(tt.reference_run(_registry(), _h100(), price))


KERNELS = {
    "training.backtest_runs": _frontier_runs,
    "training_trends.trend_frame": _trend,
    "training_trends.loss_curves": lambda: tt.loss_curves(
        np.logspace(20, 26, 4), tt.scaling_laws(_registry()), 2e-18),
    "training_trends.loss_gain_table": lambda: tt.loss_gain_table(
        np.logspace(20, 26, 4), tt.scaling_laws(_registry())),
    "training_trends.reference_run_table": _reference_run_table,
}
