"""Draws on the device: the ``xp`` path of sampling and Monte Carlo.

Run with NumPy as ``xp`` everywhere (the same code CuPy runs on a GPU), and with CuPy where a
GPU is present (``gpu`` marker). The device draws are not the host draws, so agreement is in
distribution: a two-sample Kolmogorov-Smirnov test, and quantiles compared in probability
space (distribution-free standard errors).

Tolerances. For two samples of sizes :math:`n` and :math:`m` from one law, the KS statistic
exceeds :math:`c(\\alpha)\\sqrt{(n + m)/(n m)}`, :math:`c(\\alpha) = \\sqrt{-\\ln(\\alpha/2)/2}`,
with probability :math:`\\alpha`; tests use :math:`\\alpha = 10^{-6}` (:math:`c = 2.76`), so a
false alarm is far rarer than one per million runs, while a wrong law (a swapped mode, a
misplaced median) moves the statistic by orders of magnitude more at these sizes. The seeds
are fixed, so the tests are deterministic anyway.
"""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest
from _mc_helpers import REGISTRY, row
from scipy import stats

from aiboom import kernels
from aiboom.backend import get_backend
from aiboom.kernels import H100_SXM, INPUTS, OUTPUTS, evaluate_numpy
from aiboom.montecarlo import (
    DRAWS,
    HISTOGRAM_SPECS,
    QUANTILE_LEVELS,
    _bin_counts,
    inverted_cdf,
    run_monte_carlo,
)
from aiboom.sampling import (
    draw_samples,
    iter_sample_chunks_xp,
    sample_assumption,
    sample_assumption_xp,
    xp_generator,
)

N = 200_000
#: KS critical coefficient c(alpha) at alpha = 1e-6 [unitless].
KS_C = math.sqrt(-math.log(1e-6 / 2) / 2)

LAWS = [row("u", "ratio", 1.0, 2.0, 5.0, "uniform"),
        row("t", "ratio", 1.0, 2.0, 5.0, "triangular"),
        row("t_lo", "ratio", 1.0, 1.0, 5.0, "triangular"),  # mode on a bound
        row("t_hi", "bytes", 1.0, 2.0, 2.0, "triangular"),  # as kv_bytes_per_value
        row("p", "ratio", 1.0, 2.0, 5.0, "pert"),
        row("p_skew", "USD", 270.0, 500.0, 1500.0, "pert"),
        row("ln", "USD", 2.0, 5.0, 50.0, "lognormal"),
        row("lu", "USD", 1e-3, 1.0, 1e3, "loguniform")]


def ks_limit(n: int, m: int) -> float:
    return KS_C * math.sqrt((n + m) / (n * m))


def assert_same_law(x: np.ndarray, y: np.ndarray, what: str) -> None:
    """Two-sample KS at alpha = 1e-6, and each quantile of ``x`` sits at its level in ``y``
    within four standard errors of an empirical CDF difference."""
    d = stats.ks_2samp(x, y).statistic
    assert d < ks_limit(len(x), len(y)), f"{what}: KS statistic {d:.4g}"
    levels = np.asarray(QUANTILE_LEVELS)
    q = np.quantile(x, levels, method="inverted_cdf")
    at = np.searchsorted(np.sort(y), q, side="right") / len(y)
    se = np.sqrt(levels * (1 - levels) * (1 / len(x) + 1 / len(y)))
    finite = np.isfinite(q)
    np.testing.assert_array_less(np.abs(at - levels)[finite], 4 * se[finite] + 1 / len(y),
                                 err_msg=what)


# -- sampling with NumPy as xp -------------------------------------------------------------------

