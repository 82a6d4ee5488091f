"""Tests for aiboom.inference: roofline hand cases, published anchors, properties and checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiboom import inference as inf

H100_FLOP_PER_S = 989.4e12  # dense BF16
H100_BYTES_PER_S = 3.35e12
LLAMA3_70B_KV = 2 * 80 * 8 * 128 * 2  # 80 layers, 8 KV heads of 128, BF16 = 327,680 B/token


# ---------------------------------------------------------------------------- anchors


def test_kv_cache_llama_405b():
    # 2 x 126 layers x 8 KV heads x 128 dims x 2 bytes = 516,096 bytes per token
    assert inf.kv_cache_bytes_per_token(126, 8, 128, 2) == 516_096


def test_decode_70b_bf16_batch_one_is_memory_bound():
    # 70e9 params x 2 bytes = 140 GB read per step. Memory: 140e9 / (3.35e12 x 0.8) = 52.24 ms.
    # Compute: 2 x 70e9 / (989.4e12 x 0.5) = 0.283 ms. The step takes the larger, 52.24 ms.
    step = inf.decode_step_seconds(70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8)
    assert step == pytest.approx(140e9 / (3.35e12 * 0.8), rel=1e-12)
    assert step == pytest.approx(0.05224, rel=1e-3)
    tps = inf.decode_tokens_per_second(
        70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
    )
    assert tps == pytest.approx(19.14, rel=1e-3)
    # 140 GB does not fit one 80 GB H100; on two GPUs (tensor parallel) the step halves.
    two = inf.decode_step_seconds(
        70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8, n_gpus=2
    )
    assert two == pytest.approx(0.02612, rel=1e-3)


def test_decode_with_kv_cache_hand_case():
    # Batch 32 at 4096 context: KV read = 32 x 4096 x 327,680 B = 42.95 GB, plus 140 GB weights
    # = 182.95 GB / (3.35e12 x 0.8) = 68.27 ms; compute 2 x 70e9 x 32 / (989.4e12 x 0.5) =
    # 9.06 ms, so still memory-bound.
    step = inf.decode_step_seconds(
        70e9, 32, 4096, 2, LLAMA3_70B_KV, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
    )
    assert step == pytest.approx((140e9 + 32 * 4096 * 327_680) / (3.35e12 * 0.8), rel=1e-12)
    assert step == pytest.approx(0.06827, rel=1e-3)


def test_decode_compute_bound_at_large_batch():
    # Batch 4096, no KV: compute 2 x 8e9 x 4096 / (989.4e12 x 0.3) = 0.2208 s; memory
    # 16e9 / (3.35e12 x 0.7) = 6.8 ms. Throughput = F x mfu / (2N) = 18,551 tokens/s.
    tps = inf.decode_tokens_per_second(
        8e9, 4096, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.3, 0.7
    )
    assert tps == pytest.approx(989.4e12 * 0.3 / (2 * 8e9), rel=1e-12)


def test_ridge_batch_h100_bf16():
    # 989.4 / 3.35 x 2 bytes / 2 = 295 (inference.md E5)
    assert inf.ridge_batch_size(H100_FLOP_PER_S, H100_BYTES_PER_S, 2) == pytest.approx(295.3, 1e-3)
    # at the ridge batch both roofline terms are equal
    b = inf.ridge_batch_size(H100_FLOP_PER_S, H100_BYTES_PER_S, 2, 0.5, 0.8)
    compute = 2 * 70e9 * b / (H100_FLOP_PER_S * 0.5)
    memory = 70e9 * 2 / (H100_BYTES_PER_S * 0.8)
    assert compute == pytest.approx(memory, rel=1e-12)




def test_usd_per_million_tokens_hand_case():
    # 2 USD/h x 1e6 / (3600 s x 1000 tokens/s x 0.5 busy) = 1.111 USD per million tokens
    assert inf.usd_per_million_tokens(1000.0, 2.0, 0.5) == pytest.approx(1.1111, rel=1e-4)
    # a replica of 8 GPUs at the same replica throughput costs 8 times more per token
    assert inf.usd_per_million_tokens(1000.0, 2.0, 0.5, n_gpus=8) == pytest.approx(8.8889, 1e-4)


def test_usd_per_query_hand_cases():
    # GPT-4o (Aug 2024): 2.50 / 10 USD per M. 1000 in + 500 out = 0.0025 + 0.005 = 0.0075 USD
    assert inf.usd_per_query(1000, 500, 2.5, 10.0) == pytest.approx(0.0075)
    # half the prompt cached at half price: input 1000 x 0.75 x 2.5e-6 = 0.001875
    assert inf.usd_per_query(1000, 500, 2.5, 10.0, 0.5, 0.5) == pytest.approx(0.006875)
    # 7 reasoning tokens per visible token: output billed 500 x 8 x 1e-5 = 0.04
    assert inf.usd_per_query(1000, 500, 2.5, 10.0, reasoning_multiplier=7) == pytest.approx(0.0425)


def test_wh_per_query_epoch_anchor():
    # Epoch AI: 1e14 FLOP on an H100 (989 TFLOP/s) at 10% utilisation = 1.01 s; 1275 W x 0.7
    # load x PUE 1.2 = 1071 W -> 0.30 Wh per query.
    gpu_s = 1e14 / (989e12 * 0.1)
    assert inf.wh_per_query(gpu_s, 1275 * 0.7, 1.2) == pytest.approx(0.30, abs=0.005)






def test_moe_total_params_only_in_memory_term():
    args = (37e9, 1, 0, 1.0, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8)
    dense = inf.decode_step_seconds(*args)
    moe = inf.decode_step_seconds(*args, total_params=671e9)  # DeepSeek-V3-like
    assert moe == pytest.approx(dense * 671 / 37, rel=1e-12)  # batch 1: memory-bound
    big = (37e9, 8192, 0, 1.0, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8)
    # large batch: compute-bound, set by active params only
    assert inf.decode_step_seconds(*big, total_params=671e9) == pytest.approx(
        2 * 37e9 * 8192 / (H100_FLOP_PER_S * 0.5), rel=1e-12
    )




def test_accelerator_record_helpers():
    h100 = {
        "bf16_dense_tflops": 989.4,
        "fp8_dense_tflops": 1978.9,
        "fp4_dense_tflops": None,
        "hbm_tb_per_s": 3.35,
    }
    assert inf.accelerator_peak_flop_per_s(h100) == pytest.approx(989.4e12)
    assert inf.accelerator_peak_flop_per_s(h100, "fp8") == pytest.approx(1978.9e12)
    assert inf.accelerator_mem_bytes_per_s(h100) == pytest.approx(3.35e12)
    assert inf.PRECISION_BYTES == {"bf16": 2, "fp8": 1, "fp4": 0.5}
    with pytest.raises(ValueError, match="fp4"):
        inf.accelerator_peak_flop_per_s(h100, "fp4")
    with pytest.raises(ValueError, match="precision"):
        inf.accelerator_peak_flop_per_s(h100, "int3")
    table = pd.DataFrame([h100, {**h100, "bf16_dense_tflops": 2250.0}])
    np.testing.assert_allclose(inf.accelerator_peak_flop_per_s(table), [989.4e12, 2250e12])
    row = pd.Series({"bf16_dense_tflops": 312.0, "fp8_dense_tflops": np.nan, "hbm_tb_per_s": 2.039})
    assert inf.accelerator_peak_flop_per_s(row) == pytest.approx(312e12)
    with pytest.raises(ValueError, match="fp8"):
        inf.accelerator_peak_flop_per_s(row, "fp8")
    with pytest.raises(ValueError, match="fp4"):
        inf.accelerator_peak_flop_per_s(row, "fp4")


def test_arrays_broadcast_like_scalars():
    batches = np.array([1, 8, 64, 512, 4096])
    ctx = np.array([[0], [8192]])
    out = inf.decode_tokens_per_second(
        70e9, batches, ctx, 2, LLAMA3_70B_KV, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
    )
    assert out.shape == (2, 5)
    for i, c in enumerate([0, 8192]):
        for j, b in enumerate(batches):
            assert out[i, j] == inf.decode_tokens_per_second(
                70e9, int(b), c, 2, LLAMA3_70B_KV, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
            )


# ---------------------------------------------------------------------------- properties

params_st = st.floats(min_value=1e8, max_value=2e12)
ctx_st = st.floats(min_value=0.0, max_value=2e5)
util_st = st.floats(min_value=0.01, max_value=1.0)


@settings(max_examples=100, deadline=None)
@given(
    n=params_st,
    ctx=ctx_st,
    mfu=util_st,
    mbu=util_st,
    b=st.integers(1, 4096),
    extra=st.integers(1, 4096),
    w=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_throughput_rises_with_batch_then_plateaus(n, ctx, mfu, mbu, b, extra, w):
    def tps(batch, context):
        return inf.decode_tokens_per_second(
            n, batch, context, w, LLAMA3_70B_KV, H100_FLOP_PER_S, H100_BYTES_PER_S, mfu, mbu
        )

    ceiling = H100_FLOP_PER_S * mfu / (2 * n)  # compute roofline
    lo, hi = tps(b, ctx), tps(b + extra, ctx)
    assert hi >= lo * (1 - 1e-12)
    assert hi <= ceiling * (1 + 1e-12)
    # with no context the cost per token never rises with batch
    c_lo = inf.usd_per_million_tokens(tps(b, 0.0), 2.0, 0.5)
    c_hi = inf.usd_per_million_tokens(tps(b + extra, 0.0), 2.0, 0.5)
    assert c_hi <= c_lo * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(tps=st.floats(1.0, 1e5), price=st.floats(0.1, 20.0), u=util_st, k=st.floats(1.01, 10.0))
def test_token_cost_monotone(tps, price, u, k):
    c = inf.usd_per_million_tokens(tps, price, u)
    assert inf.usd_per_million_tokens(tps, price * k, u) > c
    assert inf.usd_per_million_tokens(tps * k, price, u) < c
    if u * k <= 1.0:
        assert inf.usd_per_million_tokens(tps, price, u * k) < c


@settings(max_examples=60, deadline=None)
@given(
    n_in=st.floats(0, 1e5),
    n_out=st.floats(1, 1e4),
    m=st.floats(0, 30),
    h=st.floats(0, 1),
    k=st.floats(1.01, 5.0),
)
def test_query_price_monotone(n_in, n_out, m, h, k):
    q = inf.usd_per_query(n_in, n_out, 2.5, 10.0, h, 0.1, m)
    assert inf.usd_per_query(n_in, n_out * k, 2.5, 10.0, h, 0.1, m) > q
    assert inf.usd_per_query(n_in, n_out, 2.5, 10.0, h, 0.1, m + k) > q
    assert inf.usd_per_query(n_in, n_out, 2.5, 10.0 * k, h, 0.1, m) > q


# ---------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("mfu", [0.0, 1.2])
def test_bad_mfu_raises(mfu):
    with pytest.raises(ValueError, match="mfu"):
        inf.decode_step_seconds(70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, mfu, 0.8)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="mbu"):
        inf.decode_step_seconds(70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.0)
    with pytest.raises(ValueError, match="output_tokens"):
        inf.usd_per_query(100, -1, 1.0, 1.0)
    with pytest.raises(ValueError, match="utilization"):
        inf.usd_per_million_tokens(100.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="batch_size"):
        inf.decode_step_seconds(
            70e9, np.array([1, 0]), 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
        )
    with pytest.raises(ValueError, match="cached_input_share"):
        inf.usd_per_query(100, 10, 1.0, 1.0, cached_input_share=1.5)
    with pytest.raises(ValueError, match="pue"):
        inf.wh_per_query(1.0, 1000.0, 0.8)
    with pytest.raises(ValueError, match="n_gpus"):
        inf.decode_step_seconds(70e9, 1, 0, 2, 0, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8,
                                n_gpus=0)


# ---------------------------------------------------------------------------- CuPy parity


@pytest.mark.gpu
def test_cupy_matches_numpy():
    cupy = pytest.importorskip("cupy")
    batches = np.array([1.0, 16.0, 256.0, 4096.0])
    cpu = inf.decode_tokens_per_second(
        70e9, batches, 4096, 2, LLAMA3_70B_KV, H100_FLOP_PER_S, H100_BYTES_PER_S, 0.5, 0.8
    )
    gpu = inf.decode_tokens_per_second(
        70e9,
        cupy.asarray(batches),
        4096,
        2,
        LLAMA3_70B_KV,
        H100_FLOP_PER_S,
        H100_BYTES_PER_S,
        0.5,
        0.8,
    )
    np.testing.assert_allclose(cupy.asnumpy(gpu), cpu, rtol=1e-12)


def test_expert_weights_read_by_a_batch():
    # DeepSeek-V3: 37B active of 671B, 8 of 256 routed experts per token
    one = inf.weight_params_read_per_step(37e9, 671e9, 1, 256, 8)
    assert one == pytest.approx(37e9, rel=1e-12)
    routed = (671e9 - 37e9) / (1 - 8 / 256)
    b64 = inf.weight_params_read_per_step(37e9, 671e9, 64, 256, 8)
    assert b64 == pytest.approx(671e9 - routed * (1 - 8 / 256) ** 64, rel=1e-12)
    assert inf.weight_params_read_per_step(37e9, 671e9, 4096, 256, 8) == pytest.approx(671e9)
    # dense, and the defaults (one expert of one): every stored parameter
    assert inf.weight_params_read_per_step(7e10, 7e10, 8, 256, 8) == 7e10
    assert inf.weight_params_read_per_step(37e9, 671e9, 1) == 671e9
    reads = inf.weight_params_read_per_step(37e9, 671e9, np.array([1.0, 16.0, 256.0]), 256, 8)
    assert np.all(np.diff(reads) > 0)


def test_moe_decode_step_reads_only_touched_experts():
    kw = dict(context_tokens=0, weight_bytes_per_param=1.0, kv_bytes_per_token=0.0,
              peak_flop_per_s=1e18, mem_bytes_per_s=1e12, mfu=1.0, mbu=1.0)
    every = inf.decode_step_seconds(37e9, 1, total_params=671e9, **kw)
    touched = inf.decode_step_seconds(37e9, 1, total_params=671e9, routed_experts=256,
                                      experts_per_token=8, **kw)
    assert every == pytest.approx(0.671) and touched == pytest.approx(0.037)


def test_latent_attention_kv_cache():
    assert inf.kv_cache_bytes_per_token(61, 128, 128, 1, latent_dim=576) == 61 * 576
    both = inf.kv_cache_bytes_per_token(61, 8, 128, 2, latent_dim=np.array([0.0, 576.0]))
    np.testing.assert_array_equal(both, [2 * 61 * 8 * 128 * 2, 61 * 576 * 2])


def test_energy_of_the_whole_fleet():
    # 3600 busy GPU-s at 1000 W: 1 kWh of server energy
    assert inf.wh_per_query(3600.0, 1000.0, 1.1) == pytest.approx(1100.0)
    # half the fleet idle at 30% power: 0.3 idle kWh per busy kWh
    assert inf.wh_per_query(3600.0, 1000.0, 1.1, utilization=0.5,
                            idle_power_fraction=0.3) == pytest.approx(1.3 * 1100.0)
    with pytest.raises(ValueError):
        inf.wh_per_query(1.0, 1000.0, 1.1, utilization=0.0)
    with pytest.raises(ValueError):
        inf.wh_per_query(1.0, 1000.0, 1.1, idle_power_fraction=1.5)
