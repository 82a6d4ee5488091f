"""Throughput of the per-sample model four ways, of whole Monte Carlo runs, and peak memory.

(a) plain Python: a loop over :func:`aiboom.kernels.reference_per_sample`;
(b) naive NumPy: :func:`aiboom.kernels.evaluate_numpy_naive`, the same steps
    (:data:`aiboom.kernels.MODEL`) over all samples at once, a fresh array per operation;
(c) the project's NumPy path, :func:`aiboom.kernels.evaluate_numpy` (blocked, in place, threads);
(d) the CuPy kernel, :func:`aiboom.kernels.evaluate_cupy`, host-to-device copies included.

For (a)-(d) inputs are drawn once from ``data/assumptions.csv`` and only model evaluation is
timed (best of ``--repeat``).

End to end: :func:`aiboom.montecarlo.run_monte_carlo` from random draws to quantiles, in
histogram and in exact mode, against the *RNG limit*: the rate at which this machine draws the
same inputs (the registry's laws, :func:`aiboom.sampling.sample_assumption` in blocks of
:data:`aiboom.sampling.SAMPLE_BLOCK`) on all its cores, with nothing else done, measured in
the same repeats. Their ratio, ``e2e_share_of_rng_limit``, is robust to a busy machine, where
the rates themselves are not. With a GPU: the same for a run that stays on the device
(``draws="device"``), against CuPy's raw draws.

The memory figure is the peak resident set (``VmHWM``) of a separate process that runs
:func:`aiboom.montecarlo.run_monte_carlo` in histogram mode.

Usage: ``python benchmarks/bench_montecarlo.py [--quick]``. Writes
``benchmarks/results/<host>-<date>.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from aiboom import kernels
from aiboom.backend import available_backends
from aiboom.kernels import INPUTS, OUTPUTS
from aiboom.montecarlo import run_monte_carlo
from aiboom.registry import Assumption, load_registry
from aiboom.sampling import (
    BIT_GENERATOR,
    SAMPLE_BLOCK,
    draw_samples,
    iter_sample_chunks_xp,
    sample_assumption,
    sampling_threads,
)

RESULTS = Path(__file__).parent / "results"
SEED = 20261127

_MEMORY_CHILD = """
import json, resource, sys, time
from pathlib import Path
from aiboom.montecarlo import run_monte_carlo
from aiboom.registry import load_registry

def peak_rss_kib():
    # VmHWM is this process image's own peak; ru_maxrss may include the parent's from before exec
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

registry = load_registry()
before = peak_rss_kib()
t = time.perf_counter()
run_monte_carlo(registry, int(sys.argv[1]), seed=int(sys.argv[2]), backend="numpy", exact=False)
elapsed = time.perf_counter() - t
print(json.dumps({"rss_before_run_kib": before, "peak_rss_kib": peak_rss_kib(),
                  "elapsed_s": elapsed}))
