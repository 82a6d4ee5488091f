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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

RESULTS_FILE_ENV = "AIBOOM_RESULTS_FILE"

#: How a number was obtained. Two records of one quantity and subject on the same basis must agree;
#: records on different bases are named variants (the chapter's Definitions box relates them).
BASES: dict[str, str] = {
    "central": "the model run once with every registry input at its central value",
    "median": "median of the Monte Carlo over the registry's ranges",
    "p5": "5th percentile of the Monte Carlo",
    "p95": "95th percentile of the Monte Carlo",
    "monte_carlo": "another statistic of the Monte Carlo draws (a share of draws, a mean)",
    "data": "read from the curated data, or fitted to it",
    "scenario": "a setting of the scenario file (its chosen chip, horizon or name)",
    "list_price": "a published list price, not a modelled cost",
}

#: Units that are a scaled form of another, so that one quantity recorded in two units compares.
UNIT_SCALES: dict[str, tuple[str, float]] = {
    "US cents/query": ("USD/query", 0.01),
    "US cents": ("USD", 0.01),
    "USD thousand": ("USD", 1e3),
    "USD m": ("USD", 1e6),
    "USD bn": ("USD", 1e9),
    "USD thousand/month": ("USD/month", 1e3),
    "USD bn/month": ("USD/month", 1e9),
    "USD m/day": ("USD/day", 1e6),
    "USD thousand/yr": ("USD/yr", 1e3),
    "USD bn/yr": ("USD/yr", 1e9),
    "million users": ("users", 1e6),
    "thousand accelerators": ("accelerators", 1e3),
    "thousand GPUs": ("accelerators", 1e3),
    "million GPU-hours": ("GPU-hours", 1e6),
    "1e25 FLOP": ("FLOP", 1e25),
    "1e26 FLOP": ("FLOP", 1e26),
    "MWh": ("Wh", 1e6),
    "GWh": ("Wh", 1e9),
    "years": ("months", 12.0),
}


@dataclass(frozen=True)
class Result:
    """One number shown in the book. ``p5``/``p95`` bound its 90 % interval where uncertain."""

    name: str
    value: float | str
    unit: str
    description: str
    quantity: str
    basis: str
    subject: str
    p5: float | None = None
    p95: float | None = None

    def key(self) -> tuple[str, str, str]:
        """(quantity, basis, subject): records sharing it state the same number."""
        return (self.quantity, self.basis, self.subject)


def canonical(value: float, unit: str) -> tuple[float, str]:
    """``value`` in ``unit`` expressed in the unit :data:`UNIT_SCALES` maps it to (or as is)."""
    base, factor = UNIT_SCALES.get(unit, (unit, 1.0))
    return value * factor, base


def inconsistencies(rows: list[dict], rel_tol: float = 1e-9) -> list[str]:
    """Groups of records with one (quantity, basis, subject) that state different numbers.

    Numbers are compared in their canonical unit (:func:`canonical`) within ``rel_tol``;
    text and names must match exactly, and a group may not mix units that do not convert.
    Returns one line per disagreement, naming the records and their values.
    """
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in rows:
        kind = "text" if isinstance(row["value"], str) else "number"
        key = (row["quantity"], row["basis"], row["subject"], kind)
        groups.setdefault(key, []).append(row)
    problems = []
    for (quantity, basis, subject, kind), members in groups.items():
        if len(members) < 2:
            continue
        label = f"{quantity} ({basis}) of {subject}"
        if kind == "text":
            if len({m["value"] for m in members}) > 1:
                problems.append(label + ": " + ", ".join(f"{m['name']}={m['value']!r}"
                                                         for m in members))
            continue
        values = [canonical(m["value"], m["unit"]) for m in members]
        if len({u for _, u in values}) > 1:
            problems.append(label + " in units that do not convert: " + ", ".join(
                f"{m['name']} [{m['unit']}]" for m in members))
            continue
        first = values[0][0]
        if any(not math.isclose(v, first, rel_tol=rel_tol, abs_tol=1e-12) for v, _ in values):
            problems.append(label + ": " + ", ".join(
                f"{m['name']}={m['value']:.6g} {m['unit']}" for m in members))
    return problems


