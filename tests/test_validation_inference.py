"""Inference and energy validation cases: their inputs, hand arithmetic and failure modes."""

from __future__ import annotations

import pytest

from aiboom.registry import load_registry
from aiboom.validation import energy, inference

REGISTRY = load_registry()


def test_deepseek_decode_batch_is_littles_law():
    # 14.8k tokens/s per 8-GPU node = 1850 per GPU; 144 GPUs at 21 tokens/s per user
    # per GPU (the kernel's B) 1850 / 21; per 144-GPU unit 144 times as many
    assert inference.deepseek_decode_batch() == pytest.approx(1850 / 21)
    assert inference.deepseek_decode_batch("unit") == pytest.approx(144 * 1850 / 21)
    with pytest.raises(ValueError, match="per must be"):
        inference.deepseek_decode_batch("node")


def test_deepseek_decode_throughput_by_hand():
    c = {k: a.central for k, a in REGISTRY.items()}
    batch = 144 * 1850 / 21
    share = 8 / 256
    routed = (671e9 - 37e9) / (1 - share)
    read_bytes = (671e9 - routed + (1 - (1 - share) ** batch) * routed) * 1.0  # FP8 weights
    kv = 61 * c["kv_bytes_per_value"] * 576  # latent cache [bytes/token]
    flop = 2 * 37e9 + 4 * 61 * c["frontier_query_heads"] * 4989 * 576
    step = max(flop * batch / (1978.9e12 * c["decode_mfu"]),
               (read_bytes + batch * 4989 * kv) / (3.36e12 * c["inference_mbu"]))
    got = inference.deepseek_decode_tokens_per_s_per_gpu(REGISTRY)
    assert got == pytest.approx(batch / step, rel=1e-9)


def test_deepseek_cost_adds_prefill_of_uncached_input():
    c = {k: a.central for k, a in REGISTRY.items()}
    decode_s = 1.0 / inference.deepseek_decode_tokens_per_s_per_gpu(REGISTRY)
    prefill_s = 608 / 168 * (1 - 0.563) * 2 * 37e9 / (1978.9e12 * c["inference_mfu"])
    usd = (decode_s + prefill_s) * 2.0 / (3600 * c["serving_utilization"]) * 1e6
    assert inference.deepseek_usd_per_m_output_tokens(REGISTRY) == pytest.approx(usd, rel=1e-9)


def test_case_inputs_must_be_kernel_inputs():
    with pytest.raises(KeyError, match="not kernel inputs: gpu_count"):
        inference.case_outputs(REGISTRY, "h100", {"gpu_count": 8})


def test_fleet_over_accelerator_energy_by_hand():
    c = {k: a.central for k, a in REGISTRY.items()}
    idle = 1 + c["idle_power_fraction"] * (1 - c["serving_utilization"]) / c["serving_utilization"]
    want = idle * c["pue"] / c["accelerator_power_share"]
    assert energy.fleet_over_accelerator_energy(REGISTRY) == pytest.approx(want, rel=1e-12)
    wh = energy.central_query_wh(REGISTRY)
    assert wh["fleet"] > wh["accelerator"] > 0


def test_trtllm_throughput_by_hand_memory_bound_case():
    # Llama 2 70B, batch 32, 2048 in / 128 out on one H200 at FP8: decode is memory-bound
    c = {k: a.central for k, a in REGISTRY.items()}
    case = inference.TRTLLM_H200_CASES[-1]
    kv = 2 * 80 * 8 * 128 * c["kv_bytes_per_value"]
    ctx = 2048 + 64
    step = max((2 * 70e9 + 4 * 80 * 64 * ctx * 128) * 32 / (1978.9e12 * c["decode_mfu"]),
               (70e9 + 32 * ctx * kv) / (4.8e12 * c["inference_mbu"]))
    prefill = 2048 * 2 * 70e9 / (1978.9e12 * c["inference_mfu"])
    want = 128 / (prefill + 128 * step / 32)
    got = inference.throughput_tokens_per_s_per_gpu(REGISTRY, case)
    assert got == pytest.approx(want, rel=1e-9)


def test_trtllm_median_is_the_median_of_the_cases():
    ratios = inference.trtllm_h200_ratios(REGISTRY)
    assert len(ratios) == len(inference.TRTLLM_H200_CASES)
    assert inference.trtllm_h200_median_ratio(REGISTRY) == sorted(ratios)[len(ratios) // 2]


def test_llama31_blended_cost_is_three_inputs_to_one_output():
    cost_in = inference.llama31_70b_usd_per_m_tokens(REGISTRY, "input")
    cost_out = inference.llama31_70b_usd_per_m_tokens(REGISTRY, "output")
    assert inference.llama31_70b_usd_per_m_tokens(REGISTRY) == pytest.approx(
        (3 * cost_in + cost_out) / 4)
    # input: prefill only, 2N FLOP per token at FP8 on the H100
    c = {k: a.central for k, a in REGISTRY.items()}
    prefill_s = 2 * 70.6e9 / (1978.9e12 * c["inference_mfu"])
    assert cost_in == pytest.approx(
        1e6 * prefill_s * c["h100_usd_per_gpu_hour"] / (3600 * c["serving_utilization"]),
        rel=1e-9)
    with pytest.raises(ValueError, match="kind must be"):
        inference.llama31_70b_usd_per_m_tokens(REGISTRY, "cached")
