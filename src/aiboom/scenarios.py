"""Scenario files: a fork's own assumptions, validated before anything runs.

A scenario is a YAML file in ``data/scenarios/`` that names itself, optionally overrides any
registry value (its central value, or its whole distribution), and sets the Monte Carlo size,
seed and array backend. Loading is safe: ``yaml.SafeLoader`` builds only plain data, and every
problem is reported with the file, line and key.

A scenario file cannot cost more than its size: only a regular file of at most
:data:`MAX_SCENARIO_BYTES` is read (never a device, a FIFO, or a symbolic link out of the
scenario's folder), and YAML anchors and aliases, which let a kilobyte expand to billions of
nodes, are refused from the token stream before any document is built.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import json
import math
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aiboom import paths
from aiboom.errors import InputError, Problem, display_path
from aiboom.registry import (
    DISTRIBUTIONS,
    Assumption,
    Domain,
    Registry,
    check_assumption,
    domain,
    load_registry,
    order_problems,
)

_MAX_SAMPLES = 10**9
#: Largest scenario file read [bytes]; the shipped ones are under 2 KiB.
MAX_SCENARIO_BYTES = 64 * 1024
#: Deepest nesting of YAML collections accepted; a valid scenario nests three levels.
MAX_YAML_DEPTH = 10


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


#: Names of the scenario files that ship with the book (``data/scenarios/<name>.yaml``). Any
#: other file in that folder is a fork's own and is labelled so wherever scenarios are listed.
SHIPPED_SCENARIOS: tuple[str, ...] = ("baseline", "bear", "bull", "small-models")


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

    @property
    def shipped(self) -> bool:
        """True for a scenario shipped with the book: a :data:`SHIPPED_SCENARIOS` name, read
        from its own file in ``data/scenarios``."""
        own_file = (paths.SCENARIOS / f"{self.name}.yaml").resolve()
        return self.name in SHIPPED_SCENARIOS and Path(self.path).resolve() == own_file

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


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a plain file"


def _read_capped(path: Path, shown: str) -> bytes:
    """The bytes of a scenario file, read only if it is a regular file of at most the cap.

    A symbolic link must point into the scenario's own folder, so that a scenario cannot make
    aiboom read (and echo in its messages) a file elsewhere. The file is opened without
    blocking and checked with ``fstat`` before anything is read: a FIFO or a device is refused
    unread, and at most ``MAX_SCENARIO_BYTES + 1`` bytes are ever read.
    """
    cap = f"{MAX_SCENARIO_BYTES // 1024} KiB"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if path.is_symlink():
        folder = path.absolute().parent.resolve()
        try:
            target = path.resolve(strict=False)
        except (OSError, RuntimeError):  # a loop of links
            raise InputError.single(shown, "a symbolic link that loops") from None
        if not target.is_relative_to(folder):
            raise InputError.single(shown, f"a symbolic link to a file outside its folder "
                                    f"({display_path(target)}); scenario files are read only "
                                    f"from their own folder: copy the file to "
                                    f"{display_path(folder)}")
    else:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # the file must not become a link meanwhile
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError.single(shown, "scenario file not found") from None
    except PermissionError:
        raise InputError.single(shown, "cannot be read: permission denied") from None
    except OSError as exc:
        reason = "it was replaced by a symbolic link while being opened" \
            if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise InputError.single(shown, f"cannot be read: {reason}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError.single(shown, f"not a regular file ({_file_kind(info.st_mode)}): "
                                    "a scenario is a plain YAML file")
        if info.st_size > MAX_SCENARIO_BYTES:
            raise InputError.single(shown, f"{info.st_size:,} bytes is over the {cap} limit "
                                    "for a scenario file")
        chunks: list[bytes] = []
        left = MAX_SCENARIO_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_SCENARIO_BYTES:  # it grew after fstat
        raise InputError.single(shown, f"over the {cap} limit for a scenario file")
    return raw


_OPENERS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
            yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _check_tokens(text: str, shown: str) -> None:
    """Refuse anchors, aliases and deep nesting from the token stream, before composing.

    Scanning is linear in the size of the text, whatever the text; composing and walking a
    document with aliases is not (a "billion laughs" file), nor is a deeply nested one
    (recursion).
    """
    depth = 0
    first = None
    count = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            count += 1
            first = first or token
        elif isinstance(token, _OPENERS):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise InputError.single(shown, f"nested more than {MAX_YAML_DEPTH} levels deep: "
                                        "a scenario nests at most three (overrides, a key, its "
                                        "mapping)", line=token.start_mark.line + 1)
        elif isinstance(token, _CLOSERS):
            depth -= 1
    if first is not None:
        sign = "&" if isinstance(first, yaml.AnchorToken) else "*"
        raise InputError.single(
            shown, f"YAML anchors and aliases are not allowed ({sign}{first.value} here, "
            f"{count} in the file): scenario files hold plain data only; write each value out",
            line=first.start_mark.line + 1)


def _read_yaml(path: Path, shown: str) -> tuple[Any, dict[tuple, int]]:
    raw = _read_capped(path, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(shown, f"not valid UTF-8 (byte {exc.start}): save the file as "
                                "UTF-8") from None
    if not text.strip():
        raise InputError.single(shown, "the file is empty: a scenario needs at least name and "
                                "title", line=1)
    try:
        _check_tokens(text, shown)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
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


def allowed_range(a: Assumption) -> Domain:
    """Physically allowed values of a registry parameter (:func:`aiboom.registry.domain`):
    fractions in [0, 1], most units >= 0, divisors > 0, utilisations in (0, 1], PUE >= 1."""
    return domain(a)


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
    # A spread scaled past a closed bound (a fraction above 1, a PUE below 1) stops at it.
    dom = domain(base)
    low, high = dom.clip(low), dom.clip(high)
    return replace(base, low=low, central=value, high=high, distribution=dist,
                   notes=f"scenario override of central value; {base.notes}")


def _price_problems(parsed: ScenarioFile, chosen: bool, registry: Registry, known: list[str],
                    lines: dict[tuple, int], shown: str) -> list[Problem]:
    """Overrides of a GPU-hour price the scenario's chip is not priced by: they would change
    nothing, so each is an error naming the price that is used.

    The model prices a chip's GPU-hour from its own registry row ``<chip>_usd_per_gpu_hour``,
    or, for a chip without one, from the reference chip's row scaled by the chips' rental-price
    ratio (:func:`aiboom.montecarlo.price_source`); that row is then the one to override.
    """
    from aiboom import data
    from aiboom.montecarlo import price_source

    chips = {f"{chip}_usd_per_gpu_hour": chip for chip in known}
    mine = [key for key in parsed.overrides if key in chips and key in registry]
    if not mine:
        return []
    acc = parsed.accelerator
    used, scale = price_source(registry, data.accelerators().set_index("id"), acc)
    default = "" if chosen else ", the default"
    serves = f"this scenario serves on {acc} (accelerator: {acc}{default})"
    problems = []
    for key in mine:
        if key == used:
            continue
        chip = chips[key]
        if used == f"{acc}_usd_per_gpu_hour":
            how = f"whose GPU-hour price is {used}"
        else:
            how = (f"which has no GPU-hour price of its own in the registry: the model prices it "
                   f"at {used} times {scale:.2f}, the ratio of the two chips' central rental "
                   f"prices in data/accelerators.csv")
        problems.append(Problem(
            shown, _line_for(lines, ("overrides", key)), f"overrides.{key}",
            f"{key} is the price of one {chip} GPU-hour, but {serves}, {how}; this override "
            f"would change no number. Override {used} instead, or serve on {chip} with "
            f"accelerator: {chip}"))
    return problems


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
    if not path.is_absolute() and not path.exists() and (paths.ROOT / path).exists():
        # a relative path from the repository root, as an executed notebook names its scenario
        # (Jupyter runs a notebook in its own folder)
        path = paths.ROOT / path
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
        dom = allowed_range(base)
        bad = [v for v in numbers if v not in dom]
        if bad:
            why = f"; {dom.why}" if dom.why else ""
            problems.append(Problem(shown, line, f"overrides.{key}",
                                    f"{bad[0]:g} is outside the allowed range {dom} for a value "
                                    f"in {base.unit}{why} (registry range "
                                    f"{base.low:g}..{base.high:g})"))
            continue
        new = _apply_override(base, value)
        for p in check_assumption(new, shown, line):
            problems.append(Problem(shown, line, f"overrides.{key}",
                                    f"{p.message} (unit: {base.unit}; registry range "
                                    f"{base.low:g}..{base.high:g})"))
        registry = registry.replace(key, **{k: getattr(new, k) for k in
                                            ("low", "central", "high", "distribution", "notes")})
    if not problems:
        problems.extend(order_problems(
            registry, shown, lambda rid: _line_for(lines, ("overrides", rid))
            if rid in parsed.overrides else None))
    known = _accelerator_ids()
    if known and parsed.accelerator not in known:
        problems.append(Problem(shown, _line_for(lines, ("accelerator",)), "accelerator",
                                f"unknown accelerator {parsed.accelerator!r}"
                                f"{_did_you_mean(parsed.accelerator, known)} (allowed: "
                                f"{', '.join(known)}; see data/accelerators.csv)"))
    elif known:
        problems.extend(_price_problems(parsed, "accelerator" in data, registry, known, lines,
                                        shown))
    from aiboom.montecarlo import scenario_memory_problem

    # A build must fit in memory: refuse n_samples that would not before any work.
    memory = scenario_memory_problem(parsed.monte_carlo.n_samples, shown,
                                     _line_for(lines, ("monte_carlo", "n_samples")))
    if memory is not None:
        problems.append(memory)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    mc = parsed.monte_carlo
    return Scenario(name=parsed.name, title=parsed.title, description=parsed.description,
                    n_samples=mc.n_samples, seed=mc.seed, backend=mc.backend,
                    accelerator=parsed.accelerator, registry=registry,
                    path=str(path), overrides={k: (v if isinstance(v, float) else v.model_dump())
                                               for k, v in parsed.overrides.items()})


def _name_line(path: str | Path) -> int | None:
    return _read_yaml(Path(path), display_path(path))[1].get(("name",))


def load_scenarios(paths: Iterable[str | Path], registry: Registry | None = None
                   ) -> list[Scenario]:
    """Read and validate several scenarios, in order; no two may share a name.

    A scenario's builds, results and comparisons are filed under its name, so two files with
    one name would overwrite each other's.

    Raises
    ------
    InputError
        Every problem of every file at once, and, for each file whose name an earlier file
        already took, the line of its ``name`` and the path of the other file.
    """
    registry = registry if registry is not None else load_registry()
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            scenarios.append(load_scenario(path, registry))
        except InputError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
    first: dict[str, Scenario] = {}
    for s in scenarios:
        other = first.setdefault(s.name, s)
        if other is s:
            continue
        if Path(s.path).resolve() == Path(other.path).resolve():
            message = "the same scenario file is given twice"
        else:
            message = (f"two scenarios are named {s.name!r}: this file and "
                       f"{display_path(other.path)} (line {_name_line(other.path)}); "
                       "builds and results are filed by name, so rename one")
        problems.append(Problem(display_path(s.path), _name_line(s.path), "name", message))
    if problems:
        raise InputError(problems)
    return scenarios


def load_scenario_for_build(path: str | Path | None = None) -> Scenario:
    """:func:`load_scenario`, and no other file in ``data/scenarios`` may share its name.

    A build files its executed notebooks and its site under the scenario's name, and the
    scenarios chapter reads every file of the folder, so a copy of ``baseline.yaml`` that kept
    its name would overwrite the baseline's cached notebooks.

    Raises
    ------
    InputError
        As :func:`load_scenarios`, for the given file and every file in ``data/scenarios``.
    """
    path = Path(path) if path is not None else paths.BASELINE_SCENARIO
    target = path.resolve()
    others = [p for p in list_scenarios() if p.resolve() != target]
    return load_scenarios([path, *others])[0]


def list_scenarios(folder: str | Path | None = None) -> list[Path]:
    """Scenario files in ``data/scenarios`` (sorted, baseline first): the shipped ones
    (:data:`SHIPPED_SCENARIOS`) and any a fork added."""
    folder = Path(folder) if folder is not None else paths.SCENARIOS
    files = sorted(folder.glob("*.yaml"))
    return sorted(files, key=lambda p: (p.stem != "baseline", p.stem))
