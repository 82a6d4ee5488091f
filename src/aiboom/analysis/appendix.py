"""Appendix tables: the assumption registry and the data catalogue, from their own files."""

from __future__ import annotations

import pandas as pd

from aiboom import data
from aiboom.registry import Registry
from aiboom.tables import fmt_number

PHASE_TITLES = {
    "capex": "Phase one: the capex surge",
    "math": "Phase two: the math",
    "money": "Phase three: where is the money",
    "outlook": "What comes next",
    "general": "General",
}


def registry_table(registry: Registry, phase: str) -> pd.DataFrame:
    """Registry rows of one phase, with the columns the appendix shows."""
    df = registry.to_frame()
    df = df[df["phase"] == phase]
    values = [" / ".join(fmt_number(v) for v in (lo, c, hi)) if d != "fixed" else fmt_number(c)
              for lo, c, hi, d in zip(df["low"], df["central"], df["high"], df["distribution"],
                                      strict=True)]
    return pd.DataFrame({
        "Parameter": df["description"], "id": df["id"], "Unit": df["unit"],
        "Low / central / high": values, "Distribution": df["distribution"],
        "Source": df["source"] + " (" + df["as_of"] + ")" + df["calibrated_to"].map(
            _calibration_note), "url": df["url"],
    })


def _calibration_note(calibrated_to: str) -> str:
    """``"; calibrated to <what the figures say>"`` for a calibrated row, else ``""``."""
    said = [item.split(":", 1)[1].strip() for item in calibrated_to.split(";") if ":" in item]
    return f"; calibrated to {'; '.join(said)}" if said else ""


def overridden(registry: Registry, baseline: Registry) -> pd.DataFrame:
    """Rows whose values or distribution differ from the baseline registry."""
    rows = []
    for key, a in registry.items():
        b = baseline[key]
        if (a.low, a.central, a.high, a.distribution) != (b.low, b.central, b.high,
                                                           b.distribution):
            rows.append({"Parameter": key, "Unit": a.unit, "Baseline": b.central,
                         "Scenario": a.central, "Distribution": a.distribution})
    return pd.DataFrame(rows, columns=["Parameter", "Unit", "Baseline", "Scenario",
                                       "Distribution"])


def catalogue() -> list[dict]:
    """One entry per curated table: its sidecar metadata, row count and column units."""
    out = []
    for name in data.table_names():
        meta = data.read_meta(name)
        n_rows = len(pd.read_csv(data.paths.DATA / meta["file"]))
        columns = pd.DataFrame([
            {"Column": col, "Type": spec["type"], "Unit": spec.get("unit", ""),
             "Description": spec.get("description", "")}
            for col, spec in meta["columns"].items()])
        out.append({"name": name, "meta": meta, "rows": n_rows, "columns": columns})
    return out
