"""Roofline model of LLM serving: decode throughput and cost per token, list-price cost and
energy per query (used by the chapters on serving costs and what comes next).

The cost, GPU time and energy of a query in the Monte Carlo are computed per sample by
:mod:`aiboom.kernels`, which shares this module's equations (:data:`aiboom.kernels.FORMULA`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from aiboom.arrays import array_module as _xp
from aiboom.arrays import check_range as _check
from aiboom.arrays import scalar_out as _scalar_out

__all__ = [
    "PRECISION_BYTES",
    "accelerator_mem_bytes_per_s",
    "accelerator_peak_flop_per_s",
    "decode_step_seconds",
    "decode_tokens_per_second",
    "kv_cache_bytes_per_token",
    "ridge_batch_size",
    "usd_per_million_tokens",
    "usd_per_query",
    "weight_params_read_per_step",
    "wh_per_query",
]

# --------------------------------------------------------------------------------------------
# Hardware records
# --------------------------------------------------------------------------------------------

#: Bytes per stored number (weight or KV-cache element) by numeric format [bytes].
PRECISION_BYTES: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}


def accelerator_peak_flop_per_s(
    accelerator: Mapping[str, Any] | Any, precision: str = "bf16"
) -> Any:
    """
    Peak dense throughput of an accelerator at a numeric precision.

    Parameters
    ----------
    accelerator : mapping, pandas.Series or pandas.DataFrame
        Record with columns ``bf16_dense_tflops``, ``fp8_dense_tflops`` and/or
        ``fp4_dense_tflops`` (dense, no sparsity), as in ``hardware_specs_curated.csv``. A
        DataFrame gives one value per row [TFLOP/s].
    precision : {"bf16", "fp8", "fp4"}, default "bf16"
        Numeric format of the matrix multiplications [-].

    Returns
    -------
    float or pandas.Series
        Peak dense throughput [FLOP/s].

    Raises
    ------
    ValueError
        If the precision is unknown, or the record has no figure for it. There is no silent
        fallback: running FP4 weights on a chip without FP4 units runs at another precision's
        rate, so pass that precision instead.
    """
    if precision not in PRECISION_BYTES:
        raise ValueError(f"precision must be one of {sorted(PRECISION_BYTES)}; got {precision!r}")
    key = f"{precision}_dense_tflops"
    try:
        tflops = accelerator[key]
    except (KeyError, IndexError):
        raise ValueError(f"accelerator record has no {key!r} field") from None
    if np.ndim(tflops) == 0:
        if tflops is None or (isinstance(tflops, float) and math.isnan(tflops)):
            raise ValueError(f"accelerator record has no {precision} throughput ({key} is empty)")
        return float(tflops) * 1.0e12
    return tflops * 1.0e12


def accelerator_mem_bytes_per_s(accelerator: Mapping[str, Any] | Any) -> Any:
    """
    Memory bandwidth of an accelerator from its record.

    Parameters
    ----------
    accelerator : mapping, pandas.Series or pandas.DataFrame
        Record with column ``hbm_tb_per_s`` [TB/s].

    Returns
    -------
    float or pandas.Series
        Peak memory bandwidth [bytes/s].
    """
    try:
        tb = accelerator["hbm_tb_per_s"]
    except (KeyError, IndexError):
        raise ValueError("accelerator record has no 'hbm_tb_per_s' field") from None
    if np.ndim(tb) == 0:
        return float(tb) * 1.0e12
    return tb * 1.0e12


# --------------------------------------------------------------------------------------------
# Roofline
# --------------------------------------------------------------------------------------------


def kv_cache_bytes_per_token(
    n_layers: ArrayLike, n_kv_heads: ArrayLike, head_dim: ArrayLike, bytes_per_value: ArrayLike,
    latent_dim: ArrayLike = 0.0,
) -> np.ndarray | float:
    r"""
    Key-value cache held per token of context.

    Parameters
    ----------
    n_layers : numeric
        Transformer layers :math:`L` [layers].
    n_kv_heads : numeric
        Key-value heads per layer :math:`H_{kv}`; fewer than query heads under grouped-query
        attention [heads].
    head_dim : numeric
        Dimension of one head :math:`d_h` [values].
    bytes_per_value : numeric
        Bytes per cached number :math:`b` (2 for BF16, 1 for FP8) [bytes].
    latent_dim : numeric, default 0
        Values cached per layer under multi-head latent attention :math:`d_c` (DeepSeek-V3:
        512 latent + 64 RoPE = 576); 0 for ordinary (grouped-query) attention [values].

    Returns
    -------
    numeric
        Cache per token [bytes/token].

    Notes
    -----
    One key and one value vector per layer and KV head [1]_:

    .. math::

        \mathrm{KV} = 2 L H_{kv} d_h b

    Multi-head latent attention (DeepSeek-V3) caches one compressed vector of :math:`d_c`
    values per layer instead, :math:`\mathrm{KV} = L d_c b` when :math:`d_c > 0`
    (:data:`aiboom.kernels.FORMULA`).

    References
    ----------
    .. [1] R. Pope et al., "Efficiently scaling transformer inference," arXiv:2211.05102, 2022.
    .. [2] Llama Team, AI @ Meta, "The Llama 3 herd of models," arXiv:2407.21783, 2024.
    .. [3] DeepSeek-AI, "DeepSeek-V3 technical report," arXiv:2412.19437, 2024.

    Examples
    --------
    Llama 3.1 405B (126 layers, 8 KV heads of 128, BF16) [2]_:

    >>> kv_cache_bytes_per_token(126, 8, 128, 2)
    516096.0

    DeepSeek-V3 (61 layers, a 576-value latent, BF16) [3]_:

    >>> kv_cache_bytes_per_token(61, 128, 128, 2, latent_dim=576)
    70272.0
    """
    _check("n_layers", n_layers, low=0.0)
    _check("n_kv_heads", n_kv_heads, low=0.0)
    _check("head_dim", head_dim, low=0.0)
    _check("bytes_per_value", bytes_per_value, low=0.0)
    _check("latent_dim", latent_dim, low=0.0)
    xp = _xp(n_layers, n_kv_heads, head_dim, bytes_per_value, latent_dim)
    width = _scalar_out(xp.where(xp.asarray(latent_dim) > 0, latent_dim,
                                 2.0 * n_kv_heads * head_dim))
    return n_layers * bytes_per_value * width


def weight_params_read_per_step(
    active_params: ArrayLike,
    total_params: ArrayLike,
    batch_size: ArrayLike,
    routed_experts: ArrayLike = 1.0,
    experts_per_token: ArrayLike = 1.0,
) -> np.ndarray | float:
    r"""
    Parameters a decode step reads from memory: the shared weights and the experts its batch
    touches.

    Parameters
    ----------
    active_params : numeric
        Parameters used per token :math:`N` [parameters].
    total_params : numeric
        All stored parameters :math:`N_{tot} \ge N`; equal to ``active_params`` for a dense
        model [parameters].
    batch_size : numeric
        Tokens decoded in the step :math:`B`, one per sequence [tokens].
    routed_experts : numeric, default 1
        Routed experts per mixture-of-experts layer :math:`E` [count].
    experts_per_token : numeric, default 1
        Routed experts each token uses :math:`k \le E` [count].

    Returns
    -------
    numeric
        Parameters read per step :math:`N_{read}` [parameters].

    Notes
    -----
    With routed parameters :math:`N_r` and shared :math:`N_s = N_{tot} - N_r`,
    :math:`N = N_s + (k/E) N_r`; a token picks each expert with probability :math:`k/E`, so
    :math:`B` independently routed tokens touch a share :math:`f_B = 1 - (1 - k/E)^B` [1]_:

    .. math::

        N_r = \min\left(\frac{N_{tot} - N}{1 - k/E}, N_{tot}\right), \qquad
        N_{read} = N_{tot} - N_r + f_B N_r

    One token reads :math:`N`; a large batch reads every expert, :math:`N_{tot}`.

    References
    ----------
    .. [1] DeepSeek-AI, "DeepSeek-V3 technical report," arXiv:2412.19437, 2024.

    Examples
    --------
    DeepSeek-V3 (37B active of 671B, 8 of 256 experts) at one and at 256 tokens:

    >>> round(weight_params_read_per_step(37e9, 671e9, 1, 256, 8) / 1e9)
    37
    >>> round(weight_params_read_per_step(37e9, 671e9, 256, 256, 8) / 1e9)
    671
    """
    _check("active_params", active_params, low=0.0)
    _check("total_params", total_params, low=0.0)
    _check("batch_size", batch_size, low=0.0, low_open=True)
    _check("routed_experts", routed_experts, low=0.0, low_open=True)
    _check("experts_per_token", experts_per_token, low=0.0, low_open=True)
    xp = _xp(active_params, total_params, batch_size, routed_experts, experts_per_token)
    active, total, batch, e_routed, k_token = (
        xp.asarray(v, dtype=xp.float64)
        for v in (active_params, total_params, batch_size, routed_experts, experts_per_token))
    share = k_token / e_routed
    with np.errstate(divide="ignore", invalid="ignore"):
        routed = xp.minimum((total - active) / (1.0 - share), total)
    routed = xp.where(total > active, routed, 0.0)
    touched = 1.0 - (1.0 - share) ** batch
    return _scalar_out(total - routed + touched * routed)


def decode_step_seconds(
    active_params: ArrayLike,
    batch_size: ArrayLike,
    context_tokens: ArrayLike,
    weight_bytes_per_param: ArrayLike,
    kv_bytes_per_token: ArrayLike,
    peak_flop_per_s: ArrayLike,
    mem_bytes_per_s: ArrayLike,
    mfu: ArrayLike,
    mbu: ArrayLike,
    n_gpus: ArrayLike = 1,
    total_params: ArrayLike | None = None,
    routed_experts: ArrayLike = 1.0,
    experts_per_token: ArrayLike = 1.0,
    attention_flop_per_token: ArrayLike = 0.0,
) -> np.ndarray | float:
    r"""
    Time of one decode step (one new token for every sequence in the batch), by roofline.

    Parameters
    ----------
    active_params : numeric
        Parameters used per token :math:`N_{act}`; sets the compute [parameters].
    batch_size : numeric
        Sequences decoded together :math:`B`, positive [sequences].
    context_tokens : numeric
        Mean context length whose KV cache each sequence reads :math:`S` [tokens].
    weight_bytes_per_param : numeric
        Bytes per stored weight :math:`b_w` (see ``PRECISION_BYTES``) [bytes].
    kv_bytes_per_token : numeric
        KV cache per token of context (see :func:`kv_cache_bytes_per_token`) [bytes/token].
    peak_flop_per_s : numeric
        Peak dense throughput of one GPU :math:`F` [FLOP/s].
    mem_bytes_per_s : numeric
        Memory bandwidth of one GPU :math:`BW` [bytes/s].
    mfu : numeric
        Achievable share of peak FLOP/s in decode, in (0, 1] [unitless].
    mbu : numeric
        Achievable share of memory bandwidth (model bandwidth utilisation), in (0, 1]; about
        0.5-0.9 [unitless].
    n_gpus : numeric, default 1
        GPUs in one tensor-parallel replica :math:`n`; compute and bandwidth scale with it,
        communication is ignored [GPUs].
    total_params : numeric, optional
        All stored parameters :math:`N_{tot}`; defaults to ``active_params`` (dense model)
        [parameters].
    routed_experts, experts_per_token : numeric, default 1
        Routed experts per layer :math:`E` and per token :math:`k`; with ``total_params`` they
        set the weights a step reads (:func:`weight_params_read_per_step`). The defaults
        (one of one) read every stored parameter [count].
    attention_flop_per_token : numeric, default 0
        Attention FLOPs of one decoded token :math:`A`, :math:`4 L n_q\,ctx\,d_a` in
        :data:`aiboom.kernels.FORMULA` [FLOP/token].

    Returns
    -------
    numeric
        Seconds per decode step of the replica [s].

    Notes
    -----
    The step takes the longer of the compute time and the memory time [1]_, [2]_:

    .. math::

        t_{step} = \max\left(\frac{(2 N_{act} + A) B}{n F\, \mathrm{MFU}},\;
        \frac{N_{read} b_w + B S\, \mathrm{KV}}{n\, BW\, \mathrm{MBU}}\right)

    with :math:`N_{read}` the parameters the step reads (:func:`weight_params_read_per_step`:
    the shared weights and the experts the batch touches). Small batches are memory-bound
    (the weights are read to produce a few tokens); for a dense model the batch at which the
    two terms meet is :func:`ridge_batch_size`. Attention FLOPs count only when passed;
    tensor-parallel communication and scheduler overheads are ignored: measured systems land
    1.5-3x slower.

    References
    ----------
    .. [1] R. Pope et al., "Efficiently scaling transformer inference," arXiv:2211.05102, 2022.
    .. [2] S. Williams, A. Waterman and D. Patterson, "Roofline: an insightful visual
       performance model for multicore architectures," Commun. ACM 52(4), 2009,
       doi:10.1145/1498765.1498785.
    """
    _check("active_params", active_params, low=0.0)
    _check("batch_size", batch_size, low=0.0, low_open=True)
    _check("context_tokens", context_tokens, low=0.0)
    _check("weight_bytes_per_param", weight_bytes_per_param, low=0.0)
    _check("kv_bytes_per_token", kv_bytes_per_token, low=0.0)
    _check("peak_flop_per_s", peak_flop_per_s, low=0.0, low_open=True)
    _check("mem_bytes_per_s", mem_bytes_per_s, low=0.0, low_open=True)
    _check("mfu", mfu, low=0.0, high=1.0, low_open=True)
    _check("mbu", mbu, low=0.0, high=1.0, low_open=True)
    _check("n_gpus", n_gpus, low=1.0)
    stored = active_params if total_params is None else total_params
    _check("total_params", stored, low=0.0)
    xp = _xp(active_params, batch_size, context_tokens, stored, peak_flop_per_s, mem_bytes_per_s)
    read = weight_params_read_per_step(active_params, stored, batch_size, routed_experts,
                                       experts_per_token)
    _check("attention_flop_per_token", attention_flop_per_token, low=0.0)
    compute_s = ((2.0 * active_params + attention_flop_per_token) * batch_size
                 / (n_gpus * peak_flop_per_s * mfu))
    memory_s = (
        read * weight_bytes_per_param + batch_size * context_tokens * kv_bytes_per_token
    ) / (n_gpus * mem_bytes_per_s * mbu)
    return _scalar_out(xp.maximum(compute_s, memory_s))


def decode_tokens_per_second(
    active_params: ArrayLike,
    batch_size: ArrayLike,
    context_tokens: ArrayLike,
    weight_bytes_per_param: ArrayLike,
    kv_bytes_per_token: ArrayLike,
    peak_flop_per_s: ArrayLike,
    mem_bytes_per_s: ArrayLike,
    mfu: ArrayLike,
    mbu: ArrayLike,
    n_gpus: ArrayLike = 1,
    total_params: ArrayLike | None = None,
    routed_experts: ArrayLike = 1.0,
    experts_per_token: ArrayLike = 1.0,
) -> np.ndarray | float:
    r"""
    Output tokens one model replica generates per second.

    Parameters
    ----------
    active_params, batch_size, context_tokens, weight_bytes_per_param, kv_bytes_per_token, \
