"""The assumption registry: every model input with its unit, range, distribution and source.

Loaded from ``data/assumptions.csv``. Each row is one parameter; the appendix page
"Assumptions" is generated from it and the Monte Carlo engine samples from it.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from aiboom import paths
from aiboom.errors import InputError, Problem, display_path

#: Units a registry row may use. Adding one is a deliberate act: the chapters format values by unit.
UNITS: frozenset[str] = frozenset({
    "USD", "USD bn", "USD bn/yr", "USD/GPU-hour", "USD/kWh", "USD/month", "USD/user/month",
    "USD/M tokens", "USD bn/GW", "fraction", "ratio", "x/yr", "years", "months", "days", "tokens",
    "tokens/query", "queries/user/day", "parameters", "FLOP", "FLOP/s", "W", "kW", "Wh/query",
    "GB", "TB/s", "bytes", "count", "year", "unitless",
})

#: Distributions the sampler knows. For ``lognormal`` low/high are the 5th/95th percentiles.
DISTRIBUTIONS: frozenset[str] = frozenset(
    {"fixed", "uniform", "triangular", "pert", "lognormal", "loguniform"}
)
#: Units whose quantities cannot be negative (prices, counts, sizes, durations).
NON_NEGATIVE_UNITS: frozenset[str] = frozenset({
    "USD", "USD bn", "USD bn/yr", "USD/GPU-hour", "USD/kWh", "USD/month", "USD/user/month",
    "USD/M tokens", "USD bn/GW", "tokens", "tokens/query", "queries/user/day", "parameters",
    "FLOP", "FLOP/s", "W", "kW", "Wh/query", "GB", "TB/s", "bytes", "count", "years", "months",
    "days", "ratio", "x/yr",
})
#: Units whose quantities the model divides by or takes powers of, so zero is no more allowed
#: than a negative value: GPU-hour prices, lifetimes, growth factors, sizes and rates.
POSITIVE_UNITS: frozenset[str] = frozenset({
    "USD/GPU-hour", "years", "x/yr", "parameters", "tokens", "FLOP", "FLOP/s", "TB/s",
})
#: Largest magnitude any registry value may take.
MAX_MAGNITUDE = 1e30
PHASES: frozenset[str] = frozenset({"capex", "math", "money", "outlook", "general"})
COLUMNS: tuple[str, ...] = (
    "id", "phase", "description", "unit", "low", "central", "high", "distribution",
    "source_key", "source", "url", "as_of", "notes", "calibrated_to",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CALIBRATED = re.compile(r"^[a-z][a-z0-9_]*: \S.*$")
_AS_OF = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


@dataclass(frozen=True)
class Assumption:
    """One registry row. ``low``, ``central`` and ``high`` are in ``unit``."""

    id: str
    phase: str
    description: str
    unit: str
    low: float
    central: float
    high: float
    distribution: str
    source_key: str
    source: str
    url: str
    as_of: str
    notes: str = ""
    calibrated_to: str = ""

    @property
    def calibration_targets(self) -> tuple[str, ...]:
        """Ids of the published figures this value was set to reproduce (``calibrated_to`` is
        ``figure_id: what the figure says; ...``); empty for a value read from a source."""
        return tuple(item.split(":", 1)[0].strip() for item in self.calibrated_to.split(";")
                     if item.strip())

    @property
    def uncertain(self) -> bool:
        return self.distribution != "fixed" and self.low < self.high


@dataclass(frozen=True)
class Domain:
    """The values a parameter may physically take: ``low`` to ``high``, each end open or closed.

    ``why`` says in words where the bounds come from, for messages.
    """

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False
    why: str = ""

    def __contains__(self, value: object) -> bool:
        v = float(value)  # type: ignore[arg-type]
        above = v > self.low if self.low_open else v >= self.low
        below = v < self.high if self.high_open else v <= self.high
        return above and below

    def __str__(self) -> str:
        return (f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}"
                f"{')' if self.high_open else ']'}")

    def clip(self, value: float) -> float:
        """``value`` moved onto a closed bound it passes; open bounds are left to the check."""
        if not self.low_open:
            value = max(value, self.low)
        if not self.high_open:
            value = min(value, self.high)
        return value


_DIVIDES = "the model divides by it, so it must be above 0"
_UTILISATION = Domain(0.0, 1.0, low_open=True,
                      why="a utilisation: a fraction in [0, 1] that the model divides by, so "
                      "above 0")
_AT_LEAST_ONE = "a ratio of a total to a part of it, so at least 1"
#: Parameters whose domain is narrower than their unit's (:func:`domain`).
PARAMETER_DOMAINS: dict[str, Domain] = {
    "serving_utilization": _UTILISATION,
    "inference_mfu": _UTILISATION,
    "decode_mfu": _UTILISATION,
    "inference_mbu": _UTILISATION,
    "training_mfu": _UTILISATION,
    "pue": Domain(1.0, MAX_MAGNITUDE, why="power usage effectiveness: facility power over IT "
                  "power, so at least 1"),
    "server_cost_overhead": Domain(1.0, MAX_MAGNITUDE, why=_AT_LEAST_ONE),
    "sequoia_dc_cost_multiplier": Domain(1.0, MAX_MAGNITUDE, why=_AT_LEAST_ONE),
    "sequoia_end_user_margin": Domain(0.0, 1.0, high_open=True,
                                      why="a margin: the model divides by 1 - margin, so "
                                      "below 1"),
    "decode_batch_size": Domain(0.0, MAX_MAGNITUDE, low_open=True, why=_DIVIDES),
    "flop_per_param_token": Domain(0.0, MAX_MAGNITUDE, low_open=True, why=_DIVIDES),
    "weekly_active_users": Domain(0.0, MAX_MAGNITUDE, low_open=True, why=_DIVIDES),
    "perf_per_watt_gain_per_generation": Domain(0.0, MAX_MAGNITUDE, low_open=True,
                                                why=_DIVIDES),
    "frontier_routed_experts": Domain(1.0, MAX_MAGNITUDE, why="a count of experts: at least one"),
    "frontier_experts_per_token": Domain(1.0, MAX_MAGNITUDE,
                                         why="a count of experts: at least one"),
}
#: Pairs (smaller, larger) whose values must keep that order in every draw: a token cannot be
#: sent to more experts than a layer has.
ORDERED_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("frontier_experts_per_token", "frontier_routed_experts",
     "a token cannot be routed to more experts than a layer has"),
)


def order_problems(registry: Mapping[str, Assumption], file: str,
                   line_of: Callable[[str], int | None] = lambda _: None) -> list[Problem]:
    """Problems where a :data:`ORDERED_PARAMETERS` pair could be drawn out of order: the
    smaller one's high above the larger one's low."""
    problems = []
    for small, large, why in ORDERED_PARAMETERS:
        if small in registry and large in registry \
                and registry[small].high > registry[large].low:
            problems.append(Problem(
                file, line_of(small) or line_of(large), f"{small}, {large}",
                f"{small} (up to {registry[small].high:g}) must not exceed {large} (from "
                f"{registry[large].low:g}): {why}"))
    return problems


def domain(a: Assumption) -> Domain:
    """Physically allowed values of one parameter.

    By id where :data:`PARAMETER_DOMAINS` has it (utilisations in (0, 1], PUE >= 1, ...);
    otherwise by unit: a fraction in [0, 1], a :data:`POSITIVE_UNITS` quantity above 0, a
    :data:`NON_NEGATIVE_UNITS` quantity at or above 0; magnitudes up to :data:`MAX_MAGNITUDE`.
    """
    if a.id in PARAMETER_DOMAINS:
        return PARAMETER_DOMAINS[a.id]
    if a.unit == "fraction":
        return Domain(0.0, 1.0)
    if a.unit in POSITIVE_UNITS:
        return Domain(0.0, MAX_MAGNITUDE, low_open=True, why=_DIVIDES)
    if a.unit in NON_NEGATIVE_UNITS:
        return Domain(0.0, MAX_MAGNITUDE)
    return Domain(-MAX_MAGNITUDE, MAX_MAGNITUDE)


def check_assumption(a: Assumption, file: str, line: int | None) -> list[Problem]:
    """Range, sign and vocabulary checks shared by the registry and scenario overrides."""
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(file, line, f"id={a.id}, column={column}", message))

    for column in ("low", "central", "high"):
        value = getattr(a, column)
        if not math.isfinite(value):
            bad(column, f"must be a finite number, got {value!r}")
        elif abs(value) > MAX_MAGNITUDE:
            bad(column, f"{value!r} is outside the allowed magnitude (|value| <= 1e30)")
    if problems:
        return problems
    if not a.low <= a.central <= a.high:
        bad("low/central/high",
            f"need low <= central <= high, got {a.low} / {a.central} / {a.high}")
    if a.unit not in UNITS:
        bad("unit", f"unknown unit {a.unit!r}; allowed: {', '.join(sorted(UNITS))}")
    if a.distribution not in DISTRIBUTIONS:
        bad("distribution", f"unknown distribution {a.distribution!r}; "
            f"allowed: {', '.join(sorted(DISTRIBUTIONS))}")
    if a.distribution == "fixed" and not a.low == a.central == a.high:
        bad("distribution", "a fixed value needs low = central = high")
    if a.distribution in {"lognormal", "loguniform"} and a.low <= 0:
        bad("low", f"{a.distribution} needs low > 0, got {a.low}")
    if a.distribution in {"uniform", "triangular", "pert", "lognormal", "loguniform"} \
            and not a.low < a.high:
        bad("high", f"{a.distribution} needs low < high, got {a.low} and {a.high}")
    before = len(problems)
    if a.unit in {"fraction"} and not (0 <= a.low and a.high <= 1):
        bad("low/high", f"a fraction must lie in [0, 1], got {a.low}..{a.high}")
    if a.unit in NON_NEGATIVE_UNITS and a.low < 0:
        bad("low", f"a quantity in {a.unit} cannot be negative, got {a.low}")
    dom = domain(a)
    outside = [c for c in ("low", "central", "high") if getattr(a, c) not in dom]
    if outside and len(problems) == before:
        value = getattr(a, outside[0])
        bad(outside[0], f"{value:g} is outside the allowed range {dom} for {a.id}: {dom.why}"
            if dom.why else f"{value:g} is outside the allowed range {dom} for {a.id}")
    if a.distribution == "lognormal" and (dom.low > 0 or dom.high < MAX_MAGNITUDE):
        # low/high are its 5th/95th percentiles: one draw in ten falls outside them, and
        # nothing stops a draw from leaving the allowed range (a share above one).
        bad("distribution", f"a lognormal is unbounded, so its draws would leave the allowed "
            f"range {dom} for {a.id}; use pert, triangular, uniform or loguniform, which stay "
            "within low..high")
    return problems


class Registry(Mapping[str, Assumption]):
    """An immutable, ordered mapping from id to :class:`Assumption`."""

    def __init__(self, rows: Mapping[str, Assumption], source: str = "<memory>"):
        self._rows = dict(rows)
        self.source = source

    def __getitem__(self, key: str) -> Assumption:
        try:
            return self._rows[key]
        except KeyError:
            raise KeyError(f"{key!r} is not in the assumption registry ({self.source})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def central(self, key: str) -> float:
        """Central value of one parameter, in its registry unit."""
        return self[key].central

    def centrals(self) -> dict[str, float]:
        return {k: a.central for k, a in self._rows.items()}

    def replace(self, key: str, **changes: object) -> Registry:
        """A new registry with one row changed (used by scenario overrides)."""
        rows = dict(self._rows)
        rows[key] = replace(self[key], **changes)  # type: ignore[arg-type]
        return Registry(rows, self.source)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([a.__dict__ for a in self._rows.values()], columns=list(COLUMNS))


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and validate the registry CSV.

    Raises
    ------
    InputError
        Naming the file, the line and the id/column of every bad row.
    """
    path = Path(path) if path is not None else paths.REGISTRY_CSV
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(shown, "registry file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(shown, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") \
            from None
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.single(shown, "empty file: expected a header row", line=1) from None
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        raise InputError.single(
            shown, f"header must be {','.join(COLUMNS)}; missing {missing}, unexpected {extra}",
            line=1)
    problems: list[Problem] = []
    rows: dict[str, Assumption] = {}
    line_of_id: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            problems.append(Problem(shown, line, None,
                                    f"expected {len(COLUMNS)} cells, found {len(cells)}"))
            continue
        raw = dict(zip(COLUMNS, (c.strip() for c in cells), strict=True))
        rid = raw["id"]
        if not _ID.match(rid):
            problems.append(Problem(shown, line, "column=id",
                                    f"id {rid!r} must be snake_case ([a-z][a-z0-9_]*)"))
            continue
        if rid in rows:
            problems.append(Problem(shown, line, f"id={rid}", "duplicated id"))
            continue
        values: dict[str, float] = {}
        for column in ("low", "central", "high"):
            try:
                values[column] = float(raw[column])
            except ValueError:
                problems.append(Problem(shown, line, f"id={rid}, column={column}",
                                        f"not a number: {raw[column]!r}"))
        if len(values) < 3:
            continue
        for column in ("phase", "description", "source_key", "source", "url", "as_of"):
            if not raw[column]:
                problems.append(Problem(shown, line, f"id={rid}, column={column}", "empty"))
        if raw["phase"] and raw["phase"] not in PHASES:
            problems.append(Problem(shown, line, f"id={rid}, column=phase",
                                    f"unknown phase {raw['phase']!r}; allowed: "
                                    f"{', '.join(sorted(PHASES))}"))
        if raw["as_of"] and not _AS_OF.match(raw["as_of"]):
            problems.append(Problem(shown, line, f"id={rid}, column=as_of",
                                    f"{raw['as_of']!r} is not YYYY-MM or YYYY-MM-DD"))
        for item in filter(str.strip, raw["calibrated_to"].split(";")):
            if not _CALIBRATED.match(item.strip()):
                problems.append(Problem(shown, line, f"id={rid}, column=calibrated_to",
                                        f"{item.strip()!r} is not 'figure_id: description'"))
        a = Assumption(**{**raw, **values})  # type: ignore[arg-type]
        problems.extend(check_assumption(a, shown, line))
        rows[rid] = a
        line_of_id[rid] = line
    problems.extend(order_problems(rows, shown, line_of_id.get))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.single(shown, "no rows: the registry is empty", line=2)
    return Registry(rows, shown)
