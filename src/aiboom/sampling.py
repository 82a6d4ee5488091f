r"""Random draws from registry rows: on the host, reproducible to the bit, or on a GPU.

Every :class:`~aiboom.registry.Assumption` names a distribution and three numbers, ``low``,
``central`` and ``high``, in the row's unit. This module turns them into float64 samples:

============  =====================================================================
distribution  meaning of low / central / high
============  =====================================================================
fixed         the constant ``central`` (``low = central = high``)
uniform       bounds :math:`[a, b]`; ``central`` is not used
triangular    bounds :math:`a, b` and mode :math:`c`
pert          beta-PERT with :math:`\lambda = 4`: bounds :math:`a, b`, mode :math:`c`
lognormal     ``central`` is the median; ``low``/``high`` are the 5th/95th percentiles
loguniform    :math:`\ln X` uniform on :math:`[\ln a, \ln b]`; ``central`` is not used
============  =====================================================================

Notes
-----
beta-PERT [1]_: :math:`X = a + (b - a)\,Y` with :math:`Y \sim \mathrm{Beta}(\alpha, \beta)`,

.. math:: \alpha = 1 + \lambda \frac{c - a}{b - a}, \qquad
          \beta = 1 + \lambda \frac{b - c}{b - a}, \qquad \lambda = 4 .

Lognormal: :math:`X = c\, e^{\sigma Z}`, :math:`Z \sim N(0, 1)`, with

.. math:: \sigma = \frac{\ln(b / a)}{2 z_{0.95}}, \qquad z_{0.95} = 1.6449 .

A lognormal with median :math:`c` can match both stated percentiles only when :math:`c` is their
geometric mean, :math:`c = \sqrt{ab}`. This choice always keeps the *width* of the stated
90 % interval (the ratio :math:`b/a`) and the median; when :math:`c \ne \sqrt{ab}` the interval
is shifted so that it is centred, in log space, on :math:`c`. Equivalently :math:`\sigma` is the
mean of the two one-sided values :math:`\ln(c/a)/z_{0.95}` and :math:`\ln(b/c)/z_{0.95}`.

Reproducibility. :func:`iter_sample_chunks` never draws from one long stream. Sample :math:`j`
of parameter ``id`` comes from block :math:`k = \lfloor j / 2^{16} \rfloor`, whose generator is
``SFC64(SeedSequence(seed, spawn_key=(key(id), k)))`` with ``key`` a fixed 64-bit hash of the
id. So the samples depend only on ``(seed, id, n_samples)``: not on ``chunk_size``, not on
which other parameters are drawn or in what order. Changing one row's range changes that row's
draws only (common random numbers across scenarios). The blocks of a chunk are independent, so
they are drawn on a thread pool (one thread per core; NumPy's ``Generator`` releases the GIL
while it fills an array), with results bit-identical to drawing them one by one. The bit
generator is SFC64 (Chris Doty-Humphrey's small fast chaotic generator, one of NumPy's; it
passes the PractRand and TestU01 BigCrush batteries) rather than NumPy's default PCG64, because
the draws bound a Monte Carlo run: with it the beta draws of the beta-PERT inputs are about a
tenth faster and the normals a fifth (``benchmarks/README.md``).

Draws on the device. :func:`sample_assumption_xp` and :func:`iter_sample_chunks_xp` draw the
same laws with an array module ``xp``: CuPy's ``Generator`` on the GPU, so that a Monte Carlo
run stays on the device from draws to quantiles, or NumPy's, so that the same code runs (and is
tested) without a GPU. Those draws agree with the host draws in distribution, not draw by draw;
the book's published numbers use the host draws.

References
----------
.. [1] D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed. Chichester: Wiley, 2008,
   ch. 9 (PERT distribution).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from aiboom.registry import Assumption

#: Standard normal 95th percentile :math:`z_{0.95}` [unitless].
Z95 = 1.6448536269514722
#: beta-PERT shape weight :math:`\lambda` [unitless].
PERT_LAMBDA = 4.0
#: NumPy bit generator of every host block stream (module notes: why SFC64).
BIT_GENERATOR = np.random.SFC64

#: Samples per independent random stream in :func:`iter_sample_chunks` [samples]. Fixed:
#: changing it changes every result.
SAMPLE_BLOCK = 2**16


def lognormal_sigma(a: Assumption) -> float:
    """Log-space standard deviation :math:`\\sigma = \\ln(b/a) / (2 z_{0.95})` [unitless]."""
    return math.log(a.high / a.low) / (2.0 * Z95)


def pert_shape(a: Assumption) -> tuple[float, float]:
    """Beta shapes :math:`(\\alpha, \\beta)` of a beta-PERT row (module notes) [unitless]."""
    width = a.high - a.low
    return (1.0 + PERT_LAMBDA * (a.central - a.low) / width,
            1.0 + PERT_LAMBDA * (a.high - a.central) / width)


def sample_assumption(a: Assumption, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` float64 draws of one registry row, in its unit.

    Parameters
    ----------
    a : Assumption
        The row; ``a.distribution`` picks the law (module table).
    n : int
        Number of draws [samples].
    rng : numpy.random.Generator
        Source of randomness; not used for ``fixed``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, dtype float64 [unit of ``a``].
    """
    lo, mid, hi = a.low, a.central, a.high
    match a.distribution:
        case "fixed":
            return np.full(n, mid, dtype=np.float64)
        case "uniform":
            return rng.uniform(lo, hi, n)
        case "triangular":
            return rng.triangular(lo, mid, hi, n)
        case "pert":
            alpha, beta = pert_shape(a)
            return lo + (hi - lo) * rng.beta(alpha, beta, n)
        case "lognormal":
            return mid * np.exp(lognormal_sigma(a) * rng.standard_normal(n))
        case "loguniform":
            return np.exp(rng.uniform(math.log(lo), math.log(hi), n))
        case other:
            raise ValueError(f"id={a.id}: unknown distribution {other!r}")