@pytest.mark.parametrize("a", LAWS, ids=[a.id for a in LAWS])
def test_xp_draws_follow_the_host_law(a):
    host = sample_assumption(a, N, np.random.default_rng(1))
    xp_draws = sample_assumption_xp(a, N, xp_generator(2, a.id, np), np)
    assert isinstance(xp_draws, np.ndarray) and xp_draws.dtype == np.float64
    assert xp_draws.shape == (N,)
    if a.distribution in ("uniform", "triangular", "pert", "loguniform"):
        assert a.low <= xp_draws.min() and xp_draws.max() <= a.high
    assert_same_law(xp_draws, host, a.id)


def test_xp_triangular_is_its_inverse_cdf():
    a = row("t", "ratio", 1.0, 2.0, 5.0, "triangular")
    x = sample_assumption_xp(a, N, xp_generator(3, "t", np), np)

    def cdf(v):  # (v-a)^2 / ((b-a)(c-a)) below the mode c, 1 - (b-v)^2 / ((b-a)(b-c)) above
        return np.where(v < 2.0, (v - 1.0) ** 2 / 4.0, 1.0 - (5.0 - v) ** 2 / 12.0)

    assert stats.kstest(x, cdf).statistic < KS_C / math.sqrt(N)


def test_xp_fixed_and_zero_width_rows_are_constant():
    gen = xp_generator(0, "x", np)
    for dist in ("fixed", "uniform", "triangular", "pert"):
        x = sample_assumption_xp(row("x", "ratio", 3.0, 3.0, 3.0, dist), 10, gen, np)
        assert x.tolist() == [3.0] * 10, dist
    with pytest.raises(ValueError, match="id=x: unknown distribution 'normal'"):
        sample_assumption_xp(row("x", "ratio", 0, 1, 2, "normal"), 3, gen, np)


def concat(chunks):
    chunks = list(chunks)
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def test_xp_draws_are_reproducible_and_keyed_by_id():
    ids = list(REGISTRY)
    first = concat(iter_sample_chunks_xp(REGISTRY, ids, 5000, 3, np, 1000))
    again = concat(iter_sample_chunks_xp(REGISTRY, ids, 5000, 3, np, 1000))
    # NumPy's generators fill arrays draw by draw, so not even the chunk size matters there
    whole = concat(iter_sample_chunks_xp(REGISTRY, ids, 5000, 3, np, 5000))
    subset = concat(iter_sample_chunks_xp(REGISTRY, ids[::-3], 5000, 3, np, 1000))
    other = concat(iter_sample_chunks_xp(REGISTRY, ids, 5000, 4, np, 1000))
    for k in ids:
        np.testing.assert_array_equal(first[k], again[k])
        np.testing.assert_array_equal(first[k], whole[k])
    for k in subset:
        np.testing.assert_array_equal(first[k], subset[k])
    assert not np.array_equal(first["h100_usd_per_gpu_hour"], other["h100_usd_per_gpu_hour"])
    host = draw_samples(REGISTRY, ids, 5000, 3)  # another stream than the host's
    assert not np.array_equal(first["h100_usd_per_gpu_hour"], host["h100_usd_per_gpu_hour"])
    with pytest.raises(ValueError, match="chunk_size >= 1"):
        next(iter_sample_chunks_xp(REGISTRY, ids, 10, 0, np, 0))


# -- Monte Carlo with NumPy as xp -------------------------------------------------------------

@pytest.fixture(scope="module")
def host_run():
    return run_monte_carlo(REGISTRY, N, seed=1, backend="numpy", keep_samples=True)


@pytest.fixture(scope="module")
def xp_run():
    return run_monte_carlo(REGISTRY, N, seed=2, backend="numpy", keep_samples=True,
                           draws="device", chunk_size=70_000)


def test_default_draws_and_bad_draws(host_run, xp_run):
    assert DRAWS == ("host", "device")
    assert host_run.draws == "host" and xp_run.draws == "device"
    with pytest.raises(ValueError, match="draws must be one of host, device"):
        run_monte_carlo(REGISTRY, 10, seed=0, draws="gpu")


