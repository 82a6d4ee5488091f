"""Loaders for the curated tables in ``data/``, one per file, each checked against its sidecar.

Every ``data/<name>.csv`` has ``data/<name>.meta.yml`` (source, licence, retrieval date, how it
was transformed, and each column's type, unit and allowed range, in the manner of Our World in
Data's ETL). :func:`load_table` parses the CSV cell by cell against that schema and refuses the
file with a message naming the file, line and column of every problem; it also checks the file's
SHA-256 against the one recorded in the sidecar, so data cannot change without its metadata.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from aiboom import paths
from aiboom.errors import InputError, Problem, display_path

TYPES = ("string", "float", "int", "date", "bool")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_META_KEYS = {"title", "description", "file", "sha256", "license", "origins", "processing_level",
              "description_processing", "primary_key", "columns"}


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_meta(name: str, folder: Path | None = None) -> dict[str, Any]:
    """The sidecar of ``data/<name>.csv``, validated for the fields every table needs."""
    folder = folder or paths.DATA
    meta_path = folder / f"{name}.meta.yml"
    shown = display_path(meta_path)
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(shown, "metadata sidecar missing: every data file needs one")\
            from None
    except yaml.YAMLError as exc:
        raise InputError.single(shown, f"not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise InputError.single(shown, "must be a mapping")
    problems = [Problem(shown, None, key, "required field missing")
                for key in sorted(_META_KEYS - set(meta))]
    for i, origin in enumerate(meta.get("origins") or []):
        for key in ("producer", "title", "url", "date_accessed", "license"):
            if not isinstance(origin, dict) or not origin.get(key):
                problems.append(Problem(shown, None, f"origins[{i}].{key}", "required"))
    for col, spec in (meta.get("columns") or {}).items():
        if not isinstance(spec, dict) or spec.get("type") not in TYPES:
            problems.append(Problem(shown, None, f"columns.{col}.type",
                                    f"must be one of {', '.join(TYPES)}"))
    if problems:
        raise InputError(problems)
    return meta


def _parse(value: str, kind: str) -> Any:
    if kind == "string":
        return value
    if kind == "float":
        out = float(value)
        if not math.isfinite(out):
            raise ValueError("not finite")
        return out
    if kind == "int":
        return int(value)
    if kind == "date":
        if not _DATE.match(value):
            raise ValueError("not YYYY-MM-DD")
        return pd.Timestamp(value)
    if kind == "bool":
        if value.lower() not in {"true", "false"}:
            raise ValueError("not true/false")
        return value.lower() == "true"
    raise AssertionError(kind)


def range_triples(columns: dict[str, dict]) -> list[tuple[str, str, str]]:
    """``(low, central, high)`` column names of every range a table states.

    A range is a numeric column ``<x>_low`` with ``<x>_high`` and a central value named
    ``<x>_central`` or ``<x>`` (``rental_usd_per_hour_low/_central/_high``;
    ``capex_usd_bn_low``, ``capex_usd_bn``, ``capex_usd_bn_high``).
    """
    numeric = {c for c, spec in columns.items() if spec.get("type") in {"float", "int"}}
    triples = []
    for low in columns:
        if not low.endswith("_low") or low not in numeric:
            continue
        stem = low.removesuffix("_low")
        high = f"{stem}_high"
        central = next((c for c in (f"{stem}_central", stem) if c in numeric), None)
        if high in numeric and central is not None:
            triples.append((low, central, high))
    return triples


def _range_problems(row: dict[str, Any], triples: list[tuple[str, str, str]], shown: str,
                    line: int) -> list[Problem]:
    """A low above its high, or a central value outside low..high, in one parsed row."""
    problems = []
    for low, central, high in triples:
        lo, mid, hi = row[low], row[central], row[high]
        if lo is not None and hi is not None and lo > hi:
            problems.append(Problem(shown, line, f"{low},{high}",
                                    f"{low} {lo:g} is above {high} {hi:g}"))
        elif mid is not None and ((lo is not None and mid < lo)
                                  or (hi is not None and mid > hi)):
            problems.append(Problem(shown, line, central,
                                    f"{mid:g} is outside its range {low}..{high} = "
                                    f"{'?' if lo is None else f'{lo:g}'}.."
                                    f"{'?' if hi is None else f'{hi:g}'}"))
    return problems


def load_table(name: str, folder: Path | None = None, *, check_hash: bool = True
               ) -> pd.DataFrame:
    """Load ``data/<name>.csv`` and validate every cell against its sidecar.

    Raises
    ------
    InputError
        Naming the file, the line and the column of each problem (missing or extra column,
        unparsable or out-of-range cell, a central value outside its low..high range
        (:func:`range_triples`), duplicated key, short row, changed file).
    """
    folder = folder or paths.DATA
    meta = read_meta(name, folder)
    csv_path = folder / meta["file"]
    shown = display_path(csv_path)
    try:
        text = csv_path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError.single(shown, "data file missing") from None
    except UnicodeDecodeError as exc:
        raise InputError.single(shown, f"not valid UTF-8 (byte {exc.start})") from None
    columns: dict[str, dict] = meta["columns"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise InputError.single(shown, "empty file: expected a header row", line=1)
    if header != list(columns):
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns]
        raise InputError.single(shown, f"columns do not match {display_path(folder / name)}"
                                f".meta.yml: missing {missing}, unexpected {extra}", line=1,
                                key="header")
    problems: list[Problem] = []
    records: list[list[Any]] = []
    keys: dict[tuple, int] = {}
    pk = list(meta.get("primary_key") or [])
    triples = range_triples(columns)
    line = 1
    for cells in reader:
        line = reader.line_num
        if not cells:
            continue
        if len(cells) != len(columns):
            problems.append(Problem(shown, line, None, f"expected {len(columns)} cells, found "
                                    f"{len(cells)} (truncated or unquoted comma?)"))
            continue
        row: list[Any] = []
        for (col, spec), cell in zip(columns.items(), cells, strict=True):
            cell = cell.strip()
            if cell == "":
                if not spec.get("nullable", False):
                    problems.append(Problem(shown, line, col, "empty cell in a required column"))
                row.append(None)
                continue
            try:
                value = _parse(cell, spec["type"])
            except ValueError as exc:
                problems.append(Problem(shown, line, col,
                                        f"{cell!r} is not a valid {spec['type']} ({exc})"))
                row.append(None)
                continue
            lo, hi = spec.get("min"), spec.get("max")
            if spec["type"] in {"float", "int"} and (
                    (lo is not None and value < lo) or (hi is not None and value > hi)):
                problems.append(Problem(shown, line, col, f"{value} is outside the allowed "
                                        f"range [{lo if lo is not None else '-inf'}, "
                                        f"{hi if hi is not None else 'inf'}]"))
            if "allowed" in spec and value not in spec["allowed"]:
                problems.append(Problem(shown, line, col, f"{value!r} is not allowed; allowed: "
                                        f"{', '.join(map(str, spec['allowed']))}"))
            row.append(value)
        if triples:
            problems.extend(_range_problems(dict(zip(columns, row, strict=True)), triples,
                                            shown, line))
        if pk:
            key = tuple(row[list(columns).index(c)] for c in pk)
            if key in keys:
                problems.append(Problem(shown, line, ",".join(pk), f"duplicated key {key} "
                                        f"(first on line {keys[key]})"))
            keys[key] = line
        records.append(row)
    if not records and not problems:
        problems.append(Problem(shown, 2, None, "no data rows"))
    for col, spec in columns.items():
        ref = spec.get("references")
        if ref and not problems:
            table, ref_col = ref.split(".")
            known = set(load_table(table, folder)[ref_col])
            idx = list(columns).index(col)
            for r, row in enumerate(records):
                if row[idx] is not None and row[idx] not in known:
                    problems.append(Problem(shown, None, col, f"row {r + 1}: unknown "
                                            f"{table} id {row[idx]!r}; known: "
                                            f"{', '.join(sorted(map(str, known)))}"))
    if problems:
        raise InputError(problems)
    if check_hash:
        actual = sha256_of(csv_path)
        if actual != meta["sha256"]:
            raise InputError.single(
                shown, f"the file changed but its metadata did not: sha256 is {actual}, "
                f"{name}.meta.yml records {meta['sha256']}. Review the change, update the "
                "sidecar (description_processing, date_accessed) and run `aiboom data --rehash`.")
    df = pd.DataFrame.from_records(records, columns=list(columns))
    for col, spec in columns.items():
        if spec["type"] == "float":
            df[col] = df[col].astype("float64")
        elif spec["type"] == "int" and not df[col].isna().any():
            df[col] = df[col].astype("int64")
        elif spec["type"] == "date":
            df[col] = pd.to_datetime(df[col])
    df.attrs["meta"] = meta
    return df


def rehash(folder: Path | None = None) -> list[str]:
    """Rewrite the ``sha256`` line of every sidecar whose CSV changed; return their names."""
    folder = folder or paths.DATA
    changed = []
    for meta_path in sorted(folder.glob("*.meta.yml")):
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        actual = sha256_of(folder / meta["file"])
        if meta.get("sha256") != actual:
            text = re.sub(r"(?m)^sha256:.*$", f"sha256: {actual}", meta_path.read_text("utf-8"))
            meta_path.write_text(text, encoding="utf-8")
            changed.append(meta_path.name)
    return changed


def table_names(folder: Path | None = None) -> list[str]:
    """Names of the curated tables (``assumptions`` included)."""
    folder = folder or paths.DATA
    return sorted(p.name.removesuffix(".meta.yml") for p in folder.glob("*.meta.yml"))


# One loader per data file. Cached: the tables are read-only inputs.
@cache
def accelerators(serving_only: bool = True) -> pd.DataFrame:
    """Accelerator specifications and prices (``data/accelerators.csv``).

    By default only the current serving chips (column ``serving``), which the serving chapter
    charts and scenarios may name; ``serving_only=False`` adds the older chips of the
    training-cost back-test.
    """
    table = load_table("accelerators")
    if serving_only:
        table = table[table["serving"]].reset_index(drop=True)
    return table


@cache
def models() -> pd.DataFrame:
    """Notable AI models curated from Epoch AI (``data/models.csv``)."""
    return load_table("models")


@cache
def capex() -> pd.DataFrame:
    """Hyperscaler capital expenditure by company and year (``data/capex.csv``)."""
    return load_table("capex")


@cache
def nvidia_datacenter_revenue() -> pd.DataFrame:
    """NVIDIA data-centre revenue by fiscal quarter (``data/nvidia_datacenter_revenue.csv``)."""
    return load_table("nvidia_datacenter_revenue")


@cache
def ai_revenue() -> pd.DataFrame:
    """AI company revenue data points (``data/ai_revenue.csv``)."""
    return load_table("ai_revenue")


@cache
def api_prices() -> pd.DataFrame:
    """API list prices per million tokens over time (``data/api_prices.csv``).

    Every row the table holds, retired models, premium variants and repeated rows included;
    ``attrs["meta"]["as_of"]`` is the day the prices were taken. Compare prices like with
    like through :func:`aiboom.analysis.outlook.like_with_like_prices` (one standard price per
    model on sale on that day) and :func:`aiboom.analysis.outlook.median_list_price`.
    """
    return load_table("api_prices")


@cache
def adoption() -> pd.DataFrame:
    """Adoption speed of technologies (``data/adoption.csv``)."""
    return load_table("adoption")


@cache
def validation_figures() -> pd.DataFrame:
    """Published figures the model is checked against (``data/validation.csv``)."""
    return load_table("validation")


@cache
def accelerator_rental_prices() -> pd.DataFrame:
    """Cloud rental price per accelerator-hour by chip and year
    (``data/accelerator_rental_prices.csv``)."""
    return load_table("accelerator_rental_prices")


@cache
def accelerator_server_prices() -> pd.DataFrame:
    """Dated server prices per accelerator (``data/accelerator_server_prices.csv``)."""
    return load_table("accelerator_server_prices")


@cache
def ppi_data_processing() -> pd.DataFrame:
    """US producer price index for data processing and hosting, annual
    (``data/ppi_data_processing.csv``)."""
    return load_table("ppi_data_processing")



@cache
def cash_flow() -> pd.DataFrame:
    """Operating cash flow and capex of Microsoft, Alphabet, Amazon and Meta by fiscal year
    (``data/cash_flow.csv``)."""
    return load_table("cash_flow")

def check_all(folder: Path | None = None) -> None:
    """Validate every table and the registry; raise one InputError listing every problem."""
    from aiboom.registry import load_registry

    folder = folder or paths.DATA
    problems: list[Problem] = []
    for name in table_names(folder):
        try:
            if name == "assumptions":
                load_registry(folder / "assumptions.csv")
                meta = read_meta(name, folder)
                if sha256_of(folder / meta["file"]) != meta["sha256"]:
                    problems.append(Problem(display_path(folder / meta["file"]), None, "sha256",
                                            "the file changed but its metadata did not; run "
                                            "`aiboom data --rehash` after reviewing the change"))
            else:
                load_table(name, folder)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