def _id_key(param_id: str) -> int:
    return int.from_bytes(hashlib.sha256(param_id.encode()).digest()[:8], "little")


def _block_rng(seed: int, param_id: str, block: int) -> np.random.Generator:
    return np.random.Generator(BIT_GENERATOR(
        np.random.SeedSequence(seed, spawn_key=(_id_key(param_id), block))))


def _draw_into(a: Assumption, out: np.ndarray, rng: np.random.Generator) -> None:
    """``out[:] = sample_assumption(a, len(out), rng)``, to the bit, with fewer temporaries.

    The same generator calls and the same floating-point operations in the same order as
    :func:`sample_assumption` (``lo + width * y`` is ``add(lo, multiply(width, y))``), only
    written in place into ``out`` (contiguous float64).
    """
    n = len(out)
    lo, mid, hi = a.low, a.central, a.high
    match a.distribution:
        case "pert":
            width = hi - lo
            alpha = 1.0 + PERT_LAMBDA * (mid - lo) / width
            beta = 1.0 + PERT_LAMBDA * (hi - mid) / width
            np.multiply(width, rng.beta(alpha, beta, n), out=out)
            np.add(lo, out, out=out)
        case "lognormal":
            rng.standard_normal(n, out=out)
            np.multiply(lognormal_sigma(a), out, out=out)
            np.exp(out, out=out)
            np.multiply(mid, out, out=out)
        case _:
            out[...] = sample_assumption(a, n, rng)


#: Last spawn-key word of the per-id streams of :func:`xp_generator`; host blocks use block
#: numbers there, which stay far below it [unitless].
XP_STREAM = 2**48 + 0x7870
#: Parallel generator states of a CuPy bit generator (threads of its kernels) [states].
DEVICE_STATES = 2**17


