"""Every cost curve the book draws is computed through the one backend switch.

Each chapter's routing module (``tests/test_routing_*.py``) lists its chart kernels in
``KERNELS``: kernel name (``module.function``, as tagged on its table) to a function that calls
it on the baseline scenario. Here each is run with a counting backend installed
(``tests/_counting.py``): the call must resolve the backend, compute with its array module or
copy its arrays back through it, and return a table tagged with its own name. With CuPy as the
backend the very same calls would run on the GPU.

A site test (``test_site.py::test_every_model_chart_names_a_tested_kernel``) closes the loop:
every chart of the built book that shows the aiboom model carries the kernels that computed it,
and each of those is listed here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from _counting import install

from aiboom.backend import COMPUTED_BY, Backend, computed_from, get_backend


def routed_kernels() -> dict[str, Callable[[], object]]:
    """Every ``KERNELS`` entry of the ``tests/test_routing_*.py`` modules."""
    out: dict[str, Callable[[], object]] = {}
    for path in sorted(Path(__file__).parent.glob("test_routing_*.py")):
        module = importlib.import_module(path.stem)
        for name, call in module.KERNELS.items():
            assert name not in out, f"{name} listed twice ({path.name})"
            out[name] = call
    return out


KERNELS = routed_kernels()


def _tables(result: object) -> list[pd.DataFrame]:
    if isinstance(result, pd.DataFrame):
        return [result]
    if isinstance(result, tuple | list):
        return [t for r in result for t in _tables(r)]
    if isinstance(result, dict):
        return [t for r in result.values() for t in _tables(r)]
    return []


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_computes_through_the_backend(name, monkeypatch):
    usage = install(monkeypatch)
    result = KERNELS[name]()
    assert usage.resolved >= 1, f"{name} never asked aiboom.backend.get_backend for a backend"
    assert usage.array_calls >= 1, f"{name} computed without the backend's array module"
    tagged = [t.attrs[COMPUTED_BY] for t in _tables(result) if COMPUTED_BY in t.attrs]
    assert tagged, f"{name} returned no table tagged by Backend.frame"
    assert any(name in t["kernels"] for t in tagged), (name, tagged)
    assert all(t["device"] == usage.backend.device_description for t in tagged)


def test_an_untouched_numpy_function_is_caught(monkeypatch):
    """The counter is not vacuous: NumPy used directly leaves it at zero."""
    import numpy as np

    usage = install(monkeypatch)
    frame = pd.DataFrame({"x": np.linspace(0.0, 1.0, 5) ** 2})
    assert usage.resolved == 0 and usage.array_calls == 0
    assert COMPUTED_BY not in frame.attrs


def test_frame_tags_and_copies_back(monkeypatch):
    usage = install(monkeypatch)
    be: Backend = get_backend()
    xp = be.xp
    frame = be.frame("demo.curve", {"x": xp.linspace(0.0, 1.0, 3), "label": ["a", "b", "c"]})
    assert usage.resolved == 1 and usage.xp.calls["linspace"] == 1
    assert usage.copies["asnumpy"] == 1  # the array column, not the list of labels
    assert frame.attrs[COMPUTED_BY]["kernels"] == ["demo.curve"]
    other = be.frame("demo.other", {"x": [1.0]})
    both = computed_from(pd.concat([frame, other]), frame, other)
    assert both.attrs[COMPUTED_BY]["kernels"] == ["demo.curve", "demo.other"]
