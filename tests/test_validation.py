"""The model against published figures it was not fitted to (``aiboom.validation``).

Every row of ``data/validation.csv`` is a test with its own tolerance: a change to the model or
the data that pushes a case out fails the suite.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import run_cli

from aiboom import cli, data
from aiboom.analysis import checks
from aiboom.registry import load_registry
from aiboom.validation import FAMILIES, calibration_conflicts, models, run_checks, summary

REGISTRY = load_registry()
FIGURES = data.validation_figures()
RESULTS = {r.id: r for r in run_checks(REGISTRY)}


@pytest.mark.parametrize("check_id", sorted(FIGURES["id"]))
def test_published_figure_within_tolerance(check_id: str):
    r = RESULTS[check_id]
    if r.known_miss:  # kept visible; when it starts to pass, its flag must go
        assert not r.passed, f"{check_id} now passes: remove its known_miss flag"
        return
    assert r.passed, (f"{check_id}: model {r.model:.4g} vs published {r.published:.4g} "
                      f"{r.unit} (ratio {r.ratio:.3g}, tolerance ×{r.tolerance_factor:g}, "
                      f"{r.source})")


def test_every_figure_has_a_model_and_every_model_a_figure():
    assert set(models()) == set(FIGURES["id"])
    assert set(FIGURES["family"]) <= set(FAMILIES)


def test_a_calibration_target_is_never_a_validation_check():
    assert calibration_conflicts(REGISTRY, list(FIGURES["id"])) == []
    figure = FIGURES["id"].iloc[0]
    row = next(iter(REGISTRY))
    tainted = REGISTRY.replace(row, calibrated_to=f"{figure}: tuned to land on it")
    assert calibration_conflicts(tainted, list(FIGURES["id"])) == [(row, figure)]
    with pytest.raises(ValueError, match="calibrated is not validated"):
        run_checks(tainted)


def test_registry_names_its_calibration_targets():
    calibrated = {rid for rid, a in REGISTRY.items() if a.calibration_targets}
    assert {"genai_project_capex_usd", "tech_project_capex_usd"} <= calibrated


def test_a_check_outside_tolerance_fails_the_command(monkeypatch, capsys):
    off = FIGURES.copy()
    off.loc[0, "published_value"] = off.loc[0, "published_value"] * 100
    monkeypatch.setattr(data, "validation_figures", lambda: off)
    assert cli.main(["validate"]) == 1
    out = capsys.readouterr().out
    passing = sum(r.passed for r in run_checks(REGISTRY, off))
    assert "FAIL" in out and f"{passing} of {len(off)} checks" in out
    results = run_checks(REGISTRY, off)
    assert "misses" in checks.verdict_sentence(results)


def test_validate_command_passes_and_prints_every_check():
    proc = run_cli("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check_id in FIGURES["id"]:
        assert check_id in proc.stdout
    passing = sum(r.passed for r in RESULTS.values())
    assert f"{passing} of {len(FIGURES)} checks within tolerance" in proc.stdout


def test_summary_counts_and_family_medians():
    results = list(RESULTS.values())
    s = summary(results)
    assert s["total"] == len(FIGURES) and s["passed"] == sum(r.passed for r in results)
    for family, group in pd.DataFrame([vars(r) | {"ratio": r.ratio} for r in results]
                                      ).groupby("family"):
        assert s[f"median_ratio_{family}"] == pytest.approx(group["ratio"].median())


def test_backtest_sentence_follows_the_goal():
    summary = pd.DataFrame({"median_ratio": [0.95, 2.9], "share_within_2x": [0.93, 0.15]},
                           index=["amortized", "cloud"])
    text = checks.backtest_sentence(summary)
    assert "amortised-hardware method meets the goal" in text
    assert "cloud-rental method misses the goal on its median and the share" in text
    summary.loc["amortized", "share_within_2x"] = 0.88
    assert "amortised-hardware method misses the goal on the share" in \
        checks.backtest_sentence(summary)


def test_backtest_chart_compares_each_method_with_epochs_own_series():
    from aiboom import training
    from aiboom.analysis.training_trends import BACKTEST_METHOD_LABELS, backtest_points

    table = training.backtest_runs()
    points = backtest_points(table)
    for method, label in BACKTEST_METHOD_LABELS.items():
        plotted = points[points["method"] == label].set_index("model")["ratio"]
        expected = table.set_index("model")[f"ratio_{method}"].dropna()
        expected = expected[expected > 0]
        assert plotted.sort_index().to_numpy() == pytest.approx(
            expected.loc[plotted.index].sort_index().to_numpy())


def test_verdict_counts_the_checks_and_names_each_miss():
    results = list(RESULTS.values())
    passing = sum(r.passed for r in results)
    text = checks.verdict_sentence(results)
    if passing == len(results):
        assert text.startswith(f"All {len(results)} checks land")
    else:
        assert text.startswith(f"{passing} of the {len(results)} checks land")
        for r in results:
            if not r.passed:
                assert r.description.split(",")[0] in text


def test_a_known_miss_that_starts_to_pass_fails_the_command(monkeypatch, capsys):
    flagged = FIGURES.copy()
    ok = flagged.index[~flagged["known_miss"]][0]
    flagged.loc[ok, "known_miss"] = True
    monkeypatch.setattr(data, "validation_figures", lambda: flagged)
    assert cli.main(["validate"]) == 1
    assert "remove the flag" in capsys.readouterr().out