def xp_generator(seed: int, param_id: str, xp: ModuleType) -> Any:
    """The random generator of one registry id for :func:`sample_assumption_xp`, in ``xp``.

    Parameters
    ----------
    seed : int
        Non-negative root seed.
    param_id : str
        Registry id; each id has its own stream, ``SeedSequence(seed, spawn_key=(key(id),
        XP_STREAM))``, so adding or reordering ids changes no other id's draws.
    xp : module
        ``numpy`` or ``cupy`` (a :class:`~aiboom.backend.Backend`'s ``xp``).

    Returns
    -------
    numpy.random.Generator or cupy.random.Generator
        NumPy: ``Generator(Philox(...))`` on the host. CuPy: ``Generator(Philox4x3210(...))``
        with :data:`DEVICE_STATES` cuRAND states on the current GPU. Both counter-based
        Philox-4x32 families, but their streams differ: only the distributions agree.
    """
    seq = np.random.SeedSequence(seed, spawn_key=(_id_key(param_id), XP_STREAM))
    if xp is np:
        return np.random.Generator(np.random.Philox(seq))
    return xp.random.Generator(  # pragma: no cover - needs a GPU
        xp.random.Philox4x3210(seq, size=DEVICE_STATES))


def sample_assumption_xp(a: Assumption, n: int, gen: Any, xp: ModuleType) -> Any:
    r"""``n`` float64 draws of one registry row as an ``xp`` array (on the GPU with CuPy).

    The same laws as :func:`sample_assumption` (module table), written only with what
    both ``numpy.random.Generator`` and ``cupy.random.Generator`` offer (``random``,
    ``uniform``, ``standard_normal``, ``beta``), so one code path serves both. CuPy's
    ``Generator`` has no ``triangular``; it is drawn by its inverse CDF from
    :math:`U \sim \mathrm{U}[0, 1)`, with :math:`F_c = (c - a)/(b - a)`:

    .. math:: X = \begin{cases} a + \sqrt{U (b - a)(c - a)}, & U < F_c \\
              b - \sqrt{(1 - U)(b - a)(b - c)}, & U \ge F_c \end{cases}

    Parameters
    ----------
    a : Assumption
        The row.
    n : int
        Number of draws [samples].
    gen : numpy.random.Generator or cupy.random.Generator
        From :func:`xp_generator`; not used for ``fixed`` or a zero-width range.
    xp : module
        ``numpy`` or ``cupy``; the array module of ``gen``.

    Returns
    -------
    ndarray of ``xp``
        Shape ``(n,)``, float64 [unit of ``a``]. Equal in distribution to
        :func:`sample_assumption`, not draw by draw.
    """
    lo, mid, hi = a.low, a.central, a.high
    width = hi - lo
    match a.distribution:
        case "fixed":
            return xp.full(n, mid, dtype=xp.float64)
        case "uniform" | "triangular" | "pert" if width == 0.0:
            return xp.full(n, mid, dtype=xp.float64)
        case "uniform":
            return gen.uniform(lo, hi, n)
        case "triangular":
            u = gen.random(n)
            left = xp.sqrt(u * (width * (mid - lo)))
            right = xp.sqrt((1.0 - u) * (width * (hi - mid)))
            return xp.where(u < (mid - lo) / width, lo + left, hi - right)
        case "pert":
            alpha, beta = pert_shape(a)
            return lo + width * gen.beta(alpha, beta, n)
        case "lognormal":
            return mid * xp.exp(lognormal_sigma(a) * gen.standard_normal(n))
        case "loguniform":
            return xp.exp(gen.uniform(math.log(lo), math.log(hi), n))
        case other:
            raise ValueError(f"id={a.id}: unknown distribution {other!r}")


