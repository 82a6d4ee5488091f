r"""Monte Carlo over the assumption registry, in bounded memory, on NumPy or CuPy.

Samples are drawn on the host in chunks (:func:`aiboom.sampling.iter_sample_chunks`, on every
core, the next chunk while the last is evaluated), pushed through the per-sample model
(:mod:`aiboom.kernels`) on the chosen backend, and summarised. With ``draws="device"`` (the
default on the CuPy backend) the draws too are made with the backend's array module
(:func:`aiboom.sampling.iter_sample_chunks_xp`), so a GPU run stays on the device from draws to
bin counts and order statistics, and only those summaries are copied back; those draws match
the host draws in distribution, not to the bit, and the book is built from the host draws.

Two summary modes, picked by ``n_samples`` unless ``exact`` is given:

exact (``n_samples <= EXACT_SAMPLE_LIMIT``, 10 million)
    Every output value is kept (8 bytes each per output); quantiles are order statistics.
histogram (larger runs)
    Only fixed-bin counts are kept (:data:`HISTOGRAM_SPECS`), so memory does not grow with
    ``n_samples``; quantiles are read off the counts.

Both modes produce the same histograms (for charts), means and shares of infinite results.

Notes
-----
Quantiles use the inverted empirical CDF: the level-:math:`q` quantile is the order statistic
:math:`x_{(k)}` with :math:`k = \lceil q n \rceil`, which is well defined when some paybacks are
infinite. In histogram mode :math:`x_{(k)}` is known to lie in bin :math:`j`
(:math:`[e_j, e_{j+1})`); the estimate places it at the centre of its rank within that bin
(linearly, or geometrically on log bins), so

.. math:: |\hat x_{(k)} - x_{(k)}| \le e_{j+1} - e_j ,

a relative error of at most :math:`10^{1/500} - 1 \approx 0.46\,\%` on the log-binned outputs
(500 bins per decade) and an absolute error of at most 0.1 month for payback. A quantile that
falls below or above the binned range is reported as NaN (and warned about); widen
:data:`HISTOGRAM_SPECS` if that happens.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd
from tqdm import tqdm

from aiboom.arrays import array_module
from aiboom.backend import Backend, get_backend
from aiboom.errors import InputError, Problem
from aiboom.kernels import (
    INPUTS,
    OUTPUT_UNITS,
    OUTPUTS,
    PAYBACK_HORIZON_MONTHS,
    Accelerator,
    create_accelerator,
    default_threads,
    evaluate,
    evaluate_device,
    evaluate_numpy,
)
from aiboom.registry import Assumption
from aiboom.sampling import SAMPLE_BLOCK, iter_sample_chunks, iter_sample_chunks_xp

if TYPE_CHECKING:
    from aiboom.scenarios import Scenario

#: Quantile levels reported for every output [unitless].
QUANTILE_LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Largest run summarised exactly; above it, histogram mode [samples].
EXACT_SAMPLE_LIMIT = 10**7


class HistogramSpec(NamedTuple):
    """Fixed bins for one output: ``n_bins`` over ``[low, high)``, log- or linearly spaced."""

    low: float
    high: float
    n_bins: int
    log: bool


#: Bins per output [output unit]: 500 per decade on log ranges, 0.1 month for payback.
HISTOGRAM_SPECS: dict[str, HistogramSpec] = {
    "usd_per_query": HistogramSpec(1e-9, 1e3, 6000, log=True),
    "wh_per_query_accelerator": HistogramSpec(1e-6, 1e6, 6000, log=True),
    "wh_per_query_fleet": HistogramSpec(1e-6, 1e6, 6000, log=True),
    "gpu_seconds_per_query": HistogramSpec(1e-6, 1e6, 6000, log=True),
    "payback_months": HistogramSpec(0.0, PAYBACK_HORIZON_MONTHS, 2400, log=False),
}


@dataclass(frozen=True)
class Histogram:
    """Counts of one output over fixed bins, plus what fell outside them.

    Attributes
    ----------
    edges : numpy.ndarray
        Bin edges, shape ``(n_bins + 1,)`` [output unit].
    counts : numpy.ndarray
        Samples per bin ``[edges[j], edges[j+1])``, int64 [samples].
    below, above : int
        Finite samples under ``edges[0]`` / at or over ``edges[-1]`` [samples].
    nonfinite : int
        Infinite or NaN samples (a payback never reached) [samples].
    log : bool
        Whether the edges are log-spaced.
    """

    edges: np.ndarray
    counts: np.ndarray
    below: int
    above: int
    nonfinite: int
    log: bool

    @property
    def n_samples(self) -> int:
        return self.below + int(self.counts.sum()) + self.above + self.nonfinite

    def quantile(self, levels: tuple[float, ...] = QUANTILE_LEVELS) -> np.ndarray:
        """Quantiles interpolated within their bin (module Notes give the error bound).

        Returns NaN for a level whose order statistic is outside the binned range, and
        ``inf`` for one among the infinite samples.
        """
        n = self.n_samples
        cum = self.below + np.cumsum(self.counts)
        result = np.empty(len(levels))
        for i, q in enumerate(levels):
            k = max(1, math.ceil(q * n))
            j = int(np.searchsorted(cum, k, side="left"))
            if k <= self.below or (j == len(self.counts) and k <= n - self.nonfinite):
                result[i] = np.nan
            elif j == len(self.counts):
                result[i] = np.inf
            else:
                before = cum[j - 1] if j else self.below
                frac = (k - before - 0.5) / self.counts[j]
                lo, hi = self.edges[j], self.edges[j + 1]
                result[i] = lo * (hi / lo) ** frac if self.log else lo + frac * (hi - lo)
        return result

    def coarsen(self, factor: int) -> Histogram:
        """Merge every ``factor`` adjacent bins (``factor`` must divide the bin count)."""
        if len(self.counts) % factor:
            raise ValueError(f"factor {factor} does not divide {len(self.counts)} bins")
        return replace(self, edges=self.edges[::factor],
                       counts=self.counts.reshape(-1, factor).sum(axis=1))

    def to_frame(self) -> pd.DataFrame:
        """One row per bin: ``bin_low``, ``bin_high`` [output unit], ``count``, ``share``."""
        return pd.DataFrame({"bin_low": self.edges[:-1], "bin_high": self.edges[1:],
                             "count": self.counts, "share": self.counts / self.n_samples})


def _edges(spec: HistogramSpec) -> np.ndarray:
    if spec.log:
        return np.logspace(math.log10(spec.low), math.log10(spec.high), spec.n_bins + 1)
    return np.linspace(spec.low, spec.high, spec.n_bins + 1)


def _bin_work(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work arrays for :func:`_bin_counts` of up to ``n`` values: float64, intp and bool."""
    return np.empty(n), np.empty(n, dtype=np.intp), np.empty(n, dtype=bool)


