"""Sweeps: grid and Monte Carlo rows, identical locally and on a Dask cluster; CLI output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run_cli

from aiboom.errors import InputError
from aiboom.kernels import INPUTS, reference_per_sample
from aiboom.montecarlo import scenario_inputs
from aiboom.scenarios import load_scenario
from aiboom.sweep import parse_axis, run_sweep


@pytest.fixture(scope="module")
def inputs():
    return scenario_inputs(load_scenario())


def test_grid_rows_match_the_reference_at_central_values(inputs):
    registry, acc = inputs
    axes = [parse_axis("h100_usd_per_gpu_hour=1:4:4", registry),
            parse_axis("decode_batch_size=8,64", registry)]
    frame = run_sweep(registry, axes, progress=False, accelerator=acc, backend="numpy")
    assert len(frame) == 8 and list(frame["grid_point"]) == list(range(8))
    row = frame.iloc[5]
    params = {k: registry[k].central for k in INPUTS} | {
        "h100_usd_per_gpu_hour": row["h100_usd_per_gpu_hour"],
        "decode_batch_size": row["decode_batch_size"]}
    expected = reference_per_sample(params, acc)
    assert row["usd_per_query"] == pytest.approx(expected["usd_per_query"], rel=1e-12)
    # Cost per query is proportional to the GPU-hour price at a fixed batch.
    b8 = frame[frame["decode_batch_size"] == 8]
    ratio = b8["usd_per_query"].to_numpy() / b8["h100_usd_per_gpu_hour"].to_numpy()
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)


def test_monte_carlo_sweep_is_independent_of_chunking(inputs):
    registry, acc = inputs
    axes = [parse_axis("serving_utilization=0.3,0.6", registry)]
    a = run_sweep(registry, axes, n_samples=3000, seed=3, chunk_size=1000, progress=False,
                  accelerator=acc, backend="numpy")
    b = run_sweep(registry, axes, n_samples=3000, seed=3, chunk_size=777, progress=False,
                  accelerator=acc, backend="numpy")
    assert len(a) == 6000
    pd.testing.assert_frame_equal(a, b)
    # Same samples at both grid points, only the swept input differs: cost halves.
    lo, hi = (a[a["serving_utilization"] == u]["usd_per_query"].to_numpy() for u in (0.3, 0.6))
    np.testing.assert_allclose(lo / hi, 2.0, rtol=1e-12)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_rows(inputs):
    from distributed import LocalCluster

    registry, acc = inputs
    axes = [parse_axis("pue=1.1:1.4:3", registry)]
    local = run_sweep(registry, axes, n_samples=2000, seed=9, chunk_size=500, progress=False,
                      accelerator=acc, backend="numpy")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = run_sweep(registry, axes, n_samples=2000, seed=9, chunk_size=500,
                           progress=False, accelerator=acc, backend="numpy",
                           scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(local, remote)


@pytest.mark.parametrize(("spec", "fragment"), [
    ("pue", "is not id=start"),
    ("h100_usd_per_gpu_hr=1:2:3", "did you mean 'h100_usd_per_gpu_hour'"),
    ("h100_usd_per_gpu_hour=-1:2:3", "cannot be negative"),
    ("serving_utilization=0.5:1.5:3", "[0, 1]"),
    ("pue=1:2:0", "n must be"),
    ("pue=1:2:3:cubic", "start:stop:n:log"),
])
def test_bad_axis_is_named(inputs, spec, fragment):
    with pytest.raises(InputError) as info:
        parse_axis(spec, inputs[0])
    assert fragment in str(info.value)


def test_cli_writes_parquet_and_csv_on_request(tmp_path):
    out = tmp_path / "s.parquet"
    args = ("sweep", "--param", "h100_usd_per_gpu_hour=1:3:3", "--samples", "500", "--out",
            str(out), "--chunk-size", "200")
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "sweep" in proc.stderr  # the progress bar
    frame = pd.read_parquet(out)
    assert len(frame) == 1500 and set(INPUTS) <= set(frame.columns)
    assert not out.with_suffix(".csv").exists()  # CSV only on request
    assert run_cli(*args, "--csv").returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(out.with_suffix(".csv")), pd.read_parquet(out),
                                  check_dtype=False, rtol=1e-9)  # CSV keeps ten digits
    assert not [p for p in tmp_path.iterdir() if "aiboom-tmp" in p.name]


def test_streamed_sweep_equals_the_frame_and_summarises_each_grid_point(inputs, tmp_path):
    from aiboom.sweep import stream_memory_bytes, sweep_memory_bytes, sweep_to_files

    registry, accelerator = inputs
    axes = [parse_axis("serving_utilization=0.3,0.6", registry)]
    kwargs = dict(n_samples=3000, seed=7, backend="numpy", progress=False,
                  accelerator=accelerator)
    frame = run_sweep(registry, axes, chunk_size=1000, **kwargs)
    files, summary = sweep_to_files(registry, axes, tmp_path / "s.parquet", chunk_size=1000,
                                    **kwargs)
    streamed = pd.read_parquet(files[0])
    pd.testing.assert_frame_equal(streamed, frame)
    for g, group in frame.groupby("grid_point"):
        cost = group["usd_per_query"]
        assert summary.loc[g, "usd_per_query_p50"] == pytest.approx(cost.median())
        assert summary.loc[g, "usd_per_query_p95"] == pytest.approx(cost.quantile(0.95))
    # memory follows the chunk, not the rows: a thousand times the samples costs the outputs
    # of one grid point and the plan more, a small part of holding the whole table
    small, big = stream_memory_bytes(3000, 1000), stream_memory_bytes(3_000_000, 1000)
    assert big - small < sweep_memory_bytes(1, 3_000_000, 1000) / 5
    assert stream_memory_bytes(10**9, 2**18) < sweep_memory_bytes(1, 10**9, 2**18) / 10


def test_written_price_column_is_the_served_chips(tmp_path):
    bull = ROOT / "data" / "scenarios" / "bull.yaml"
    out = tmp_path / "b.parquet"
    proc = run_cli("sweep", "--scenario", str(bull), "--param",
                   "b200_usd_per_gpu_hour=1,2", "--quiet", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_parquet(out)
    assert list(frame["b200_usd_per_gpu_hour"]) == [1.0, 2.0]
    assert "h100_usd_per_gpu_hour" not in frame.columns