def iter_sample_chunks_xp(registry: Mapping[str, Assumption], ids: Sequence[str],
                          n_samples: int, seed: int, xp: ModuleType,
                          chunk_size: int = 2**20) -> Iterator[dict[str, Any]]:
    """Chunks of draws made with ``xp`` (on the GPU with CuPy): the device twin of
    :func:`iter_sample_chunks`.

    Each id draws from its own :func:`xp_generator`, chunk after chunk. The draws depend on
    ``(seed, id, n_samples, chunk_size)`` and the array library: with NumPy not on
    ``chunk_size`` either (its generators fill arrays draw by draw), with CuPy they do (a
    call spreads its draws over :data:`DEVICE_STATES` parallel states). They are not the
    host draws; they agree with them in distribution (``tests/test_device_draws.py``).

    Yields
    ------
    dict of str to ndarray of ``xp``
        Registry id to a float64 array of up to ``chunk_size`` draws [unit of the row].
    """
    if n_samples < 0 or chunk_size < 1 or seed < 0:
        raise ValueError(f"need n_samples >= 0, chunk_size >= 1, seed >= 0; got {n_samples}, "
                         f"{chunk_size}, {seed}")
    rows = [registry[i] for i in ids]
    gens = {a.id: xp_generator(seed, a.id, xp) for a in rows if a.distribution != "fixed"}
    for start in range(0, n_samples, chunk_size):
        n = min(chunk_size, n_samples - start)
        yield {a.id: sample_assumption_xp(a, n, gens.get(a.id), xp) for a in rows}


