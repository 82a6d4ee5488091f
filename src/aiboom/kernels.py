r"""The per-sample model: cost, energy and GPU time of one query, and a project's payback.

One formula, three twins that must agree (``tests/test_kernels.py``):

1. :func:`reference_per_sample`, plain Python on scalars: the readable definition;
2. :func:`evaluate_numpy`, NumPy on arrays, blocked and in place for speed and bounded memory;
3. :func:`evaluate_cupy`, one CUDA kernel (:data:`CUDA_SOURCE`), built on first use.

Inputs are registry ids (:data:`SYMBOLS` maps each to its symbol); accelerator constants travel
separately as an :class:`Accelerator`. Outputs are :data:`OUTPUTS`, in :data:`OUTPUT_UNITS`.
The equations, every symbol and unit are in :data:`FORMULA`.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from aiboom.backend import Backend, get_backend

FORMULA = r"""
Per-query roofline cost of a served model, and the payback time of a generative-AI project.

Symbols (registry id, unit)
---------------------------
=========  ===============================  ==================================================
symbol     registry id                      meaning [unit]
=========  ===============================  ==================================================
p          h100_usd_per_gpu_hour            all-in price of one GPU for one hour [USD/GPU-hour]
N          frontier_active_params           parameters active per token [parameters]
z          frontier_total_to_active_params  stored over active parameters; 1 = dense [ratio]
E          frontier_routed_experts          routed experts per mixture-of-experts layer [count]
k          frontier_experts_per_token       routed experts each token uses [count]
w          weight_bytes_per_param           bytes per stored weight [bytes]
L          frontier_layers                  transformer layers [count]
H          frontier_kv_heads                key/value heads [count]
n_q        frontier_query_heads             query heads [count]
d          frontier_head_dim                dimension of one head [count]
d_c        frontier_kv_latent_dim           cached latent width per layer; 0 = none [count]
b          kv_bytes_per_value               bytes per cached key or value element [bytes]
ctx        context_tokens                   mean context held in the KV cache [tokens]
B          decode_batch_size                sequences decoded together per GPU [count]
eta        hbm_usable_share                 share of HBM a server may fill [fraction]
u_p        inference_mfu                    prefill model-FLOP utilisation [fraction]
u_d        decode_mfu                       decode model-FLOP utilisation [fraction]
m          inference_mbu                    decode memory-bandwidth utilisation [fraction]
rho        serving_utilization              share of paid GPU hours doing useful work [fraction]
n_in       input_tokens_per_query           prompt tokens per query [tokens/query]
c          cached_input_share               share of prompt tokens served from cache [fraction]
n_out      output_tokens_per_query          visible output tokens per query [tokens/query]
r          reasoning_token_multiplier       hidden reasoning tokens per visible one [ratio]
q_r        reasoning_query_share            share of queries that reason [fraction]
W          server_watts_per_gpu             server power per GPU, all components [W]
a          accelerator_power_share          accelerator share of busy server power [fraction]
phi        idle_power_fraction              idle over busy server power [fraction]
pue        pue                              power usage effectiveness [ratio]
K          genai_project_capex_usd          upfront project cost [USD]
V          genai_monthly_benefit_usd        gross benefit at full adoption [USD/month]
s          value_capture_share              share of the benefit that becomes cash [fraction]
R          genai_ramp_months                months from first benefit to full adoption [months]
X          genai_monthly_opex_usd           running cost other than inference [USD/month]
Q          genai_queries_per_month          queries at full adoption [count] (per month)
C0         data_cleanup_oneoff_usd          one-off data clean-up [USD]
C1         data_cleanup_monthly_usd         continuing data upkeep [USD/month]
T0         data_cleanup_delay_months        months of clean-up before any benefit [months]
F          (Accelerator, by w)              dense peak, 8-bit if w <= 1 else 16-bit [FLOP/s]
BW         (Accelerator)                    HBM bandwidth [B/s]
M          (Accelerator)                    HBM capacity [B]
=========  ===============================  ==================================================

Notes
-----
KV cache per token (all layers) [bytes/token]: a key and a value vector per KV head,
Pope et al. [1]_, or, under multi-head latent attention (DeepSeek-V3 [3]_, ``d_c > 0``), one
compressed latent vector of :math:`d_c` values per layer:

.. math:: \kappa = L\,b\,\begin{cases} d_c, & d_c > 0 \\ 2 H d, & d_c = 0 \end{cases}