def _bin_counts(values: Any, spec: HistogramSpec, xp: ModuleType = np,
                work: tuple[Any, Any, Any] | None = None) -> Any:
    r"""``[below, bin 0, ..., bin n-1, above, nonfinite]`` counts of ``values`` [samples].

    ``values`` and the counts are arrays of ``xp`` (NumPy, or CuPy on the device). The bin
    index is :math:`\lfloor (t - t_0)\, n / (t_1 - t_0) \rfloor`, clipped to
    :math:`[-1, n]`, with :math:`t` the value (or its ``log2`` on log bins: the same bins as
    ``log10``, and cheaper), and infinite or NaN values sent to the last slot.

    ``work`` (from :func:`_bin_work`, at least as long as ``values``) is used instead of new
    arrays, so that binning chunk after chunk allocates nothing; afterwards ``work[2]`` holds
    ``isfinite(values)``.
    """
    n = values.shape[0]
    t, idx, finite = ((xp.empty(n), xp.empty(n, dtype=xp.intp), xp.empty(n, dtype=bool))
                      if work is None else (w[:n] for w in work))
    if spec.log:
        lo, hi = math.log2(spec.low), math.log2(spec.high)
        xp.maximum(values, 0.5 * spec.low, out=t)
        xp.log2(t, out=t)
        xp.subtract(t, lo, out=t)
    else:
        lo, hi = spec.low, spec.high
        xp.subtract(values, lo, out=t)
    xp.multiply(t, spec.n_bins / (hi - lo), out=t)
    xp.floor(t, out=t)
    xp.clip(t, -1, spec.n_bins, out=t)
    xp.add(t, 1.0, out=t)  # below 0, bins 1 to n, above n + 1
    xp.isfinite(values, out=finite)
    if not bool(finite.all()):
        xp.copyto(t, spec.n_bins + 2.0, where=~finite)  # nonfinite n + 2
    xp.copyto(idx, t, casting="unsafe")
    return xp.bincount(idx, minlength=spec.n_bins + 3)


def _finite_sum(values: Any, xp: ModuleType) -> Any:
    """Sum of the finite entries of an ``xp`` array (a 0-d ``xp`` array) [output unit]."""
    return xp.where(xp.isfinite(values), values, 0.0).sum()