def _plain(value: object) -> float:
    """A Python float from a NumPy or Python scalar (glue formats only plain floats)."""
    out = float(np.asarray(value).item())
    if not math.isfinite(out):
        raise ValueError(f"refusing to publish a non-finite number: {value!r}")
    return out


def record(name: str, value: object, unit: str, description: str, *,
           quantity: str, basis: str, subject: str,
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
    quantity : str
        What is measured, snake_case and unit-free in spirit (``"usd_per_query"``,
        ``"payback_months"``, ``"usd_per_gpu_hour"``); the same name wherever the book states
        the same kind of number, whatever unit the prose uses.
    basis : str
        How it was obtained, one of :data:`BASES`.
    subject : str
        What it is of (``"frontier model on h100"``, ``"generative-ai project"``,
        ``"big-four hyperscalers"``); lower case.
    p5, p95 : float-like, optional
        5th and 95th percentiles when the number is uncertain [same unit as value].
    """
    from myst_nb import glue

    if basis not in BASES:
        raise ValueError(f"{name}: basis {basis!r} is not one of {', '.join(BASES)}")
    if not quantity.strip() or not subject.strip():
        raise ValueError(f"{name}: quantity and subject must be named")
    val: float | str = value if isinstance(value, str) else _plain(value)
    res = Result(name, val, unit, description, quantity.strip(), basis,
                 " ".join(subject.lower().split()),
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


#: Keyword arguments of :func:`record` a row of :func:`record_table` may set.
ROW_OPTIONS = ("quantity", "basis", "subject", "p5", "p95")


def record_table(rows: Sequence[Sequence[object]], *, quantity: str | None = None,
                 basis: str | None = None, subject: str | None = None) -> list[Result]:
    """:func:`record` every row of a table: the numbers one section of a chapter states.

    Parameters
    ----------
    rows : sequence of rows
        Each row is ``(name, value, unit, description)``, optionally followed by a dict of
        :data:`ROW_OPTIONS` for that row alone (``{"basis": "data", "p5": lo, "p95": hi}``).
        A row whose value is ``None`` is skipped: the section states no such number (a payback
        that is never reached, say).
    quantity, basis, subject : str, optional
        Defaults for every row that does not set its own (as :func:`record` takes them).

    Returns
    -------
    list of Result
        The recorded rows, in order.

    Examples
    --------
    >>> record_table([  # doctest: +SKIP
    ...     ("train_mfu", mfu, "fraction", "model FLOP utilisation of training",
    ...      {"quantity": "training_mfu"}),
    ...     ("train_usd_per_e18_flop", usd_per_flop * 1e18, "USD per 1e18 FLOP",
    ...      "rental price of 1e18 useful FLOP", {"quantity": "usd_per_e18_useful_flop"}),
    ... ], basis="central", subject="frontier training run")
    """
    defaults = {"quantity": quantity, "basis": basis, "subject": subject}
    out = []
    for row in rows:
        if len(row) not in (4, 5):
            raise ValueError(f"a row is (name, value, unit, description[, options]); got {row!r}")
        name, value, unit, description = row[:4]
        options = dict(row[4]) if len(row) == 5 else {}
        unknown = set(options) - set(ROW_OPTIONS)
        if unknown:
            raise ValueError(f"{name}: unknown row options {sorted(unknown)}; "
                             f"allowed: {', '.join(ROW_OPTIONS)}")
        if value is None:
            continue
        kwargs = {**{k: v for k, v in defaults.items() if v is not None}, **options}
        missing = [k for k in ("quantity", "basis", "subject") if kwargs.get(k) is None]
        if missing:
            raise ValueError(f"{name}: no {', '.join(missing)} (set it on the row or the table)")
        out.append(record(str(name), value, str(unit), str(description), **kwargs))
    return out


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
