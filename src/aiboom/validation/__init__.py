"""The model against the world: published figures the model was not fitted to.

Each row of ``data/validation.csv`` is one published figure (value, unit, source, as-of date)
and a multiplicative tolerance. The model's value for it comes from a function registered in
one of the family modules (:mod:`aiboom.validation.training`, ``inference``, ``energy``,
``economics``): each takes the registry and computes the figure from the registry's central
values plus the case's own defining inputs only (model size, tokens, chip, price, batch),
never a per-case utilisation or fudge factor.

A check passes when :math:`1/k \\le m/p \\le k`, with :math:`m` the model value, :math:`p`
the published figure and :math:`k` the row's ``tolerance_factor``.

Calibrated is not validated: registry rows name in ``calibrated_to`` the published figures
they were set to reproduce (``figure_id: description``), and a figure that is a calibration
target can never be a validation check (``tests/test_validation.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from aiboom.arrays import array_module
from aiboom.backend import get_backend
from aiboom.registry import Registry

#: Families of checks, in the order the appendix shows them.
FAMILIES: tuple[str, ...] = ("training", "inference", "energy", "economics")

ModelFn = Callable[[Registry], float]


def within_tolerance(ratio: Any, tolerance_factor: Any) -> Any:
    """Whether model / published lies within a check's tolerance.

    Parameters
    ----------
    ratio : numeric
        Model value over published figure :math:`m/p` [unitless].
    tolerance_factor : numeric
        Accepted factor either way :math:`k`, at least 1 [unitless].

    Returns
    -------
    bool or array of bool
        :math:`1/k \\le m/p \\le k`, False where the ratio is not finite.
    """
    xp = array_module(ratio, tolerance_factor)
    return xp.isfinite(ratio) & (1.0 / tolerance_factor <= ratio) & (ratio <= tolerance_factor)


@dataclass(frozen=True)
class CheckResult:
    """One published figure beside the model's value for it.

    ``published`` and ``model`` are in ``unit``; ``ratio`` is model / published [unitless];
    ``tolerance_factor`` :math:`k` [unitless] accepts ratios in :math:`[1/k, k]`.
    """

    id: str
    family: str
    description: str
    unit: str
    published: float
    model: float
    tolerance_factor: float
    source_key: str
    source: str
    url: str
    as_of: str
    known_miss: bool = False

    @property
    def ratio(self) -> float:
        return self.model / self.published

    @property
    def passed(self) -> bool:
        return bool(within_tolerance(self.ratio, self.tolerance_factor))

    @property
    def as_expected(self) -> bool:
        """True when the check passes, or misses and is flagged as a known miss. A known miss
        that starts to pass is not as expected either: its flag must go."""
        return self.passed != self.known_miss


def models() -> dict[str, ModelFn]:
    """Every registered model function, by check id (gathered from the family modules)."""
    from aiboom.validation import economics, energy, inference, training

    found: dict[str, ModelFn] = {}
    for module in (training, inference, energy, economics):
        for check_id, fn in module.MODELS.items():
            if check_id in found:
                raise ValueError(f"validation check {check_id!r} is registered twice")
            found[check_id] = fn
    return found


def calibration_conflicts(registry: Registry, figure_ids: list[str]) -> list[tuple[str, str]]:
    """(registry id, figure id) pairs where an input was calibrated to a validation figure."""
    ids = set(figure_ids)
    return [(rid, fid) for rid, a in registry.items() for fid in a.calibration_targets
            if fid in ids]


def run_checks(registry: Registry | None = None,
               figures: pd.DataFrame | None = None) -> list[CheckResult]:
    """Evaluate every published figure of ``data/validation.csv`` against the model.

    Raises
    ------
    KeyError
        When a figure has no model function, or a function has no figure.
    """
    from aiboom import data
    from aiboom.registry import load_registry

    registry = registry if registry is not None else load_registry()
    figures = figures if figures is not None else data.validation_figures()
    conflicts = calibration_conflicts(registry, list(figures["id"]))
    if conflicts:
        raise ValueError("a validation figure is also a calibration target (calibrated is "
                         "not validated): " + ", ".join(f"{rid} -> {fid}"
                                                        for rid, fid in conflicts))
    fns = models()
    missing = sorted(set(figures["id"]) - set(fns))
    unused = sorted(set(fns) - set(figures["id"]))
    if missing or unused:
        raise KeyError(f"validation figures without a model function: {missing}; model "
                       f"functions without a figure: {unused}")
    out = []
    for row in figures.itertuples(index=False):
        out.append(CheckResult(
            id=row.id, family=row.family, description=row.description, unit=row.unit,
            published=float(row.published_value), model=float(fns[row.id](registry)),
            tolerance_factor=float(row.tolerance_factor), source_key=row.source_key,
            source=row.source, url=row.url, as_of=str(row.as_of),
            known_miss=bool(getattr(row, "known_miss", False))))
    return out


def results_frame(results: list[CheckResult], backend: str | None = None) -> pd.DataFrame:
    """One row per check, with ``ratio`` and ``passed``, families in :data:`FAMILIES` order.

    Parameters
    ----------
    results : list of CheckResult
        From :func:`run_checks`.
    backend : str, optional
        Array backend (:func:`aiboom.backend.get_backend`).

    Returns
    -------
    pandas.DataFrame
        The fields of :class:`CheckResult`, then ``ratio`` (model / published) [unitless],
        ``passed`` (:func:`within_tolerance`) and ``as_expected``, every check at once on
        the backend. Tagged ``validation.results_frame``.
    """
    be = get_backend(backend)
    xp = be.xp
    fields = pd.DataFrame([asdict(r) for r in results])

    def column(name: str, dtype: Any = float) -> Any:
        return xp.asarray(fields[name].to_numpy(dtype=dtype))

    ratio = column("model") / column("published")
    passed = within_tolerance(ratio, column("tolerance_factor"))
    frame = be.frame("validation.results_frame", {
        **{name: fields[name] for name in fields.columns}, "ratio": ratio, "passed": passed,
        "as_expected": passed != column("known_miss", bool)})
    order = {f: i for i, f in enumerate(FAMILIES)}
    return frame.sort_values(["family", "id"], key=lambda s: s.map(order)
                             if s.name == "family" else s).reset_index(drop=True)


def summary(results: list[CheckResult]) -> Mapping[str, float]:
    """Counts passed and total, and the median ratio per family [unitless]."""
    frame = results_frame(results)
    out: dict[str, float] = {"passed": int(frame["passed"].sum()), "total": len(frame)}
    for family, group in frame.groupby("family"):
        out[f"median_ratio_{family}"] = float(group["ratio"].median())
    return out