def test_xp_run_agrees_with_the_host_run_in_distribution(host_run, xp_run):
    for k in (*INPUTS, *OUTPUTS):
        x, y = xp_run.samples[k], host_run.samples[k]
        if k in REGISTRY and REGISTRY[k].distribution == "fixed":
            assert np.array_equal(x, y), k
        else:
            assert_same_law(x, y, k)
    p = "payback_months"
    se = math.sqrt(2 * 0.25 / N)  # share of infinite paybacks, below one half
    assert abs(xp_run.share_infinite[p] - host_run.share_infinite[p]) < 4 * se


def test_xp_run_summaries_are_those_of_its_samples(xp_run):
    s = xp_run.samples
    for k in OUTPUTS:
        v = s[k]
        np.testing.assert_array_equal(
            xp_run.quantiles[k], np.quantile(v, QUANTILE_LEVELS, method="inverted_cdf"))
        assert xp_run.mean[k] == pytest.approx(v[np.isfinite(v)].mean(), rel=1e-12)
        assert xp_run.share_infinite[k] == np.mean(~np.isfinite(v))
        np.testing.assert_array_equal(xp_run.histograms[k].counts,
                                      _bin_counts(v, HISTOGRAM_SPECS[k])[1:-2])
    ref = kernels.reference_per_sample({k: s[k][77] for k in INPUTS})
    assert {k: s[k][77] for k in OUTPUTS} == ref


def test_xp_run_is_reproducible_and_its_histogram_mode_matches(xp_run):
    again = run_monte_carlo(REGISTRY, N, seed=2, backend="numpy", draws="device",
                            chunk_size=70_000)
    binned = run_monte_carlo(REGISTRY, N, seed=2, backend="numpy", draws="device",
                             chunk_size=70_000, exact=False)
    assert not binned.exact
    for k in OUTPUTS:
        np.testing.assert_array_equal(again.quantiles[k], xp_run.quantiles[k])
        assert again.mean[k] == xp_run.mean[k]
        np.testing.assert_array_equal(binned.histograms[k].counts, xp_run.histograms[k].counts)
        assert binned.mean[k] == pytest.approx(xp_run.mean[k], rel=1e-12)


def test_inverted_cdf_is_numpys():
    rng = np.random.default_rng(0)
    for n in (1, 2, 19, 20, 1000, 50_000):
        v = rng.lognormal(size=n)
        v[rng.random(n) < 0.1] = np.inf
        np.testing.assert_array_equal(inverted_cdf(v, QUANTILE_LEVELS),
                                      np.quantile(v, QUANTILE_LEVELS, method="inverted_cdf"))


def _kernel_parameters() -> list[str]:
    """Parameter names of the CUDA kernel, read from its source."""
    signature = re.search(r"aiboom_per_sample\((.*?)\)\s*\{", kernels.CUDA_SOURCE, re.S)
    return [part.split()[-1].lstrip("*") for part in signature.group(1).split(",")]


def test_kernel_arguments_match_the_cuda_signature():
    """The launch passes x, y, n and then exactly the kernel's scalar parameters, by name."""
    assert _kernel_parameters() == ["x", "y", "n", *kernels.CUDA_SCALARS]
    acc = kernels.create_accelerator(hbm_bytes=123e9, hbm_bytes_per_s=7e12)
    scalars = dict(zip(kernels.CUDA_SCALARS, kernels._kernel_scalars(acc), strict=True))
    assert scalars["hbm_bytes"] == 123e9 and scalars["hbm_bytes_per_s"] == 7e12
    assert scalars["horizon_months"] == kernels.PAYBACK_HORIZON_MONTHS


