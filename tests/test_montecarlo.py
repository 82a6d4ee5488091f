"""Monte Carlo engine: summaries, reproducibility, histogram mode and bounded memory."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from _mc_helpers import REGISTRY

from aiboom.kernels import INPUTS, OUTPUTS, reference_per_sample
from aiboom.montecarlo import (
    HISTOGRAM_SPECS,
    QUANTILE_LEVELS,
    Histogram,
    HistogramSpec,
    _bin_counts,
    _edges,
    run_monte_carlo,
)

N = 50_000


@pytest.fixture(scope="module")
def exact_run():
    return run_monte_carlo(REGISTRY, N, seed=1, backend="numpy", chunk_size=20_000,
                           keep_samples=True)


def test_summary_frame(exact_run):
    frame = exact_run.summary_frame()
    assert list(frame.index) == list(OUTPUTS)
    assert list(frame.columns) == ["unit", "p5", "p25", "p50", "p75", "p95", "mean",
                                   "share_infinite"]
    assert frame.attrs == {"n_samples": N, "seed": 1, "backend": "numpy", "quantiles": "exact"}
    assert frame.loc["usd_per_query", "unit"] == "USD/query"
    for quantiles in frame[["p5", "p25", "p50", "p75", "p95"]].to_numpy(dtype=float):
        assert list(quantiles) == sorted(quantiles)
    assert exact_run.backend == "numpy" and exact_run.elapsed_s > 0


def test_exact_quantiles_and_means_are_those_of_the_samples(exact_run):
    s = exact_run.samples
    assert set(s) == set(INPUTS) | set(OUTPUTS)
    for k in OUTPUTS:
        v = s[k]
        np.testing.assert_array_equal(
            exact_run.quantiles[k], np.quantile(v, QUANTILE_LEVELS, method="inverted_cdf"))
        assert exact_run.mean[k] == pytest.approx(v[np.isfinite(v)].mean(), rel=1e-12)
        assert exact_run.share_infinite[k] == np.mean(~np.isfinite(v))
    assert 0 < exact_run.share_infinite["payback_months"] < 0.5
    i = 123
    ref = reference_per_sample({k: s[k][i] for k in INPUTS})
    assert {k: s[k][i] for k in OUTPUTS} == ref


def test_same_seed_same_result_whatever_the_chunks(exact_run):
    again = run_monte_carlo(REGISTRY, N, seed=1, chunk_size=2**20, keep_samples=True)
    for k in OUTPUTS:
        np.testing.assert_array_equal(again.samples[k], exact_run.samples[k])
    other = run_monte_carlo(REGISTRY, N, seed=2)
    assert not np.array_equal(other.quantiles["usd_per_query"],
                              exact_run.quantiles["usd_per_query"])


def bin_width_at(spec: HistogramSpec, value: float) -> float:
    edges = _edges(spec)
    j = min(max(int(np.searchsorted(edges, value, side="right")) - 1, 0), spec.n_bins - 1)
    return edges[j + 1] - edges[j]


def test_histogram_mode_agrees_with_exact_mode_within_a_bin(exact_run):
    binned = run_monte_carlo(REGISTRY, N, seed=1, chunk_size=20_000, exact=False)
    assert not binned.exact and binned.samples is None
    assert binned.summary_frame().attrs["quantiles"] == "histogram"
    for k in OUTPUTS:
        spec = HISTOGRAM_SPECS[k]
        for q_exact, q_binned in zip(exact_run.quantiles[k], binned.quantiles[k], strict=True):
            if math.isinf(q_exact):
                assert math.isinf(q_binned)
            else:
                assert abs(q_binned - q_exact) <= bin_width_at(spec, q_exact) * (1 + 1e-9), k
        # same values, same bins, same counts; means summed in another order
        np.testing.assert_array_equal(binned.histograms[k].counts,
                                      exact_run.histograms[k].counts)
        assert binned.mean[k] == pytest.approx(exact_run.mean[k], rel=1e-12)
        assert binned.share_infinite[k] == exact_run.share_infinite[k]


def test_log_bins_bound_the_relative_error():
    spec = HISTOGRAM_SPECS["usd_per_query"]
    assert bin_width_at(spec, 0.01) / 0.01 < 10 ** (1 / 500) - 1 + 1e-12


def test_histogram_quantiles_on_known_data():
    spec = HistogramSpec(0.0, 10.0, 100, log=False)
    values = np.concatenate([(np.arange(1000) + 0.5) / 100, [-1.0, 12.0, np.inf, np.inf]])
    c = _bin_counts(values, spec)
    h = Histogram(_edges(spec), c[1:-2], int(c[0]), int(c[-2]), int(c[-1]), spec.log)
    assert (h.below, h.above, h.nonfinite, h.n_samples) == (1, 1, 2, 1004)
    q = h.quantile((0.0001, 0.5, 0.998, 0.9999))  # ranks 1, 502, 1002 (the 12) and 1004
    assert math.isnan(q[0])  # the smallest value is below the range
    assert abs(q[1] - np.quantile(values, 0.5, method="inverted_cdf")) <= 0.1
    assert math.isnan(q[2])  # lands on the value above the range
    assert q[3] == math.inf
    coarse = h.coarsen(10)
    assert coarse.counts.sum() == h.counts.sum() and len(coarse.edges) == 11
    frame = coarse.to_frame()
    assert list(frame.columns) == ["bin_low", "bin_high", "count", "share"]
    assert frame["count"].tolist() == [100] * 10
    with pytest.raises(ValueError, match="does not divide"):
        h.coarsen(7)


def test_quantiles_outside_the_bins_are_nan_and_warned(monkeypatch):
    # cost per query is about 0.01 USD, far below these bins
    monkeypatch.setitem(HISTOGRAM_SPECS, "usd_per_query", HistogramSpec(1.0, 2.0, 10, log=True))
    with pytest.warns(RuntimeWarning, match="usd_per_query: a quantile lies outside"):
        run = run_monte_carlo(REGISTRY, 1000, seed=0, exact=False)
    assert np.isnan(run.quantiles["usd_per_query"]).all()
    assert run.histograms["usd_per_query"].below == 1000


def test_overrides_constants_and_errors():
    fixed = run_monte_carlo(REGISTRY, 2000, seed=3, overrides={"pue": 1.0}, keep_samples=True)
    assert np.all(fixed.samples["pue"] == 1.0)
    faster = run_monte_carlo(REGISTRY, 2000, seed=3, overrides={"pue": 1.0},
                             constants={"hbm_bytes_per_s": 8e12})
    assert faster.quantiles["usd_per_query"][2] < fixed.quantiles["usd_per_query"][2]
    assert faster.accelerator.hbm_bytes_per_s == 8e12
    with pytest.raises(KeyError, match="nope"):
        run_monte_carlo(REGISTRY, 10, seed=0, overrides={"nope": 1.0})
    with pytest.raises(KeyError, match="lacks model inputs: pue"):
        run_monte_carlo({k: v for k, v in REGISTRY.items() if k != "pue"}, 10, seed=0)
    with pytest.raises(ValueError, match="keep_samples needs exact mode"):
        run_monte_carlo(REGISTRY, 10, seed=0, exact=False, keep_samples=True)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        run_monte_carlo(REGISTRY, 0, seed=0)


def test_progress_goes_to_stderr(capsys):
    run_monte_carlo(REGISTRY, 3000, seed=0, chunk_size=1000, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "3.00k/3.00k" in captured.err


def traced_peak_bytes(n_samples: int, chunk_size: int) -> int:
    tracemalloc.start()
    try:
        run_monte_carlo(REGISTRY, n_samples, seed=0, chunk_size=chunk_size, exact=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_histogram_mode_memory_does_not_grow_with_n():
    chunk = 2**14
    small, large = traced_peak_bytes(10 * chunk, chunk), traced_peak_bytes(80 * chunk, chunk)
    # about 24 MB either way: chunk inputs (28 x 8 B x chunk), one drawn block per id
    # (28 x 8 B x 65536), bins; keeping the 80-chunk outputs would add 4 x 8 B x 1.3e6 = 42 MB
    assert large < 1.1 * small < 40e6


@pytest.mark.gpu
def test_cupy_backend_gives_the_numpy_result(exact_run):
    # host draws evaluated on the GPU: the same inputs, so the same outputs to rtol 1e-9
    gpu = run_monte_carlo(REGISTRY, N, seed=1, backend="cupy", keep_samples=True, draws="host")
    assert gpu.backend == "cupy" and gpu.draws == "host"
    for k in OUTPUTS:
        np.testing.assert_allclose(gpu.samples[k], exact_run.samples[k], rtol=1e-9, atol=0)