peak_flop_per_s, mem_bytes_per_s, mfu, mbu, n_gpus, total_params, routed_experts, \
experts_per_token
        As in :func:`decode_step_seconds`.

    Returns
    -------
    numeric
        Replica throughput [tokens/s]; equals throughput per GPU when ``n_gpus=1``. Speed seen
        by one user is ``1 / decode_step_seconds(...)``.

    Notes
    -----
    .. math::

        \mathrm{tps}_{decode} = \frac{B}{t_{step}}

    Rises with :math:`B` while memory-bound and levels off at :math:`n F\, \mathrm{MFU} /
    (2 N_{act})` once compute-bound.
    """
    step = decode_step_seconds(
        active_params,
        batch_size,
        context_tokens,
        weight_bytes_per_param,
        kv_bytes_per_token,
        peak_flop_per_s,
        mem_bytes_per_s,
        mfu,
        mbu,
        n_gpus=n_gpus,
        total_params=total_params,
        routed_experts=routed_experts,
        experts_per_token=experts_per_token,
    )
    return batch_size / step


def ridge_batch_size(
    peak_flop_per_s: ArrayLike,
    mem_bytes_per_s: ArrayLike,
    weight_bytes_per_param: ArrayLike,
    mfu: ArrayLike = 1.0,
    mbu: ArrayLike = 1.0,
) -> np.ndarray | float:
    r"""
    Batch size at which decoding a dense model turns from memory-bound to compute-bound.

    Parameters
    ----------
    peak_flop_per_s : numeric
        Peak dense throughput :math:`F` [FLOP/s].
    mem_bytes_per_s : numeric
        Memory bandwidth :math:`BW` [bytes/s].
    weight_bytes_per_param : numeric
        Bytes per weight :math:`b_w` [bytes].
    mfu, mbu : numeric, default 1.0
        Achievable shares of peak compute and bandwidth, in (0, 1] [unitless].

    Returns
    -------
    numeric
        Ridge-point batch :math:`B^*` [sequences].

    Notes
    -----
    Equating the two roofline terms of :func:`decode_step_seconds` with no KV traffic:

    .. math::

        B^* = \frac{F\, \mathrm{MFU}}{BW\, \mathrm{MBU}} \cdot \frac{b_w}{2}

    About 295 for an H100 in BF16 at full utilisation (989 TFLOP/s over 3.35 TB/s). KV-cache
    reads push the real ridge higher, often out of reach.

    References
    ----------
    .. [1] S. Williams, A. Waterman and D. Patterson, "Roofline: an insightful visual
       performance model for multicore architectures," Commun. ACM 52(4), 2009,
       doi:10.1145/1498765.1498785.
    """
    _check("peak_flop_per_s", peak_flop_per_s, low=0.0, low_open=True)
    _check("mem_bytes_per_s", mem_bytes_per_s, low=0.0, low_open=True)
    _check("mfu", mfu, low=0.0, high=1.0, low_open=True)
    _check("mbu", mbu, low=0.0, high=1.0, low_open=True)
    return peak_flop_per_s * mfu * weight_bytes_per_param / (2.0 * mem_bytes_per_s * mbu)


# --------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------


def usd_per_million_tokens(
    tokens_per_second: ArrayLike,
    usd_per_gpu_hour: ArrayLike,
    utilization: ArrayLike,
    n_gpus: ArrayLike = 1,
) -> np.ndarray | float:
    r"""
    Hardware cost of one million tokens.

    Parameters
    ----------
    tokens_per_second : numeric
        Throughput of one replica while busy, e.g. from :func:`decode_tokens_per_second`
        [tokens/s].
    usd_per_gpu_hour : numeric
        Cost of one GPU for one hour, rental or total cost of ownership :math:`C_h` [USD/h].
    utilization : numeric
        Share of paid GPU-hours spent serving :math:`U`, in (0, 1]; about 0.3-0.7 [unitless].
    n_gpus : numeric, default 1
        GPUs in the replica :math:`n` [GPUs].

    Returns
    -------
    numeric
        Cost per million tokens [USD/Mtoken].

    Notes
    -----
    .. math::

        c = \frac{10^6\, C_h\, n}{3600\, \mathrm{tps}\, U}
    """
    _check("tokens_per_second", tokens_per_second, low=0.0, low_open=True)
    _check("usd_per_gpu_hour", usd_per_gpu_hour, low=0.0)
    _check("utilization", utilization, low=0.0, high=1.0, low_open=True)
    _check("n_gpus", n_gpus, low=1.0)
    return 1.0e6 * usd_per_gpu_hour * n_gpus / (3600.0 * tokens_per_second * utilization)


def usd_per_query(
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
    usd_per_m_input: ArrayLike,
    usd_per_m_output: ArrayLike,
    cached_input_share: ArrayLike = 0.0,
    cached_input_price_ratio: ArrayLike = 0.25,
    reasoning_multiplier: ArrayLike = 0.0,
) -> np.ndarray | float:
    r"""
    Price of one API request from per-token list prices.

    Parameters
    ----------
    input_tokens : numeric
        Prompt tokens :math:`n_{in}` [tokens].
    output_tokens : numeric
        Visible answer tokens :math:`n_{out}` [tokens].
    usd_per_m_input : numeric
        Price of uncached input :math:`p_{in}` [USD/Mtoken].
    usd_per_m_output : numeric
        Price of output, reasoning included :math:`p_{out}` [USD/Mtoken].
    cached_input_share : numeric, default 0.0
        Share of input served from the prompt cache :math:`h`, in [0, 1] [unitless].
    cached_input_price_ratio : numeric, default 0.25
        Cached over uncached input price :math:`c`; 0.1 (Anthropic reads, GPT-5) to 0.5
        (GPT-4o) [unitless].
    reasoning_multiplier : numeric, default 0.0
        Hidden reasoning tokens per visible output token :math:`m`, so that
        :math:`m = 7` means eight times the output tokens of a non-reasoning answer (the
        "8x" often quoted) [unitless].

    Returns
    -------
    numeric
        Price of the request [USD].

    Notes
    -----
    Reasoning tokens are billed as output tokens:

    .. math::

        \mathrm{cost} = \frac{n_{in} (1 - h + h c)\, p_{in} + n_{out} (1 + m)\, p_{out}}{10^6}
    """
    _check("input_tokens", input_tokens, low=0.0)
    _check("output_tokens", output_tokens, low=0.0)
    _check("usd_per_m_input", usd_per_m_input, low=0.0)
    _check("usd_per_m_output", usd_per_m_output, low=0.0)
    _check("cached_input_share", cached_input_share, low=0.0, high=1.0)
    _check("cached_input_price_ratio", cached_input_price_ratio, low=0.0)
    _check("reasoning_multiplier", reasoning_multiplier, low=0.0)
    input_usd = (
        input_tokens
        * (1.0 - cached_input_share + cached_input_share * cached_input_price_ratio)
        * usd_per_m_input
    )
    output_usd = output_tokens * (1.0 + reasoning_multiplier) * usd_per_m_output
    return (input_usd + output_usd) / 1.0e6


def wh_per_query(
    gpu_seconds_per_query: ArrayLike,
    server_watts_per_gpu: ArrayLike,
    pue: ArrayLike,
    utilization: ArrayLike = 1.0,
    idle_power_fraction: ArrayLike = 0.0,
) -> np.ndarray | float:
    r"""
    Whole-fleet energy of one request: busy servers, the idle reserve and facility overhead.

    Parameters
    ----------
    gpu_seconds_per_query : numeric
        Busy GPU-seconds spent on the request :math:`g` [s].
    server_watts_per_gpu : numeric
        All-in IT power per GPU while busy, host share included :math:`W` [W].
    pue : numeric
        Power usage effectiveness, at least 1 [unitless].
    utilization : numeric, default 1
        Share of provisioned GPU time doing useful work :math:`\rho`, in (0, 1]; each busy
        GPU-second carries :math:`(1-\rho)/\rho` idle ones [unitless].
    idle_power_fraction : numeric, default 0
        Power of an idle machine over its busy power :math:`\phi`, in [0, 1] [unitless].

    Returns
    -------
    numeric
        Energy per request [Wh].

    Notes
    -----
    .. math::

        e_{fleet} = \frac{g\, W \left(1 + \phi \frac{1 - \rho}{\rho}\right)
        \mathrm{PUE}}{3600}

    the whole-fleet boundary of Elsworth et al. [1]_ (busy accelerators and hosts, idle
    reserve, data-centre overhead). With the defaults (no idle reserve) it is the busy-server
    energy of Epoch AI's reference GPT-4o query (1e14 FLOP on an H100 at 10% utilisation,
    1.01 s, 1275 W x 0.7 x PUE 1.2): 0.30 Wh [2]_.

    References
    ----------
    .. [1] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google
       scale," arXiv:2508.15734, 2025.
    .. [2] J. You, "How much energy does ChatGPT use?," Epoch AI Gradient Updates, Feb. 2025.
       https://epoch.ai/gradient-updates/how-much-energy-does-chatgpt-use
    """
    _check("gpu_seconds_per_query", gpu_seconds_per_query, low=0.0)
    _check("server_watts_per_gpu", server_watts_per_gpu, low=0.0)
    _check("pue", pue, low=1.0)
    _check("utilization", utilization, low=0.0, high=1.0, low_open=True)
    _check("idle_power_fraction", idle_power_fraction, low=0.0, high=1.0)
    idle = 1.0 + idle_power_fraction * (1.0 - utilization) / utilization
    return gpu_seconds_per_query * server_watts_per_gpu * idle * pue / 3600.0


