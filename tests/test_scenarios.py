"""Scenario semantics: overrides, shipped scenarios, accelerators, fingerprints."""

from __future__ import annotations

import pytest
from conftest import ROOT

from aiboom.montecarlo import run_monte_carlo, scenario_inputs
from aiboom.registry import load_registry
from aiboom.scenarios import list_scenarios, load_scenario


def _write(tmp_path, body: str):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ntitle: S\n" + body)
    return path


def test_shipped_scenarios_are_valid_and_baseline_first():
    paths = list_scenarios()
    assert [p.stem for p in paths][:1] == ["baseline"]
    assert {p.stem for p in paths} >= {"baseline", "bear", "bull", "small-models"}
    for p in paths:
        s = load_scenario(p)
        assert s.title and s.description
        text = p.read_text()
        assert text.lstrip().startswith("#"), f"{p.name} should explain itself in comments"


def test_central_override_keeps_relative_spread(tmp_path):
    base = load_registry()["h100_usd_per_gpu_hour"]
    s = load_scenario(_write(tmp_path, "overrides:\n  h100_usd_per_gpu_hour: 4.0\n"))
    a = s.registry["h100_usd_per_gpu_hour"]
    assert a.central == 4.0 and a.distribution == base.distribution
    assert a.low == pytest.approx(base.low * 4.0 / base.central)
    assert a.high == pytest.approx(base.high * 4.0 / base.central)


def test_distribution_override_replaces_the_row(tmp_path):
    s = load_scenario(_write(tmp_path, "overrides:\n  pue: {low: 1.2, central: 1.3, high: 1.5, "
                                       "distribution: uniform}\n"))
    a = s.registry["pue"]
    assert (a.low, a.central, a.high, a.distribution) == (1.2, 1.3, 1.5, "uniform")


def test_fingerprint_changes_with_any_value(tmp_path):
    base = load_scenario()
    same = load_scenario(ROOT / "data" / "scenarios" / "baseline.yaml")
    changed = load_scenario(_write(tmp_path, "overrides:\n  pue: 1.25\n"))
    assert base.fingerprint() == same.fingerprint() != changed.fingerprint()


def test_accelerator_choice_changes_constants_and_price(tmp_path):
    h100_rows, h100 = scenario_inputs(load_scenario())
    b200_rows, b200 = scenario_inputs(load_scenario(_write(tmp_path, "accelerator: b200\n")))
    assert b200.hbm_bytes_per_s > h100.hbm_bytes_per_s
    assert b200_rows["h100_usd_per_gpu_hour"].central == \
        load_registry()["b200_usd_per_gpu_hour"].central
    mi = scenario_inputs(load_scenario(_write(tmp_path, "accelerator: mi300x\n")))[0]
    assert mi["h100_usd_per_gpu_hour"].central != h100_rows["h100_usd_per_gpu_hour"].central


def test_a_cheaper_gpu_hour_lowers_cost_per_query(tmp_path):
    cheap = load_scenario(_write(tmp_path, "overrides:\n  h100_usd_per_gpu_hour: 1.0\n"
                                           "monte_carlo: {n_samples: 20000}\n"))
    base = load_scenario(_write(tmp_path.parent, "monte_carlo: {n_samples: 20000}\n"))
    def median_cost(scenario):
        rows, accelerator = scenario_inputs(scenario)
        return run_monte_carlo(rows, scenario.n_samples, scenario.seed, backend="numpy",
                               constants=accelerator._asdict()).quantiles["usd_per_query"][2]

    q_cheap, q_base = median_cost(cheap), median_cost(base)
    assert q_cheap == pytest.approx(q_base / 2.0, rel=1e-9)


def test_mapping_with_central_and_matching_unit_is_a_central_override(tmp_path):
    s = load_scenario(_write(tmp_path, "overrides:\n  h100_usd_per_gpu_hour: "
                                       "{central: 3.0, unit: USD/GPU-hour}\n"))
    assert s.registry["h100_usd_per_gpu_hour"].central == 3.0


def test_the_fork_guides_example_scenario_is_valid(tmp_path):
    import re

    guide = (ROOT / "book" / "fork.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", guide, re.S).group(1)
    path = tmp_path / "mine.yaml"
    path.write_text(example)
    s = load_scenario(path)
    assert s.name == "mine" and s.accelerator == "b200" and len(s.overrides) == 3
    # Every override changes its registry row, and the price one the price the model uses.
    registry = load_registry()
    for key, value in s.overrides.items():
        central = value if isinstance(value, float) else value["central"]
        assert s.registry[key].central == central != registry[key].central, key
    price = s.overrides["b200_usd_per_gpu_hour"]
    used = scenario_inputs(s)[0]["h100_usd_per_gpu_hour"].central  # the model's price input
    same_chip = load_scenario(_write(tmp_path, "accelerator: b200\n"))
    before = scenario_inputs(same_chip)[0]["h100_usd_per_gpu_hour"].central
    assert used == price != before == registry["b200_usd_per_gpu_hour"].central
