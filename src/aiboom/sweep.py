"""Sweeps: the per-sample model over a grid of parameters, or a Monte Carlo, at scale.

``aiboom sweep`` writes tidy Parquet and CSV: one row per evaluation, with every model input
(registry unit) and every output (:data:`aiboom.kernels.OUTPUT_UNITS`). Work is cut into
independent tasks of at most ``chunk_size`` rows; each task rebuilds its own inputs from the
registry rows, the grid and the seed, so it can run in this process or on a Dask worker, where
``auto`` picks CuPy if that worker has a GPU. Results do not depend on where tasks ran.
"""

from __future__ import annotations

import collections
import math
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm import tqdm

from aiboom import outputs
from aiboom.errors import InputError
from aiboom.kernels import H100_SXM, INPUTS, OUTPUTS, Accelerator, evaluate
from aiboom.registry import Assumption, check_assumption
from aiboom.sampling import sample_range

if TYPE_CHECKING:
    from distributed import Client

_SPEC = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)=(?P<body>.+)$")


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a registry id and the values it takes [registry unit]."""

    id: str
    values: tuple[float, ...]


def _price_slot(key: str, registry: Mapping[str, Assumption]) -> str:
    """The model input a GPU-hour price id drives: ``PRICE_ID`` for the served chip's own price.

    ``registry`` from :func:`aiboom.montecarlo.scenario_inputs` knows its chip; any other
    mapping is taken to serve on the reference chip, priced by ``PRICE_ID`` itself.
    """
    from aiboom.montecarlo import PRICE_ID, REFERENCE_ACCELERATOR

    chip = getattr(registry, "accelerator", REFERENCE_ACCELERATOR)
    source = getattr(registry, "price_id", PRICE_ID)
    scale = getattr(registry, "price_scale", 1.0)
    if key == source and (source != PRICE_ID or chip == REFERENCE_ACCELERATOR):
        return PRICE_ID
    other = key.removesuffix("_usd_per_gpu_hour")
    if source != PRICE_ID or chip == REFERENCE_ACCELERATOR:
        why = (f"the scenario serves on {chip}, whose GPU-hour price is {source}: sweep "
               f"{source} instead (it fills the model's price input, the output column "
               f"{PRICE_ID})")
    else:
        why = (f"the scenario serves on {chip}, which has no GPU-hour price of its own in the "
               f"registry: the model prices it at {PRICE_ID} times {scale:.2f} (the chips' "
               "rental-price ratio), so a swept value would not mean the price it names; "
               f"override {PRICE_ID} in the scenario file instead, or add a row "
               f"{chip}_usd_per_gpu_hour to data/assumptions.csv")
    raise InputError.single("--param", f"{key} is the price of one {other} GPU-hour, but "
                            f"{why}", key=key)


def parse_axis(spec: str, registry: Mapping[str, Assumption]) -> Axis:
    """Parse ``id=start:stop:n`` (linear), ``id=start:stop:n:log`` or ``id=v1,v2,...``.

    A GPU-hour price is swept by the id of the served chip's own price
    (``b200_usd_per_gpu_hour`` in a scenario with ``accelerator: b200``); it drives the
    model's price input, :data:`aiboom.montecarlo.PRICE_ID`, the column the rows show it in.

    Raises
    ------
    InputError
        For a malformed spec, an id that is not a model input, another chip's GPU-hour price,
        or a value the registry does not allow (a negative price, a zero divisor).
    """
    m = _SPEC.match(spec.strip())
    if not m:
        raise InputError.single("--param", f"{spec!r} is not id=start:stop:n[:log] or "
                                "id=v1,v2,...")
    key, body = m["id"], m["body"]
    slot = key
    if key.endswith("_usd_per_gpu_hour") and key in registry:
        slot = _price_slot(key, registry)
    if slot not in INPUTS:
        import difflib

        close = difflib.get_close_matches(key, INPUTS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError.single("--param", f"{key!r} is not an input of the per-query model"
                                f"{hint} (inputs: {', '.join(INPUTS)})", key=key)
    try:
        if ":" in body:
            parts = body.split(":")
            if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
                raise ValueError("expected start:stop:n or start:stop:n:log")
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
            if n < 1 or n > 10_000:
                raise ValueError("n must be between 1 and 10000")
            values = np.geomspace(start, stop, n) if len(parts) == 4 else \
                np.linspace(start, stop, n)
        else:
            values = np.array([float(v) for v in body.split(",")])
    except ValueError as exc:
        raise InputError.single("--param", f"{spec!r}: {exc}", key=key) from None
    base = registry[slot]
    for v in values:
        problems = check_assumption(replace(base, low=v, central=v, high=v,
                                            distribution="fixed"), "--param", None)
        if problems:
            raise InputError.single("--param", f"{key}={v:g}: {problems[0].message} "
                                    f"(unit {base.unit})", key=key)
    return Axis(slot, tuple(float(v) for v in values))


@dataclass(frozen=True)
class Task:
    """A slice of the sweep: grid points ``[g0, g1)`` times samples ``[s0, s1)``."""

    rows: tuple[Assumption, ...]
    axes: tuple[Axis, ...]
    g0: int
    g1: int
    s0: int
    s1: int
    n_samples: int
    seed: int
    backend: str
    accelerator: Accelerator


def _grid_values(axes: Sequence[Axis], g0: int, g1: int) -> list[np.ndarray]:
    """Values of each axis at grid points ``[g0, g1)`` (last axis fastest, as
    ``itertools.product``), without building the rest of the grid."""
    if not axes:
        return []
    index = np.unravel_index(np.arange(g0, g1), [len(a.values) for a in axes])
    return [np.asarray(a.values, dtype=float)[i] for a, i in zip(axes, index, strict=True)]


def run_task(task: Task) -> pd.DataFrame:
    """Evaluate one task; pure function of its fields (so any worker gives the same rows)."""
    rows = {a.id: a for a in task.rows}
    values = _grid_values(task.axes, task.g0, task.g1)
    n_points = task.g1 - task.g0
    n_s = task.s1 - task.s0
    if task.n_samples:
        drawn = sample_range(rows, INPUTS, task.s0, task.s1, task.n_samples, task.seed)
    else:
        drawn = {k: np.full(1, rows[k].central) for k in INPUTS}
    reps = max(n_s, 1)
    chunk = {k: np.tile(v, n_points) for k, v in drawn.items()}
    for axis, axis_values in zip(task.axes, values, strict=True):
        chunk[axis.id] = np.repeat(axis_values, reps)
    out = evaluate(chunk, task.backend, accelerator=task.accelerator)
    frame = pd.DataFrame({**chunk, **{k: np.asarray(out[k]) for k in OUTPUTS}})
    frame.insert(0, "grid_point", np.repeat(np.arange(task.g0, task.g1), reps))
    frame.insert(1, "sample", np.tile(np.arange(task.s0, task.s0 + reps), n_points)
                 if task.n_samples else 0)
    return frame


#: Copies of the result held at a sweep's peak: the task frames and their concatenation, then
#: the frame and its Parquet table or summary (measured 2.3 with the CSV and Parquet written)
#: [copies].
SWEEP_FRAME_COPIES = 3
#: Memory per task besides its rows: the task and its frame's pandas objects (measured
#: 7.5 KiB) [bytes].
SWEEP_TASK_BYTES = 10 * 2**10
#: How long to wait for a Dask scheduler to answer before giving up [s].
SCHEDULER_TIMEOUT_S = 5


def _check_counts(n_samples: int, chunk_size: int) -> None:
    if n_samples < 0:
        raise InputError.single("--samples", f"must be 0 (central values only) or more, got "
                                f"{n_samples}")
    if chunk_size < 1:
        raise InputError.single("--chunk-size", f"must be 1 or more, got {chunk_size}")


def _n_grid(axes: Sequence[Axis]) -> int:
    """Grid points, counted without building the grid."""
    return math.prod(len(a.values) for a in axes) or 1


def sweep_memory_bytes(n_grid: int, n_samples: int, chunk_size: int) -> int:
    """Peak memory of :func:`run_sweep` and writing its result, which is held in memory [bytes].

    ``SWEEP_FRAME_COPIES`` copies of ``n_grid * max(n_samples, 1)`` rows of 8-byte columns
    (grid point, sample, every input and output), plus ``SWEEP_TASK_BYTES`` per task.
    """
    rows = n_grid * max(n_samples, 1)
    n_tasks = n_grid * -(-n_samples // chunk_size) if n_samples else -(-n_grid // chunk_size)
    return (rows * 8 * (2 + len(INPUTS) + len(OUTPUTS)) * SWEEP_FRAME_COPIES
            + n_tasks * SWEEP_TASK_BYTES)


def plan(registry: Mapping[str, Assumption], axes: Sequence[Axis], n_samples: int, seed: int,
         backend: str = "auto", chunk_size: int = 2**18,
         accelerator: Accelerator = H100_SXM) -> list[Task]:
    """Cut the sweep into tasks of at most about ``chunk_size`` rows.

    Raises
    ------
    InputError
        For ``n_samples < 0`` or ``chunk_size < 1`` (named as ``--samples``, ``--chunk-size``).
    """
    _check_counts(n_samples, chunk_size)
    rows = tuple(registry[k] for k in INPUTS)
    n_grid = _n_grid(axes)
    tasks = []
    if n_samples:
        for g in range(n_grid):
            for s0 in range(0, n_samples, chunk_size):
                tasks.append(Task(rows, tuple(axes), g, g + 1, s0,
                                  min(s0 + chunk_size, n_samples), n_samples, seed, backend,
                                  accelerator))
    else:
        for g0 in range(0, n_grid, chunk_size):
            tasks.append(Task(rows, tuple(axes), g0, min(g0 + chunk_size, n_grid), 0, 0, 0,
                              seed, backend, accelerator))
    return tasks


def _connect(address: str) -> Client:
    """A Dask client on ``address``, or one InputError naming it within the timeout.

    The address is probed first with a deadline on the whole handshake: Dask's own timeout
    covers opening the connection, not a peer that accepts it and then never answers.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed import Client
    from distributed.comm import connect

    async def probe() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=SCHEDULER_TIMEOUT_S),
                                      SCHEDULER_TIMEOUT_S)
        await comm.close()

    try:
        with ThreadPoolExecutor(1) as pool:  # its own event loop, even inside Jupyter's
            pool.submit(asyncio.run, probe()).result()
        return Client(address, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except ValueError as exc:  # malformed: no port, unknown scheme
        raise InputError.single("--scheduler", f"{address!r} is not a Dask scheduler address "
                                f"(tcp://host:port): {str(exc).splitlines()[0]}") from None
    except (OSError, TimeoutError):
        raise InputError.single("--scheduler", f"no Dask scheduler answered at {address!r} "
                                f"within {SCHEDULER_TIMEOUT_S} s; is it running and "
                                "reachable?") from None


def iter_sweep(tasks: Sequence[Task], *, scheduler: str | None = None, progress: bool = True
               ) -> Iterator[pd.DataFrame]:
    """Evaluate ``tasks`` locally or on the Dask scheduler at ``scheduler``, yielding one frame
    per task in task order (workers may run ahead; each result is released once yielded)."""
    total = sum((t.g1 - t.g0) * max(t.s1 - t.s0, 1) for t in tasks)
    client = None if scheduler is None else _connect(scheduler)  # before any progress bar
    with tqdm(total=total, disable=not progress, unit="row", unit_scale=True,
              file=sys.stderr, desc="sweep") as bar:
        if client is None:
            for t in tasks:
                frame = run_task(t)
                bar.update(len(frame))
                yield frame
        else:
            with client:
                pending = collections.deque(client.map(run_task, tasks, pure=True))
                while pending:
                    frame = pending.popleft().result()
                    bar.update(len(frame))
                    yield frame


#: Bytes a sweep row takes on disk, at most (8-byte columns; Parquet usually compresses and a
#: CSV row of ten-digit numbers is about twice that) [bytes/row].
SWEEP_ROW_DISK_BYTES = 8 * (2 + len(INPUTS) + len(OUTPUTS)) * 2


def _refuse_beyond_disk(target: Path, rows: int, n_grid: int, n_samples: int) -> None:
    """Refuse a sweep whose files would not fit on the target's filesystem, before any work."""
    import shutil

    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    need = rows * SWEEP_ROW_DISK_BYTES
    if need > free:
        from aiboom.montecarlo import format_bytes

        raise InputError.single("--samples" if n_samples else "--param",
                                f"a sweep of {n_grid * max(n_samples, 1):,} rows would write "
                                f"up to {format_bytes(need)}, more than the "
                                f"{format_bytes(free)} free on {folder}; use fewer grid points "
                                "or samples")


def _refuse_beyond_memory(need: int, n_grid: int, n_samples: int, advice: str) -> None:
    from aiboom.montecarlo import memory_problem

    rows = n_grid * max(n_samples, 1)
    points = f"{n_grid:,} grid point{'s' * (n_grid != 1)}"
    what = (f"a sweep of {rows:,} rows ({points} x {n_samples:,} samples)" if n_samples
            else f"a sweep of {rows:,} rows ({points})")
    problem = memory_problem(need, file="--samples" if n_samples else "--param", key=None,
                             what=what, advice=advice)
    if problem is not None:
        raise InputError([problem])


def run_sweep(registry: Mapping[str, Assumption], axes: Sequence[Axis], *, n_samples: int = 0,
              seed: int = 0, backend: str = "auto", chunk_size: int = 2**18,
              scheduler: str | None = None, progress: bool = True,
              accelerator: Accelerator = H100_SXM) -> pd.DataFrame:
    """Every row of the sweep as one frame, in task order (:func:`iter_sweep`).

    The result is held in memory, so a sweep that would not fit (:func:`sweep_memory_bytes`,
    :func:`aiboom.montecarlo.memory_limit`) is refused before any work; :func:`sweep_to_files`
    streams instead.

    Raises
    ------
    InputError
        For bad counts (:func:`plan`), a sweep beyond the memory limit, or a scheduler that
        does not answer within :data:`SCHEDULER_TIMEOUT_S`.
    """
    _check_counts(n_samples, chunk_size)
    n_grid = _n_grid(axes)
    _refuse_beyond_memory(sweep_memory_bytes(n_grid, n_samples, chunk_size), n_grid, n_samples,
                          "the result is held in memory: use fewer "
                          + ("samples or grid points" if n_samples else "grid points"))
    tasks = plan(registry, axes, n_samples, seed, backend, chunk_size, accelerator)
    return pd.concat(iter_sweep(tasks, scheduler=scheduler, progress=progress),
                     ignore_index=True)


def price_column_name(registry: Mapping[str, Assumption]) -> str:
    """Column of the written sweep that holds the GPU-hour price: the served chip's own price
    id (``b200_usd_per_gpu_hour`` for a B200 scenario), where the scenario's inputs
    (:class:`aiboom.montecarlo.ModelInputs`) name it; else the model's price input."""
    from aiboom.montecarlo import PRICE_ID

    accelerator = getattr(registry, "accelerator", None)
    return f"{accelerator}_usd_per_gpu_hour" if accelerator else PRICE_ID


def stream_memory_bytes(n_samples: int, chunk_size: int, n_grid: int = 1) -> int:
    """Peak memory of :func:`sweep_to_files` [bytes]: ``SWEEP_FRAME_COPIES`` copies of one
    task's rows (the frame, its Arrow table and CSV text), the outputs of one grid point's
    samples kept for its quantiles (two copies: the values and a sorted one), and the plan's
    ``SWEEP_TASK_BYTES`` per task."""
    rows = min(chunk_size, max(n_samples, 1)) if n_samples else chunk_size
    n_tasks = n_grid * -(-n_samples // chunk_size) if n_samples else -(-n_grid // chunk_size)
    return (rows * 8 * (2 + len(INPUTS) + len(OUTPUTS)) * SWEEP_FRAME_COPIES
            + max(n_samples, 1) * 8 * len(OUTPUTS) * 2 + n_tasks * SWEEP_TASK_BYTES)


def _quantile_rows(grid_point: int, outputs: Mapping[str, np.ndarray]) -> dict[str, float]:
    row: dict[str, float] = {"grid_point": grid_point}
    for k, v in outputs.items():
        finite = v[np.isfinite(v)]
        p5, p50, p95 = (np.quantile(finite, (0.05, 0.5, 0.95)) if finite.size
                        else (math.nan,) * 3)
        row.update({f"{k}_p5": p5, f"{k}_p50": p50, f"{k}_p95": p95})
    return row


def sweep_to_files(registry: Mapping[str, Assumption], axes: Sequence[Axis], out: str | Path,
                   *, n_samples: int = 0, seed: int = 0, backend: str = "auto",
                   chunk_size: int = 2**18, scheduler: str | None = None,
                   progress: bool = True, accelerator: Accelerator = H100_SXM,
                   csv: bool = False, provenance: Mapping[str, object] | None = None
                   ) -> tuple[list[Path], pd.DataFrame]:
    """Run the sweep and stream its rows to Parquet (and CSV when asked), one task at a time.

    Memory is bounded by the chunk size and by one grid point's outputs
    (:func:`stream_memory_bytes`), not by the number of rows. Each file is written beside its
    target under a temporary name and renamed into place when complete, with an
    ``.aiboom.json`` sidecar (:func:`aiboom.outputs.record_file`, with ``provenance``); a
    failed sweep leaves any previous output as it was.

    Returns
    -------
    files : list of pathlib.Path
        The Parquet file, and the CSV file when ``csv``.
    summary : pandas.DataFrame
        Per grid point, the 5th, 50th and 95th percentiles of each output over its finite
        samples (``<output>_p5`` ...), indexed by ``grid_point`` [output units].
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from aiboom.montecarlo import PRICE_ID

    _check_counts(n_samples, chunk_size)
    parquet, csv_path = output_files(out)
    n_grid = _n_grid(axes)
    _refuse_beyond_memory(stream_memory_bytes(n_samples, chunk_size, n_grid), n_grid,
                          n_samples, "use fewer grid points, fewer samples per grid point or "
                          "a smaller --chunk-size")
    _refuse_beyond_disk(parquet, n_grid * max(n_samples, 1) * (csv + 1), n_grid, n_samples)
    tasks = plan(registry, axes, n_samples, seed, backend, chunk_size, accelerator)
    price_column = price_column_name(registry)
    targets = [parquet, csv_path] if csv else [parquet]
    temps = [p.with_name(f".{p.name}.aiboom-tmp-{os.getpid()}") for p in targets]
    summary_rows: list[dict[str, float]] = []
    current: int | None = None
    kept: dict[str, list[np.ndarray]] = {k: [] for k in OUTPUTS}
    n_rows = 0
    parquet.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = None
        for frame in iter_sweep(tasks, scheduler=scheduler, progress=progress):
            frame = frame.rename(columns={PRICE_ID: price_column})
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(temps[0], table.schema)
            writer.write_table(table)
            if csv:
                frame.to_csv(temps[1], mode="a", header=n_rows == 0, index=False,
                             float_format="%.10g")
            n_rows += len(frame)
            if not n_samples:  # one row per grid point
                for i, g in enumerate(frame["grid_point"]):
                    summary_rows.append(_quantile_rows(int(g), {
                        k: frame[k].to_numpy()[i:i + 1] for k in OUTPUTS}))
                continue
            g = int(frame["grid_point"].iloc[0])  # a task holds one grid point's samples
            if current is not None and g != current:
                summary_rows.append(_quantile_rows(current, {
                    k: np.concatenate(v) for k, v in kept.items()}))
                kept = {k: [] for k in OUTPUTS}
            current = g
            for k in OUTPUTS:
                kept[k].append(frame[k].to_numpy())
        if current is not None:
            summary_rows.append(_quantile_rows(current, {
                k: np.concatenate(v) for k, v in kept.items()}))
        if writer is not None:
            writer.close()
        for tmp, target in zip(temps, targets, strict=True):
            os.replace(tmp, target)
            outputs.record_file(target, rows=n_rows, **(provenance or {}))
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return targets, pd.DataFrame(summary_rows).set_index("grid_point")


def output_files(out: str | Path) -> tuple[Path, Path]:
    """The Parquet and CSV files a sweep writes for ``out`` (given with either suffix), after
    checking that aiboom may write them (:func:`aiboom.outputs.check_file_targets`)."""
    out = Path(out)
    parquet, csv = outputs.check_file_targets([out.with_suffix(".parquet"),
                                               out.with_suffix(".csv")])
    return parquet, csv
