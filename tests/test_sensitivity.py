"""Sensitivity analysis: tornado order, and Sobol indices on functions whose indices are known
in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _mc_helpers import REGISTRY, row

from aiboom.kernels import INPUTS, OUTPUTS, reference_per_sample
from aiboom.registry import Registry
from aiboom.sensitivity import kernel_model, sobol, sobol_indices, tornado


def uniform_inputs(names, n, low, high, seed):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(low, high, n) for k in names}


def test_tornado_orders_a_known_function_by_swing():
    registry = Registry({a.id: a for a in (
        row("x1", "ratio", 0.0, 0.5, 1.0, "uniform"),   # swing 10 * 1 = 10
        row("x2", "ratio", 0.0, 1.0, 5.0, "pert"),      # swing 1 * 5 = 5
        row("x3", "ratio", 0.0, 1.0, 2.0, "triangular"),  # swing 3 * 2 = 6
        row("x4", "ratio", 7.0, 7.0, 7.0, "fixed"),     # not swung
    )})
    frame = tornado(registry, "y", model=lambda x: 10 * x["x1"] + x["x2"] - 3 * x["x3"] + x["x4"])
    assert frame["id"].tolist() == ["x1", "x3", "x2"]
    np.testing.assert_allclose(frame["swing"], [10, 6, 5])
    x3 = frame.set_index("id").loc["x3"]
    assert (x3["output_low"], x3["output_high"]) == (5 + 1 + 7, 5 + 1 - 6 + 7)
    assert (frame["output_central"] == 10 * 0.5 + 1 - 3 + 7).all()
    assert frame.attrs["output"] == "y"


def test_tornado_of_the_model():
    frame = tornado(REGISTRY, "usd_per_query", backend="numpy")
    assert set(frame["id"]) == {k for k in INPUTS if REGISTRY[k].uncertain}
    assert frame["output_central"].iloc[0] == reference_per_sample(
        REGISTRY.centrals())["usd_per_query"]
    assert frame["swing"].is_monotonic_decreasing
    swings = frame.set_index("id")["swing"]
    assert swings["genai_monthly_benefit_usd"] == 0  # benefit does not change cost per query
    assert swings["frontier_active_params"] > swings["server_watts_per_gpu"]
    payback = tornado(REGISTRY, "payback_months", ["genai_project_capex_usd", "pue"])
    assert payback["id"].tolist() == ["genai_project_capex_usd", "pue"]






def test_sobol_on_a_linear_function():
    # Y = sum c_i X_i, X_i ~ U(0, 1): S_i = S_Ti = c_i^2 / sum c_j^2 and the S_i sum to 1
    coef = {"x1": 4.0, "x2": 2.0, "x3": 1.0, "x4": 0.0}
    n = 2**14
    a = uniform_inputs(coef, n, 0.0, 1.0, seed=1)
    b = uniform_inputs(coef, n, 0.0, 1.0, seed=2)
    frame = sobol_indices(lambda x: sum(c * x[k] for k, c in coef.items()), a, b)
    expected = np.array([c**2 for c in coef.values()]) / sum(c**2 for c in coef.values())
    np.testing.assert_allclose(frame["first_order"], expected, atol=0.03)
    np.testing.assert_allclose(frame["total_order"], expected, atol=0.03)
    assert frame["first_order"].sum() == pytest.approx(1.0, abs=0.05)
    assert frame["total_order"].iloc[3] == 0.0  # an input the function ignores


def test_sobol_runs_the_model_once_on_every_matrix_stacked():
    coef = {"x1": 3.0, "x2": 1.0}
    n = 64
    a = uniform_inputs(coef, n, 0.0, 1.0, seed=1)
    b = uniform_inputs(coef, n, 0.0, 1.0, seed=2)
    sizes = []

    def model(x):
        sizes.append(len(x["x1"]))
        return sum(c * x[k] ** 2 for k, c in coef.items())

    frame = sobol_indices(model, a, b).set_index("id")
    assert sizes == [(2 + len(coef)) * n]
    # the estimators of the module Notes, input by input
    f_a, f_b = model(a), model(b)
    variance = np.var(np.concatenate([f_a, f_b]))
    for k in coef:
        f_ab = model({**a, k: b[k]})
        assert frame.loc[k, "first_order"] == pytest.approx(
            np.mean(f_b * (f_ab - f_a)) / variance, rel=1e-12)
        assert frame.loc[k, "total_order"] == pytest.approx(
            0.5 * np.mean((f_a - f_ab) ** 2) / variance, rel=1e-12)


def test_sobol_on_the_ishigami_function():
    a_coef, b_coef = 7.0, 0.1

    def ishigami(x):
        return (np.sin(x["x1"]) + a_coef * np.sin(x["x2"]) ** 2
                + b_coef * x["x3"] ** 4 * np.sin(x["x1"]))

    # closed-form variances (Ishigami and Homma 1990; Saltelli et al. 2010, section 4)
    v1 = 0.5 * (1 + b_coef * math.pi**4 / 5) ** 2
    v2 = a_coef**2 / 8
    v13 = 8 * b_coef**2 * math.pi**8 / 225
    var = v1 + v2 + v13
    n = 2**15
    a = uniform_inputs(["x1", "x2", "x3"], n, -math.pi, math.pi, seed=3)
    b = uniform_inputs(["x1", "x2", "x3"], n, -math.pi, math.pi, seed=4)
    frame = sobol_indices(ishigami, a, b).set_index("id")
    np.testing.assert_allclose(frame["first_order"], [v1 / var, v2 / var, 0.0], atol=0.03)
    np.testing.assert_allclose(frame["total_order"], [(v1 + v13) / var, v2 / var, v13 / var],
                               atol=0.03)


def test_sobol_of_the_model():
    frame = sobol(REGISTRY, "payback_months", n_base=2**11, seed=5, backend="numpy")
    assert set(frame["id"]) == {k for k in INPUTS if REGISTRY[k].uncertain}
    assert frame[["first_order", "total_order"]].notna().all().all()  # infinite paybacks capped
    assert frame["total_order"].is_monotonic_decreasing
    assert frame["first_order"].sum() < 1.2
    assert frame["id"].iloc[0] in {"genai_monthly_benefit_usd", "genai_project_capex_usd"}


def test_unknown_output():
    with pytest.raises(ValueError, match="unknown model output 'usd'; allowed: " + OUTPUTS[0]):
        kernel_model("usd")
