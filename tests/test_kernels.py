"""The per-sample model: hand cases, the generated targets against each other (more in
``test_model_targets.py``), payback against a numerical integration, and monotonicity."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
import types

import numpy as np
import pytest
from _mc_helpers import REGISTRY

from aiboom import inference, kernels
from aiboom.kernels import (
    CUDA_OPTIONS,
    CUDA_SOURCE,
    H100_SXM,
    INPUTS,
    OUTPUTS,
    PAYBACK_HORIZON_MONTHS,
    create_accelerator,
    evaluate_numpy,
    reference_per_sample,
)
from aiboom.sampling import draw_samples

# Round numbers for hand arithmetic: 16-bit weights, so F = 5e14 FLOP/s; HBM so large that
# one GPU holds any model (replica G = 1) unless a test says otherwise.
EASY_GPU = create_accelerator(peak_flop_per_s_8bit=1e15, peak_flop_per_s_16bit=5e14,
                              hbm_bytes_per_s=2e12, hbm_bytes=1e16)
EASY = {
    "h100_usd_per_gpu_hour": 2.0, "frontier_active_params": 1e11, "weight_bytes_per_param": 2.0,
    "frontier_total_to_active_params": 1.0, "frontier_routed_experts": 256,
    "frontier_experts_per_token": 8,
    "frontier_layers": 80, "frontier_kv_heads": 8, "frontier_query_heads": 64,
    "frontier_head_dim": 128, "frontier_kv_latent_dim": 0, "kv_bytes_per_value": 2.0,
    "context_tokens": 1000, "decode_batch_size": 10, "hbm_usable_share": 1.0,
    "inference_mfu": 0.5, "decode_mfu": 0.5, "inference_mbu": 0.5, "serving_utilization": 0.5,
    "input_tokens_per_query": 1000, "cached_input_share": 0.5, "output_tokens_per_query": 100,
    "reasoning_token_multiplier": 2.0, "reasoning_query_share": 0.5,
    "server_watts_per_gpu": 1000, "accelerator_power_share": 0.5, "idle_power_fraction": 0.4,
    "pue": 1.5,
    "genai_project_capex_usd": 1e6, "genai_monthly_benefit_usd": 1e5, "value_capture_share": 1.0,
    "genai_ramp_months": 0.0, "genai_monthly_opex_usd": 0.0, "genai_queries_per_month": 0.0,
    "data_cleanup_oneoff_usd": 0.0, "data_cleanup_monthly_usd": 0.0,
    "data_cleanup_delay_months": 0.0,
}


def columns(rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    return {k: np.array([r[k] for r in rows], dtype=np.float64) for k in rows[0]}


def registry_samples(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    return draw_samples(REGISTRY, INPUTS, n, seed)


def test_hand_case():
    out = reference_per_sample(EASY, EASY_GPU)
    # kv = 2*80*8*128*2 = 327,680 B/token; prefill 2e11/(5e14*0.5) = 8e-4 s/token
    # FLOP/token 2e11 + 4*80*64*1000*128 = 2.0262144e11
    # step = max(2.0262144e11*10/2.5e14 = 8.1e-3, (2e11 + 10*1000*327680)/(2e12*0.5) = 0.2032768) s
    # gpu_s = 1000*0.5*8e-4 + 100*(1 + 2*0.5)*0.2032768/10 = 0.4 + 4.065536 = 4.465536 GPU-s
    assert out["gpu_seconds_per_query"] == pytest.approx(4.465536, rel=1e-14)
    assert out["usd_per_query"] == pytest.approx(4.465536 * 2 / 1800, rel=1e-14)
    # accelerators alone: half of 1000 W while busy; fleet: + 0.4 x 1 idle s per busy s, PUE
    assert out["wh_per_query_accelerator"] == pytest.approx(4.465536 * 500 / 3600, rel=1e-14)
    assert out["wh_per_query_fleet"] == pytest.approx(4.465536 * 1000 * 1.4 * 1.5 / 3600,
                                                      rel=1e-14)
    # no ramp, no delay: 1e6 USD at 1e5 USD/month pays back in 10 months
    assert out["payback_months"] == pytest.approx(10.0, rel=1e-14)


@pytest.mark.parametrize("changes, months", [
    # ramp of 12 months: cash at its end is -1e6 + 12 * 1e5 / 2 = -4e5, then 4 more months
    ({"genai_ramp_months": 12.0}, 16.0),
    # upfront 3e5 is earned back inside the ramp: 1e5 t^2 / 24 = 3e5 -> t = sqrt(72)
    ({"genai_ramp_months": 12.0, "genai_project_capex_usd": 3e5}, math.sqrt(72.0)),
    # 6 months of clean-up at 1e4/month before benefit: 1.06e6 / 9e4 after T0
    ({"data_cleanup_delay_months": 6.0, "data_cleanup_monthly_usd": 1e4}, 6.0 + 1.06e6 / 9e4),
    ({"genai_project_capex_usd": 0.0}, 0.0),  # nothing to pay back
    ({"genai_monthly_opex_usd": 1e5}, math.inf),  # net rate zero: never
    ({"genai_project_capex_usd": 2.41e7}, math.inf),  # 241 months: past the horizon
    ({"genai_project_capex_usd": 2.4e7}, 240.0),  # exactly at the horizon counts
])
def test_payback_hand_cases(changes, months):
    got = reference_per_sample({**EASY, **changes}, EASY_GPU)["payback_months"]
    assert got == pytest.approx(months, rel=1e-13)
    arrays = evaluate_numpy(columns([{**EASY, **changes}]), accelerator=EASY_GPU)
    assert arrays["payback_months"][0] == got


def test_eight_bit_weights_use_the_fp8_peak():
    fp8 = reference_per_sample({**EASY, "weight_bytes_per_param": 1.0}, EASY_GPU)
    # prefill halves with the doubled peak: 1000*0.5*4e-4 = 0.2 s less prefill than 0.4 s
    memory_s = (1e11 * 1.0 + 10 * 1000 * 327680) / 1e12
    assert fp8["gpu_seconds_per_query"] == pytest.approx(0.2 + 200 * memory_s / 10, rel=1e-14)


def test_mixture_of_experts_reads_the_experts_its_batch_touches():
    # 4x stored over active, 8 of 256 experts: routed 3e11 / (31/32), shared the rest
    moe = {**EASY, "frontier_total_to_active_params": 4.0}
    routed = 3e11 / (1 - 8 / 256)
    for batch in (1.0, 10.0, 1000.0):
        touched = 1 - (1 - 8 / 256) ** batch
        read_bytes = (4e11 - routed + touched * routed) * 2.0
        flop = 2e11 + 4 * 80 * 64 * 1000 * 128
        step = max(flop * batch / 2.5e14, (read_bytes + batch * 1000 * 327680) / 1e12)
        want = 0.4 + 100 * 2.0 * step / batch
        got = reference_per_sample({**moe, "decode_batch_size": batch}, EASY_GPU)
        assert got["gpu_seconds_per_query"] == pytest.approx(want, rel=1e-13)
    # one token reads the shared weights and one token's experts: the active parameters
    one = reference_per_sample({**moe, "decode_batch_size": 1.0}, EASY_GPU)
    dense = reference_per_sample({**EASY, "decode_batch_size": 1.0}, EASY_GPU)
    assert one["gpu_seconds_per_query"] == pytest.approx(dense["gpu_seconds_per_query"],
                                                         rel=1e-12)
    # more stored parameters than experts can hold: all of them are routed
    huge = reference_per_sample({**moe, "frontier_total_to_active_params": 100.0}, EASY_GPU)
    assert math.isfinite(huge["gpu_seconds_per_query"])


def test_replica_shards_the_weights_and_pools_the_batch():
    # 80 GB per GPU: 2e11 B of weights beside 10 x 1000 x 327,680 B of cache per GPU need
    # 2e11 / (8e10 - 3.2768e9) = 2.61 GPUs, so a replica of 4; each reads a quarter
    gpu = EASY_GPU._replace(hbm_bytes=8e10)
    got = reference_per_sample(EASY, gpu)
    step = max(8.1e-3, (2e11 / 4 + 3.2768e9) / 1e12)
    assert got["gpu_seconds_per_query"] == pytest.approx(0.4 + 200 * step / 10, rel=1e-14)
    # mixture of experts: 8e11 B need 10.4 GPUs -> 16, touching experts for 16 x 10 tokens
    moe = {**EASY, "frontier_total_to_active_params": 4.0}
    routed = 3e11 / (1 - 8 / 256)
    touched = 1 - (1 - 8 / 256) ** 160
    read = (4e11 - routed + touched * routed) * 2.0 / 16
    step = max(8.1e-3, (read + 3.2768e9) / 1e12)
    got = reference_per_sample(moe, gpu)
    assert got["gpu_seconds_per_query"] == pytest.approx(0.4 + 200 * step / 10, rel=1e-13)
    # usable share: 90 % of 80 GB leaves 6.8723e10 B, still 4 GPUs for the dense model
    assert kernels.replica_gpus(2e11, 0.9 * 8e10 - 3.2768e9) == 4.0
    assert kernels.replica_gpus(4e11, 1e11) == 4.0  # exactly four: no rounding up
    assert kernels.replica_gpus(1e9, 8e10) == 1.0
    # a GPU that cannot hold its own sequences' cache: no replica fits, the limit G = inf
    assert kernels.replica_gpus(2e11, -1.0) == math.inf
    full = reference_per_sample({**EASY, "decode_batch_size": 1000.0}, gpu)
    step = max(2.0262144e11 * 1000 / 2.5e14, 1000 * 1000 * 327680 / 1e12)
    assert full["gpu_seconds_per_query"] == pytest.approx(0.4 + 200 * step / 1000, rel=1e-13)
    # the reference and NumPy agree on replicas of every size, the infinite one included
    rows = [{**moe, "decode_batch_size": b, "context_tokens": c}
            for b in (1.0, 10.0, 64.0, 300.0) for c in (100.0, 1000.0, 30000.0)]
    arrays = evaluate_numpy(columns(rows), accelerator=gpu)
    for i, row in enumerate(rows):
        want = reference_per_sample(row, gpu)
        for k in OUTPUTS:
            assert arrays[k][i] == want[k] or (math.isnan(want[k]) and math.isnan(arrays[k][i]))


def test_latent_attention_caches_one_latent_vector_per_layer():
    mla = reference_per_sample({**EASY, "frontier_kv_latent_dim": 576}, EASY_GPU)
    kv = 80 * 2.0 * 576  # L b d_c [bytes/token]
    step = (2e11 + 10 * 1000 * kv) / 1e12
    assert mla["gpu_seconds_per_query"] == pytest.approx(0.4 + 200 * step / 10, rel=1e-13)
    # at a large batch the step is compute-bound, attention working in the latent width
    big = reference_per_sample({**EASY, "frontier_kv_latent_dim": 576,
                                "decode_batch_size": 5000.0}, EASY_GPU)
    flop = 2e11 + 4 * 80 * 64 * 1000 * 576
    step = max(flop * 5000 / 2.5e14, (2e11 + 5000 * 1000 * kv) / 1e12)
    assert big["gpu_seconds_per_query"] == pytest.approx(0.4 + 200 * step / 5000, rel=1e-13)


def test_fleet_energy_counts_idle_reserve_and_overhead():
    full = reference_per_sample({**EASY, "serving_utilization": 1.0}, EASY_GPU)
    # fully used fleet: no idle reserve, so fleet / accelerator = PUE / accelerator share
    assert full["wh_per_query_fleet"] / full["wh_per_query_accelerator"] == pytest.approx(3.0)
    low = reference_per_sample({**EASY, "serving_utilization": 0.25}, EASY_GPU)
    assert low["wh_per_query_fleet"] == pytest.approx(
        full["wh_per_query_fleet"] * (1 + 0.4 * 3), rel=1e-14)
    assert low["wh_per_query_accelerator"] == full["wh_per_query_accelerator"]


def test_numpy_matches_reference_bit_for_bit():
    n = 2000
    x = registry_samples(n)
    # force the rare branches into some samples
    x["genai_project_capex_usd"][:20] = 0.0
    x["data_cleanup_oneoff_usd"][:20] = 0.0
    x["genai_ramp_months"][20:40] = 0.0
    x["data_cleanup_delay_months"][40:60] = 0.0
    y = evaluate_numpy(x)
    ref = columns([reference_per_sample({k: x[k][i] for k in INPUTS}) for i in range(n)])
    for k in OUTPUTS:
        # same operations in the same order: identical but for the last bit of pow, which
        # NumPy may compute with a vectorised routine
        np.testing.assert_allclose(y[k], ref[k], rtol=1e-14, atol=0, err_msg=k)
    payback = ref["payback_months"]
    assert (payback == 0).any() and np.isinf(payback).any() and np.isfinite(payback).sum() > n / 2


def test_threads_blocks_and_out_do_not_change_results():
    n = 2 * kernels.NUMPY_BLOCK + 5
    x = registry_samples(n)
    one = evaluate_numpy(x, threads=1)
    out = {k: np.full(n, np.nan) for k in OUTPUTS}
    two = evaluate_numpy(x, out=out, threads=2)
    assert two["usd_per_query"] is out["usd_per_query"]
    for k in OUTPUTS:
        np.testing.assert_array_equal(one[k], two[k])
    assert evaluate_numpy({k: v[:0] for k, v in x.items()})["usd_per_query"].shape == (0,)


def test_bad_chunks_are_reported():
    x = registry_samples(10)
    with pytest.raises(KeyError, match="pue"):
        evaluate_numpy({k: v for k, v in x.items() if k != "pue"})
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        evaluate_numpy({**x, "pue": x["pue"][:5]})
    with pytest.raises(ValueError, match="out\\['usd_per_query'\\] must be float64"):
        evaluate_numpy(x, out={k: np.empty(9) for k in OUTPUTS})


def test_accelerator_constants_are_checked():
    with pytest.raises(ValueError, match="unknown accelerator constant.*hbm_bytes_per_s"):
        create_accelerator(hbm_bandwidth=1e12)
    with pytest.raises(ValueError, match="must be positive"):
        create_accelerator(hbm_bytes_per_s=0.0)
    assert create_accelerator() == H100_SXM


def cash_by_integration(p: dict[str, float], usd_per_query: float, dt: float) -> float:
    """First month with cumulative cash >= 0, by the midpoint rule on a grid of step ``dt``.

    The grid holds the kinks (start and end of the ramp), so each step sees a linear cash rate
    and the rule is exact on it; the crossing is interpolated linearly between grid points.
    """
    t0, ramp = p["data_cleanup_delay_months"], p["genai_ramp_months"]
    t = np.union1d(np.arange(0.0, PAYBACK_HORIZON_MONTHS + dt / 2, dt), [t0, t0 + ramp])
    t = t[t <= PAYBACK_HORIZON_MONTHS]
    mid = 0.5 * (t[1:] + t[:-1])
    share = np.clip((mid - t0) / ramp, 0, 1) if ramp > 0 else (mid > t0).astype(float)
    gross = p["genai_monthly_benefit_usd"] * p["value_capture_share"] \
        - p["genai_queries_per_month"] * usd_per_query
    rate = share * gross - p["genai_monthly_opex_usd"] - p["data_cleanup_monthly_usd"]
    cash = -(p["genai_project_capex_usd"] + p["data_cleanup_oneoff_usd"]) + np.concatenate(
        [[0.0], np.cumsum(rate * np.diff(t))])
    hit = np.flatnonzero(cash >= 0)
    if hit.size == 0:
        return math.inf
    j = hit[0]
    if j == 0:
        return 0.0
    return t[j - 1] + (t[j] - t[j - 1]) * (-cash[j - 1]) / (cash[j] - cash[j - 1])


def test_closed_form_payback_matches_numerical_integration():
    x = registry_samples(300, seed=5)
    x["genai_ramp_months"][:30] = 0.0  # instant adoption
    x["data_cleanup_delay_months"][30:60] = 0.0  # no clean-up delay
    y = evaluate_numpy(x)
    branches = {"ramp": 0, "after": 0, "never": 0}
    dt = 1e-2
    for i in range(300):
        p = {k: float(x[k][i]) for k in INPUTS}
        closed = y["payback_months"][i]
        numeric = cash_by_integration(p, float(y["usd_per_query"][i]), dt)
        if math.isinf(closed) or math.isinf(numeric):
            # a crossing within one step of the horizon may land either side of it
            assert math.isinf(closed) == math.isinf(numeric) or min(closed, numeric) > 239.99
            branches["never"] += 1
            continue
        # exact integral on the grid; only the interpolation of the crossing errs, O(dt^2)
        assert closed == pytest.approx(numeric, abs=dt**2), p
        ramp_end = p["data_cleanup_delay_months"] + p["genai_ramp_months"]
        branches["ramp" if closed <= ramp_end else "after"] += 1
    assert min(branches.values()) >= 10, branches  # every branch was exercised


@pytest.mark.parametrize("key, direction, output", [
    ("genai_monthly_benefit_usd", -1, "payback_months"),
    ("value_capture_share", -1, "payback_months"),
    ("h100_usd_per_gpu_hour", +1, "usd_per_query"),
    ("input_tokens_per_query", +1, "usd_per_query"),
    ("output_tokens_per_query", +1, "usd_per_query"),
    ("reasoning_token_multiplier", +1, "usd_per_query"),
    ("reasoning_query_share", +1, "usd_per_query"),
    ("context_tokens", +1, "usd_per_query"),
    ("frontier_query_heads", +1, "usd_per_query"),
    ("frontier_active_params", +1, "usd_per_query"),
    ("serving_utilization", -1, "usd_per_query"),
    ("serving_utilization", -1, "wh_per_query_fleet"),
    ("idle_power_fraction", +1, "wh_per_query_fleet"),
    ("accelerator_power_share", +1, "wh_per_query_accelerator"),
    ("frontier_total_to_active_params", +1, "usd_per_query"),
    ("frontier_experts_per_token", +1, "usd_per_query"),
    ("inference_mfu", -1, "usd_per_query"),
    ("decode_mfu", -1, "usd_per_query"),
    ("inference_mbu", -1, "usd_per_query"),
    ("h100_usd_per_gpu_hour", +1, "payback_months"),
])
def test_monotonicity(key, direction, output):
    # at a fixed replica (one GPU with room for any model): the replica's size G steps up in
    # powers of two as weights or cache grow, and each step cuts the weights a GPU reads, so
    # across a step the cost may fall (test_replica_steps_are_the_only_non_monotone_part)
    x = registry_samples(5000, seed=9)
    roomy = H100_SXM._replace(hbm_bytes=1e16)
    evaluate = functools.partial(evaluate_numpy, accelerator=roomy)
    base = evaluate(x)[output]
    for factor in (1.01, 1.5):
        bumped = {**x, key: x[key] * factor}
        if key.endswith(("_share", "mfu", "mbu", "utilization")):
            bumped[key] = np.minimum(bumped[key], 1.0)
        moved = evaluate(bumped)[output]
        finite = np.isfinite(base) & np.isfinite(moved)
        change = (moved[finite] - base[finite]) * direction
        assert np.all(change >= -1e-12 * np.abs(base[finite])), f"{key} x{factor}"
        # a payback only becomes infinite when the change is for the worse
        better, worse = (moved, base) if direction < 0 else (base, moved)
        assert np.all(np.isinf(better) <= np.isinf(worse)), f"{key} x{factor}"


def test_replica_steps_are_the_only_non_monotone_part():
    # with the H100's 80 GB, more context never costs less while the replica keeps its size
    x = registry_samples(5000, seed=9)
    base, more = dict(x), {**x, "context_tokens": x["context_tokens"] * 1.01}

    def gpus(chunk):
        kv = inference.kv_cache_bytes_per_token(
            chunk["frontier_layers"], chunk["frontier_kv_heads"], chunk["frontier_head_dim"],
            chunk["kv_bytes_per_value"], latent_dim=chunk["frontier_kv_latent_dim"])
        stored = chunk["frontier_total_to_active_params"] * chunk["frontier_active_params"] \
            * chunk["weight_bytes_per_param"]
        free = chunk["hbm_usable_share"] * H100_SXM.hbm_bytes \
            - chunk["decode_batch_size"] * chunk["context_tokens"] * kv
        return np.array([kernels.replica_gpus(s, f) for s, f in zip(stored, free, strict=True)])

    same = gpus(base) == gpus(more)
    assert same.mean() > 0.5
    a, b = evaluate_numpy(base)["usd_per_query"], evaluate_numpy(more)["usd_per_query"]
    assert np.all(b[same] >= a[same] * (1 - 1e-12))


def test_kernels_import_does_not_import_cupy():
    code = "import sys, aiboom.kernels; assert 'cupy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def nvrtc_ptx(source: str) -> str:
    """Compile CUDA source to PTX with NVRTC, on a machine with or without a GPU.

    Uses CuPy's private ``cupy_backends`` NVRTC binding (tooling note §4.3) and the
    ``nvidia-cuda-nvrtc-cu12`` wheel; skips when either is missing.
    """
    nvrtc = pytest.importorskip("cupy_backends.cuda.libs.nvrtc")
    try:
        prog = nvrtc.createProgram(source, "aiboom_per_sample.cu", (), ())
    except Exception as exc:  # the NVRTC shared library could not be loaded
        pytest.skip(f"NVRTC unavailable: {exc}")
    try:
        nvrtc.compileProgram(prog, ("-arch=compute_80", *CUDA_OPTIONS))
        ptx = nvrtc.getPTX(prog)
    except nvrtc.NVRTCError:
        pytest.fail(nvrtc.getProgramLog(prog))
    finally:
        nvrtc.destroyProgram(prog)
    return ptx.decode() if isinstance(ptx, bytes) else ptx


def test_cuda_source_compiles_with_nvrtc():
    ptx = nvrtc_ptx(CUDA_SOURCE)
    assert ".entry aiboom_per_sample" in ptx
    # --fmad=false: every operation rounds as NumPy's does. The library's pow uses fused
    # multiply-adds inside itself (as NumPy's may), so check the source with it stubbed out
    assert CUDA_SOURCE.count("pow(") == 1
    assert "fma.rn.f64" not in nvrtc_ptx(CUDA_SOURCE.replace("pow(", "fmax("))
    for k, symbol in enumerate(kernels.SYMBOLS.values()):
        assert f"const double {symbol} = x[{k}LL * n + i];" in CUDA_SOURCE
    for name, _ in kernels.MODEL:  # generated from the one definition, a step per line
        assert f"        const double {name} = " in CUDA_SOURCE


def test_cupy_host_plumbing_with_a_stand_in_device(monkeypatch):
    """Row order, argument order and copies of :func:`evaluate_cupy`, with NumPy standing in
    for the device and for the kernel (the kernel itself is checked on a GPU, below)."""

    class DeviceArray(np.ndarray):
        def get(self):
            return np.asarray(self).copy()

    def stand_in_kernel(grid, block, args):
        x, y, n, f8, f16, bw, hbm, horizon = args
        assert x.shape == (len(INPUTS), n) and y.shape == (len(OUTPUTS), n)
        assert grid[0] * block[0] >= min(n, 2**16 * block[0]) and horizon == 240.0
        acc = kernels.Accelerator(float(f8), float(f16), float(bw), float(hbm))
        result = evaluate_numpy(dict(zip(INPUTS, x, strict=True)), accelerator=acc)
        for j, k in enumerate(OUTPUTS):
            y[j] = result[k]

    fake = types.SimpleNamespace(
        asarray=lambda a: np.array(a).view(DeviceArray), float64=np.float64,
        empty=lambda shape, dtype: np.empty(shape, dtype).view(DeviceArray))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setattr(kernels, "_cuda_kernel", lambda: stand_in_kernel)
    x = registry_samples(1000)
    got = kernels.evaluate_cupy(x, accelerator=EASY_GPU)
    want = evaluate_numpy(x, accelerator=EASY_GPU)
    for k in OUTPUTS:
        np.testing.assert_array_equal(got[k], want[k])
    assert kernels.evaluate(x, "numpy")["usd_per_query"].tolist() == \
        evaluate_numpy(x)["usd_per_query"].tolist()


@pytest.mark.gpu
def test_cupy_matches_numpy():
    x = registry_samples(300_000, seed=17)
    x["genai_project_capex_usd"][:100] = 0.0
    cpu = evaluate_numpy(x)
    gpu = kernels.evaluate_cupy(x)
    for k in OUTPUTS:
        assert np.array_equal(np.isinf(gpu[k]), np.isinf(cpu[k])), k
        # tolerance documented in aiboom.backend
        np.testing.assert_allclose(gpu[k], cpu[k], rtol=1e-9, atol=0, err_msg=k)