def test_device_evaluation_plumbing_with_a_stand_in_kernel(monkeypatch):
    """Row order and arguments of the device path (``evaluate_device`` on CuPy), NumPy standing
    in for CuPy and the kernel (the kernel itself runs in the ``gpu`` tests)."""
    acc = kernels.create_accelerator(hbm_bytes_per_s=8e12, hbm_bytes=40e9)

    def stand_in_kernel(grid, block, args):
        named = dict(zip(_kernel_parameters(), args, strict=True))
        x, y, n = named["x"], named["y"], named["n"]
        assert x.shape == (len(INPUTS), n) and y.shape == (len(OUTPUTS), n)
        assert grid[0] * block[0] >= min(n, 2**16 * block[0])
        assert named["horizon_months"] == kernels.PAYBACK_HORIZON_MONTHS
        got = evaluate_numpy(dict(zip(INPUTS, x, strict=True)), accelerator=kernels.Accelerator(
            *(float(named[f]) for f in kernels.Accelerator._fields)))
        for j, k in enumerate(OUTPUTS):
            y[j] = got[k]

    monkeypatch.setattr(kernels, "_cuda_kernel", lambda: stand_in_kernel)
    x = draw_samples(REGISTRY, INPUTS, 3000, 5)
    got = kernels._evaluate_on_device(x, np, acc)
    want = evaluate_numpy(x, accelerator=acc)
    for k in OUTPUTS:
        np.testing.assert_array_equal(got[k], want[k])
    assert not np.array_equal(want["usd_per_query"],
                              evaluate_numpy(x, accelerator=H100_SXM)["usd_per_query"])


# -- CuPy on a GPU -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cupy_backend():
    return get_backend("cupy")


@pytest.mark.gpu
@pytest.mark.parametrize("a", LAWS, ids=[a.id for a in LAWS])
def test_cupy_draws_follow_the_host_law(cupy_backend, a):
    cp = cupy_backend.xp
    dev = sample_assumption_xp(a, N, xp_generator(2, a.id, cp), cp)
    assert isinstance(dev, cp.ndarray) and dev.dtype == cp.float64 and dev.shape == (N,)
    assert_same_law(cp.asnumpy(dev), sample_assumption(a, N, np.random.default_rng(1)), a.id)


@pytest.mark.gpu
def test_cupy_run_stays_on_the_device_and_agrees_with_the_cpu(cupy_backend, host_run):
    gpu = run_monte_carlo(REGISTRY, N, seed=2, backend=cupy_backend, keep_samples=True)
    assert gpu.draws == "device" and gpu.backend == "cupy"
    for k in (*INPUTS, *OUTPUTS):
        if k in REGISTRY and REGISTRY[k].distribution == "fixed":
            continue
        assert_same_law(gpu.samples[k], host_run.samples[k], k)
    again = run_monte_carlo(REGISTRY, N, seed=2, backend=cupy_backend)
    binned = run_monte_carlo(REGISTRY, N, seed=2, backend=cupy_backend, exact=False)
    for k in OUTPUTS:
        np.testing.assert_array_equal(again.quantiles[k], gpu.quantiles[k])
        v = gpu.samples[k]
        np.testing.assert_array_equal(
            gpu.quantiles[k], np.quantile(v, QUANTILE_LEVELS, method="inverted_cdf"))
        np.testing.assert_array_equal(binned.histograms[k].counts, gpu.histograms[k].counts)
        assert gpu.mean[k] == pytest.approx(v[np.isfinite(v)].mean(), rel=1e-9)


@pytest.mark.gpu
def test_cupy_evaluation_on_device_arrays_matches_numpy(cupy_backend):
    cp = cupy_backend.xp
    x = draw_samples(REGISTRY, INPUTS, 100_000, 9)
    got = kernels.evaluate_device({k: cp.asarray(v) for k, v in x.items()}, cupy_backend,
                                  kernels.H100_SXM)
    want = evaluate_numpy(x)
    for k in OUTPUTS:
        assert isinstance(got[k], cp.ndarray), k  # the results stay on the device
        g = cp.asnumpy(got[k])
        assert np.array_equal(np.isinf(g), np.isinf(want[k])), k
        np.testing.assert_allclose(g, want[k], rtol=1e-9, atol=0, err_msg=k)
    assert "cupy" in sys.modules
