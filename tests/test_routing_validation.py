"""The validation appendix's chart kernels, called on the baseline scenario (checked by
test_kernel_routing). The back-test chart's kernel, ``training.backtest_runs``, is listed with
chapter 3's (tests/test_routing_training.py)."""

from __future__ import annotations

import functools

from aiboom import data
from aiboom.scenarios import load_scenario
from aiboom.validation import CheckResult, economics, results_frame


@functools.cache
def _economics_checks() -> tuple[CheckResult, ...]:
    """The economics family's checks, each figure against the model's value for it."""
    registry = load_scenario("data/scenarios/baseline.yaml").registry
    figures = data.validation_figures()
    rows = figures[figures["id"].isin(economics.MODELS)]
    return tuple(CheckResult(
        id=r.id, family=r.family, description=r.description, unit=r.unit,
        published=float(r.published_value), model=float(economics.MODELS[r.id](registry)),
        tolerance_factor=float(r.tolerance_factor), source_key=r.source_key, source=r.source,
        url=r.url, as_of=str(r.as_of)) for r in rows.itertuples(index=False))


KERNELS = {
    "validation.results_frame": lambda: results_frame(list(_economics_checks())),
}