Replica: a model too large for one GPU is sharded over a replica of :math:`G` GPUs (tensor
and expert parallelism, Pope et al. [1]_, DeepSeek-V3 [3]_); each GPU holds :math:`1/G` of the
stored weights :math:`N_{tot} w` and the KV cache of its own :math:`B` sequences, in a share
:math:`\eta` of its HBM :math:`M` (vLLM's ``gpu_memory_utilization``, default 0.9 [5]_). The
replica is the smallest power of two (the tensor-parallel widths servers use: the attention
heads must divide evenly [5]_) that fits [GPUs]:

.. math::
   G = 2^{\lceil \log_2 \max(1,\ G_{min}) \rceil}, \qquad
   G_{min} = \frac{N_{tot} w}{M \eta - B\,ctx\,\kappa}

When one GPU cannot hold its own sequences' cache (:math:`M \eta \le B\,ctx\,\kappa`) no
replica fits; the model then takes the limit :math:`G = \infty` (weight reads per GPU vanish,
the step is bound by the cache reads and compute): a lower bound for a batch that would not
be served as stated. Communication between the replica's GPUs is not modelled.

Mixture of experts: of the :math:`N_{tot} = z N` stored parameters, the routed experts hold
:math:`N_r` and the shared (dense) layers :math:`N_s`; a token uses the shared ones and
:math:`k` of the :math:`E` experts, :math:`N = N_s + (k/E) N_r`. A decode step of the
replica's :math:`G B` tokens routed independently reads each expert with probability
:math:`f` [fraction], so the replica reads the shared weights and a share :math:`f` of the
routed ones, each GPU :math:`1/G` of them [parameters per GPU]:

.. math::
   N_r = \min\left(\frac{N_{tot} - N}{1 - k/E},\ N_{tot}\right), \qquad
   N_s = N_{tot} - N_r, \qquad
   f = 1 - (1 - k/E)^{G B}, \qquad
   N_{read} = \frac{N_s + f N_r}{G}

A dense model (:math:`z = 1`) has :math:`N_r = 0` and reads :math:`N`; requires
:math:`k \le E`. Compute stays :math:`2N` per token for the weights; attention adds, per
decoded token, the scores and weighted sum of :math:`n_q` query heads over the context, each
:math:`2 \cdot ctx \cdot d_a` FLOP, in the head width :math:`d_a = d`, or in the latent width
:math:`d_a = d_c` under latent attention (weights absorbed, as DeepSeek serves it) [FLOP/token]:

.. math:: A_{att} = 4 L\,n_q\,ctx\,d_a, \qquad d_a = \begin{cases} d_c, & d_c > 0 \\ d, & d_c = 0
   \end{cases}

Prefill is compute-bound [s/token]; a decode step, in which each GPU of the replica computes
its ``B`` sequences and reads its share of the weights and its sequences' cache, takes the
larger of its compute and memory time (roofline, Williams et al. [2]_); the replica's
:math:`G` GPUs produce :math:`G B` tokens per step, so a token costs
:math:`G t_{step} / (G B)` GPU-seconds [s/token]:

.. math::
   t_{pre} = \frac{2N}{F u_p}, \qquad
   t_{step} = \max\left(\frac{(2 N + A_{att}) B}{F u_d},\
   \frac{N_{read} w + B\,ctx\,\kappa}{BW\,m}\right),
   \qquad t_{dec} = \frac{t_{step}}{B}

GPU time and cost per query (energy cost is inside :math:`p`):

.. math::
   g = n_{in}(1 - c)\,t_{pre} + n_{out}(1 + r\,q_r)\,t_{dec} \quad \text{[GPU-s/query]}

   q = \frac{g\,p}{3600\,\rho} \quad \text{[USD/query]}

Energy per query [Wh/query], counted the two ways fleet measurements report it (Elsworth et
al. [4]_): the busy accelerators alone, and the whole fleet, i.e. busy servers (accelerators
and host), the idle reserve that a utilisation :math:`\rho` implies
(:math:`(1-\rho)/\rho` idle GPU-seconds per busy one, drawing a fraction :math:`\phi` of busy
power) and the facility overhead (PUE):

.. math::
   e_{acc} = \frac{g\,W\,a}{3600}, \qquad
   e_{fleet} = \frac{g\,W \left(1 + \phi\,\frac{1 - \rho}{\rho}\right) \mathrm{pue}}{3600}

Payback, continuous time :math:`t` [months]. Clean-up and running costs start at :math:`t=0`;
benefit starts at :math:`T_0` and ramps linearly to full over :math:`R` months, and query volume
(hence inference cost) ramps with it. With upfront cost :math:`U = K + C_0`, fixed monthly cost
:math:`D = X + C_1`, gross margin at full adoption :math:`G = V s - Q q` and full net rate
:math:`A = G - D` [USD/month], cumulative cash is

.. math::
   S(t) = \begin{cases}
     -U - D t, & t \le T_0 \\
     S(T_0) + \frac{G}{2R}(t - T_0)^2 - D (t - T_0), & T_0 < t \le T_0 + R \\
     S(T_0 + R) + A (t - T_0 - R), & t > T_0 + R
   \end{cases}

and payback is the least :math:`t \ge 0` with :math:`S(t) \ge 0`. For non-negative money flows
(the registry's units guarantee it): :math:`t^* = 0` if :math:`U \le 0`; :math:`t^* = \infty`
if :math:`A \le 0` (cash never rises again). Otherwise :math:`S` is non-increasing to
:math:`T_0`, convex on the ramp and rising after it, so with
:math:`S_0 = S(T_0) = -(U + D T_0) < 0` and :math:`S_1 = S(T_0 + R) = S_0 + R(G/2 - D)`:

.. math::
   t^* = \begin{cases}
     T_0 + \dfrac{R D + \sqrt{(R D)^2 - 2 R G S_0}}{G}, & S_1 \ge 0
       \quad \text{(larger root of the ramp quadratic)} \\
     T_0 + R - S_1 / A, & S_1 < 0
   \end{cases}

The root is written without subtraction of like-signed terms, so it is accurate for any
:math:`R \ge 0`; :math:`R = 0` always takes the second branch. A payback beyond the horizon
(:data:`PAYBACK_HORIZON_MONTHS`) is reported as :math:`\infty`.

References
----------
.. [1] R. Pope et al., "Efficiently scaling transformer inference," arXiv:2211.05102, 2022.
.. [2] S. Williams, A. Waterman and D. Patterson, "Roofline: an insightful visual performance
   model for multicore architectures," Commun. ACM, vol. 52, no. 4, pp. 65-76, 2009,
   doi:10.1145/1498765.1498785.
.. [3] DeepSeek-AI, "DeepSeek-V3 technical report," arXiv:2412.19437, 2024.
.. [4] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google
   scale," arXiv:2508.15734, 2025.
.. [5] vLLM project, engine arguments (``gpu_memory_utilization`` default 0.9;
   ``tensor_parallel_size`` must divide the attention heads), https://docs.vllm.ai/.
"""
__doc__ = (__doc__ or "") + FORMULA  # None under python -OO

#: Registry id -> symbol used in :data:`FORMULA` and in all three implementations, in the order
#: the CUDA kernel reads its input rows.
SYMBOLS: dict[str, str] = {
    "h100_usd_per_gpu_hour": "p", "frontier_active_params": "N",
    "frontier_total_to_active_params": "z", "frontier_routed_experts": "E",
    "frontier_experts_per_token": "k", "weight_bytes_per_param": "w",
    "frontier_layers": "L", "frontier_kv_heads": "H", "frontier_query_heads": "n_q",
    "frontier_head_dim": "d",
    "frontier_kv_latent_dim": "d_c", "kv_bytes_per_value": "b", "context_tokens": "ctx",
    "decode_batch_size": "B", "hbm_usable_share": "eta",
    "inference_mfu": "u_p", "decode_mfu": "u_d", "inference_mbu": "m",
    "serving_utilization": "rho", "input_tokens_per_query": "n_in",
    "cached_input_share": "c", "output_tokens_per_query": "n_out",
    "reasoning_token_multiplier": "r", "reasoning_query_share": "q_r",
    "server_watts_per_gpu": "W", "accelerator_power_share": "a",
    "idle_power_fraction": "phi", "pue": "pue",
    "genai_project_capex_usd": "K", "genai_monthly_benefit_usd": "V",
    "value_capture_share": "s", "genai_ramp_months": "R", "genai_monthly_opex_usd": "X",
    "genai_queries_per_month": "Q", "data_cleanup_oneoff_usd": "C0",
    "data_cleanup_monthly_usd": "C1", "data_cleanup_delay_months": "T0",
}
#: Registry ids the model reads.
INPUTS: tuple[str, ...] = tuple(SYMBOLS)
#: Model outputs, in the order of the CUDA kernel's output rows.
OUTPUTS: tuple[str, ...] = (
    "usd_per_query", "wh_per_query_accelerator", "wh_per_query_fleet", "gpu_seconds_per_query",
    "payback_months")
OUTPUT_UNITS: dict[str, str] = {
    "usd_per_query": "USD/query", "wh_per_query_accelerator": "Wh/query",
    "wh_per_query_fleet": "Wh/query",
    "gpu_seconds_per_query": "GPU-s/query", "payback_months": "months"}
#: Paybacks later than this are reported as infinite [months].
PAYBACK_HORIZON_MONTHS = 240.0
#: Samples per block in :func:`evaluate_numpy` [samples]. Tuned in ``benchmarks/``: a thread's
#: work rows (9 MiB) stay in a shared L3 cache, and each NumPy call is long enough (~50 us)
#: for its fixed overhead and the GIL hand-over not to matter.
NUMPY_BLOCK = 2**16


class Accelerator(NamedTuple):
    """Constants of the serving GPU (not sampled)."""

    #: Dense peak with 8-bit (FP8) operands, used when weights take <= 1 byte [FLOP/s].
    peak_flop_per_s_8bit: float
    #: Dense peak with 16-bit (BF16) operands, used otherwise [FLOP/s].
    peak_flop_per_s_16bit: float
    #: HBM bandwidth :math:`BW` [B/s].
    hbm_bytes_per_s: float
    #: HBM capacity :math:`M` [B]; defaults to the H100's 80 GB.
    hbm_bytes: float = 80e9


#: NVIDIA H100 SXM5: 1979 / 989 TFLOP/s dense FP8 / BF16, 3.35 TB/s and 80 GB of HBM3 (NVIDIA
#: H100 datasheet).
H100_SXM = Accelerator(1979e12, 989e12, 3.35e12, 80e9)


def create_accelerator(base: Accelerator = H100_SXM, **changes: float) -> Accelerator:
    """``base`` with some constants replaced, checked to be positive and finite.

    Raises
    ------
    ValueError
        Naming an unknown constant (with the allowed names) or a non-positive value.
    """
    unknown = set(changes) - set(Accelerator._fields)
    if unknown:
        raise ValueError(f"unknown accelerator constant(s) {sorted(unknown)}; "
                         f"allowed: {', '.join(Accelerator._fields)}")
    acc = base._replace(**{k: float(v) for k, v in changes.items()})
    for name, value in acc._asdict().items():
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"accelerator constant {name} must be positive, got {value}")
    return acc


# -- (1) plain-Python reference ------------------------------------------------------------------

def replica_gpus(stored_bytes: float, hbm_free_bytes: float) -> float:
    r"""GPUs :math:`G` of the smallest power-of-two replica whose GPUs hold ``stored_bytes``
    of weights [B] in ``hbm_free_bytes`` each (:math:`M\eta - B\,ctx\,\kappa`) [B];
    ``inf`` when nothing is free (:data:`FORMULA`)."""
    g_min = max(stored_bytes / hbm_free_bytes, 1.0) if hbm_free_bytes > 0.0 else math.inf
    if math.isinf(g_min):
        return math.inf
    mantissa, exponent = math.frexp(g_min)  # exact: g_min = mantissa 2^exponent, 0.5 <= m < 1
    return g_min if mantissa == 0.5 else math.ldexp(1.0, exponent)


def reference_per_sample(params: Mapping[str, float],
                         accelerator: Accelerator = H100_SXM) -> dict[str, float]:
    """The model for one sample, in plain Python: the definition the array paths must match.

    Parameters
    ----------
    params : mapping of str to float
        One value per id in :data:`INPUTS`, in the registry unit (:data:`FORMULA`).
    accelerator : Accelerator, default H100_SXM
        Peak throughputs [FLOP/s] and bandwidth [B/s].

    Returns
    -------
    dict of str to float
        :data:`OUTPUTS`: ``usd_per_query`` [USD/query], ``wh_per_query_accelerator`` and
        ``wh_per_query_fleet`` [Wh/query], ``gpu_seconds_per_query`` [GPU-s/query],
        ``payback_months`` [months] (``inf`` when never within
        :data:`PAYBACK_HORIZON_MONTHS`).
    """
    (p, N, z, E, k, w, L, H, n_q, d, d_c, b, ctx, B, eta, u_p, u_d, m, rho, n_in, c, n_out, r,
     q_r, W, a, phi, pue, K, V, s, R, X, Q, C0, C1, T0) = (float(params[key]) for key in INPUTS)
    F = accelerator.peak_flop_per_s_8bit if w <= 1.0 else accelerator.peak_flop_per_s_16bit
    BW = accelerator.hbm_bytes_per_s
    kv = L * b * (d_c if d_c > 0.0 else 2.0 * H * d)
    flop_token = 2.0 * N + 4.0 * L * n_q * ctx * (d_c if d_c > 0.0 else d)
    n_tot = z * N
    G = replica_gpus(n_tot * w, eta * accelerator.hbm_bytes - B * ctx * kv)
    routed_share = k / E
    n_routed = min((n_tot - N) / (1.0 - routed_share), n_tot)
    touched = 1.0 - math.pow(1.0 - routed_share, G * B)
    weight_bytes = (n_tot - n_routed + touched * n_routed) * w / G
    s_prefill = 2.0 * N / (F * u_p)
    s_step = max(flop_token * B / (F * u_d), (weight_bytes + B * ctx * kv) / (BW * m))
    s_decode = s_step / B
    gpu_s = n_in * (1.0 - c) * s_prefill + n_out * (1.0 + r * q_r) * s_decode
    usd = gpu_s * p / (3600.0 * rho)
    wh_acc = gpu_s * W * a / 3600.0
    wh_fleet = gpu_s * W * (1.0 + phi * (1.0 - rho) / rho) * pue / 3600.0

    upfront = K + C0
    fixed = X + C1
    gross = V * s - Q * usd
    net = gross - fixed
    if upfront <= 0.0:
        payback = 0.0
    elif net <= 0.0:
        payback = math.inf
    else:
        cash_t0 = -(upfront + fixed * T0)
        cash_ramp_end = cash_t0 + R * (0.5 * gross - fixed)
        if cash_ramp_end >= 0.0:
            rd = R * fixed
            t = T0 + (rd + math.sqrt(rd * rd - 2.0 * R * gross * cash_t0)) / gross
        else:
            t = T0 + R - cash_ramp_end / net
        payback = t if t <= PAYBACK_HORIZON_MONTHS else math.inf
    return {"usd_per_query": usd, "wh_per_query_accelerator": wh_acc,
            "wh_per_query_fleet": wh_fleet, "gpu_seconds_per_query": gpu_s,
            "payback_months": payback}


# -- (2) NumPy: blocked, in place ----------------------------------------------------------------

_N_WORK = 19  # float64 work rows per block
_thread_local = threading.local()


def _block_numpy(x: list[np.ndarray], y: list[np.ndarray], work: np.ndarray, mask: np.ndarray,
                 acc: Accelerator) -> None:
    """:func:`reference_per_sample` on one block, same operations in the same order, no
    allocation: every result goes to an output row or a work row (``out=``)."""
    (p, N, z, E, k, w, L, H, n_q, d, d_c, b, ctx, B, eta, u_p, u_d, m, rho, n_in, c, n_out, r,
     q_r, W, a, phi, pue, K, V, s, R, X, Q, C0, C1, T0) = x
    usd, wh_acc, wh_fleet, gpu_s, payback = y
    (F, kv, two_n, s_prefill, s_step, t1, t2, upfront, fixed, gross, net, cash_t0, cash_end,
     rd, t_ramp, n_tot, n_routed, flop, gpus) = work
    m1, m2 = mask

    # F = F8 if w <= 1 else F16, as an exact blend (one term is zero): a masked copy is slower
    np.less_equal(w, 1.0, out=F)
    np.subtract(1.0, F, out=t1)
    np.multiply(F, acc.peak_flop_per_s_8bit, out=F)
    np.multiply(t1, acc.peak_flop_per_s_16bit, out=t1)
    np.add(F, t1, out=F)
    # kv = L b (d_c if d_c > 0 else 2 H d) and the attention width d_c or d, the same blends
    np.greater(d_c, 0.0, out=t1)
    np.subtract(1.0, t1, out=t2)
    np.multiply(t1, d_c, out=t1)
    np.multiply(t2, d, out=flop)
    np.add(t1, flop, out=flop)
    np.multiply(H, 2.0, out=kv)
    np.multiply(kv, d, out=kv)
    np.multiply(t2, kv, out=t2)
    np.add(t1, t2, out=t2)
    np.multiply(L, b, out=kv)
    np.multiply(kv, t2, out=kv)
    # FLOP per decoded token: weights 2N plus attention 4 L n_q ctx d_a
    np.multiply(L, 4.0, out=t1)
    np.multiply(t1, n_q, out=t1)
    np.multiply(t1, ctx, out=t1)
    np.multiply(t1, flop, out=t1)
    np.multiply(N, 2.0, out=two_n)
    np.add(two_n, t1, out=flop)
    # replica: smallest power-of-two G whose GPUs hold the weights beside their own KV cache
    np.multiply(z, N, out=n_tot)
    np.multiply(B, ctx, out=t2)
    np.multiply(t2, kv, out=t2)
    np.multiply(eta, acc.hbm_bytes, out=t1)
    np.subtract(t1, t2, out=t1)
    np.maximum(t1, 0.0, out=t1)  # nothing free: the division below gives inf
    np.multiply(n_tot, w, out=t2)
    np.divide(t2, t1, out=t2)
    np.maximum(t2, 1.0, out=t2)  # g_min
    # G = 2^e for g_min = mantissa 2^e (0.5 <= mantissa < 1), or g_min when the mantissa is
    # 0.5 (a power of two already), as replica_gpus; 2^(e-1) is written as its IEEE-754 bits
    exponent = gpus.view(np.int64)
    np.frexp(t2, out=(t1, exponent))
    np.add(exponent, 1022, out=exponent)
    np.left_shift(exponent, 52, out=exponent)  # gpus = 2^(e-1), exactly
    np.equal(t1, 0.5, out=t1)
    np.subtract(2.0, t1, out=t1)
    np.multiply(gpus, t1, out=gpus)
    np.maximum(gpus, t2, out=gpus)  # g_min = inf (frexp gives exponent 0) stays inf
    # mixture of experts: routed parameters, expert weights a GPU reads per step [bytes]
    np.divide(k, E, out=t1)
    np.subtract(n_tot, N, out=n_routed)
    np.subtract(1.0, t1, out=t1)
    np.divide(n_routed, t1, out=n_routed)
    np.minimum(n_routed, n_tot, out=n_routed)
    np.multiply(gpus, B, out=t2)
    np.power(t1, t2, out=t1)
    np.subtract(1.0, t1, out=t1)
    np.multiply(t1, n_routed, out=t1)
    np.subtract(n_tot, n_routed, out=n_tot)
    np.add(n_tot, t1, out=n_tot)
    np.multiply(n_tot, w, out=n_tot)
    np.divide(n_tot, gpus, out=n_tot)
    # prefill [s/token]
    np.multiply(F, u_p, out=t1)
    np.divide(two_n, t1, out=s_prefill)
    # decode step: compute time, memory time, the larger [s/step]; per token [s/token]
    np.multiply(flop, B, out=s_step)
    np.multiply(F, u_d, out=t1)
    np.divide(s_step, t1, out=s_step)
    np.multiply(B, ctx, out=t2)
    np.multiply(t2, kv, out=t2)
    np.add(n_tot, t2, out=t1)
    np.multiply(m, acc.hbm_bytes_per_s, out=t2)
    np.divide(t1, t2, out=t1)
    np.maximum(s_step, t1, out=s_step)
    np.divide(s_step, B, out=s_step)
    # GPU-s, USD and Wh per query
    np.subtract(1.0, c, out=t1)
    np.multiply(n_in, t1, out=t1)
    np.multiply(t1, s_prefill, out=t1)
    np.multiply(r, q_r, out=t2)
    np.add(t2, 1.0, out=t2)
    np.multiply(n_out, t2, out=t2)
    np.multiply(t2, s_step, out=t2)
    np.add(t1, t2, out=gpu_s)
    np.multiply(gpu_s, p, out=t1)
    np.multiply(rho, 3600.0, out=t2)
    np.divide(t1, t2, out=usd)
    np.multiply(gpu_s, W, out=t1)
    np.multiply(t1, a, out=wh_acc)
    np.divide(wh_acc, 3600.0, out=wh_acc)
    np.subtract(1.0, rho, out=t2)
    np.multiply(phi, t2, out=t2)
    np.divide(t2, rho, out=t2)
    np.add(t2, 1.0, out=t2)
    np.multiply(t1, t2, out=wh_fleet)
    np.multiply(wh_fleet, pue, out=wh_fleet)
    np.divide(wh_fleet, 3600.0, out=wh_fleet)
    # payback: both branches everywhere, then select
    np.add(K, C0, out=upfront)
    np.add(X, C1, out=fixed)
    np.multiply(V, s, out=gross)
    np.multiply(Q, usd, out=t1)
    np.subtract(gross, t1, out=gross)
    np.subtract(gross, fixed, out=net)
    np.multiply(fixed, T0, out=cash_t0)
    np.add(upfront, cash_t0, out=cash_t0)
    np.negative(cash_t0, out=cash_t0)
    np.multiply(gross, 0.5, out=cash_end)
    np.subtract(cash_end, fixed, out=cash_end)
    np.multiply(R, cash_end, out=cash_end)
    np.add(cash_t0, cash_end, out=cash_end)
    np.multiply(R, fixed, out=rd)
    np.multiply(R, 2.0, out=t1)
    np.multiply(t1, gross, out=t1)
    np.multiply(t1, cash_t0, out=t1)
    np.multiply(rd, rd, out=t_ramp)
    np.subtract(t_ramp, t1, out=t_ramp)
    np.sqrt(t_ramp, out=t_ramp)
    np.add(rd, t_ramp, out=t_ramp)
    np.divide(t_ramp, gross, out=t_ramp)
    np.add(T0, t_ramp, out=t_ramp)
    np.add(T0, R, out=payback)
    np.divide(cash_end, net, out=t1)
    np.subtract(payback, t1, out=payback)
    np.greater_equal(cash_end, 0.0, out=m1)
    np.copyto(payback, t_ramp, where=m1)
    np.greater(payback, PAYBACK_HORIZON_MONTHS, out=m1)
    np.less_equal(net, 0.0, out=m2)
    np.logical_or(m1, m2, out=m1)
    np.copyto(payback, np.inf, where=m1)
    np.less_equal(upfront, 0.0, out=m1)
    np.copyto(payback, 0.0, where=m1)


def _as_inputs(chunk: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    missing = [k for k in INPUTS if k not in chunk]
    if missing:
        raise KeyError(f"model inputs missing from the chunk: {', '.join(missing)}")
    x = [np.ascontiguousarray(chunk[k], dtype=np.float64) for k in INPUTS]
    if any(a.ndim != 1 or a.shape != x[0].shape for a in x):
        raise ValueError("all model inputs must be 1-D arrays of one length; got shapes "
                         + ", ".join(f"{k}={a.shape}" for k, a in zip(INPUTS, x, strict=True)))
    return x


def _as_outputs(out: Mapping[str, np.ndarray] | None, n: int) -> dict[str, np.ndarray]:
    if out is None:
        return {k: np.empty(n) for k in OUTPUTS}
    for k in OUTPUTS:
        a = out[k]
        if a.shape != (n,) or a.dtype != np.float64:
            raise ValueError(f"out[{k!r}] must be float64 of shape ({n},), got {a.dtype} "
                             f"{a.shape}")
    return dict(out)


def _workspace(size: int) -> tuple[np.ndarray, np.ndarray]:
    """This thread's work rows (float64) and mask rows (bool), grown on demand and kept."""
    work, mask = getattr(_thread_local, "workspace", (np.empty((_N_WORK, 0)), None))
    if work.shape[1] < size:
        work, mask = np.empty((_N_WORK, size)), np.empty((2, size), dtype=bool)
        _thread_local.workspace = work, mask
    return work, mask


def _evaluate_range(x: list[np.ndarray], y: list[np.ndarray], lo: int, hi: int,
                    accelerator: Accelerator) -> None:
    work, mask = _workspace(min(hi - lo, NUMPY_BLOCK))
    with np.errstate(all="ignore"):  # thread-local; silences the branch not taken
        for a in range(lo, hi, NUMPY_BLOCK):
            b = min(a + NUMPY_BLOCK, hi)
            _block_numpy([v[a:b] for v in x], [v[a:b] for v in y], work[:, :b - a],
                         mask[:, :b - a], accelerator)


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="aiboom-numpy")


def default_threads() -> int:
    """CPU cores this process may use (the default ``threads`` of :func:`evaluate_numpy`)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def evaluate_numpy(chunk: Mapping[str, np.ndarray], out: Mapping[str, np.ndarray] | None = None,
                   accelerator: Accelerator = H100_SXM,
                   threads: int | None = None) -> dict[str, np.ndarray]:
    """The model on arrays with NumPy: in cache-sized blocks, in place, on every core.

    Parameters
    ----------
    chunk : mapping of str to numpy.ndarray
        One 1-D array per id in :data:`INPUTS`, all of length ``n`` [registry units].
    out : mapping of str to numpy.ndarray, optional
        Float64 arrays of shape ``(n,)`` for :data:`OUTPUTS`, written in place; pass the same
        ones for every chunk to avoid allocating. Allocated when omitted.
    accelerator : Accelerator, default H100_SXM
        Peak throughputs [FLOP/s] and bandwidth [B/s].
    threads : int, optional
        Worker threads; default :func:`default_threads`, never more than there are blocks.

    Returns
    -------
    dict of str to numpy.ndarray
        The output arrays (``out`` when given) [:data:`OUTPUT_UNITS`].

    Notes
    -----
    Each block of :data:`NUMPY_BLOCK` samples runs the operations of
    :func:`reference_per_sample` in the same order, so results equal it to the last bit (but
    for ``pow``, which NumPy may vectorise) and do not depend on ``threads``. Every
    intermediate goes to one of 19 float64 work rows of ``NUMPY_BLOCK`` values (9.5 MiB),
    kept per thread and reused for every block and chunk; no array is allocated per operation.
    NumPy releases the GIL inside each operation, so threads working on different blocks run
    in parallel.
    """
    x = _as_inputs(chunk)
    n = x[0].shape[0]
    y = _as_outputs(out, n)
    rows = list(y.values())
    n_blocks = -(-n // NUMPY_BLOCK)
    threads = max(1, min(threads or default_threads(), n_blocks))
    per_thread = -(-n_blocks // threads) * NUMPY_BLOCK
    if threads == 1:
        _evaluate_range(x, rows, 0, n, accelerator)
    else:
        list(_pool(threads).map(
            lambda lo: _evaluate_range(x, rows, lo, min(lo + per_thread, n), accelerator),
            range(0, n, per_thread)))
    return y


# -- (3) CUDA via CuPy ---------------------------------------------------------------------------

_CUDA_TEMPLATE = r"""
extern "C" __global__ void aiboom_per_sample(
        const double* __restrict__ x, double* __restrict__ y, const long long n,
        const double peak_flop_per_s_8bit, const double peak_flop_per_s_16bit,
        const double hbm_bytes_per_s, const double hbm_bytes, const double horizon_months) {
    const double inf = __longlong_as_double(0x7ff0000000000000LL);
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
@LOADS@
        const double F = (w <= 1.0) ? peak_flop_per_s_8bit : peak_flop_per_s_16bit;
        const double kv = L * b * ((d_c > 0.0) ? d_c : 2.0 * H * d);
        const double flop_token = 2.0 * N + 4.0 * L * n_q * ctx * ((d_c > 0.0) ? d_c : d);
        const double n_tot = z * N;
        const double hbm_free = eta * hbm_bytes - B * ctx * kv;
        const double g_min = (hbm_free > 0.0) ? fmax(n_tot * w / hbm_free, 1.0) : inf;
        int g_exp;
        const double g_mant = frexp(g_min, &g_exp);
        const double G = (g_min == inf || g_mant == 0.5) ? g_min : ldexp(1.0, g_exp);
        const double routed_share = k / E;
        const double n_routed = fmin((n_tot - N) / (1.0 - routed_share), n_tot);
        const double touched = 1.0 - pow(1.0 - routed_share, G * B);
        const double weight_bytes = (n_tot - n_routed + touched * n_routed) * w / G;
        const double s_prefill = 2.0 * N / (F * u_p);
        const double s_step = fmax(flop_token * B / (F * u_d),
                                   (weight_bytes + B * ctx * kv) / (hbm_bytes_per_s * m));
        const double s_decode = s_step / B;
        const double gpu_s = n_in * (1.0 - c) * s_prefill + n_out * (1.0 + r * q_r) * s_decode;
        const double usd = gpu_s * p / (3600.0 * rho);
        const double wh_acc = gpu_s * W * a / 3600.0;
        const double wh_fleet = gpu_s * W * (1.0 + phi * (1.0 - rho) / rho) * pue / 3600.0;

        const double upfront = K + C0;
        const double fixed = X + C1;
        const double gross = V * s - Q * usd;
        const double net = gross - fixed;
        double payback;
        if (upfront <= 0.0) {
            payback = 0.0;
        } else if (net <= 0.0) {
            payback = inf;
        } else {
            const double cash_t0 = -(upfront + fixed * T0);
            const double cash_ramp_end = cash_t0 + R * (0.5 * gross - fixed);
            double t;
            if (cash_ramp_end >= 0.0) {
                const double rd = R * fixed;
                t = T0 + (rd + sqrt(rd * rd - 2.0 * R * gross * cash_t0)) / gross;
            } else {
                t = T0 + R - cash_ramp_end / net;
            }
            payback = (t <= horizon_months) ? t : inf;
        }
        y[i] = usd;
        y[n + i] = wh_acc;
        y[2 * n + i] = wh_fleet;
        y[3 * n + i] = gpu_s;
        y[4 * n + i] = payback;
    }
}
"""
#: CUDA C++ source of the fused kernel: row ``k`` of ``x`` (shape ``(len(INPUTS), n)``) holds
#: input ``INPUTS[k]``; row ``j`` of ``y`` receives ``OUTPUTS[j]``.
CUDA_SOURCE = _CUDA_TEMPLATE.replace("@LOADS@", "\n".join(
    f"        const double {sym} = x[{k}LL * n + i];" for k, sym in enumerate(SYMBOLS.values())))
#: NVRTC options: no fused multiply-add, so each operation rounds as NumPy's does.
CUDA_OPTIONS = ("--fmad=false",)
_CUDA_THREADS = 256


#: Scalar arguments of :data:`CUDA_SOURCE` after ``x``, ``y`` and ``n``, in order: the
#: accelerator's constants and the payback horizon (:func:`_kernel_scalars`).
CUDA_SCALARS: tuple[str, ...] = ("peak_flop_per_s_8bit", "peak_flop_per_s_16bit",
                                 "hbm_bytes_per_s", "hbm_bytes", "horizon_months")


def _kernel_scalars(accelerator: Accelerator) -> tuple[np.float64, ...]:
    """The kernel's scalar arguments (:data:`CUDA_SCALARS`), in order, as float64."""
    values = {**accelerator._asdict(), "horizon_months": PAYBACK_HORIZON_MONTHS}
    return tuple(np.float64(values[name]) for name in CUDA_SCALARS)