def inverted_cdf(values: Any, levels: Sequence[float] = (0.05, 0.5, 0.95),
                 overwrite: bool = False) -> Any:
    r"""Quantiles by the inverted empirical CDF along the last axis (``inf`` allowed).

    Parameters
    ----------
    values : array-like
        Samples along the last axis, any leading axes (a grid) [any unit]; a CuPy array is
        sorted on the device and the result stays there.
    levels : sequence of float, default (0.05, 0.5, 0.95)
        Quantile levels in [0, 1].
    overwrite : bool, default False
        Sort ``values`` (a float64 array) in place instead of a copy, as ``numpy.quantile``'s
        ``overwrite_input``, so that no second copy of the samples is held.

    Returns
    -------
    array
        Of the values' array module, shape ``(len(levels),) + values.shape[:-1]``
        [unit of ``values``]; ``nan`` where a row holds a ``nan``.

    Notes
    -----
    The level-:math:`q` quantile of :math:`n` values is the order statistic
    :math:`x_{(k)}`, :math:`k = \max(1, \lceil q n \rceil)`: ``numpy.quantile(...,
    method="inverted_cdf")``, which CuPy lacks, taken by sorting each row.
    """
    xp = array_module(values)
    v = xp.asarray(values, dtype=float)
    n = v.shape[-1]
    ranks = [max(1, math.ceil(q * n)) - 1 for q in levels]
    if overwrite:
        v.sort(axis=-1)
        ordered = v
    else:
        ordered = xp.sort(v, axis=-1)
    picked = xp.moveaxis(ordered[..., ranks], -1, 0)
    return xp.where(xp.isnan(ordered[..., -1]), xp.nan, picked)


@dataclass(frozen=True)
class MonteCarloResult:
    """Summary of one Monte Carlo run.

    Attributes
    ----------
    quantiles : dict of str to numpy.ndarray
        Per output, values at :data:`QUANTILE_LEVELS` [output unit].
    mean : dict of str to float
        Per output, mean over its finite samples [output unit].
    share_infinite : dict of str to float
        Per output, share of non-finite samples (payback never within the horizon) [fraction].
    histograms : dict of str to Histogram
        Per output, counts over :data:`HISTOGRAM_SPECS` bins.
    exact : bool
        True when quantiles are exact order statistics, False when read off the histograms.
    backend, device : str
        Backend name and its device description.
    accelerator : Accelerator
        Constants used by the model.
    n_samples, seed : int
        Run size [samples] and root seed.
    elapsed_s : float
        Wall time of the run [s].
    samples : dict of str to numpy.ndarray or None
        With ``keep_samples``: every input (registry id) and output, shape ``(n_samples,)``.
    draws : str
        ``"host"`` (NumPy, reproducible to the bit) or ``"device"`` (the backend's ``xp``).
    """

    quantiles: dict[str, np.ndarray]
    mean: dict[str, float]
    share_infinite: dict[str, float]
    histograms: dict[str, Histogram]
    exact: bool
    backend: str
    device: str
    accelerator: Accelerator
    n_samples: int
    seed: int
    elapsed_s: float
    samples: dict[str, np.ndarray] | None = None
    draws: str = "host"

    def summary_frame(self) -> pd.DataFrame:
        """One row per output: unit, ``p5`` ... ``p95``, ``mean``, ``share_infinite``.

        Run metadata (``n_samples``, ``seed``, ``backend``, ``quantiles``) is in ``.attrs``.
        """
        frame = pd.DataFrame(
            [{"unit": OUTPUT_UNITS[k],
              **{f"p{round(100 * q)}": v for q, v in zip(QUANTILE_LEVELS, self.quantiles[k],
                                                          strict=True)},
              "mean": self.mean[k], "share_infinite": self.share_infinite[k]}
             for k in OUTPUTS],
            index=pd.Index(OUTPUTS, name="output"))
        frame.attrs.update(n_samples=self.n_samples, seed=self.seed, backend=self.backend,
                           quantiles="exact" if self.exact else "histogram")
        return frame


def with_overrides(registry: Mapping[str, Assumption],
                   overrides: Mapping[str, float] | None) -> dict[str, Assumption]:
    """A copy of ``registry`` with each overridden id fixed at the given value."""
    rows = dict(registry)
    for key, value in (overrides or {}).items():
        v = float(value)
        rows[key] = replace(registry[key], low=v, central=v, high=v, distribution="fixed")
    return rows


# --------------------------------------------------------------------------------------------
# Memory: what a run will hold, checked against a limit before any work
# --------------------------------------------------------------------------------------------

