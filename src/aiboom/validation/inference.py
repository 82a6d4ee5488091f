r"""Validation checks of the inference family: the per-query roofline against operators' own
measured throughput and cost for named models on named systems.

Every model value comes from the kernel's definition (:func:`aiboom.kernels.reference_per_sample`)
at the registry's central values, with only the case's own defining inputs replaced: the
model's geometry (parameters, experts, layers, attention cache), the chip, the token mix and
the GPU-hour price the operator states. Utilisations (MFU, MBU, fleet utilisation) always stay
at the registry's central values.

DeepSeek's inference disclosure [1]_ (24 hours to 28 Feb 2025, DeepSeek-V3 and R1 on H800
nodes) states the inputs of its case: 608 bn input tokens, 56.3 % of them prompt-cache hits,
168 bn output tokens, a mean KV-cache length of 4,989 tokens per output token, decoding in
units of 18 nodes (144 GPUs) at 20-22 tokens/s per user and about 14.8k output tokens/s per
node, priced at US$ 2 per H800-hour.

NVIDIA's TensorRT-LLM H200 launch measurements [3]_ state, per case, the model (Llama 2 13B
or 70B), the batch, the tensor-parallel width, the input and output lengths and the output
tokens per second per GPU at FP8; the check is the median over its seven cases of the model's
throughput over the measured one (the per-case ratios are in :func:`trtllm_h200_ratios`).

References
----------
.. [1] DeepSeek-AI, "DeepSeek-V3/R1 inference system overview," open-infra-index, Feb 2025.
   https://github.com/deepseek-ai/open-infra-index
.. [2] DeepSeek-AI, "DeepSeek-V3 technical report," arXiv:2412.19437, 2024.
.. [3] NVIDIA, "H200 achieves nearly 12,000 tokens/sec on Llama2-13B with TensorRT-LLM,"
   TensorRT-LLM documentation (docs/source/blogs/H200launch.md), Nov 2023.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import NamedTuple

from aiboom.registry import Registry
from aiboom.validation import ModelFn

#: DeepSeek-V3 / R1 as served [2]_: 37 bn active of 671 bn parameters, 8 of 256 routed
#: experts per token, 61 layers, a 576-value latent attention cache, FP8 weights.
DEEPSEEK_V3: dict[str, float] = {
    "frontier_active_params": 37e9,
    "frontier_total_to_active_params": 671.0 / 37.0,
    "frontier_routed_experts": 256.0,
    "frontier_experts_per_token": 8.0,
    "frontier_layers": 61.0,
    "frontier_kv_latent_dim": 576.0,
    "weight_bytes_per_param": 1.0,
}
#: DeepSeek's day of serving [1]_: input and output tokens [tokens], cache-hit share
#: [fraction], mean KV-cache length per output token [tokens], GPU-hour price [USD/GPU-hour].
DEEPSEEK_DAY = {"input_tokens": 608e9, "output_tokens": 168e9, "cache_hit_share": 0.563,
                "kv_tokens_per_output_token": 4989.0, "usd_per_gpu_hour": 2.0}
#: Decode throughput per node [tokens/s], GPUs per node and per decode unit [GPUs], and the
#: middle of the stated per-user speed [tokens/s] [1]_.
DEEPSEEK_DECODE = {"tokens_per_s_per_node": 14.8e3, "gpus_per_node": 8.0,
                   "gpus_per_unit": 144.0, "tokens_per_s_per_user": 21.0}


#: Llama 2 geometry (Touvron et al., arXiv:2307.09288, 2023): parameters, layers, KV heads,
#: query heads, head dimension (13B has no grouped-query attention, 70B has 8 KV heads).
LLAMA2: dict[str, dict[str, float]] = {
    "llama2_13b": {"frontier_active_params": 13e9, "frontier_layers": 40.0,
                   "frontier_kv_heads": 40.0, "frontier_query_heads": 40.0,
                   "frontier_head_dim": 128.0},
    "llama2_70b": {"frontier_active_params": 70e9, "frontier_layers": 80.0,
                   "frontier_kv_heads": 8.0, "frontier_query_heads": 64.0,
                   "frontier_head_dim": 128.0},
}


class ThroughputCase(NamedTuple):
    """One measured throughput: model (key of :data:`LLAMA2`), batch of the replica
    [sequences], input and output lengths [tokens/query], output tokens per second per GPU
    [tokens/s] and tensor-parallel width of the replica [GPUs]."""

    model: str
    batch: float
    input_tokens: float
    output_tokens: float
    tokens_per_s_per_gpu: float
    tensor_parallel: float = 1.0


#: TensorRT-LLM v0.5 on H200 at FP8, "max throughput" table [3]_. The kernel's batch is per
#: GPU: the stated batch over the stated tensor-parallel width; the kernel sizes its replica
#: from memory itself (every case fits one H200 but for the TP2 one).
TRTLLM_H200_CASES: tuple[ThroughputCase, ...] = (
    ThroughputCase("llama2_13b", 1024, 128, 128, 11819),
    ThroughputCase("llama2_13b", 128, 128, 2048, 4750),
    ThroughputCase("llama2_13b", 64, 2048, 128, 1349),
    ThroughputCase("llama2_70b", 512, 128, 128, 3014),
    ThroughputCase("llama2_70b", 512, 128, 2048, 1654, 2.0),
    ThroughputCase("llama2_70b", 64, 2048, 128, 341),
    ThroughputCase("llama2_70b", 32, 2048, 128, 303),
)


def case_outputs(registry: Registry, accelerator_id: str,
                 inputs: Mapping[str, float]) -> dict[str, float]:
    """The kernel's outputs for one published case.

    Parameters
    ----------
    registry : Registry
        Central values for every kernel input the case does not define.
    accelerator_id : str
        Row of ``data/accelerators.csv`` serving the case.
    inputs : mapping of str to float
        The case's own defining inputs, by registry id [registry units].

    Returns
    -------
    dict of str to float
        :data:`aiboom.kernels.OUTPUTS` [:data:`aiboom.kernels.OUTPUT_UNITS`].

    Raises
    ------
    KeyError
        An input that is not a kernel input.
    """
    from aiboom import data
    from aiboom.kernels import INPUTS, reference_per_sample
    from aiboom.montecarlo import accelerator_constants

    unknown = sorted(set(inputs) - set(INPUTS))
    if unknown:
        raise KeyError(f"not kernel inputs: {', '.join(unknown)}")
    params = {k: registry[k].central for k in INPUTS} | dict(inputs)
    chip = data.accelerators(serving_only=False).set_index("id").loc[accelerator_id]
    return reference_per_sample(params, accelerator_constants(chip))


def deepseek_decode_batch(per: str = "gpu") -> float:
    r"""Sequences one DeepSeek decode GPU (``per="gpu"``, the kernel's :math:`B`) or decode
    unit (``per="unit"``) holds [sequences].

    Per GPU :math:`B = T_{node} / (n_{node}\,v)`: the stated output rate per GPU over the
    stated speed per user (Little's law for tokens in flight); per unit, :math:`n_{unit} B`
    (about 12,700 sequences on 144 GPUs). The kernel sizes its own replica :math:`G` from the
    weights and this per-GPU cache (:data:`aiboom.kernels.FORMULA`).
    """
    d = DEEPSEEK_DECODE
    per_gpu = d["tokens_per_s_per_node"] / d["gpus_per_node"] / d["tokens_per_s_per_user"]
    if per == "gpu":
        return per_gpu
    if per == "unit":
        return d["gpus_per_unit"] * per_gpu
    raise ValueError(f"per must be 'gpu' or 'unit'; got {per!r}")


def _deepseek_query(registry: Registry, **changes: float) -> dict[str, float]:
    """DeepSeek's day as one query per output token: the kernel's outputs [per output token]."""
    day = DEEPSEEK_DAY
    return case_outputs(registry, "h800", {
        **DEEPSEEK_V3,
        "input_tokens_per_query": day["input_tokens"] / day["output_tokens"],
        "cached_input_share": day["cache_hit_share"],
        "output_tokens_per_query": 1.0,
        "reasoning_token_multiplier": 0.0,
        "context_tokens": day["kv_tokens_per_output_token"],
        "decode_batch_size": deepseek_decode_batch(),
        "h100_usd_per_gpu_hour": day["usd_per_gpu_hour"],
        **changes,
    })


def deepseek_usd_per_m_output_tokens(registry: Registry) -> float:
    r"""DeepSeek's serving cost per million output tokens, all cost charged to output
    [USD/M tokens].

    :math:`10^6\,q`, with :math:`q` the kernel's cost of one output token and its share
    (608/168) of input tokens, 56.3 % of them cached, on H800s at US$ 2 per GPU-hour and the
    registry's central fleet utilisation.
    """
    return 1e6 * _deepseek_query(registry)["usd_per_query"]


def deepseek_decode_tokens_per_s_per_gpu(registry: Registry) -> float:
    r"""Output tokens per second per H800 while decoding [tokens/s].

    :math:`1 / t_{dec}`, the kernel's decode GPU-seconds per output token (no prefill) at
    DeepSeek's decode batch (:func:`deepseek_decode_batch`) [tokens/s].
    """
    out = _deepseek_query(registry, input_tokens_per_query=0.0)
    return 1.0 / out["gpu_seconds_per_query"]


def throughput_tokens_per_s_per_gpu(registry: Registry, case: ThroughputCase,
                                    accelerator_id: str = "h200") -> float:
    r"""Output tokens per second per GPU of an offline batch [tokens/s].

    :math:`n_{out} / g`, with :math:`g` the kernel's GPU-seconds per query for the case's dense
    model at FP8 weights, its batch and lengths, no prompt cache and no reasoning, and the mean
    context over the generation :math:`n_{in} + n_{out}/2` [tokens].
    """
    out = case_outputs(registry, accelerator_id, {
        **LLAMA2[case.model],
        "frontier_total_to_active_params": 1.0,
        "frontier_kv_latent_dim": 0.0,
        "weight_bytes_per_param": 1.0,
        "decode_batch_size": case.batch / case.tensor_parallel,
        "input_tokens_per_query": case.input_tokens,
        "output_tokens_per_query": case.output_tokens,
        "cached_input_share": 0.0,
        "reasoning_token_multiplier": 0.0,
        "context_tokens": case.input_tokens + case.output_tokens / 2.0,
    })
    return case.output_tokens / out["gpu_seconds_per_query"]


def trtllm_h200_ratios(registry: Registry) -> list[float]:
    """Model over measured throughput for each case of :data:`TRTLLM_H200_CASES` [ratio]."""
    return [throughput_tokens_per_s_per_gpu(registry, c) / c.tokens_per_s_per_gpu
            for c in TRTLLM_H200_CASES]


def trtllm_h200_median_ratio(registry: Registry) -> float:
    """Median of :func:`trtllm_h200_ratios` [ratio]; 1 means the measurements are reproduced."""
    return float(statistics.median(trtllm_h200_ratios(registry)))


#: Llama 3.1 70B (Grattafiori et al., arXiv:2407.21783, 2024): 70.6 bn parameters, 80 layers,
#: 8 KV and 64 query heads of 128, served at FP8 by the provider priced in the check.
LLAMA31_70B_FP8: dict[str, float] = {
    "frontier_active_params": 70.6e9, "frontier_layers": 80.0, "frontier_kv_heads": 8.0,
    "frontier_query_heads": 64.0, "frontier_head_dim": 128.0,
    "frontier_total_to_active_params": 1.0, "frontier_kv_latent_dim": 0.0,
    "weight_bytes_per_param": 1.0,
}
#: Input tokens per output token of the blended price convention (Artificial Analysis) [ratio].
BLEND_INPUT_PER_OUTPUT = 3.0


def llama31_70b_usd_per_m_tokens(registry: Registry, kind: str = "blended") -> float:
    r"""Model cost of Llama 3.1 70B per million tokens on the reference chip [USD/M tokens].

    ``kind`` is ``"input"`` (uncached prompt tokens), ``"output"`` or ``"blended"``: three
    input tokens to one output token, :math:`(3 c_{in} + c_{out}) / 4`, the convention
    providers' prices are compared at. Every serving input other than the model's geometry and
    precision (price, utilisations, batch, context) is the registry's central value.
    """
    from aiboom.montecarlo import REFERENCE_ACCELERATOR

    def per_m(n_in: float, n_out: float) -> float:
        out = case_outputs(registry, REFERENCE_ACCELERATOR, {
            **LLAMA31_70B_FP8, "input_tokens_per_query": n_in, "cached_input_share": 0.0,
            "output_tokens_per_query": n_out, "reasoning_token_multiplier": 0.0})
        return 1e6 * out["usd_per_query"]

    if kind == "input":
        return per_m(1.0, 0.0)
    if kind == "output":
        return per_m(0.0, 1.0)
    if kind == "blended":
        k = BLEND_INPUT_PER_OUTPUT
        return (k * per_m(1.0, 0.0) + per_m(0.0, 1.0)) / (k + 1.0)
    raise ValueError(f"kind must be 'input', 'output' or 'blended'; got {kind!r}")


#: Check id (a row of ``data/validation.csv``) to the function computing the model's value.
MODELS: dict[str, ModelFn] = {
    "deepinfra_llama31_70b_blended_price": llama31_70b_usd_per_m_tokens,
    "trtllm_2023_h200_llama2_median_ratio": trtllm_h200_median_ratio,
    "deepseek_2025_decode_tokens_per_gpu": deepseek_decode_tokens_per_s_per_gpu,
    "deepseek_2025_usd_per_m_output_tokens": deepseek_usd_per_m_output_tokens,
}
