"""Numbers that reach the prose: glued for myst-nb and recorded for the results manifest.

A notebook calls :func:`record` for every number it puts in the text. The value is glued
(as a plain float, so myst-nb can format it) and, with its unit and interval, appended to a
JSON-lines file named by ``AIBOOM_RESULTS_FILE`` when the build executes the notebook. The build
gathers those files into ``results.json`` beside the site.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

RESULTS_FILE_ENV = "AIBOOM_RESULTS_FILE"


@dataclass(frozen=True)
class Result:
    """One number shown in the book. ``p5``/``p95`` bound its 90 % interval where uncertain."""

    name: str
    value: float | str
    unit: str
    description: str
    p5: float | None = None
    p95: float | None = None


def _plain(value: object) -> float:
    """A Python float from a NumPy or Python scalar (glue formats only plain floats)."""
    out = float(np.asarray(value).item())
    if not math.isfinite(out):
        raise ValueError(f"refusing to publish a non-finite number: {value!r}")
    return out


def record(name: str, value: object, unit: str, description: str, *,
           p5: object | None = None, p95: object | None = None) -> Result:
    """Glue ``value`` under ``name`` (and ``name_p5``/``name_p95``) and log it for the manifest.

    Parameters
    ----------
    name : str
        Glue key, unique within the book (snake_case).
    value : float-like or str
        The number (or a short label such as a company name).
    unit : str
        Unit of ``value`` as the prose states it, e.g. ``"USD bn"``, ``"months"``.
    description : str
        What the number is, in a few words (shown in results.json).
    p5, p95 : float-like, optional
        5th and 95th percentiles when the number is uncertain [same unit as value].
    """
    from myst_nb import glue

    val: float | str = value if isinstance(value, str) else _plain(value)
    res = Result(name, val, unit, description,
                 None if p5 is None else _plain(p5), None if p95 is None else _plain(p95))
    glue(name, val, display=False)
    if res.p5 is not None:
        glue(f"{name}_p5", res.p5, display=False)
    if res.p95 is not None:
        glue(f"{name}_p95", res.p95, display=False)
    target = os.environ.get(RESULTS_FILE_ENV)
    if target:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(res), sort_keys=True) + "\n")
    return res


def read_results(path: str | Path) -> list[dict]:
    """Results logged by one notebook run, in order (the last record of a name wins)."""
    by_name: dict[str, dict] = {}
    p = Path(path)
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_name[row["name"]] = row
    return list(by_name.values())
