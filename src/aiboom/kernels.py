r"""The per-sample model: cost, energy and GPU time of one query, and a project's payback.

One definition, every target. :data:`MODEL` lists the model's steps once, as ``(name,
expression)`` pairs in a small expression language (Python syntax read with :mod:`ast`:
arithmetic, comparisons, ``where``, ``min``, ``max``, ``sqrt``, ``pow`` and
``pow2_at_least``); the equations, every symbol and unit are in :data:`FORMULA`. At import,
generators turn the list into source code for each target (:func:`generated_sources`), and
Python compiles its own:

1. ``python``: :func:`reference_per_sample` and :func:`replica_gpus`, plain Python on scalars,
   the readable definition; a ``where`` that is a whole step becomes ``if``/``else``, each
   branch computing only the steps it needs;
2. ``numpy``: the block kernel of :func:`evaluate_numpy`, straight-line NumPy in place, on
   blocks of :data:`NUMPY_BLOCK` samples on a thread pool: common subexpressions merged, a
   select between finite branches as an exact blend and any other as a masked copy, every
   result written into a work row chosen by liveness; ``numpy_naive``
   (:func:`evaluate_numpy_naive`), the same steps on whole arrays, is the benchmarks' baseline;
3. ``cuda``: :data:`CUDA_SOURCE`, one kernel for :func:`evaluate_cupy` and
   :func:`evaluate_device`, compiled without fused multiply-adds (:data:`CUDA_OPTIONS`);
4. ``javascript``: :func:`javascript_source`, a self-contained script that defines the global
   ``aiboomModel`` (``evaluate(params, accelerator)``) for the book's pages, offline.

A list of expressions, rather than one function written against the array API, because it
can be printed in languages Python cannot run (CUDA, JavaScript) and scheduled (merged,
blended, allocated) before it runs. Each target performs every operation in the order
:data:`MODEL` writes it, so NumPy equals the reference to the last bit (but for ``pow``, which
NumPy may vectorise), and CUDA and JavaScript agree to the rounding of their ``pow``
(``tests/test_kernels.py``, ``tests/test_model_targets.py``).

Inputs are registry ids (:data:`SYMBOLS` maps each to its symbol); accelerator constants travel
separately as an :class:`Accelerator`. Outputs are :data:`OUTPUTS`, in :data:`OUTPUT_UNITS`.
"""

from __future__ import annotations

import ast
import functools
import json
import keyword
import linecache
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

#: Registry id -> symbol used in :data:`FORMULA` and :data:`MODEL`, in the order the CUDA kernel
#: reads its input rows.
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


# -- the one definition ---------------------------------------------------------------------------

#: Scalar parameters of the model that are not sampled, in the order the CUDA kernel takes them
#: after ``x``, ``y`` and ``n``: the accelerator's constants and the payback horizon.
CUDA_SCALARS: tuple[str, ...] = ("peak_flop_per_s_8bit", "peak_flop_per_s_16bit",
                                 "hbm_bytes_per_s", "hbm_bytes", "horizon_months")

#: The per-sample model, once: ``(name, expression)`` steps in evaluation order, each the
#: equation of :data:`FORMULA` that defines ``name``. Expressions are Python syntax over the
#: input symbols (:data:`SYMBOLS`), the scalars (:data:`CUDA_SCALARS`), ``inf`` and earlier
#: steps, with ``+ - * /``, unary ``-``, one comparison at a time, ``|`` and ``&`` between
#: comparisons, ``where(cond, a, b)``, ``min``, ``max``, ``sqrt``, ``pow`` and
#: ``pow2_at_least``. Every target is generated from this list (:func:`generated_sources`);
#: each operation is written in the order the result must be rounded in.
MODEL: tuple[tuple[str, str], ...] = (
    # dense peak by weight width [FLOP/s]; KV cache per token [B/token]; FLOP per decoded token
    ("F", "where(w <= 1.0, peak_flop_per_s_8bit, peak_flop_per_s_16bit)"),
    ("kv", "L * b * where(d_c > 0.0, d_c, 2.0 * H * d)"),
    ("flop_token", "2.0 * N + 4.0 * L * n_q * ctx * where(d_c > 0.0, d_c, d)"),
    # replica: the smallest power-of-two G whose GPUs hold the weights beside their own cache
    ("n_tot", "z * N"),
    ("stored", "n_tot * w"),
    ("hbm_free", "eta * hbm_bytes - B * ctx * kv"),
    ("g_min", "where(hbm_free > 0.0, max(stored / hbm_free, 1.0), inf)"),
    ("G", "pow2_at_least(g_min)"),
    # mixture of experts: routed parameters, bytes a GPU reads per decode step
    ("routed_share", "k / E"),
    ("n_routed", "min((n_tot - N) / (1.0 - routed_share), n_tot)"),
    ("touched", "1.0 - pow(1.0 - routed_share, G * B)"),
    ("weight_bytes", "(n_tot - n_routed + touched * n_routed) * w / G"),
    # prefill and decode (roofline) [s/token]
    ("s_prefill", "2.0 * N / (F * u_p)"),
    ("s_step", "max(flop_token * B / (F * u_d),"
               " (weight_bytes + B * ctx * kv) / (hbm_bytes_per_s * m))"),
    ("s_decode", "s_step / B"),
    # GPU-s, USD and Wh per query
    ("gpu_s", "n_in * (1.0 - c) * s_prefill + n_out * (1.0 + r * q_r) * s_decode"),
    ("usd", "gpu_s * p / (3600.0 * rho)"),
    ("wh_acc", "gpu_s * W * a / 3600.0"),
    ("wh_fleet", "gpu_s * W * (1.0 + phi * (1.0 - rho) / rho) * pue / 3600.0"),
    # payback [months]
    ("upfront", "K + C0"),
    ("fixed", "X + C1"),
    ("gross", "V * s - Q * usd"),
    ("net", "gross - fixed"),
    ("cash_t0", "-(upfront + fixed * T0)"),
    ("cash_ramp_end", "cash_t0 + R * (0.5 * gross - fixed)"),
    ("rd", "R * fixed"),
    ("t_ramp", "T0 + (rd + sqrt(rd * rd - 2.0 * R * gross * cash_t0)) / gross"),
    ("t_after", "T0 + R - cash_ramp_end / net"),
    ("t", "where(cash_ramp_end >= 0.0, t_ramp, t_after)"),
    ("payback",
     "where(upfront <= 0.0, 0.0, where(net <= 0.0, inf, where(t > horizon_months, inf, t)))"),
)
#: The step that gives each of :data:`OUTPUTS`.
OUTPUT_STEPS: dict[str, str] = {
    "usd_per_query": "usd", "wh_per_query_accelerator": "wh_acc",
    "wh_per_query_fleet": "wh_fleet", "gpu_seconds_per_query": "gpu_s",
    "payback_months": "payback"}

