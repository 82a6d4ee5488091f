"""Where things live: the repository root, the data folder and the book folders."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding ``_config.yml``); ``AIBOOM_ROOT`` overrides it.
ROOT = Path(os.environ.get("AIBOOM_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
SCENARIOS = DATA / "scenarios"
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
REGISTRY_CSV = DATA / "assumptions.csv"
BASELINE_SCENARIO = SCENARIOS / "baseline.yaml"
