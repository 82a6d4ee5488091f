"""Array helpers shared by the model modules: the array module of the inputs, range checks,
and plain floats for scalar results. NumPy and CuPy arrays go through the same code."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_cupy(x: Any) -> bool:
    """True when ``x`` is a CuPy array (checked by type, so CuPy is never imported here)."""
    return type(x).__module__.split(".", 1)[0] == "cupy"


def array_module(*arrays: Any) -> Any:
    """Array module of the inputs: ``cupy`` when any input is a CuPy array, else ``numpy``."""
    for a in arrays:
        if is_cupy(a):
            import cupy  # only reached when the caller already holds CuPy arrays

            return cupy.get_array_module(a)
    return np


def check_range(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise ValueError when any element of ``value`` lies outside the interval.

    NaN passes (it propagates through the model); CuPy arrays are not checked, so the GPU path
    never synchronises for validation.
    """
    if value is None or is_cupy(value):
        return
    arr = np.asarray(value, dtype=float)
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise ValueError(f"{name} must be in {interval}; got {first:g}")


def scalar_out(x: Any) -> Any:
    """Return a Python float for 0-d NumPy results, anything else unchanged."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return float(x)
    return x
