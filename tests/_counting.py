"""A counting array backend: NumPy underneath, every use of its array module counted.

Installed in place of the real backend (``aiboom.backend._load``), it shows whether a function
computes through the one backend switch: a function that builds its arrays with ``be.xp`` and
hands them back through ``be.frame`` touches the counter; one that computes with NumPy
directly does not.
"""

from __future__ import annotations

import functools
from collections import Counter
from types import ModuleType
from typing import Any

import numpy as np

from aiboom.backend import Backend


class CountingXP(ModuleType):
    """``numpy``, with a count of every attribute looked up on it (``xp.asarray``, ...)."""

    def __init__(self) -> None:
        super().__init__("counting_numpy")
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        value = getattr(np, name)
        self.calls[name] += 1
        return value


def counting_backend() -> tuple[Backend, CountingXP, Counter[str]]:
    """A backend whose ``xp`` and ``asnumpy`` count their uses."""
    xp = CountingXP()
    copies: Counter[str] = Counter()

    def asnumpy(x: Any) -> np.ndarray:
        copies["asnumpy"] += 1
        return np.asarray(x)

    return Backend("numpy", xp, asnumpy, "counting test backend (NumPy)"), xp, copies


class Usage:
    """What a call did with the backend: resolutions of the switch, ``xp`` look-ups, copies."""

    def __init__(self) -> None:
        self.backend, self.xp, self.copies = counting_backend()
        self.resolved = 0

    def load(self, name: str) -> Backend:
        self.resolved += 1
        return self.backend

    def reset(self) -> None:
        self.xp.calls.clear()
        self.copies.clear()
        self.resolved = 0

    @property
    def array_calls(self) -> int:
        """``xp`` look-ups plus copies back to the host."""
        return sum(self.xp.calls.values()) + self.copies["asnumpy"]


def install(monkeypatch: Any) -> Usage:
    """Route every :func:`aiboom.backend.get_backend` call to a fresh counting backend."""
    import aiboom.backend

    usage = Usage()
    monkeypatch.setattr(aiboom.backend, "_load", usage.load)
    return usage


@functools.cache
def baseline_model() -> tuple[Any, Any, Any]:
    """The baseline scenario, its model registry and its accelerator, for routing tests."""
    from aiboom.analysis import money
    from aiboom.scenarios import load_scenario

    scenario = load_scenario()
    registry, accelerator = money.scenario_model(scenario)
    return scenario, registry, accelerator