@functools.cache
def _cuda_kernel():  # pragma: no cover - needs a GPU
    import cupy

    return cupy.RawKernel(CUDA_SOURCE, "aiboom_per_sample", options=CUDA_OPTIONS)


def _launch(x_dev, y_dev, accelerator: Accelerator) -> None:  # pragma: no cover - needs a GPU
    """Run :data:`CUDA_SOURCE` on device rows ``x_dev`` (inputs) into ``y_dev`` (outputs)."""
    n = x_dev.shape[1]
    blocks = max(1, min(-(-n // _CUDA_THREADS), 2**16))
    _cuda_kernel()((blocks,), (_CUDA_THREADS,),
                   (x_dev, y_dev, np.int64(n), *_kernel_scalars(accelerator)))


def evaluate_cupy(chunk: Mapping[str, np.ndarray],  # pragma: no cover - needs a GPU
                  out: Mapping[str, np.ndarray] | None = None,
                  accelerator: Accelerator = H100_SXM) -> dict[str, np.ndarray]:
    """The model on host arrays with one CUDA kernel; same signature and results as
    :func:`evaluate_numpy`.

    Inputs are stacked on the host, copied to the device in one transfer, evaluated by
    :data:`CUDA_SOURCE` (one thread per sample, grid-stride loop) and copied back.
    """
    import cupy

    x = _as_inputs(chunk)
    n = x[0].shape[0]
    y = _as_outputs(out, n)
    y_dev = cupy.empty((len(OUTPUTS), n), dtype=cupy.float64)
    _launch(cupy.asarray(np.stack(x)), y_dev, accelerator)
    for k, row in zip(OUTPUTS, y_dev.get(), strict=True):
        y[k][...] = row
    return y


def evaluate_device(chunk: Mapping[str, object], be: Backend,
                    accelerator: Accelerator = H100_SXM) -> dict[str, object]:
    """The model on arrays that already live with the backend; results stay there.

    With CuPy the inputs (device arrays) are stacked in :data:`INPUTS` order on the device and
    :data:`CUDA_SOURCE` writes the outputs into one device array, whose rows are returned:
    nothing crosses to the host. With NumPy this is :func:`evaluate_numpy`. A Monte Carlo that
    draws on the device (:func:`aiboom.montecarlo.run_monte_carlo`) evaluates here.

    Parameters
    ----------
    chunk : mapping of str to array
        One 1-D array of ``be.xp`` per id in :data:`INPUTS` [registry units].
    be : Backend
        The backend the arrays belong to.
    accelerator : Accelerator, default H100_SXM

    Returns
    -------
    dict of str to array
        :data:`OUTPUTS`, arrays of ``be.xp`` [:data:`OUTPUT_UNITS`].
    """
    if be.name != "cupy":
        return evaluate_numpy(chunk, None, accelerator)
    return _evaluate_on_device(chunk, be.xp, accelerator)


def _evaluate_on_device(chunk: Mapping[str, object], xp,  # pragma: no cover - needs a GPU
                        accelerator: Accelerator) -> dict[str, object]:
    missing = [k for k in INPUTS if k not in chunk]
    if missing:
        raise KeyError(f"model inputs missing from the chunk: {', '.join(missing)}")
    x = xp.stack([xp.asarray(chunk[k], dtype=xp.float64) for k in INPUTS])
    y = xp.empty((len(OUTPUTS), x.shape[1]), dtype=xp.float64)
    _launch(x, y, accelerator)
    return dict(zip(OUTPUTS, y, strict=True))


def evaluate(chunk: Mapping[str, np.ndarray], backend: Backend | str | None = None,
             out: Mapping[str, np.ndarray] | None = None,
             accelerator: Accelerator = H100_SXM) -> dict[str, np.ndarray]:
    """The model on host arrays with the chosen backend (:func:`aiboom.backend.get_backend`)."""
    be = backend if isinstance(backend, Backend) else get_backend(backend)
    evaluate_fn = evaluate_cupy if be.name == "cupy" else evaluate_numpy
    return evaluate_fn(chunk, out, accelerator)