#: Environment variable that sets the memory limit: bytes, or a number with a unit
#: (``16GiB``, ``16G``, ``512MiB``; K, M, G, T are powers of 1024, KB, MB, GB, TB of 1000).
MEMORY_LIMIT_ENV = "AIBOOM_MEMORY_LIMIT"
#: Share of the machine's memory (its RAM, or its container's limit when lower) that one run
#: may plan to use; the rest is headroom for the estimates' error and other programs
#: [fraction].
MEMORY_FRACTION = 0.5
#: Peak bytes per sample of the notebook code that holds every sample, however many there are:
#: chapter 1's draws of Cahn's factor (measured 48) and chapter 5's price paths (measured 24)
#: [bytes/sample].
BUILD_BYTES_PER_SAMPLE = 64
#: Peak bytes per sample of chapter 2's exact runs that keep every sample (measured 758 at a
#: million samples, 836 at a hundred thousand with the dense model; 1,032 since the model
#: reads experts, replicas and two energy outputs); they stop growing at
#: :data:`EXACT_SAMPLE_LIMIT` samples [bytes/sample].
BUILD_BYTES_PER_EXACT_SAMPLE = 1280
#: A notebook kernel's own memory before any sample: Python, pandas, Altair and data [bytes].
BUILD_BASE_BYTES = 2**29

