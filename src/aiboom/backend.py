"""The array backend: NumPy on the CPU, or CuPy on an NVIDIA GPU. Chosen here and nowhere else.

The choice comes from the ``backend`` argument when it names one (a scenario file's
``monte_carlo.backend: numpy``), else from the environment variable ``AIBOOM_BACKEND`` (so
``AIBOOM_BACKEND=cupy make book`` moves a scenario that says ``auto`` onto the GPU), else
``auto``:

``numpy``
    Always available.
``cupy``
    Needs ``import cupy`` to work *and* ``cupy.cuda.is_available()`` to be true; otherwise a
    :class:`RuntimeError` names ``AIBOOM_BACKEND`` and says how to proceed.
``auto``
    CuPy when it would pass the test above, else NumPy.

Importability alone is not enough: the ``cupy-cuda12x`` wheel imports on a machine without a
driver, and only ``cupy.cuda.is_available()`` reports that no kernel can run.

Reproducibility across backends
-------------------------------
On NumPy, random samples are drawn on the host (:mod:`aiboom.sampling`), bit-reproducible for
a seed whatever the chunking: the canonical published build is the CPU one. On CuPy, a Monte
Carlo run draws its samples on the device by default (``run_monte_carlo(draws="device")``) and
stays there until its summaries come back, so a GPU build agrees with the CPU build in
distribution (within Monte Carlo error), not to the bit; ``draws="host"`` gives the GPU the very
same inputs as the CPU. The CUDA kernel is compiled without fused multiply-add contraction, so
on identical inputs it performs the same IEEE-754 double operations as the NumPy path; the
test suite claims agreement to a relative tolerance of ``1e-9`` (``rtol=1e-9``,
``tests/test_kernels.py``, run where a GPU is present), which leaves room for a different
``sqrt``, ``pow`` or division rounding on some device and is far below any figure the book
prints. The build records which backend and device computed the numbers
(:func:`provenance`) in ``results.json`` and in the colophon of every page.
"""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

#: Key of ``DataFrame.attrs`` under which :meth:`Backend.frame` says what computed a table.
COMPUTED_BY = "aiboom_computed_by"

#: Environment variable read when no backend is named explicitly.
ENV_VAR = "AIBOOM_BACKEND"
#: Values accepted for ``AIBOOM_BACKEND`` and for the ``name`` argument.
CHOICES: tuple[str, ...] = ("auto", "numpy", "cupy")


class Backend(NamedTuple):
    """An array backend.

    Attributes
    ----------
    name : str
        ``"numpy"`` or ``"cupy"``.
    xp : module
        The array module (``numpy`` or ``cupy``).
    asnumpy : callable
        Copies an array of this backend to a host :class:`numpy.ndarray`.
    device_description : str
        Where the arithmetic runs, in words, for run logs and the book's colophon.
    """

    name: str
    xp: ModuleType
    asnumpy: Callable[[Any], np.ndarray]
    device_description: str

    def frame(self, kernel: str, columns: Mapping[str, Any]) -> pd.DataFrame:
        """A kernel's results as a host table, tagged with what computed them.

        Parameters
        ----------
        kernel : str
            The computing function, ``module.function`` (for instance
            ``"training_trends.loss_curves"``).
        columns : mapping of str to array-like
            Column name to values: arrays of this backend (copied to the host with
            :attr:`asnumpy`), or host arrays, lists and scalars (labels, grid values).

        Returns
        -------
        pandas.DataFrame
            With ``attrs[COMPUTED_BY] = {"kernels": [kernel], "backend": name, "device": ...}``,
            which :func:`aiboom.charts.figure` copies into the chart's metadata.
        """
        host = {k: self.asnumpy(v) if hasattr(v, "__array__") else v
                for k, v in columns.items()}
        out = pd.DataFrame(host)
        out.attrs[COMPUTED_BY] = {"kernels": [kernel], "backend": self.name,
                                  "device": self.device_description}
        return out


