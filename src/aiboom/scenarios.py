"""Scenario files: a fork's own assumptions, validated before anything runs.

A scenario is a YAML file in ``data/scenarios/`` that names itself, optionally overrides any
registry value (its central value, or its whole distribution), and sets the Monte Carlo size,
seed and array backend. Loading is safe: ``yaml.SafeLoader`` builds only plain data, and every
problem is reported with the file, line and key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aiboom import paths
from aiboom.errors import InputError, Problem, display_path
from aiboom.registry import (
    DISTRIBUTIONS,
    NON_NEGATIVE_UNITS,
    Assumption,
    Registry,
    check_assumption,
    load_registry,
)

_MAX_SAMPLES = 10**9


class DistributionOverride(BaseModel):
    """An override written as a mapping: the central value alone, or a whole distribution.

    ``unit``, when given, must be the registry row's unit: it lets a fork state the unit it
    means and have a mismatch caught instead of silently misread.
    """

    model_config = ConfigDict(extra="forbid", strict=True)
    central: float
    low: float | None = None
    high: float | None = None
    distribution: Literal[tuple(sorted(DISTRIBUTIONS))] | None = None  # type: ignore[valid-type]
    unit: str | None = None

    @model_validator(mode="after")
    def _all_or_none(self) -> DistributionOverride:
        given = [f for f in ("low", "high", "distribution") if getattr(self, f) is not None]
        if given and len(given) != 3:
            missing = [f for f in ("low", "high", "distribution") if f not in given]
            raise ValueError(f"a distribution needs low, high and distribution; missing "
                             f"{', '.join(missing)}")
        return self

    @property
    def whole(self) -> bool:
        return self.distribution is not None


class MonteCarloSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    n_samples: Annotated[int, Field(ge=1_000, le=_MAX_SAMPLES)] = 200_000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 20261127
    backend: Literal["auto", "numpy", "cupy"] = "auto"


class ScenarioFile(BaseModel):
    """Schema of a scenario YAML file."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=2000)] = ""
    accelerator: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] = "h100"
    monte_carlo: MonteCarloSettings = MonteCarloSettings()
    overrides: dict[str, float | DistributionOverride] = {}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, with the registry it implies."""

    name: str
    title: str
    description: str
    n_samples: int
    seed: int
    backend: str
    accelerator: str
    registry: Registry
    path: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> float:
        """Central value of one parameter under this scenario."""
        return self.registry.central(key)

    def fingerprint(self) -> str:
        """SHA-256 of everything that changes results: resolved registry and MC settings."""
        payload = {
            "registry": self.registry.to_frame().to_dict(orient="records"),
            "n_samples": self.n_samples, "seed": self.seed, "backend": self.backend,
            "accelerator": self.accelerator,
            "name": self.name, "title": self.title, "description": self.description,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                              ).hexdigest()


def _key_lines(node: yaml.Node, prefix: tuple = ()) -> tuple[dict[tuple, int], list[tuple]]:
    """Map every key path in a YAML node tree to its 1-based line; also list duplicated keys."""
    lines: dict[tuple, int] = {}
    dupes: list[tuple] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            loc = (*prefix, key_node.value)
            if loc in lines:
                dupes.append(loc)
            lines[loc] = key_node.start_mark.line + 1
            sub, sub_dupes = _key_lines(value_node, loc)
            lines.update(sub)
            dupes.extend(sub_dupes)
    return lines, dupes


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _is_branch(part: object) -> bool:
    """True for pydantic's union-branch labels inside an error location."""
    return part == "float" or (isinstance(part, str) and (
        part == "DistributionOverride" or "[" in part))


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _read_yaml(path: Path, shown: str) -> tuple[Any, dict[tuple, int]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(shown, "scenario file not found") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(shown, f"not valid UTF-8 (byte {exc.start}): save the file as "
                                "UTF-8") from None
    if not text.strip():
        raise InputError.single(shown, "the file is empty: a scenario needs at least name and "
                                "title", line=1)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError.single(shown, f"YAML tag not allowed ({exc.problem}): scenario files "
                                "hold plain data only", line=line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError.single(shown, f"not valid YAML: {problem}", line=line) from None
    lines, dupes = _key_lines(node) if node is not None else ({}, [])
    if dupes:
        raise InputError([Problem(shown, lines[d], ".".join(map(str, d)), "duplicated key")
                          for d in dupes])
    if not isinstance(data, dict):
        raise InputError.single(shown, "the top level must be a mapping of keys (name, title, "
                                "description, monte_carlo, overrides)", line=1)
    return data, lines


def allowed_range(unit: str) -> tuple[float, float]:
    """Physically allowed values for a registry unit (fractions in [0, 1], most units >= 0)."""
    if unit == "fraction":
        return 0.0, 1.0
    if unit in NON_NEGATIVE_UNITS:
        return 0.0, 1e30
    return -1e30, 1e30


def _apply_override(base: Assumption, value: float | DistributionOverride) -> Assumption:
    from dataclasses import replace

    if isinstance(value, DistributionOverride):
        if value.whole:
            return replace(base, low=value.low, central=value.central, high=value.high,
                           distribution=value.distribution,
                           notes=f"scenario override; {base.notes}")
        value = value.central
    # Central value only: keep the row's relative spread around the new centre.
    if base.distribution == "fixed" or base.central == 0:
        low = high = value
        dist = "fixed" if base.distribution == "fixed" or base.central == 0 else base.distribution
    else:
        low, high = base.low / base.central * value, base.high / base.central * value
        if value < 0:
            low, high = high, low
        dist = base.distribution
    if base.unit == "fraction":
        low, high = max(low, 0.0), min(high, 1.0)
    return replace(base, low=low, central=value, high=high, distribution=dist,
                   notes=f"scenario override of central value; {base.notes}")


def _accelerator_ids() -> list[str]:
    from aiboom import data

    if "accelerators" not in data.table_names():
        return []
    return sorted(data.accelerators()["id"])


def load_scenario(path: str | Path | None = None, registry: Registry | None = None) -> Scenario:
    """Read, validate and resolve a scenario file against the registry.

    Raises
    ------
    InputError
        One message per problem, each naming the file, line and key.
    """
    path = Path(path) if path is not None else paths.BASELINE_SCENARIO
    shown = display_path(path)
    registry = registry if registry is not None else load_registry()
    data, lines = _read_yaml(path, shown)

    problems: list[Problem] = []
    try:
        parsed = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        overrides = data.get("overrides") if isinstance(data.get("overrides"), dict) else {}
        for err in exc.errors():
            loc = tuple(err["loc"])
            if len(loc) >= 3 and loc[0] == "overrides" and _is_branch(loc[2]):
                # An override is a number or a mapping: report only the branch that was meant.
                if (loc[2] == "float") == isinstance(overrides.get(loc[1]), dict):
                    continue
            loc = tuple(p for p in loc if not _is_branch(p))
            key = ".".join(map(str, loc)) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                parent = loc[:-1]
                options = {(): list(ScenarioFile.model_fields),
                           ("monte_carlo",): list(MonteCarloSettings.model_fields)}.get(
                    parent, list(DistributionOverride.model_fields))
                msg = f"unknown key {loc[-1]!r}{_did_you_mean(str(loc[-1]), options)} " \
                      f"(allowed: {', '.join(options)})"
            problems.append(Problem(shown, _line_for(lines, loc), key, msg))
        raise InputError(problems) from None

    ids = list(registry)
    for key, value in parsed.overrides.items():
        loc = ("overrides", key)
        line = _line_for(lines, loc)
        if key not in registry:
            problems.append(Problem(shown, line, f"overrides.{key}", "not a registry parameter"
                                    f"{_did_you_mean(key, ids)} (see data/assumptions.csv)"))
            continue
        base = registry[key]
        if isinstance(value, DistributionOverride) and value.unit not in (None, base.unit):
            problems.append(Problem(shown, line, f"overrides.{key}.unit",
                                    f"unit {value.unit!r} does not match the registry unit "
                                    f"{base.unit!r}; convert the value to {base.unit}"))
            continue
        numbers = [value] if isinstance(value, float) else [
            v for v in (value.low, value.central, value.high) if v is not None]
        if any(not math.isfinite(v) for v in numbers):
            problems.append(Problem(shown, line, f"overrides.{key}",
                                    "must be a finite number (no .nan or .inf)"))
            continue
        lo, hi = allowed_range(base.unit)
        bad = [v for v in numbers if not lo <= v <= hi]
        if bad:
            problems.append(Problem(shown, line, f"overrides.{key}",
                                    f"{bad[0]:g} is outside the allowed range [{lo:g}, {hi:g}] "
                                    f"for a value in {base.unit} (registry range "
                                    f"{base.low:g}..{base.high:g})"))
            continue
        new = _apply_override(base, value)
        for p in check_assumption(new, shown, line):
            problems.append(Problem(shown, line, f"overrides.{key}",
                                    f"{p.message} (unit: {base.unit}; registry range "
                                    f"{base.low:g}..{base.high:g})"))
        registry = registry.replace(key, **{k: getattr(new, k) for k in
                                            ("low", "central", "high", "distribution", "notes")})
    known = _accelerator_ids()
    if known and parsed.accelerator not in known:
        problems.append(Problem(shown, _line_for(lines, ("accelerator",)), "accelerator",
                                f"unknown accelerator {parsed.accelerator!r}"
                                f"{_did_you_mean(parsed.accelerator, known)} (allowed: "
                                f"{', '.join(known)}; see data/accelerators.csv)"))
    if problems:
        raise InputError(problems)
    mc = parsed.monte_carlo
    return Scenario(name=parsed.name, title=parsed.title, description=parsed.description,
                    n_samples=mc.n_samples, seed=mc.seed, backend=mc.backend,
                    accelerator=parsed.accelerator, registry=registry,
                    path=str(path), overrides={k: (v if isinstance(v, float) else v.model_dump())
                                               for k, v in parsed.overrides.items()})


def list_scenarios(folder: str | Path | None = None) -> list[Path]:
    """Scenario files shipped in ``data/scenarios`` (sorted, baseline first)."""
    folder = Path(folder) if folder is not None else paths.SCENARIOS
    files = sorted(folder.glob("*.yaml"))
    return sorted(files, key=lambda p: (p.stem != "baseline", p.stem))