_UNIT_BYTES = {"": 1, "b": 1,
               **{f"{p}{s}": 1024**i for i, p in enumerate("kmgt", 1) for s in ("", "ib")},
               **{f"{p}b": 1000**i for i, p in enumerate("kmgt", 1)}}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?(?:e\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


class MemoryLimit(NamedTuple):
    """The most memory a run may plan to use, and where that number comes from."""

    bytes: int
    source: str  # in words, for messages


def format_bytes(n: float) -> str:
    """``n`` bytes in GiB (or MiB below one GiB), one decimal: ``"16.0 GiB"``."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def _machine_memory() -> tuple[int, str] | None:
    """Physical RAM, or the container's (cgroup) limit when that is lower [bytes]."""
    try:
        total, what = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "RAM"
    except (AttributeError, ValueError, OSError):
        try:
            import psutil

            total, what = int(psutil.virtual_memory().total), "RAM"
        except ImportError:
            return None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < total:
            total, what = int(text), "container memory limit"
        break
    return total, what


def memory_limit() -> MemoryLimit | None:
    """The memory limit: ``AIBOOM_MEMORY_LIMIT`` when set, else half of the machine's memory.

    Returns None where the platform does not tell its memory (then nothing is checked).

    Raises
    ------
    InputError
        When ``AIBOOM_MEMORY_LIMIT`` is not a positive size.
    """
    text = os.environ.get(MEMORY_LIMIT_ENV)
    if text is not None:
        m = _SIZE.match(text)
        unit = _UNIT_BYTES.get(m[2].lower()) if m else None
        size = int(float(m[1]) * unit) if unit else 0
        if size < 1:
            raise InputError.single(MEMORY_LIMIT_ENV, f"{text!r} is not a memory size; write "
                                    "bytes or a number with a unit, e.g. 16GiB or 512MiB")
        return MemoryLimit(size, f"{MEMORY_LIMIT_ENV}={text.strip()}")
    machine = _machine_memory()
    if machine is None:
        return None
    total, what = machine
    return MemoryLimit(int(MEMORY_FRACTION * total),
                       f"half of this machine's {format_bytes(total)} of {what}; set "
                       f"{MEMORY_LIMIT_ENV} to change it")


def memory_problem(need: int, *, file: str, key: str | None, what: str,
                   line: int | None = None, advice: str = "") -> Problem | None:
    """A :class:`~aiboom.errors.Problem` when ``need`` bytes exceed :func:`memory_limit`.

    The message reads "``what`` needs about X GiB of memory, more than the limit of Y GiB
    (where Y comes from)", then ``advice``.
    """
    limit = memory_limit()
    if limit is None or need <= limit.bytes:
        return None
    return Problem(file, line, key, f"{what} needs about {format_bytes(need)} of memory, more "
                   f"than the limit of {format_bytes(limit.bytes)} ({limit.source})"
                   + (f"; {advice}" if advice else ""))


def build_memory_bytes(n_samples: int) -> int:
    """Peak memory of a book build's notebooks for a scenario's ``n_samples`` [bytes].

    Notebooks run one after another, each in its own kernel, so the peak is the largest of:
    the code that holds every sample (:data:`BUILD_BYTES_PER_SAMPLE`) and the exact runs that
    keep up to :data:`EXACT_SAMPLE_LIMIT` samples (:data:`BUILD_BYTES_PER_EXACT_SAMPLE`); plus
    the kernel itself (:data:`BUILD_BASE_BYTES`).
    """
    n = max(int(n_samples), 0)
    return BUILD_BASE_BYTES + max(BUILD_BYTES_PER_SAMPLE * n,
                                  BUILD_BYTES_PER_EXACT_SAMPLE * min(n, EXACT_SAMPLE_LIMIT))


def scenario_memory_problem(n_samples: int, file: str, line: int | None) -> Problem | None:
    """The problem with a scenario's ``monte_carlo.n_samples`` when a build would not fit.

    The message names the estimate (:func:`build_memory_bytes`), the limit
    (:func:`memory_limit`) and the largest ``n_samples`` that fits.
    """
    limit = memory_limit()
    if limit is None or build_memory_bytes(n_samples) <= limit.bytes:
        return None
    lo, hi = 0, int(n_samples)  # largest n with build_memory_bytes(n) <= limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if build_memory_bytes(mid) <= limit.bytes else (lo, mid - 1)
    return memory_problem(build_memory_bytes(n_samples), file=file, line=line,
                          key="monte_carlo.n_samples",
                          what=f"building the book with {int(n_samples):,} samples",
                          advice=f"use at most {lo:,} samples" if lo else
                          "the limit is below what a build needs")


def monte_carlo_memory_bytes(n_samples: int, chunk_size: int, exact: bool,
                             keep_samples: bool = False) -> int:
    """Peak memory of :func:`run_monte_carlo` [bytes], a little above the measured peak.

    Per chunk sample: the drawn inputs twice (the next chunk is drawn while the last is still
    held) and about six words per output (outputs, kernel and binning work arrays); per input,
    the block it drew last (:data:`aiboom.sampling.SAMPLE_BLOCK`). Per sample of the run: in
    exact mode every output value and a copy while a quantile is taken; with ``keep_samples``
    every input value too.
    """
    n = max(int(n_samples), 0)
    chunk = min(max(int(chunk_size), 1), n)
    per_chunk = 8 * (chunk * (2 * len(INPUTS) + 6 * len(OUTPUTS)) + len(INPUTS) * SAMPLE_BLOCK)
    per_run = 8 * n * ((len(OUTPUTS) + 1) * exact + len(INPUTS) * keep_samples)
    return 2**21 + per_chunk + per_run


#: Where :func:`run_monte_carlo` draws its samples: ``host`` (NumPy, the book's numbers) or
#: ``device`` (the backend's array module: CuPy on a GPU, or NumPy to test that code path).
DRAWS: tuple[str, ...] = ("host", "device")

_T = TypeVar("_T")


def _prefetched(items: Iterator[_T]) -> Iterator[_T]:
    """``items``, each produced on a helper thread while the caller works on the one before.

    At most two items exist at once: the one yielded and the one being made.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="aiboom-prefetch") as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item


class _Summary(NamedTuple):
    """What a run keeps: per output, bin counts ``[below, bins, above, nonfinite]``, sum of
    finite values, exact quantiles (or None); every sample (or None)."""

    counts: dict[str, np.ndarray]
    sums: dict[str, float]
    quantiles: dict[str, np.ndarray] | None
    samples: dict[str, np.ndarray] | None


def _summarise_host(rows: Mapping[str, Assumption], n_samples: int, seed: int, be: Backend,
                    chunk_size: int, accelerator: Accelerator, exact: bool,
                    keep_samples: bool, bar: tqdm) -> _Summary:
    """Host draws (:func:`~aiboom.sampling.iter_sample_chunks`, the next chunk drawn while
    this one is evaluated and binned), evaluation with ``be``, summaries on the host.

    Bin counts are integers, so counting chunk by chunk gives the counts of the whole run.
    In exact mode the sums and quantiles are taken over the whole output arrays at the end,
    one output per thread (both NumPy calls release the GIL).
    """
    values = {k: np.empty(n_samples) for k in OUTPUTS} if exact else None
    buffers = None if exact else {k: np.empty(min(chunk_size, n_samples)) for k in OUTPUTS}
    kept = {k: np.empty(n_samples) for k in INPUTS} if keep_samples else None
    counts = {k: np.zeros(HISTOGRAM_SPECS[k].n_bins + 3, dtype=np.int64) for k in OUTPUTS}
    sums = dict.fromkeys(OUTPUTS, 0.0)
    work = _bin_work(min(SAMPLE_BLOCK, n_samples))
    done = 0
    chunks = iter_sample_chunks(rows, INPUTS, n_samples, seed, chunk_size, recycle=True)
    for chunk in _prefetched(chunks):
        n = len(chunk[INPUTS[0]])
        if values is not None:
            out = {k: values[k][done:done + n] for k in OUTPUTS}
        else:
            out = {k: buffers[k][:n] for k in OUTPUTS}
        if kept is not None:
            for k in INPUTS:
                kept[k][done:done + n] = chunk[k]
        if be.name != "numpy":
            evaluate(chunk, be, out, accelerator)
        # block by block, so that each block's outputs are binned while they are in cache;
        # one thread, as the next chunk's draws hold every core
        for a in range(0, n, SAMPLE_BLOCK):
            b = min(a + SAMPLE_BLOCK, n)
            block = {k: v[a:b] for k, v in out.items()}
            if be.name == "numpy":
                evaluate_numpy({k: chunk[k][a:b] for k in INPUTS}, block, accelerator,
                               threads=1)
            for k, v in block.items():
                counts[k] += _bin_counts(v, HISTOGRAM_SPECS[k], work=work)
                if values is None:
                    finite = work[2][:b - a]  # isfinite(v), left by the binning
                    sums[k] += float(np.sum(v) if finite.all() else np.sum(v, where=finite))
        done += n
        bar.update(n)
        del chunk  # else it lives on while the chunk after the next one is drawn
    if values is None:
        return _Summary(counts, sums, None, None)

    def whole(k: str) -> tuple[float, np.ndarray]:
        v = values[k]
        return (float(np.sum(v, where=np.isfinite(v))),
                np.quantile(v, QUANTILE_LEVELS, method="inverted_cdf"))

    with ThreadPoolExecutor(min(len(OUTPUTS), default_threads())) as pool:
        results = dict(zip(OUTPUTS, pool.map(whole, OUTPUTS), strict=True))
    return _Summary(counts, {k: r[0] for k, r in results.items()},
                    {k: r[1] for k, r in results.items()},
                    None if kept is None else {**kept, **values})


def _summarise_xp(rows: Mapping[str, Assumption], n_samples: int, seed: int, be: Backend,
                  chunk_size: int, accelerator: Accelerator, exact: bool, keep_samples: bool,
                  bar: tqdm) -> _Summary:
    """Draws, evaluation and summaries all with ``be.xp`` (on the GPU with CuPy); only the
    summaries (bin counts, sums, quantiles) and, with ``keep_samples``, the samples are
    copied to the host."""
    xp = be.xp
    values = {k: xp.empty(n_samples, dtype=xp.float64) for k in OUTPUTS} if exact else None
    kept = {k: np.empty(n_samples) for k in INPUTS} if keep_samples else None
    counts = {k: xp.zeros(HISTOGRAM_SPECS[k].n_bins + 3, dtype=xp.int64) for k in OUTPUTS}
    sums = {k: xp.zeros((), dtype=xp.float64) for k in OUTPUTS}
    done = 0
    for chunk in iter_sample_chunks_xp(rows, INPUTS, n_samples, seed, xp, chunk_size):
        n = len(chunk[INPUTS[0]])
        out = evaluate_device(chunk, be, accelerator)
        if kept is not None:
            for k in INPUTS:
                kept[k][done:done + n] = be.asnumpy(chunk[k])
        for k, v in out.items():
            if values is not None:
                values[k][done:done + n] = v
            else:
                counts[k] += _bin_counts(v, HISTOGRAM_SPECS[k], xp)
                sums[k] += _finite_sum(v, xp)
        done += n
        bar.update(n)
    quantiles = None
    if values is not None:
        for k, v in values.items():
            counts[k] = _bin_counts(v, HISTOGRAM_SPECS[k], xp)
            sums[k] = _finite_sum(v, xp)
        quantiles = {k: be.asnumpy(inverted_cdf(v, QUANTILE_LEVELS)) for k, v in values.items()}
        if kept is not None:
            kept.update({k: be.asnumpy(v) for k, v in values.items()})
    return _Summary({k: be.asnumpy(c) for k, c in counts.items()},
                    {k: float(v) for k, v in sums.items()}, quantiles, kept)


def run_monte_carlo(registry: Mapping[str, Assumption], n_samples: int, seed: int,
                    backend: Backend | str | None = None, chunk_size: int = 2**20,
                    overrides: Mapping[str, float] | None = None, keep_samples: bool = False,
                    progress: bool = False, constants: Mapping[str, float] | None = None,
                    exact: bool | None = None, draws: str | None = None) -> MonteCarloResult:
    """Sample the registry, run the per-sample model and summarise every output.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Must hold every id in :data:`aiboom.kernels.INPUTS`.
    n_samples : int
        Number of samples (>= 1) [samples]; the run must fit in :func:`memory_limit`
        (:func:`monte_carlo_memory_bytes`).
    seed : int
        Root seed (>= 0); with ``n_samples`` it fixes every host draw, whatever
        ``chunk_size`` and backend.
    backend : Backend or str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"``; ``None`` reads ``AIBOOM_BACKEND``.
    chunk_size : int, default 2**20
        Samples per chunk (>= 1) [samples]. Host memory is about ``8 * 82 * chunk_size`` bytes
        (0.5 GiB measured at the default) plus, in exact mode, ``8 * 5 * n_samples`` bytes
        (:func:`monte_carlo_memory_bytes`).
    overrides : mapping of str to float, optional
        Registry ids fixed at a value for this run [registry unit].
    keep_samples : bool, default False
        Keep every input and output sample (exact mode only), e.g. to mix query kinds.
    progress : bool, default False
        Show a tqdm progress bar on stderr.
    constants : mapping of str to float, optional
        Accelerator constants to change (:class:`aiboom.kernels.Accelerator` fields).
    exact : bool, optional
        Force exact (True) or histogram (False) quantiles; default exact up to
        :data:`EXACT_SAMPLE_LIMIT` samples.
    draws : {"host", "device"}, optional
        ``"host"``: NumPy draws on the host (:func:`~aiboom.sampling.iter_sample_chunks`, on
        every core, reproducible to the bit), evaluated with the backend. ``"device"``: draws,
        model and summaries with the backend's array module
        (:func:`~aiboom.sampling.iter_sample_chunks_xp`): with CuPy the run stays on the GPU
        and only summaries come back; with NumPy the same code runs on the host (for tests).
        Default ``"device"`` with the CuPy backend, else ``"host"``. The two agree in
        distribution, not draw by draw.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    InputError
        Before any work, when the run would need more memory than :func:`memory_limit`.
    """
    start_time = time.perf_counter()
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    be = backend if isinstance(backend, Backend) else get_backend(backend)
    draws = ("device" if be.name == "cupy" else "host") if draws is None else draws
    if draws not in DRAWS:
        raise ValueError(f"draws must be one of {', '.join(DRAWS)}; got {draws!r}")
    accelerator = create_accelerator(**(constants or {}))
    rows = with_overrides(registry, overrides)
    missing = [k for k in INPUTS if k not in rows]
    if missing:
        raise KeyError(f"the registry lacks model inputs: {', '.join(missing)}")
    exact = n_samples <= EXACT_SAMPLE_LIMIT if exact is None else exact
    if keep_samples and not exact:
        raise ValueError("keep_samples needs exact mode (n_samples <= EXACT_SAMPLE_LIMIT)")
    problem = memory_problem(
        monte_carlo_memory_bytes(n_samples, chunk_size, exact, keep_samples),
        file="run_monte_carlo", key="n_samples",
        what=f"a Monte Carlo run of {n_samples:,} samples "
             f"({'exact' if exact else 'histogram'} quantiles"
             f"{', every sample kept' if keep_samples else ''}, chunks of {chunk_size:,})",
        advice="use fewer samples, histogram mode (exact=False) or smaller chunks")
    if problem is not None:
        raise InputError([problem])

    summarise = _summarise_xp if draws == "device" else _summarise_host
    with tqdm(total=n_samples, disable=not progress, unit="sample", unit_scale=True,
              file=sys.stderr) as bar:
        summary = summarise(rows, n_samples, seed, be, chunk_size, accelerator, exact,
                            keep_samples, bar)
    histograms = {k: Histogram(_edges(HISTOGRAM_SPECS[k]), c[1:-2], int(c[0]), int(c[-2]),
                               int(c[-1]), HISTOGRAM_SPECS[k].log)
                  for k, c in summary.counts.items()}
    quantiles = {}
    for k, h in histograms.items():
        if summary.quantiles is not None:
            quantiles[k] = summary.quantiles[k]
        else:
            quantiles[k] = h.quantile(QUANTILE_LEVELS)
            if np.isnan(quantiles[k]).any():
                warnings.warn(f"{k}: a quantile lies outside the histogram range "
                              f"{HISTOGRAM_SPECS[k].low:g}..{HISTOGRAM_SPECS[k].high:g}; "
                              "reported as NaN", RuntimeWarning, stacklevel=2)
    n_finite = {k: n_samples - h.nonfinite for k, h in histograms.items()}
    return MonteCarloResult(
        quantiles=quantiles,
        mean={k: summary.sums[k] / n_finite[k] if n_finite[k] else math.nan for k in OUTPUTS},
        share_infinite={k: h.nonfinite / n_samples for k, h in histograms.items()},
        histograms=histograms, exact=exact, backend=be.name, device=be.device_description,
        accelerator=accelerator, n_samples=n_samples, seed=seed,
        elapsed_s=time.perf_counter() - start_time, samples=summary.samples, draws=draws)


def accelerator_constants(row: Mapping[str, object] | pd.Series) -> Accelerator:
    """Kernel constants of one accelerator from its ``data/accelerators.csv`` row.

    Reads ``bf16_dense_tflops``, ``fp8_dense_tflops`` [TFLOP/s], ``hbm_tb_per_s`` [TB/s] and
    ``hbm_gb`` [GB]; returns dense 8-bit and 16-bit peaks [FLOP/s], HBM bandwidth [B/s] and
    HBM capacity [B]. A chip without
    8-bit units (empty ``fp8_dense_tflops``) runs 8-bit weights at its 16-bit rate.
    """
    bf16 = float(row["bf16_dense_tflops"]) * 1e12
    fp8 = row.get("fp8_dense_tflops")
    has_fp8 = fp8 is not None and not pd.isna(fp8)
    return create_accelerator(
        peak_flop_per_s_8bit=float(fp8) * 1e12 if has_fp8 else bf16,
        peak_flop_per_s_16bit=bf16, hbm_bytes_per_s=float(row["hbm_tb_per_s"]) * 1e12,
        hbm_bytes=float(row["hbm_gb"]) * 1e9)


#: The registry describes serving on this chip (its price and server-power rows).
REFERENCE_ACCELERATOR = "h100"
PRICE_ID = "h100_usd_per_gpu_hour"


def price_source(registry: Mapping[str, Assumption], table: pd.DataFrame,
                 accelerator_id: str) -> tuple[str, float]:
    """Registry id that prices a GPU-hour on a chip, and the factor applied to it.

    ``(<accelerator>_usd_per_gpu_hour, 1.0)`` when the registry has that row; otherwise
    ``(PRICE_ID, ratio)``, with ``ratio`` the chip's central rental price over the reference
    chip's in ``table`` (``data/accelerators.csv`` indexed by ``id``) [unitless].
    """
    own = f"{accelerator_id}_usd_per_gpu_hour"
    if own in registry:
        return own, 1.0
    if accelerator_id == REFERENCE_ACCELERATOR:
        return PRICE_ID, 1.0
    ratio = float(table.loc[accelerator_id, "rental_usd_per_hour_central"]
                  / table.loc[REFERENCE_ACCELERATOR, "rental_usd_per_hour_central"])
    return PRICE_ID, ratio


def accelerator_price_row(registry: Mapping[str, Assumption], table: pd.DataFrame,
                          accelerator_id: str) -> Assumption:
    """Price of one GPU-hour on a chip, as the model's price input (id ``PRICE_ID``).

    The registry row ``<accelerator>_usd_per_gpu_hour`` when there is one; otherwise the
    reference chip's row scaled by the ratio of the chips' central rental prices in ``table``
    (``data/accelerators.csv`` indexed by ``id``) [USD/GPU-hour]; see :func:`price_source`.
    """
    source, ratio = price_source(registry, table, accelerator_id)
    if source != PRICE_ID:
        return replace(registry[source], id=PRICE_ID)
    base = registry[PRICE_ID]
    if accelerator_id == REFERENCE_ACCELERATOR:
        return base
    return replace(base, low=base.low * ratio, central=base.central * ratio,
                   high=base.high * ratio, notes=f"scaled by the rental price of "
                   f"{accelerator_id} relative to {REFERENCE_ACCELERATOR}; {base.notes}")


class ModelInputs(dict[str, Assumption]):
    """A scenario's model inputs (registry id to :class:`Assumption`), knowing its chip.

    A plain ``dict`` to every reader; the attributes say where the price input ``PRICE_ID``
    came from, so that a sweep can tell the served chip's price from another chip's.

    Attributes
    ----------
    accelerator : str
        Serving chip (an ``id`` of ``data/accelerators.csv``).
    price_id : str
        Registry id the price input was taken from (:func:`price_source`).
    price_scale : float
        Factor applied to it: 1, or the rental-price ratio for a chip without a price row of
        its own [unitless].
    """

    def __init__(self, rows: Mapping[str, Assumption], accelerator: str, price_id: str,
                 price_scale: float):
        super().__init__(rows)
        self.accelerator = accelerator
        self.price_id = price_id
        self.price_scale = price_scale


def scenario_inputs(scenario: Scenario) -> tuple[ModelInputs, Accelerator]:
    """Model inputs and accelerator constants for a scenario's serving accelerator.

    Peak FLOP/s and HBM bandwidth come from ``data/accelerators.csv``
    (:func:`accelerator_constants`), the GPU-hour price from :func:`accelerator_price_row`,
    and server power per GPU is scaled by the ratio of the chips' rated power (``tdp_w``)
    where the table has it.
    """
    from aiboom import data

    table = data.accelerators().set_index("id")
    chip = table.loc[scenario.accelerator]
    rows = dict(scenario.registry)
    rows[PRICE_ID] = accelerator_price_row(rows, table, scenario.accelerator)
    tdp, ref_tdp = chip["tdp_w"], table.loc[REFERENCE_ACCELERATOR, "tdp_w"]
    if scenario.accelerator != REFERENCE_ACCELERATOR and not pd.isna(tdp):
        w = rows["server_watts_per_gpu"]
        k = float(tdp) / float(ref_tdp)
        rows["server_watts_per_gpu"] = replace(
            w, low=w.low * k, central=w.central * k, high=w.high * k,
            notes=f"scaled by the rated power of {scenario.accelerator} relative to "
            f"{REFERENCE_ACCELERATOR}; {w.notes}")
    source, scale = price_source(scenario.registry, table, scenario.accelerator)
    return (ModelInputs(rows, scenario.accelerator, source, scale),
            accelerator_constants(chip))


