"""Resources before work: sample counts checked against memory, bad counts and schedulers.

A scenario, a sweep or a Monte Carlo run that would not fit in memory stops with one message
naming the key, the estimate and the limit, before any work; so do negative counts, zero chunk
sizes and a Dask scheduler that cannot be reached. The limit is pinned with
``AIBOOM_MEMORY_LIMIT`` where a test must not depend on the machine's memory.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _mc_helpers import REGISTRY
from conftest import AIBOOM, ROOT, run_cli

from aiboom.errors import InputError
from aiboom.montecarlo import (
    BUILD_BYTES_PER_EXACT_SAMPLE,
    BUILD_BYTES_PER_SAMPLE,
    MEMORY_LIMIT_ENV,
    build_memory_bytes,
    memory_limit,
    monte_carlo_memory_bytes,
    run_monte_carlo,
    scenario_inputs,
)
from aiboom.scenarios import load_scenario
from aiboom.sweep import parse_axis, plan, run_sweep

GIB = 2**30


def _scenario(folder: Path, n_samples: int) -> Path:
    path = folder / "big.yaml"
    path.write_text("name: big\ntitle: A big run\nmonte_carlo:\n"
                    f"  n_samples: {n_samples}\n")
    return path


def _run_capped(*args: str, limit: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``aiboom *args`` with its address space capped at 8 GiB, so that a regression that
    allocates what it should refuse fails with MemoryError instead of exhausting the machine."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (8 * GIB, 8 * GIB))

    env = dict(os.environ, **{MEMORY_LIMIT_ENV: limit})
    return subprocess.run([AIBOOM, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=timeout, preexec_fn=cap)


def _short_and_clean(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) <= 3, stderr


@pytest.fixture(scope="module")
def inputs():
    return scenario_inputs(load_scenario())


# --- the memory limit --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2GiB", 2 * GIB), ("1.5G", int(1.5 * GIB)), ("512 MiB", 512 * 2**20), ("500MB", 500 * 10**6),
    ("123", 123), ("4g", 4 * GIB),
])
def test_limit_from_the_environment(monkeypatch, text, expected):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, text)
    limit = memory_limit()
    assert limit.bytes == expected
    assert MEMORY_LIMIT_ENV in limit.source


@pytest.mark.parametrize("text", ["lots", "-1GiB", "0", "12 parsecs"])
def test_bad_limit_in_the_environment_is_named(monkeypatch, text):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, text)
    with pytest.raises(InputError) as info:
        memory_limit()
    [problem] = info.value.problems
    assert problem.file == MEMORY_LIMIT_ENV and repr(text) in problem.message


def test_default_limit_is_half_the_machine(monkeypatch):
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    limit = memory_limit()
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < limit.bytes <= physical // 2
    assert "half" in limit.source


# --- the build estimate covers what the notebooks hold -----------------------------------------


def _peak_bytes(fn, n: int) -> int:
    tracemalloc.start()
    try:
        fn(n)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_build_estimate_covers_the_notebooks_sample_arrays(inputs):
    """Per-sample peaks of the notebook paths that hold every sample, against the constants."""
    from aiboom import data
    from aiboom.analysis import capex, outlook, serving

    scenario = load_scenario()
    registry, accelerator = inputs
    trend = outlook.frontier_price_trend(data.api_prices())

    def cahn(n):  # notebook 01: Cahn's factor, its quantiles and the yearly requirement
        draws = capex.cahn_factor_samples(scenario.registry, n, 1)
        capex.cahn_vintages(scenario.registry, draws["factor"])
        per_year = 100.0 * draws["factor"] / draws["life_years"]
        np.quantile(per_year, [0.05, 0.95])
        np.median(draws["life_years"])

    def prices(n):  # notebook 05: price paths
        outlook.price_paths(scenario.registry, trend, 2025, n, 1)

    def query_costs(n):  # notebook 02: exact runs with every sample kept (capped at 10^7)
        serving.run_query_costs(registry, n, 1, backend="numpy", accelerator=accelerator)
        serving.implied_token_cost(registry, n, 1, backend="numpy", accelerator=accelerator)

    small, large = 50_000, 150_000
    for fn, allowed in ((cahn, BUILD_BYTES_PER_SAMPLE), (prices, BUILD_BYTES_PER_SAMPLE),
                        (query_costs, BUILD_BYTES_PER_EXACT_SAMPLE)):
        per_sample = (_peak_bytes(fn, large) - _peak_bytes(fn, small)) / (large - small)
        assert per_sample <= allowed, (fn.__name__, per_sample)
    assert build_memory_bytes(10**9) >= BUILD_BYTES_PER_SAMPLE * 10**9
    assert build_memory_bytes(2 * 10**5) < build_memory_bytes(10**7)


# --- scenarios and builds ----------------------------------------------------------------------


def test_scenario_beyond_memory_is_refused_at_load(tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "16GiB")
    with pytest.raises(InputError) as info:
        load_scenario(_scenario(tmp_path, 1_000_000_000))
    [problem] = info.value.problems
    assert problem.file.endswith("big.yaml") and problem.line == 4
    assert problem.key == "monte_carlo.n_samples"
    assert "GiB" in problem.message and "16.0 GiB" in problem.message
    assert MEMORY_LIMIT_ENV in problem.message
    assert "\n" not in str(problem)


def test_scenario_within_memory_loads(tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "16GiB")
    assert load_scenario(_scenario(tmp_path, 1_000_000)).n_samples == 1_000_000


def test_default_limit_refuses_a_billion_samples(tmp_path, monkeypatch):
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    if build_memory_bytes(10**9) <= memory_limit().bytes:
        pytest.skip("this machine has room for a billion samples")
    with pytest.raises(InputError, match="monte_carlo.n_samples"):
        load_scenario(_scenario(tmp_path, 10**9))


def test_build_with_too_many_samples_stops_before_any_notebook(minibook, tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "16GiB")
    start = time.perf_counter()
    proc = run_cli("build", "--scenario", str(_scenario(tmp_path, 10**9)), root=minibook,
                   timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert time.perf_counter() - start < 60
    assert "monte_carlo.n_samples" in proc.stderr and "GiB" in proc.stderr
    _short_and_clean(proc.stderr)
    assert not (minibook / "book" / "generated").exists()


# --- Monte Carlo runs from Python --------------------------------------------------------------


def test_exact_run_beyond_memory_is_refused_before_allocating(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1MiB")
    with pytest.raises(InputError) as info:
        run_monte_carlo(REGISTRY, 1_000_000, seed=1, backend="numpy", keep_samples=True)
    [problem] = info.value.problems
    assert problem.key == "n_samples" and "MiB" in problem.message


def test_histogram_run_needs_memory_for_one_chunk_only(monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "64MiB")
    result = run_monte_carlo(REGISTRY, 40_000, seed=1, backend="numpy", chunk_size=10_000,
                             exact=False)
    assert result.n_samples == 40_000


@pytest.mark.parametrize(("n", "chunk", "exact", "keep"), [
    (200_000, 2**14, False, False), (400_000, 2**17, False, False),
    (200_000, 2**14, True, False), (200_000, 2**16, True, True),
])
def test_monte_carlo_estimate_is_a_little_above_the_measured_peak(n, chunk, exact, keep):
    peak = _peak_bytes(lambda m: run_monte_carlo(REGISTRY, m, seed=1, backend="numpy",
                                                 chunk_size=chunk, exact=exact,
                                                 keep_samples=keep), n)
    # The next chunk is drawn while the current one is evaluated; whether both sets of inputs
    # are alive at the traced peak depends on thread timing, so the estimate (which counts
    # both) may sit up to about 1.6 times a peak that caught only one.
    assert peak <= monte_carlo_memory_bytes(n, chunk, exact, keep) <= 1.7 * peak


@pytest.mark.parametrize("chunk_size", [0, -1])
def test_run_monte_carlo_rejects_bad_chunk_size(chunk_size):
    with pytest.raises(ValueError, match="chunk_size"):
        run_monte_carlo(REGISTRY, 1_000, seed=1, backend="numpy", chunk_size=chunk_size)


# --- sweeps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"chunk_size": 0}, {"chunk_size": -1}, {"n_samples": -5},
    {"n_samples": 10, "chunk_size": 0},
], ids=["chunk0", "chunk-1", "samples-5", "samples10-chunk0"])
def test_plan_and_run_sweep_reject_bad_counts(inputs, kwargs):
    registry, acc = inputs
    axes = [parse_axis("pue=1:2:2", registry)]
    args = {"n_samples": 0, "chunk_size": 2**18} | kwargs
    with pytest.raises(InputError):
        plan(registry, axes, args["n_samples"], 0, "numpy", args["chunk_size"], acc)
    with pytest.raises(InputError):
        run_sweep(registry, axes, seed=0, backend="numpy", progress=False, accelerator=acc,
                  **args)


def test_sweep_beyond_memory_is_refused_before_work(inputs, monkeypatch):
    registry, acc = inputs
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1MiB")
    axes = [parse_axis("pue=1:2:2", registry)]
    with pytest.raises(InputError) as info:
        run_sweep(registry, axes, n_samples=2000, progress=False, accelerator=acc,
                  backend="numpy")
    [problem] = info.value.problems
    assert problem.file == "--samples" and "MiB" in problem.message
    assert "1.0 MiB" in problem.message


def test_huge_grid_is_refused_without_building_it(tmp_path):
    params = [f"--param={k}=1:2:10000" for k in
              ("pue", "decode_batch_size", "frontier_layers", "context_tokens")]
    start = time.perf_counter()
    proc = _run_capped("sweep", *params, "--quiet", "--out", str(tmp_path / "s.parquet"),
                       limit="16GiB")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert time.perf_counter() - start < 60
    assert "--param" in proc.stderr and "10,000,000,000,000,000 rows" in proc.stderr
    _short_and_clean(proc.stderr)


@pytest.mark.parametrize(("args", "name"), [
    (["--samples", "-5"], "--samples"),
    (["--chunk-size", "0"], "--chunk-size"),
    (["--chunk-size", "-1"], "--chunk-size"),
    (["--samples", "10", "--chunk-size", "0"], "--chunk-size"),
])
def test_bad_counts_on_the_command_line(tmp_path, args, name):
    proc = run_cli("sweep", "--param", "pue=1:2:2", *args, "--quiet",
                   "--out", str(tmp_path / "s.parquet"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert name in proc.stderr.strip().splitlines()[-1]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_sweep_samples_beyond_memory_on_the_command_line(tmp_path, monkeypatch):
    # Rows stream to disk, but one grid point's outputs are kept for its quantiles: room for
    # the baseline and a million samples, not for fifty million.
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GiB")
    proc = run_cli("sweep", "--param", "pue=1:2:2", "--samples", "50000000", "--quiet",
                   "--out", str(tmp_path / "s.parquet"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--samples" in proc.stderr and "limit" in proc.stderr
    _short_and_clean(proc.stderr)
    assert not (tmp_path / "s.parquet").exists()


def test_a_million_samples_stream_within_a_small_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GiB")
    proc = run_cli("sweep", "--samples", "1000000", "--quiet", "--out",
                   str(tmp_path / "s.parquet"), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "s.parquet").metadata.num_rows == 1_000_000


def test_a_billion_sweep_samples_stop_at_once(tmp_path):
    start = time.perf_counter()
    proc = _run_capped("sweep", "--samples", "1000000000", "--quiet",
                       "--out", str(tmp_path / "s.parquet"), limit="16GiB")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert time.perf_counter() - start < 60
    assert "--samples" in proc.stderr and "GiB" in proc.stderr and "16.0 GiB" in proc.stderr
    _short_and_clean(proc.stderr)


# --- Dask schedulers ---------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_listener() -> Iterator[str]:
    """A loopback port that accepts connections but never speaks."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield f"tcp://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("kind", ["closed port", "garbage", "silent"])
def test_unreachable_scheduler_is_one_line(tmp_path, request, kind):
    address = {"closed port": lambda: f"tcp://127.0.0.1:{_closed_port()}",
               "garbage": lambda: "not-a-scheduler",
               "silent": lambda: request.getfixturevalue("silent_listener")}[kind]()
    start = time.perf_counter()
    proc = run_cli("sweep", "--samples", "1000", "--scheduler", address, "--quiet",
                   "--out", str(tmp_path / "s.parquet"), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert time.perf_counter() - start < 25
    assert address in proc.stderr
    _short_and_clean(proc.stderr)
    assert not (tmp_path / "s.parquet").exists()