"""


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def traced_peak_bytes(fn: Callable[[], object]) -> int:
    """Peak of memory allocated while ``fn`` runs (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rng_limit(registry: Mapping[str, Assumption], n: int, threads: int) -> Clock:
    """Raw draws of the model's random inputs, timed: ``n`` draws of each (rounded up to
    whole blocks), block by block with :func:`sample_assumption` on ``threads`` threads.

    Generators are made before timing; nothing is copied, evaluated or summarised.
    """
    rows = [registry[k] for k in INPUTS if registry[k].distribution != "fixed"]
    n_blocks = -(-n // SAMPLE_BLOCK)
    tasks = [(a, np.random.Generator(BIT_GENERATOR(i)))
             for i, a in enumerate(a for a in rows for _ in range(n_blocks))]

    def draw(task: tuple[Assumption, np.random.Generator]) -> None:
        sample_assumption(task[0], SAMPLE_BLOCK, task[1])

    with Clock(n_blocks * SAMPLE_BLOCK) as clock:
        if threads == 1:
            for task in tasks:
                draw(task)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(draw, tasks))
    return clock


class Clock:
    """Wall and CPU time (all threads of this process) of a ``with`` block of ``n`` samples."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    @property
    def rate(self) -> float:
        """Samples per wall-clock second [samples/s]."""
        return self.n / self.wall

    @property
    def cpu_ns(self) -> float:
        """CPU time per sample, all threads [ns/sample]."""
        return 1e9 * self.cpu / self.n


def e2e_rate(registry: Mapping[str, Assumption], n: int, **kwargs: object) -> Clock:
    """``run_monte_carlo`` from draws to quantiles, timed."""
    with Clock(n) as clock:
        run_monte_carlo(registry, n, SEED, **kwargs)
    return clock


def gpu_rng_limit(registry: Mapping[str, Assumption], n: int,
                  chunk_size: int) -> float:  # pragma: no cover - needs a GPU
    """Raw CuPy draws of the model's inputs on the device [samples/s], synchronised."""
    import cupy

    for _ in iter_sample_chunks_xp(registry, INPUTS, chunk_size, 0, cupy, chunk_size):
        pass  # warm up: kernels compiled, generator states set up
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    for _ in iter_sample_chunks_xp(registry, INPUTS, n, SEED, cupy, chunk_size):
        pass
    cupy.cuda.Device().synchronize()
    return n / (time.perf_counter() - start)


def end_to_end(registry: Mapping[str, Assumption], n: int, repeat: int) -> dict:
    """Best-of-``repeat`` rates: RNG limit (one thread, all cores) and ``run_monte_carlo``
    in histogram and exact mode, interleaved so that each sees the same machine load.

    Also the least CPU time per sample of each (all threads), and ``cpu_share_of_rng``: the
    raw draws' CPU time per sample over the run's, the share of the run's work that is
    drawing. On a machine shared with other jobs the wall-clock rates fall with the load,
    while the CPU times and the shares move much less.
    """
    threads = sampling_threads()
    runs: dict[str, Callable[[], Clock]] = {
        "rng_limit_1_thread": lambda: rng_limit(registry, n, 1),
        "rng_limit": lambda: rng_limit(registry, n, threads),
        "e2e_histogram": lambda: e2e_rate(registry, n, backend="numpy", exact=False),
        "e2e_exact": lambda: e2e_rate(registry, n, backend="numpy", exact=True)}
    best = dict.fromkeys(runs, 0.0)
    cpu = dict.fromkeys(runs, math.inf)
    for _ in range(repeat):
        for name, run in runs.items():
            clock = run()
            best[name] = max(best[name], clock.rate)
            cpu[name] = min(cpu[name], clock.cpu_ns)
    e2e = ("e2e_histogram", "e2e_exact")
    return {"samples": n, "threads": threads, "samples_per_s": best,
            "cpu_ns_per_sample": cpu,
            "share_of_rng_limit": {k: best[k] / best["rng_limit"] for k in e2e},
            "cpu_share_of_rng": {k: cpu["rng_limit"] / cpu[k] for k in e2e}}


def end_to_end_gpu(registry: Mapping[str, Assumption], n: int, repeat: int,
                   chunk_size: int) -> dict:  # pragma: no cover - needs a GPU
    """Best-of-``repeat`` rates on the GPU: CuPy's raw draws and a run on the device."""
    run_monte_carlo(registry, chunk_size, SEED, backend="cupy", exact=False,
                    chunk_size=chunk_size)  # warm up: kernels compiled
    best = {"rng_limit": 0.0, "e2e_histogram": 0.0, "e2e_exact": 0.0,
            "e2e_host_draws": 0.0}
    n_host = min(n, 2**22)
    for _ in range(repeat):
        best["rng_limit"] = max(best["rng_limit"], gpu_rng_limit(registry, n, chunk_size))
        best["e2e_histogram"] = max(best["e2e_histogram"], e2e_rate(
            registry, n, backend="cupy", exact=False, chunk_size=chunk_size).rate)
        best["e2e_exact"] = max(best["e2e_exact"], e2e_rate(
            registry, min(n, 10**7), backend="cupy", exact=True, chunk_size=chunk_size).rate)
        best["e2e_host_draws"] = max(best["e2e_host_draws"], e2e_rate(
            registry, n_host, backend="cupy", exact=False, draws="host").rate)
    return {"samples": n, "chunk_size": chunk_size, "samples_per_s": best,
            "share_of_rng_limit": {k: best[k] / best["rng_limit"]
                                   for k in ("e2e_histogram", "e2e_exact")}}


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        return re.search(r"model name\s*:\s*(.+)", text).group(1).strip()
    except (OSError, AttributeError):
        return platform.processor() or platform.machine()


def memory_run(n: int) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(n), str(SEED)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-eval", type=float, default=1e7,
                        help="samples for (b), (c), (d) [default 1e7]")
    parser.add_argument("--n-python", type=float, default=1e4,
                        help="samples for (a) [default 1e4]")
    parser.add_argument("--n-memory", type=float, default=1e8,
                        help="samples of the memory run, 0 to skip [default 1e8]")
    parser.add_argument("--n-e2e", type=float, default=2**23,
                        help="samples of each end-to-end run and of the RNG limit, 0 to skip "
                        "[default 2**23]")
    parser.add_argument("--n-gpu", type=float, default=10**8,
                        help="samples of the GPU end-to-end runs [default 1e8]")
    parser.add_argument("--gpu-chunk", type=float, default=2**24,
                        help="chunk size of the GPU end-to-end runs [default 2**24]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a smoke test (1e5 / 1e3 / 1e6 / 2**19 / 2**22)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_eval, args.n_python, args.n_memory = 1e5, 1e3, 1e6
        args.n_e2e, args.n_gpu, args.gpu_chunk = 2**19, 2**22, 2**20
    n_eval, n_python, n_memory = int(args.n_eval), int(args.n_python), int(args.n_memory)
    n_e2e = int(args.n_e2e)

    # first, while this process is small: a child's ru_maxrss can start from its parent's
    memory = memory_run(n_memory) if n_memory else None
    x = draw_samples(load_registry(), INPUTS, n_eval, SEED)
    rows = [{k: float(x[k][i]) for k in INPUTS} for i in range(n_python)]
    out = {k: np.empty(n_eval) for k in OUTPUTS}
    naive = kernels.evaluate_numpy_naive(x)
    kernels.evaluate_numpy(x, out=out)
    for k in OUTPUTS:  # generated from the same steps: the same numbers, to the bit
        np.testing.assert_array_equal(naive[k], out[k], err_msg=k)
    del naive

    paths = {
        "a_python_loop": (n_python, lambda: [kernels.reference_per_sample(p) for p in rows]),
        "b_numpy_naive": (n_eval, lambda: kernels.evaluate_numpy_naive(x)),
        "c_numpy_project": (n_eval, lambda: kernels.evaluate_numpy(x, out=out)),
        "c_numpy_project_1_thread": (
            n_eval, lambda: kernels.evaluate_numpy(x, out=out, threads=1)),
    }
    if "cupy" in available_backends():  # pragma: no cover - needs a GPU
        kernels.evaluate_cupy({k: v[:1000] for k, v in x.items()})  # compile once
        paths["d_cupy"] = (n_eval, lambda: kernels.evaluate_cupy(x, out=out))
    results = {}
    for name, (n, fn) in paths.items():
        seconds = best_time(fn, args.repeat)
        results[name] = {"samples": n, "seconds": seconds, "samples_per_s": n / seconds,
                         "allocated_peak_bytes": traced_peak_bytes(fn)}
    registry = load_registry()
    e2e = end_to_end(registry, n_e2e, args.repeat) if n_e2e else None
    e2e_gpu = None
    if "cupy" in available_backends():  # pragma: no cover - needs a GPU
        e2e_gpu = end_to_end_gpu(registry, int(args.n_gpu), args.repeat, int(args.gpu_chunk))
    rate = {k: v["samples_per_s"] for k, v in results.items()}
    ratios = {"c_over_a": rate["c_numpy_project"] / rate["a_python_loop"],
              "c_over_b": rate["c_numpy_project"] / rate["b_numpy_naive"],
              "c_1_thread_over_b": rate["c_numpy_project_1_thread"] / rate["b_numpy_naive"]}

    record = {
        "date": datetime.date.today().isoformat(),
        "host": socket.gethostname(),
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "threads_used": kernels.default_threads(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "backends": list(available_backends()),
        "numpy_block": kernels.NUMPY_BLOCK,
        "seed": SEED,
        "results": results,
        "ratios": ratios,
        "memory_run": None if memory is None else {"samples": n_memory, **memory},
        "end_to_end": e2e,
        "e2e_samples_per_s": None if e2e is None else e2e["samples_per_s"]["e2e_histogram"],
        "e2e_share_of_rng_limit":
            None if e2e is None else e2e["share_of_rng_limit"]["e2e_histogram"],
        "e2e_cpu_share_of_rng":
            None if e2e is None else e2e["cpu_share_of_rng"]["e2e_histogram"],
        "end_to_end_gpu": e2e_gpu,
        "e2e_gpu_samples_per_s":
            None if e2e_gpu is None else e2e_gpu["samples_per_s"]["e2e_histogram"],
        "e2e_gpu_share_of_rng_limit":
            None if e2e_gpu is None else e2e_gpu["share_of_rng_limit"]["e2e_histogram"],
    }
    RESULTS.mkdir(exist_ok=True)
    host = re.sub(r"[^A-Za-z0-9_.-]+", "-", record["host"] or record["cpu"])
    path = RESULTS / f"{host}-{record['date']}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")

    print(f"{record['cpu']}, {record['logical_cores']} logical cores, "
          f"Python {record['python']}, NumPy {record['numpy']}\n")
    print("| path | samples | best time [s] | samples/s | allocated while running [MiB] |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['samples']:.0e} | {r['seconds']:.3f} | {r['samples_per_s']:.3g} "
              f"| {r['allocated_peak_bytes'] / 2**20:.1f} |")
    if "d_cupy" not in results:
        print("| d_cupy | skipped: no GPU | | | |")
    print(f"\n(c)/(a) = {ratios['c_over_a']:.0f}x (target >= 100x); "
          f"(c)/(b) = {ratios['c_over_b']:.2f}x (target >= 2x); "
          f"(c, 1 thread)/(b) = {ratios['c_1_thread_over_b']:.2f}x")
    if memory is not None:
        print(f"run_monte_carlo, {n_memory:.0e} samples, histogram mode: peak RSS "
              f"{memory['peak_rss_kib'] / 2**20:.2f} GiB (target < 1 GiB; "
              f"{memory['rss_before_run_kib'] / 2**20:.2f} GiB after imports), "
              f"{memory['elapsed_s']:.0f} s = {n_memory / memory['elapsed_s']:.3g} samples/s "
              "end to end")
    if e2e is not None:
        r, share = e2e["samples_per_s"], e2e["share_of_rng_limit"]
        print(f"\nEnd to end, {n_e2e:.3g} samples, best of {args.repeat} (draws to quantiles):\n")
        cpu, cpu_share = e2e["cpu_ns_per_sample"], e2e["cpu_share_of_rng"]
        print("| run | samples/s | share of the RNG limit | CPU [ns/sample] | "
              "raw draws' share of the CPU time |")
        print("|---|---:|---:|---:|---:|")
        print(f"| RNG limit, {e2e['threads']} threads (raw draws only) | "
              f"{r['rng_limit']:.3g} | 100% | {cpu['rng_limit']:.0f} | 100% |")
        print(f"| RNG limit, 1 thread | {r['rng_limit_1_thread']:.3g} | "
              f"{r['rng_limit_1_thread'] / r['rng_limit']:.0%} | "
              f"{cpu['rng_limit_1_thread']:.0f} | |")
        for k, what in (("e2e_histogram", "histogram"), ("e2e_exact", "exact")):
            print(f"| run_monte_carlo, {what} mode | {r[k]:.3g} | {share[k]:.0%} | "
                  f"{cpu[k]:.0f} | {cpu_share[k]:.0%} |")
    if e2e_gpu is not None:  # pragma: no cover - needs a GPU
        r, share = e2e_gpu["samples_per_s"], e2e_gpu["share_of_rng_limit"]
        print(f"| GPU: CuPy draws only | {r['rng_limit']:.3g} | 100% | | |")
        print(f"| GPU: run_monte_carlo on the device, histogram | {r['e2e_histogram']:.3g} | "
              f"{share['e2e_histogram']:.0%} | | |")
        print(f"| GPU: run_monte_carlo on the device, exact | {r['e2e_exact']:.3g} | "
              f"{share['e2e_exact']:.0%} | | |")
        print(f"| GPU: host draws, GPU model | {r['e2e_host_draws']:.3g} | | | |")
    elif e2e is not None:
        print("| GPU end to end | skipped: no GPU | | | |")
    print(f"\nwrote {path}")
    return record


if __name__ == "__main__":
    main()
