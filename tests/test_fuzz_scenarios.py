"""Property-based scenarios in and around the allowed ranges (issue 9, part 6).

Every generated scenario ends in one of two ways: an :class:`InputError` whose every problem
names the file and the key, or a model that publishes finite numbers (a payback may be
"never", reported as +inf, never NaN). Never a traceback of another kind, never a hang.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aiboom import data
from aiboom.errors import InputError
from aiboom.kernels import INPUTS, OUTPUTS, reference_per_sample
from aiboom.montecarlo import run_monte_carlo, scenario_inputs
from aiboom.registry import DISTRIBUTIONS, load_registry
from aiboom.scenarios import load_scenario

REGISTRY = load_registry()
IDS = sorted(REGISTRY)
CHIPS = sorted(data.accelerators()["id"])


@st.composite
def value_near(draw, key: str) -> float:
    """A number inside the registry's range, at its edges, or well outside it."""
    row = REGISTRY[key]
    lo, hi = row.low, row.high
    inside = st.floats(min_value=min(lo, hi), max_value=max(lo, hi), allow_nan=False,
                       allow_infinity=False)
    edges = st.sampled_from([lo, hi, row.central, 0.0, -row.central, lo / 2, hi * 2, 1.0,
                             1e-12, 1e12, -1.0])
    return draw(st.one_of(inside, inside, edges))


@st.composite
def override(draw, key: str):
    v = draw(value_near(key))
    form = draw(st.sampled_from(["number", "central", "fixed", "whole"]))
    if form == "number":
        return v
    if form == "central":
        return {"central": v}
    if form == "fixed":
        return {"central": v, "low": v, "high": v, "distribution": "fixed"}
    a, b = draw(value_near(key)), draw(value_near(key))
    return {"central": v, "low": min(a, b), "high": max(a, b),
            "distribution": draw(st.sampled_from(sorted(DISTRIBUTIONS)))}


@st.composite
def scenario_text(draw) -> str:
    keys = draw(st.lists(st.sampled_from(IDS), max_size=6, unique=True)
                .map(lambda ks: ks + draw(st.lists(st.sampled_from(INPUTS), max_size=4,
                                                   unique=True))))
    doc = {"name": "fuzz", "title": "Fuzzed scenario",
           "accelerator": draw(st.sampled_from(CHIPS)),
           "monte_carlo": {"n_samples": 1000, "seed": draw(st.integers(0, 2**32))},
           "overrides": {k: draw(override(k)) for k in dict.fromkeys(keys)}}
    return yaml.safe_dump(doc, sort_keys=False)


#: Examples per run; raise it for a longer hunt (``AIBOOM_FUZZ_EXAMPLES=2000``).
EXAMPLES = int(os.environ.get("AIBOOM_FUZZ_EXAMPLES", "150"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_text())
def test_every_scenario_is_either_refused_by_key_or_finite(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(text)
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            event("refused with a clear error")
            assert exc.problems
            for problem in exc.problems:
                assert problem.file.endswith("fuzz.yaml") and problem.key, str(problem)
                assert problem.message.strip()
            return
        event("accepted and evaluated")
        rows, accelerator = scenario_inputs(scenario)
        central = reference_per_sample({k: rows[k].central for k in INPUTS}, accelerator)
        result = run_monte_carlo(rows, 2000, scenario.seed, backend="numpy",
                                 constants=accelerator._asdict())
    for k in OUTPUTS:
        values = [central[k], *result.quantiles[k]]
        if k == "payback_months":  # "never" is +inf by design; NaN never
            assert not any(math.isnan(v) or v < 0 for v in values), (k, values, text)
            # The mean is over the samples that pay back; it exists when any do.
            assert math.isnan(result.mean[k]) == (result.share_infinite[k] == 1.0)
        else:
            values.append(result.mean[k])
            assert all(math.isfinite(v) and v >= 0 for v in values), (k, values, text)
    assert np.isfinite(result.quantiles["usd_per_query"]).all()