# An expression is a tuple: ("num", value), ("name", name), ("neg", x), (op, x, y) for an
# operator of _PRECEDENCE, or (function, *args) for one of _FUNCTIONS.
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
               ast.BitOr: "|", ast.BitAnd: "&"}
_COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
                ast.NotEq: "!="}
_FUNCTIONS = {"where": 3, "min": 2, "max": 2, "sqrt": 1, "pow": 2, "pow2_at_least": 1}
_LOGICAL = ("|", "&")
_PRECEDENCE = {"|": 1, "&": 2, **dict.fromkeys(_COMPARISONS.values(), 3), "+": 4, "-": 4,
               "*": 5, "/": 5}


class ModelError(ValueError):
    """A step of :data:`MODEL` outside the expression language, or ill-typed."""


def _parse(name: str, text: str, known: set[str]) -> tuple:
    """One step's expression as a tuple tree, checked against the language and ``known``."""

    def fail(node: ast.AST, why: str) -> ModelError:
        return ModelError(f"step {name!r}: {why}: {ast.unparse(node)!r}")

    def convert(node: ast.AST) -> tuple:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return ("num", float(node.value))
        if isinstance(node, ast.Name):
            if node.id == "inf":
                return ("num", math.inf)
            if node.id not in known:
                raise fail(node, "unknown name")
            return ("name", node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return ("neg", convert(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return (_ARITHMETIC[type(node.op)], convert(node.left), convert(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and type(node.ops[0]) in _COMPARISONS:
            return (_COMPARISONS[type(node.ops[0])], convert(node.left),
                    convert(node.comparators[0]))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in _FUNCTIONS and not node.keywords:
            if len(node.args) != _FUNCTIONS[node.func.id]:
                raise fail(node, f"{node.func.id} takes {_FUNCTIONS[node.func.id]} arguments")
            return (node.func.id, *(convert(a) for a in node.args))
        raise fail(node, "not in the expression language")

    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ModelError(f"step {name!r}: {exc.msg}: {text!r}") from None
    expr = convert(tree)
    if _is_bool(expr):
        raise ModelError(f"step {name!r}: a step must be a number, not a condition: {text!r}")
    _check_types(name, expr)
    return expr


def _is_bool(e: tuple) -> bool:
    return e[0] in _COMPARISONS.values() or e[0] in _LOGICAL


def _check_types(name: str, e: tuple) -> None:
    """Conditions only where conditions belong: ``where``'s first argument, ``|`` and ``&``."""
    if e[0] in ("num", "name"):
        return
    args = e[1:]
    want = [e[0] in _LOGICAL] * len(args)
    if e[0] == "where":
        want = [True, False, False]
    for arg, boolean in zip(args, want, strict=True):
        if _is_bool(arg) != boolean:
            raise ModelError(f"step {name!r}: {e[0]} needs a {'condition' if boolean else 'number'}"
                             f" where the model has {_render(arg, 'python')!r}")
        _check_types(name, arg)


def _names(e: tuple) -> set[str]:
    """Names an expression refers to."""
    if e[0] == "name":
        return {e[1]}
    if e[0] == "num":
        return set()
    return set().union(*(_names(a) for a in e[1:]))


#: Names the generated code uses itself (C, JavaScript and Python words and helpers).
_GENERATOR_NAMES = frozenset({
    "inf", "x", "y", "n", "i", "e", "np", "math", "acc", "params", "input", "accelerator",
    "scalars", "work", "mask", "root", "inputs", "outputs", "symbols", "units", "steps",
    "evaluate", "horizonMonths", "defaultAccelerator", "const", "let", "var", "double", "int",
    "long", "char", "float", "auto", "signed", "unsigned", "static", "register", "volatile",
    "new", "this", "delete", "function", "typeof", "void", "case", "switch", "default", "do",
    "goto", "enum", "extern", "struct", "union", "sizeof", "typedef", "Math", "Infinity",
    "NaN", "undefined", "arguments", "eval", "min", "max", "fmin", "fmax", "sqrt", "pow",
    "frexp", "ldexp", "isinf", "isnan"})


class _Model(NamedTuple):
    steps: dict[str, tuple]  # name -> expression, in evaluation order
    text: dict[str, str]  # name -> expression as written
    outputs: tuple[str, ...]  # step of each output, in OUTPUTS order
    symbols: tuple[str, ...]  # input symbols, in INPUTS order
    scalars: tuple[str, ...]  # CUDA_SCALARS


def _compile_model(model: tuple[tuple[str, str], ...] = MODEL) -> _Model:
    """Parse and check :data:`MODEL`: names defined once, before use, all of them used."""
    symbols, scalars = tuple(SYMBOLS.values()), CUDA_SCALARS
    reserved = set(symbols) | set(scalars) | set(_FUNCTIONS) | _GENERATOR_NAMES
    steps: dict[str, tuple] = {}
    for name, text in model:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_") \
                or name in reserved or name in steps:
            raise ModelError(f"step {name!r}: name already taken or not an identifier")
        steps[name] = _parse(name, text, set(symbols) | set(scalars) | set(steps))
    outputs = tuple(OUTPUT_STEPS[k] for k in OUTPUTS)
    if not set(outputs) <= set(steps):
        raise ModelError(f"outputs without a step: {sorted(set(outputs) - set(steps))}")
    used = set(outputs).union(*(_names(e) for e in steps.values()))
    unused = [n for n in steps if n not in used]
    if unused:
        raise ModelError(f"steps not used by any output: {unused}")
    return _Model(steps, dict(model), outputs, symbols, scalars)


# -- rendering an expression in each target's syntax --------------------------------------------

_SYNTAX = {  # target -> (function names, logical operators, spelling of inf)
    "python": ({"min": "min", "max": "max", "sqrt": "sqrt", "pow": "pow",
                "pow2_at_least": "pow2_at_least"}, {"|": "or", "&": "and"}, "inf"),
    "numpy_naive": ({"min": "np.minimum", "max": "np.maximum", "sqrt": "np.sqrt",
                     "pow": "np.power", "pow2_at_least": "_pow2_at_least_arrays",
                     "where": "np.where", "|": "np.logical_or", "&": "np.logical_and"},
                    {}, "np.inf"),
    "cuda": ({"min": "fmin", "max": "fmax", "sqrt": "sqrt", "pow": "pow",
              "pow2_at_least": "aiboom_pow2_at_least"}, {"|": "||", "&": "&&"}, "inf"),
    "javascript": ({"min": "Math.min", "max": "Math.max", "sqrt": "Math.sqrt",
                    "pow": "Math.pow", "pow2_at_least": "pow2_at_least"},
                   {"|": "||", "&": "&&"}, "inf"),
}


def _render(e: tuple, target: str) -> str:
    """``e`` in ``target``'s syntax, parenthesised so every operation groups as in
    :data:`MODEL` (left to right within a precedence level, as in all four languages)."""
    return _render_prec(e, target)[0]


def _render_prec(e: tuple, target: str) -> tuple[str, int]:
    functions, logical, inf = _SYNTAX[target]
    op = e[0]
    if op == "num":
        value = e[1]
        return (inf if value == math.inf else repr(value)), 7
    if op == "name":
        return e[1], 7
    if op == "neg":
        text, prec = _render_prec(e[1], target)
        return "-" + (text if prec == 7 else f"({text})"), 6
    args = [_render_prec(a, target) for a in e[1:]]
    if op == "where":
        (c, _), (a, _), (b, _) = args
        if target == "python":
            return f"({a} if {c} else {b})", 7
        if target == "numpy_naive":
            return f"np.where({c}, {a}, {b})", 7
        return f"({c} ? {a} : {b})", 7
    if op in functions:  # calls, and the logical operators of numpy_naive
        return f"{functions[op]}({', '.join(text for text, _ in args)})", 7
    prec = _PRECEDENCE[op]
    (left, lp), (right, rp) = args
    left = left if lp >= prec and not (prec == 3 and lp == 3) else f"({left})"
    right = right if rp > prec else f"({right})"
    return f"{left} {logical.get(op, op)} {right}", prec


# -- target 1: plain Python ----------------------------------------------------------------------

def _python_source(model: _Model, name: str, params: tuple[str, ...],
                   results: tuple[str, ...], loads: tuple[str, ...] = (),
                   returns: str | None = None) -> str:
    """A Python function ``name(*params)`` that runs ``loads`` (lines that set input
    symbols), computes the steps ``results`` need and returns ``returns`` (default: the tuple
    of ``results``).

    A ``where`` that is a whole step (or a whole branch of one) becomes ``if``/``else``, and
    the steps only its branch needs are computed inside the branch, as a reader would write it:
    Python raises on a division by zero or the root of a negative number in the branch not
    taken, where the array targets compute both and select.
    """
    lines = [f"def {name}({', '.join(params)}):", *(f"    {line}" for line in loads)]
    rank = {step: k for k, step in enumerate(model.steps)}

    def deps(expr: tuple) -> list[str]:
        return sorted((n for n in _names(expr) if n in rank), key=rank.__getitem__)

    def assign(target: str, expr: tuple, done: set[str], depth: int) -> None:
        pad = "    " * depth
        if expr[0] == "where":
            cond, a, b = expr[1:]
            for dep in deps(cond):
                need(dep, done, depth)
            lines.append(f"{pad}if {_render(cond, 'python')}:")
            assign(target, a, set(done), depth + 1)
            lines.append(f"{pad}else:")
            assign(target, b, set(done), depth + 1)
            return
        for dep in deps(expr):
            need(dep, done, depth)
        lines.append(f"{pad}{target} = {_render(expr, 'python')}")

    def need(step: str, done: set[str], depth: int) -> None:
        if step not in done:
            assign(step, model.steps[step], done, depth)
            done.add(step)

    done = set(params)
    for step in results:
        need(step, done, 1)
    returns = returns or f"{', '.join(results)}{',' if len(results) == 1 else ''}"
    lines.append(f"    return {returns}")
    return "\n".join(lines) + "\n"


def _pow2_at_least(x: float) -> float:
    """The least power of two :math:`\\ge x` for :math:`x \\ge 2^{-1021}`, exactly (from the
    binary exponent, :func:`math.frexp`); ``inf`` and NaN pass through."""
    if math.isinf(x) or math.isnan(x):
        return x
    mantissa, exponent = math.frexp(x)  # exact: x = mantissa 2^exponent, 0.5 <= mantissa < 1
    return x if mantissa == 0.5 else math.ldexp(1.0, exponent)


def _pow2_at_least_arrays(x: np.ndarray) -> np.ndarray:
    """:func:`_pow2_at_least` on an array (for ``numpy_naive``)."""
    mantissa, exponent = np.frexp(x)
    power = np.where(mantissa == 0.5, x, np.ldexp(1.0, exponent))
    return np.where(np.isfinite(x), power, x)


# -- target 2: NumPy, in place, on one block -----------------------------------------------------

_UFUNCS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "neg": "negative",
           "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal",
           "==": "equal", "!=": "not_equal", "|": "logical_or", "&": "logical_and",
           "min": "minimum", "max": "maximum", "sqrt": "sqrt", "pow": "power"}


def _finite(e: tuple, model: _Model) -> bool:
    """Whether ``e`` is finite for finite inputs: sums, differences, products, minima and
    maxima of finite terms (the registry's ranges do not overflow); a quotient, root or power
    may not be."""
    op = e[0]
    if op == "num":
        return math.isfinite(e[1])
    if op == "name":
        return e[1] not in model.steps or _finite(model.steps[e[1]], model)
    if op in ("+", "-", "*", "neg", "min", "max"):
        return all(_finite(a, model) for a in e[1:])
    if op == "where":
        return _finite(e[2], model) and _finite(e[3], model)
    return False


class _Dag:
    """Operations with common subexpressions merged: node ``i`` is ``nodes[i] = (op, *args)``,
    args node ids, or a value for the leaves ``("num", v)``, ``("in", symbol)`` and
    ``("scalar", name)``."""

    def __init__(self) -> None:
        self.nodes: list[tuple] = []
        self.ids: dict[tuple, int] = {}

    def add(self, *key: object) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.nodes)
            self.nodes.append(key)
        return self.ids[key]


def _numpy_block_source(model: _Model) -> tuple[str, int, int]:
    """``_block_numpy(x, y, work, mask, scalars)``, straight-line in-place NumPy for one block,
    and the float and bool work rows it needs.

    Steps become a graph of operations with common subexpressions merged. A ``where`` with two
    finite branches becomes an exact blend, ``c a + (1 - c) b`` with ``c`` 0 or 1 (faster than
    a masked copy; one term is zero); a ``where`` with a branch that may be ``inf`` or NaN a
    masked copy into the other branch's row. Operations run in step order, each writing with
    ``out=`` into a work row freed by an operand that dies there or by an earlier operation
    (liveness), or into its output row: nothing is allocated.
    """
    dag = _Dag()
    one = dag.add("num", 1.0)
    step_ids: dict[str, int] = {}

    def lower(e: tuple) -> int:
        op = e[0]
        if op == "num":
            return dag.add("num", e[1])
        if op == "name":
            if e[1] in step_ids:
                return step_ids[e[1]]
            return dag.add("in" if e[1] in model.symbols else "scalar", e[1])
        if op == "where" and e[1][0] in _COMPARISONS.values() \
                and _finite(e[2], model) and _finite(e[3], model):
            c = dag.add("f" + e[1][0], lower(e[1][1]), lower(e[1][2]))  # 0.0 or 1.0
            a = dag.add("*", c, lower(e[2]))
            b = dag.add("*", dag.add("-", one, c), lower(e[3]))
            return dag.add("+", a, b)
        return dag.add(op, *(lower(a) for a in e[1:]))

    for name, expr in model.steps.items():
        step_ids[name] = lower(expr)
    nodes = dag.nodes

    def children(i: int) -> tuple[int, ...]:
        op, *args = nodes[i]
        if op in ("num", "in", "scalar"):
            return ()
        return (args[1], args[2], args[0]) if op == "where" else tuple(args)  # mask last

    scalar_ops: list[int] = []
    is_scalar: dict[int, bool] = {}

    def scalar(i: int) -> bool:
        if i not in is_scalar:
            op = nodes[i][0]
            is_scalar[i] = op in ("num", "scalar") or (
                op != "in" and all(scalar(c) for c in children(i)))
            if is_scalar[i] and op not in ("num", "scalar"):
                scalar_ops.append(i)
        return is_scalar[i]

    order: list[int] = []
    position: dict[int, int] = {}
    comments: dict[int, list[str]] = {}

    def visit(i: int) -> None:
        if i in position or scalar(i) or nodes[i][0] == "in":
            return
        for c in children(i):
            visit(c)
        position[i] = len(order)
        order.append(i)

    for name in model.steps:
        comments.setdefault(len(order), []).append(f"# {name} = {model.text[name]}")
        visit(step_ids[name])
    roots = [step_ids[s] for s in model.outputs]
    last = {}
    for p, i in enumerate(order):
        for c in children(i):
            last[c] = p
    for r in roots:
        last[r] = math.inf

    # outputs computed straight into their rows, through masked copies into a dying branch
    hint: dict[int, int] = {}
    for j, r in enumerate(roots):
        if r in hint or r not in position:
            continue
        hint[r] = j
        while nodes[r][0] == "where":
            b = nodes[r][3]
            if b not in position or b in hint or last[b] != position[r]:
                break
            hint[b] = j
            r = b

    symbol_of = {i: nodes[i][1] for i in range(len(nodes)) if nodes[i][0] in ("in", "scalar")}
    where: dict[int, str] = {}  # node -> its row variable
    free: dict[str, list[str]] = {"f": [], "m": []}
    count = {"f": 0, "m": 0}

    def text(i: int) -> str:
        op = nodes[i][0]
        if op == "num":
            return "np.inf" if nodes[i][1] == math.inf else repr(nodes[i][1])
        if op in ("in", "scalar"):
            return symbol_of[i]
        if i in is_scalar and is_scalar[i]:
            return f"_s{i}"
        return where[i]

    def alloc(kind: str) -> str:
        if free[kind]:
            return free[kind].pop()
        count[kind] += 1
        return f"_{'r' if kind == 'f' else 'm'}{count[kind] - 1}"

    def release(row: str) -> None:
        if row.startswith("_r"):
            free["f"].append(row)
        elif row.startswith("_m"):
            free["m"].append(row)

    def owned(i: int, p: int) -> bool:
        """Node ``i`` dies at position ``p`` in a row this operation may overwrite."""
        return i in where and last.get(i) == p and not where[i].startswith("_y") \
            or i in hint and last.get(i) == p

    body: list[str] = []
    for p, i in enumerate(order):
        body.extend(comments.get(p, []))
        op, *args = nodes[i]
        dying = [c for c in dict.fromkeys(children(i)) if c in where and last[c] == p]
        dest_hint = f"_y{hint[i]}" if i in hint else None
        if op == "where":
            c, a, b = args
            if owned(b, p):
                body.append(f"np.copyto({where[b]}, {text(a)}, where={where[c]})")
                where[i] = where[b]
            elif owned(a, p):
                negated = where[c] if last[c] == p else alloc("m")
                body.append(f"np.logical_not({where[c]}, out={negated})")
                body.append(f"np.copyto({where[a]}, {text(b)}, where={negated})")
                where[i] = where[a]
                if negated != where[c]:
                    release(negated)
            else:
                where[i] = dest_hint or alloc("f")
                body.append(f"np.copyto({where[i]}, {text(b)})")
                body.append(f"np.copyto({where[i]}, {text(a)}, where={where[c]})")
            for d in dying:
                if where[d] != where[i]:
                    release(where[d])
        elif op == "pow2_at_least":
            # 2^e for x = mantissa 2^e (0.5 <= mantissa < 1), or x when the mantissa is 0.5;
            # 2^(e-1) written as its IEEE-754 bits; x = inf or NaN (exponent 0) passes through
            (x,) = args
            dest, tmp = dest_hint or alloc("f"), alloc("f")
            body += [f"np.frexp({text(x)}, out=({tmp}, {dest}.view(np.int64)))",
                     f"np.add({dest}.view(np.int64), 1022, out={dest}.view(np.int64))",
                     f"np.left_shift({dest}.view(np.int64), 52, out={dest}.view(np.int64))",
                     f"np.equal({tmp}, 0.5, out={tmp})",
                     f"np.subtract(2.0, {tmp}, out={tmp})",
                     f"np.multiply({dest}, {tmp}, out={dest})",
                     f"np.maximum({dest}, {text(x)}, out={dest})"]
            release(tmp)
            for d in dying:
                release(where[d])
            where[i] = dest
        else:
            operands = [text(c) for c in args]
            for d in dying:
                release(where[d])
            boolean = op in _COMPARISONS.values() or op in _LOGICAL
            where[i] = dest_hint or alloc("m" if boolean else "f")
            ufunc = _UFUNCS[op[1:] if op.startswith("f") else op]
            body.append(f"np.{ufunc}({', '.join(operands)}, out={where[i]})")
    for j, r in enumerate(roots):
        if text(r) != f"_y{j}":
            body.append(f"np.copyto(_y{j}, {text(r)})")

    def scalar_text(i: int) -> str:
        op, *args = nodes[i]
        expr = (op, *(("name", text(a)) for a in args))
        return _render(expr, "python").replace("np.inf", "inf")

    n_work, n_mask = count["f"], count["m"]
    head = ["def _block_numpy(x, y, work, mask, scalars):",
            f"    ({', '.join(model.symbols)},) = x",
            f"    ({', '.join(f'_y{j}' for j in range(len(roots)))},) = y",
            f"    ({', '.join(f'_r{k}' for k in range(n_work))},) = work"]
    if n_mask:
        head.append(f"    ({', '.join(f'_m{k}' for k in range(n_mask))},) = mask")
    head.append(f"    ({', '.join(model.scalars)},) = scalars")
    head += [f"    _s{i} = {scalar_text(i)}" for i in scalar_ops]
    return "\n".join(head + ["    " + line for line in body]) + "\n", n_work, n_mask


def _numpy_naive_source(model: _Model) -> str:
    """``_naive_numpy(*inputs, *scalars)``: each step on whole arrays, a new array per
    operation, ``where`` as :func:`numpy.where` (both branches computed)."""
    lines = [f"def _naive_numpy({', '.join(model.symbols + model.scalars)}):"]
    lines += [f"    {name} = {_render(e, 'numpy_naive')}" for name, e in model.steps.items()]
    lines.append(f"    return {', '.join(model.outputs)}")
    return "\n".join(lines) + "\n"


# -- target 3: CUDA ------------------------------------------------------------------------------

def _cuda_source(model: _Model) -> str:
    """One CUDA kernel, one thread per sample (grid-stride loop), each step a ``const
    double``; ``where`` is a select, so both branches are computed (IEEE-754: no traps)."""
    loads = [f"        const double {sym} = x[{k}LL * n + i];"
             for k, sym in enumerate(model.symbols)]
    steps = [f"        const double {name} = {_render(e, 'cuda')};"
             for name, e in model.steps.items()]
    stores = [f"        y[{f'{j} * n + i' if j > 1 else 'n + i' if j else 'i'}] = {s};"
              for j, s in enumerate(model.outputs)]
    scalars = ",\n".join(f"        const double {s}" for s in model.scalars)
    return "\n".join([
        "// Generated by aiboom.kernels from MODEL: do not edit.",
        "__device__ double aiboom_pow2_at_least(const double x) {",
        "    if (isinf(x) || isnan(x)) return x;",
        "    int e;",
        "    const double mantissa = frexp(x, &e);  // x = mantissa 2^e, 0.5 <= mantissa < 1",
        "    return (mantissa == 0.5) ? x : ldexp(1.0, e);",
        "}",
        "",
        'extern "C" __global__ void aiboom_per_sample(',
        "        const double* __restrict__ x, double* __restrict__ y, const long long n,",
        f"{scalars}) {{",
        "    const double inf = __longlong_as_double(0x7ff0000000000000LL);",
        "    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;",
        "         i += (long long)gridDim.x * blockDim.x) {",
        *loads, *steps, *stores,
        "    }",
        "}",
        ""])


# -- target 4: JavaScript ------------------------------------------------------------------------

def _javascript_source(model: _Model) -> str:
    accelerator = {"peak_flop_per_s_8bit": H100_SXM.peak_flop_per_s_8bit,
                   "peak_flop_per_s_16bit": H100_SXM.peak_flop_per_s_16bit,
                   "hbm_bytes_per_s": H100_SXM.hbm_bytes_per_s, "hbm_bytes": H100_SXM.hbm_bytes}
    loads = [f"    const {sym} = input(params, {json.dumps(key)});"
             for key, sym in SYMBOLS.items()]
    constants = [f"    const {s} = {'horizonMonths' if s == 'horizon_months' else f'+acc.{s}'};"
                 for s in model.scalars]
    steps = [f"    const {name} = {_render(e, 'javascript')};"
             for name, e in model.steps.items()]
    result = ", ".join(f"{k}: {s}" for k, s in zip(OUTPUTS, model.outputs, strict=True))
    return "\n".join([
        "// aiboom's per-query and payback model (aiboom.kernels.MODEL), generated: do not edit.",
        "// A plain script: it defines the global aiboomModel and needs nothing else.",
        "(function (root) {",
        '  "use strict";',
        "  const inf = Infinity;",
        f"  const inputs = {json.dumps(list(INPUTS))};",
        f"  const outputs = {json.dumps(list(OUTPUTS))};",
        f"  const symbols = {json.dumps(SYMBOLS)};",
        f"  const units = {json.dumps(OUTPUT_UNITS)};",
        f"  const steps = {json.dumps(list(model.text.items()))};",
        f"  const defaultAccelerator = {json.dumps(accelerator)};",
        f"  const horizonMonths = {PAYBACK_HORIZON_MONTHS!r};",
        "  function pow2_at_least(x) {",
        "    // the least power of two >= x > 0, exactly (doubling and halving are exact);",
        "    // inf and NaN pass through",
        "    if (!Number.isFinite(x)) return x;",
        "    let g = 1.0;",
        "    while (g < x) g *= 2.0;",
        "    while (g / 2.0 >= x) g /= 2.0;",
        "    return g;",
        "  }",
        "  function input(params, key) {",
        "    const value = params[key];",
        "    if (value === undefined || value === null) {",
        '      throw new Error("aiboomModel.evaluate: missing input " + key);',
        "    }",
        "    return +value;",
        "  }",
        "  // params: registry id -> value; accelerator: constants to change (optional)",
        "  function evaluate(params, accelerator) {",
        "    const acc = Object.assign({}, defaultAccelerator, accelerator || {});",
        *loads, *constants, *steps,
        f"    return {{{result}}};",
        "  }",
        "  root.aiboomModel = {inputs, outputs, symbols, units, steps, defaultAccelerator,",
        "                      horizonMonths, evaluate};",
        '})(typeof window !== "undefined" ? window : globalThis);',
        ""])


# -- the generated code, compiled at import ------------------------------------------------------

_MODEL = _compile_model()
_NUMPY_BLOCK_SOURCE, _N_WORK, _N_MASK = _numpy_block_source(_MODEL)
_SOURCES: dict[str, str] = {
    "python": _python_source(
        _MODEL, "_reference", ("params", *_MODEL.scalars), _MODEL.outputs,
        loads=tuple(f"{sym} = float(params[{key!r}])" for key, sym in SYMBOLS.items()),
        returns="{" + ", ".join(f"{k!r}: {step}" for k, step in
                                zip(OUTPUTS, _MODEL.outputs, strict=True)) + "}")
    + "\n\n" + _python_source(_MODEL, "_replica", ("stored", "hbm_free"), ("G",)),
    "numpy": _NUMPY_BLOCK_SOURCE,
    "numpy_naive": _numpy_naive_source(_MODEL),
    "cuda": _cuda_source(_MODEL),
    "javascript": _javascript_source(_MODEL),
}


def _compiled(target: str, namespace: dict[str, object]) -> dict[str, object]:
    """Execute the generated ``target`` source in ``namespace`` (its lines go to
    :mod:`linecache`, so tracebacks show them)."""
    filename = f"<aiboom.kernels: generated {target}>"
    source = _SOURCES[target]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace


_python = _compiled("python", {"sqrt": math.sqrt, "pow": math.pow, "inf": math.inf,
                               "pow2_at_least": _pow2_at_least})
_reference, _replica = _python["_reference"], _python["_replica"]
_block_numpy = _compiled("numpy", {"np": np})["_block_numpy"]
_naive_numpy = _compiled("numpy_naive", {"np": np,
                                         "_pow2_at_least_arrays": _pow2_at_least_arrays})[
    "_naive_numpy"]
#: CUDA C++ source of the fused kernel, generated from :data:`MODEL`: row ``k`` of ``x`` (shape
#: ``(len(INPUTS), n)``) holds input ``INPUTS[k]``; row ``j`` of ``y`` receives ``OUTPUTS[j]``;
#: then the scalars :data:`CUDA_SCALARS`.
CUDA_SOURCE: str = _SOURCES["cuda"]


def generated_sources() -> dict[str, str]:
    """The source generated from :data:`MODEL` for every target.

    Returns
    -------
    dict of str to str
        ``"python"`` (the reference, :func:`reference_per_sample`, and :func:`replica_gpus`),
        ``"numpy"`` (one block of :func:`evaluate_numpy`), ``"numpy_naive"``
        (:func:`evaluate_numpy_naive`), ``"cuda"`` (:data:`CUDA_SOURCE`) and ``"javascript"``
        (:func:`javascript_source`).
    """
    return dict(_SOURCES)


def javascript_source() -> str:
    """The model as a plain browser script, generated from :data:`MODEL`.

    The script needs nothing else (no modules, no network; it runs from ``file://``) and
    defines the global ``aiboomModel`` with ``inputs`` (:data:`INPUTS`), ``outputs``
    (:data:`OUTPUTS`), ``symbols``, ``units``, ``steps`` (:data:`MODEL`),
    ``defaultAccelerator`` (:data:`H100_SXM`), ``horizonMonths`` and
    ``evaluate(params, accelerator)``: ``params`` maps every id of :data:`INPUTS` to a value
    [registry unit], ``accelerator`` optionally changes :class:`Accelerator` fields; it returns
    an object with one number per output [:data:`OUTPUT_UNITS`], ``Infinity`` for a payback
    never reached, and throws on a missing input. Results equal :func:`reference_per_sample`
    to the rounding of ``Math.pow`` (``tests/test_model_targets.py``).
    """
    return _SOURCES["javascript"]


@functools.lru_cache(maxsize=64)
def _scalars(accelerator: Accelerator) -> tuple[float, ...]:
    """The model's scalars (:data:`CUDA_SCALARS`), in order, as Python floats."""
    values = {**accelerator._asdict(), "horizon_months": PAYBACK_HORIZON_MONTHS}
    return tuple(float(values[name]) for name in CUDA_SCALARS)


# -- (1) plain-Python reference ------------------------------------------------------------------

def replica_gpus(stored_bytes: float, hbm_free_bytes: float) -> float:
    r"""GPUs :math:`G` of the smallest power-of-two replica whose GPUs hold ``stored_bytes``
    of weights [B] in ``hbm_free_bytes`` each (:math:`M\eta - B\,ctx\,\kappa`) [B];
    ``inf`` when nothing is free (:data:`FORMULA`; steps ``g_min`` and ``G`` of
    :data:`MODEL`)."""
    return _replica(float(stored_bytes), float(hbm_free_bytes))[0]


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

    Notes
    -----
    Runs the ``python`` source of :func:`generated_sources`, generated from :data:`MODEL`.
    """
    return _reference(params, *_scalars(accelerator))


# -- (2) NumPy: blocked, in place ----------------------------------------------------------------

_thread_local = threading.local()


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
        work, mask = np.empty((_N_WORK, size)), np.empty((_N_MASK, size), dtype=bool)
        _thread_local.workspace = work, mask
    return work, mask


def _evaluate_range(x: list[np.ndarray], y: list[np.ndarray], lo: int, hi: int,
                    accelerator: Accelerator) -> None:
    work, mask = _workspace(min(hi - lo, NUMPY_BLOCK))
    scalars = _scalars(accelerator)
    with np.errstate(all="ignore"):  # thread-local; silences the branch not taken
        for a in range(lo, hi, NUMPY_BLOCK):
            b = min(a + NUMPY_BLOCK, hi)
            _block_numpy([v[a:b] for v in x], [v[a:b] for v in y], work[:, :b - a],
                         mask[:, :b - a], scalars)


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
    Each block of :data:`NUMPY_BLOCK` samples runs the ``numpy`` source of
    :func:`generated_sources`: the operations of :data:`MODEL`, as
    :func:`reference_per_sample` performs them, so results equal it to the last bit (but for
    ``pow``, which NumPy may vectorise) and do not depend on ``threads``. Every intermediate
    goes to one of a few float64 work rows of ``NUMPY_BLOCK`` values (9 at present, 4.5 MiB;
    the generator allocates them by liveness), kept per thread and reused for every block and
    chunk; no array is allocated per operation. NumPy releases the GIL inside each operation,
    so threads working on different blocks run in parallel.
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


def evaluate_numpy_naive(chunk: Mapping[str, np.ndarray],
                         accelerator: Accelerator = H100_SXM) -> dict[str, np.ndarray]:
    """The model on whole arrays, one new array per operation: the benchmarks' baseline.

    Parameters
    ----------
    chunk : mapping of str to numpy.ndarray
        One 1-D array per id in :data:`INPUTS`, all of length ``n`` [registry units].
    accelerator : Accelerator, default H100_SXM

    Returns
    -------
    dict of str to numpy.ndarray
        :data:`OUTPUTS` [:data:`OUTPUT_UNITS`], equal to :func:`evaluate_numpy`'s to the bit.

    Notes
    -----
    Runs the ``numpy_naive`` source of :func:`generated_sources`: each step of :data:`MODEL`
    on whole arrays, ``where`` as :func:`numpy.where`, so it holds a temporary of ``n`` values
    per operation where :func:`evaluate_numpy` reuses a few cache-sized rows.
    """
    x = _as_inputs(chunk)
    with np.errstate(all="ignore"):  # the branch not taken
        y = _naive_numpy(*x, *_scalars(accelerator))
    return dict(zip(OUTPUTS, y, strict=True))


# -- (3) CUDA via CuPy ---------------------------------------------------------------------------

#: NVRTC options: no fused multiply-add, so each operation rounds as NumPy's does.
CUDA_OPTIONS = ("--fmad=false",)
_CUDA_THREADS = 256


def _kernel_scalars(accelerator: Accelerator) -> tuple[np.float64, ...]:
    """The kernel's scalar arguments (:data:`CUDA_SCALARS`), in order, as float64."""
    return tuple(np.float64(v) for v in _scalars(accelerator))


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
