"""Throughput of the per-sample model four ways, and peak memory of a 1e8-sample Monte Carlo.

(a) plain Python: a loop over :func:`aiboom.kernels.reference_per_sample`;
(b) naive NumPy: the same formula over all samples at once, a fresh array per step;
(c) the project's NumPy path, :func:`aiboom.kernels.evaluate_numpy` (blocked, in place, threads);
(d) the CuPy kernel, :func:`aiboom.kernels.evaluate_cupy`, host-to-device copies included.

Inputs are drawn once from ``data/assumptions.csv`` and only model evaluation is timed (best of
``--repeat``). The memory figure is the peak resident set (``VmHWM``) of a separate process that
runs :func:`aiboom.montecarlo.run_monte_carlo` in histogram mode.

Usage: ``python benchmarks/bench_montecarlo.py [--quick]``. Writes
``benchmarks/results/<host>-<date>.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aiboom import kernels
from aiboom.backend import available_backends
from aiboom.kernels import H100_SXM, INPUTS, OUTPUTS, PAYBACK_HORIZON_MONTHS, Accelerator
from aiboom.registry import load_registry
from aiboom.sampling import draw_samples

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


def naive_numpy(x: dict[str, np.ndarray], acc: Accelerator = H100_SXM) -> dict[str, np.ndarray]:
    """The per-sample model as straightforward NumPy: whole arrays, one temporary per step."""
    (p, N, z, E, k, w, L, H, n_q, d, d_c, b, ctx, B, u_p, u_d, m, rho, n_in, c, n_out, r, q_r,
     W, a, phi, pue, K, V, s, R, X, Q, C0, C1, T0) = (x[key] for key in INPUTS)
    F = np.where(w <= 1.0, acc.peak_flop_per_s_8bit, acc.peak_flop_per_s_16bit)
    kv = L * b * np.where(d_c > 0.0, d_c, 2.0 * H * d)
    flop_token = 2.0 * N + 4.0 * L * n_q * ctx * np.where(d_c > 0.0, d_c, d)
    n_tot = z * N
    n_routed = np.minimum((n_tot - N) / (1.0 - k / E), n_tot)
    weight_bytes = (n_tot - n_routed + (1.0 - (1.0 - k / E) ** B) * n_routed) * w
    s_prefill = 2.0 * N / (F * u_p)
    s_step = np.maximum(flop_token * B / (F * u_d),
                        (weight_bytes + B * ctx * kv) / (acc.hbm_bytes_per_s * m))
    s_decode = s_step / B
    gpu_s = n_in * (1.0 - c) * s_prefill + n_out * (1.0 + r * q_r) * s_decode
    usd = gpu_s * p / (3600.0 * rho)
    wh_acc = gpu_s * W * a / 3600.0
    wh_fleet = gpu_s * W * (1.0 + phi * (1.0 - rho) / rho) * pue / 3600.0
    upfront = K + C0
    fixed = X + C1
    gross = V * s - Q * usd
    net = gross - fixed
    cash_t0 = -(upfront + fixed * T0)
    cash_end = cash_t0 + R * (0.5 * gross - fixed)
    rd = R * fixed
    with np.errstate(invalid="ignore", divide="ignore"):
        t_ramp = T0 + (rd + np.sqrt(rd * rd - 2.0 * R * gross * cash_t0)) / gross
        t_after = T0 + R - cash_end / net
    t = np.where(cash_end >= 0.0, t_ramp, t_after)
    never = (net <= 0.0) | (t > PAYBACK_HORIZON_MONTHS)
    payback = np.where(upfront <= 0.0, 0.0, np.where(never, np.inf, t))
    return {"usd_per_query": usd, "wh_per_query_accelerator": wh_acc,
            "wh_per_query_fleet": wh_fleet, "gpu_seconds_per_query": gpu_s,
            "payback_months": payback}


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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a smoke test (1e5 / 1e3 / 1e6)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_eval, args.n_python, args.n_memory = 1e5, 1e3, 1e6
    n_eval, n_python, n_memory = int(args.n_eval), int(args.n_python), int(args.n_memory)

    # first, while this process is small: a child's ru_maxrss can start from its parent's
    memory = memory_run(n_memory) if n_memory else None
    x = draw_samples(load_registry(), INPUTS, n_eval, SEED)
    rows = [{k: float(x[k][i]) for k in INPUTS} for i in range(n_python)]
    out = {k: np.empty(n_eval) for k in OUTPUTS}
    naive = naive_numpy(x)
    kernels.evaluate_numpy(x, out=out)
    for k in OUTPUTS:  # the naive code is the same formula: it must give the same numbers
        np.testing.assert_allclose(naive[k], out[k], rtol=1e-12, err_msg=k)
    del naive

    paths = {
        "a_python_loop": (n_python, lambda: [kernels.reference_per_sample(p) for p in rows]),
        "b_numpy_naive": (n_eval, lambda: naive_numpy(x)),
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
    print(f"\nwrote {path}")
    return record


if __name__ == "__main__":
    main()