def sampling_threads() -> int:
    """CPU cores this process may use: the default ``threads`` of :func:`iter_sample_chunks`."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="aiboom-sampling")


class _Task(NamedTuple):
    """Draw block ``block`` of row ``row`` into ``out`` (the whole block, or a cache array)."""

    row: Assumption
    block: int
    out: np.ndarray


def _draw_chunk(rows: Sequence[Assumption], start: int, stop: int, n_samples: int, seed: int,
                last: dict[str, tuple[int, np.ndarray]], threads: int,
                into: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Samples ``start..stop`` of every row, drawing whole blocks on ``threads`` threads.

    A block that lies inside the chunk is drawn straight into the chunk's array; one that
    straddles its edge is drawn into a block-sized array kept in ``last`` (per id, the
    straddling block drawn most recently), so that the next chunk reuses it. With ``into``
    (per id, a float64 array of at least ``stop - start`` values) the chunk is written there
    instead of into new arrays.
    """
    chunk: dict[str, np.ndarray] = {}
    tasks: list[_Task] = []
    partial: list[tuple[np.ndarray, np.ndarray]] = []  # chunk slice <- block slice, after drawing
    for a in rows:
        values = chunk[a.id] = (np.empty(stop - start) if into is None
                                else into[a.id][:stop - start])
        if a.distribution == "fixed":
            values.fill(a.central)
            continue
        if stop == start:
            continue
        for block in range(start // SAMPLE_BLOCK, (stop - 1) // SAMPLE_BLOCK + 1):
            b0 = block * SAMPLE_BLOCK
            b1 = min(b0 + SAMPLE_BLOCK, n_samples)
            lo, hi = max(start, b0), min(stop, b1)
            if (lo, hi) == (b0, b1):
                tasks.append(_Task(a, block, values[lo - start:hi - start]))
                continue
            if last.get(a.id, (-1,))[0] != block:
                last[a.id] = block, np.empty(b1 - b0)
                tasks.append(_Task(a, block, last[a.id][1]))
            partial.append((values[lo - start:hi - start], last[a.id][1][lo - b0:hi - b0]))

    def run(task: _Task) -> None:
        _draw_into(task.row, task.out, _block_rng(seed, task.row.id, task.block))

    if threads > 1 and len(tasks) > 1:
        list(_pool(threads).map(run, tasks))
    else:
        for task in tasks:
            run(task)
    for target, drawn in partial:
        target[...] = drawn
    return chunk


def iter_sample_chunks(registry: Mapping[str, Assumption], ids: Sequence[str], n_samples: int,
                       seed: int, chunk_size: int = 2**20, threads: int | None = None,
                       recycle: bool = False) -> Iterator[dict[str, np.ndarray]]:
    """Yield successive chunks of samples; their concatenation does not depend on ``chunk_size``.

    Parameters
    ----------
    registry : mapping of str to Assumption
        Where the rows are looked up.
    ids : sequence of str
        Registry ids to draw.
    n_samples : int
        Total draws per id [samples].
    seed : int
        Non-negative root seed.
    chunk_size : int, default 2**20
        Samples per yielded chunk (the last may be shorter) [samples]. Peak memory is about
        ``8 * len(ids) * (chunk_size + SAMPLE_BLOCK)`` bytes: each id keeps the block that
        straddled the last chunk's end, so a block that straddles two chunks is drawn once.
    threads : int, optional
        Threads that draw blocks in parallel; default :func:`sampling_threads` (every core
        this process may use). The draws do not depend on it.
    recycle : bool, default False
        Draw into two sets of arrays, used in turn, instead of new arrays for every chunk: a
        yielded chunk is overwritten when the chunk after the next one is drawn. For a consumer
        that is done with each chunk before it asks for the one after the next (a Monte Carlo
        that prefetches one chunk ahead); it spares the allocator and the kernel a fresh
        ``8 * len(ids) * chunk_size`` bytes per chunk, which otherwise cost about a sixth of
        the CPU time of a run in page faults.

    Yields
    ------
    dict of str to numpy.ndarray
        Registry id to float64 array [unit of the row].

    Notes
    -----
    Every block has its own generator (module Notes), so the blocks of a chunk are
    independent tasks: NumPy's ``Generator`` releases the GIL while it fills an array, and
    ``threads`` blocks are drawn at once, each into its own slice of the chunk. The result
    is bit-identical to drawing the blocks one after another (``threads=1``).
    """
    if n_samples < 0 or chunk_size < 1 or seed < 0:
        raise ValueError(f"need n_samples >= 0, chunk_size >= 1, seed >= 0; got {n_samples}, "
                         f"{chunk_size}, {seed}")
    rows = [registry[i] for i in ids]
    threads = max(1, threads or sampling_threads())
    last: dict[str, tuple[int, np.ndarray]] = {}
    ring: list[dict[str, np.ndarray]] = []  # with recycle: at most two, made when first needed
    for i, start in enumerate(range(0, n_samples, chunk_size)):
        stop = min(start + chunk_size, n_samples)
        if recycle and len(ring) < 2:
            ring.append({a.id: np.empty(stop - start) for a in rows})
        yield _draw_chunk(rows, start, stop, n_samples, seed, last, threads,
                          ring[i % 2] if recycle else None)


def sample_range(registry: Mapping[str, Assumption], ids: Sequence[str], start: int, stop: int,
                 n_samples: int, seed: int, threads: int | None = None) -> dict[str, np.ndarray]:
    """Samples ``start`` to ``stop`` (exclusive) of a run of ``n_samples``.

    Any slice can be drawn on its own (for example by a Dask worker) and equals the same slice
    of :func:`draw_samples`; ``threads`` as in :func:`iter_sample_chunks`.
    """
    if not 0 <= start <= stop <= n_samples:
        raise ValueError(f"need 0 <= start <= stop <= n_samples, got {start}, {stop}, "
                         f"{n_samples}")
    rows = [registry[i] for i in ids]
    return _draw_chunk(rows, start, stop, n_samples, seed, {},
                       max(1, threads or sampling_threads()))


def draw_samples(registry: Mapping[str, Assumption], ids: Sequence[str], n_samples: int,
                 seed: int) -> dict[str, np.ndarray]:
    """All ``n_samples`` draws at once; equal to concatenating :func:`iter_sample_chunks`."""
    return next(iter_sample_chunks(registry, ids, n_samples, seed, max(n_samples, 1)),
                {i: np.empty(0) for i in ids})