def _cupy_or_reason() -> tuple[ModuleType | None, str]:
    """CuPy if it can run kernels here, else ``None`` and why not."""
    try:
        import cupy
    except Exception as exc:  # ImportError, or a CUDA library failing to load
        return None, f"import cupy failed ({type(exc).__name__}: {exc})"
    try:
        if cupy.cuda.is_available():
            return cupy, ""
    except Exception as exc:
        return None, f"cupy.cuda.is_available() raised {type(exc).__name__}: {exc}"
    return None, "cupy.cuda.is_available() is False (no CUDA device or driver)"


@functools.cache
def _load(name: str) -> Backend:
    if name == "numpy":
        cpu = platform.processor() or platform.machine()
        return Backend("numpy", np, np.asarray,
                       f"CPU ({cpu}, {os.cpu_count()} logical cores), NumPy {np.__version__}")
    cupy, reason = _cupy_or_reason()
    if cupy is None:
        if name == "auto":
            return _load("numpy")
        raise RuntimeError(
            f"the cupy backend was requested ({ENV_VAR}=cupy or backend='cupy') but CuPy cannot "
            f"use a GPU here: {reason}. Install cupy-cuda12x on a machine with an NVIDIA GPU, "
            f"or set {ENV_VAR}=numpy (or auto) to run on the CPU.")
    device = cupy.cuda.Device()
    gpu = cupy.cuda.runtime.getDeviceProperties(device.id)["name"].decode()
    cuda = cupy.cuda.runtime.runtimeGetVersion()
    return Backend("cupy", cupy, cupy.asnumpy,
                   f"GPU {device.id} ({gpu}), CuPy {cupy.__version__}, "
                   f"CUDA runtime {cuda // 1000}.{cuda % 1000 // 10}")


def computed_from(frame: pd.DataFrame, *sources: pd.DataFrame) -> pd.DataFrame:
    """``frame``, tagged as computed by every kernel that computed ``sources``.

    Pandas keeps a table's tag through ``assign``, ``melt``, ``merge`` and filtering, but
    ``pandas.concat`` of tables from different kernels drops it: re-tag the result with this.
    Returns ``frame`` itself (tagged in place).
    """
    tags = [s.attrs[COMPUTED_BY] for s in sources if COMPUTED_BY in s.attrs]
    if tags:
        kernels = sorted({k for t in tags for k in t["kernels"]})
        frame.attrs[COMPUTED_BY] = {**tags[0], "kernels": kernels}
    return frame


def get_backend(name: str | None = None) -> Backend:
    """The array backend to use.

    Parameters
    ----------
    name : str, optional
        ``"auto"``, ``"numpy"`` or ``"cupy"`` (case-insensitive). ``None`` or ``"auto"``
        reads ``AIBOOM_BACKEND``, and means ``auto`` when that is unset or empty.

    Returns
    -------
    Backend
        Cached per resolved name, so repeated calls are cheap.

    Raises
    ------
    ValueError
        For a name outside :data:`CHOICES`, listing the allowed values.
    RuntimeError
        When ``cupy`` is requested but CuPy cannot run on a GPU here.
    """
    explicit = name is not None and name.strip().lower() not in ("", "auto")
    source = "backend argument" if explicit else ENV_VAR
    raw = name if explicit else os.environ.get(ENV_VAR, "")
    key = raw.strip().lower() or "auto"
    if key not in CHOICES:
        raise ValueError(f"unknown array backend {raw!r} in {source}; "
                         f"allowed: {', '.join(CHOICES)}")
    return _load(key)


def provenance(name: str | None = None) -> dict[str, str]:
    """What computes the numbers: ``backend`` (``numpy``/``cupy``) and ``device`` (in words,
    with library versions), for the notebook cache key, ``results.json`` and the colophon."""
    be = get_backend(name)
    return {"backend": be.name, "device": be.device_description}


def available_backends() -> tuple[str, ...]:
    """Backends that can run here: ``("numpy",)`` or ``("numpy", "cupy")``."""
    cupy, _ = _cupy_or_reason()
    return ("numpy", "cupy") if cupy is not None else ("numpy",)
