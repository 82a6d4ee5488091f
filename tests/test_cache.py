"""The notebook cache never serves stale pages; shipped scenarios are told from a fork's own."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from aiboom import build, compare, paths
from aiboom.scenarios import SHIPPED_SCENARIOS, list_scenarios, load_scenario, load_scenarios

CHAPTER_1 = ROOT / "notebooks" / "01_capex_surge.md"
SCENARIOS_CHAPTER = ROOT / "notebooks" / "07_scenarios.md"


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch) -> Path:
    """A copy of data/ and notebooks/ that a test may edit, with paths pointing at it."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "DATA", root / "data")
    monkeypatch.setattr(paths, "SCENARIOS", root / "data" / "scenarios")
    return root


def _keys(root: Path) -> tuple[str, str]:
    scenario = load_scenario(root / "data" / "scenarios" / "baseline.yaml")
    return (build.cache_key(root / "notebooks" / CHAPTER_1.name, scenario),
            build.cache_key(root / "notebooks" / SCENARIOS_CHAPTER.name, scenario))


def test_editing_another_scenario_invalidates_only_the_chapter_that_reads_it(data_root: Path):
    ch1, ch7 = _keys(data_root)
    bear = data_root / "data" / "scenarios" / "bear.yaml"
    bear.write_text(bear.read_text().replace("title:", "title: Renamed,", 1))
    ch1_after, ch7_after = _keys(data_root)
    assert ch1_after == ch1
    assert ch7_after != ch7
    (data_root / "data" / "scenarios" / "mine.yaml").write_text(
        "name: mine\ntitle: Mine\n")  # a fork's new file is read by chapter 7 too
    assert _keys(data_root)[1] != ch7_after


def test_sidecars_and_package_versions_are_in_the_key(data_root: Path, monkeypatch):
    before = _keys(data_root)[0]
    meta = data_root / "data" / "capex.meta.yml"
    meta.write_text(meta.read_text() + "\n# a changed note\n")
    after = _keys(data_root)[0]
    assert after != before
    monkeypatch.setattr(build, "package_versions", lambda: "numpy==0.0.1")
    assert _keys(data_root)[0] != after


def test_every_template_that_lists_scenarios_declares_it():
    for template in build.notebook_templates():
        if "list_scenarios(" in template.read_text(encoding="utf-8"):
            assert "data/scenarios" in build.template_reads(template), template.name
    assert build.template_reads(SCENARIOS_CHAPTER) == ["data/scenarios"]
    assert build.template_reads(CHAPTER_1) == []


def test_shipped_scenarios_are_exactly_the_tracked_files():
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "data/scenarios/*.yaml"],
                             capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert sorted(Path(p).stem for p in tracked) == sorted(SHIPPED_SCENARIOS)
    assert all(s.shipped for s in load_scenarios(list_scenarios()))


def test_a_forks_own_scenario_is_labelled_as_its_own(data_root: Path, tmp_path: Path):
    mine = data_root / "data" / "scenarios" / "mine.yaml"
    mine.write_text("name: mine\ntitle: My cheaper chips\n")
    elsewhere = tmp_path / "bear.yaml"  # a shipped name, but not the shipped file
    shutil.copy2(data_root / "data" / "scenarios" / "bear.yaml", elsewhere)
    scenarios = {Path(s.path).name: s for s in load_scenarios(list_scenarios())}
    assert not scenarios["mine.yaml"].shipped and scenarios["bull.yaml"].shipped
    assert not load_scenario(elsewhere).shipped
    sentence = compare.own_scenarios_sentence([scenarios["mine.yaml"]])
    assert "My cheaper chips (mine.yaml)" in sentence and "own" in sentence
    assert compare.own_scenarios_sentence([]) == ""


def test_a_build_runs_only_stale_notebooks_longest_first(data_root: Path, tmp_path: Path,
                                                        monkeypatch):
    gen = tmp_path / "book" / "generated"
    monkeypatch.setattr(paths, "BOOK", tmp_path / "book")
    gen.mkdir(parents=True)
    (gen / build.TIMINGS_FILE).write_text(json.dumps({"01_capex_surge": 1.0,
                                                      "03_training_costs": 9.0}))
    ran = []

    def execute(job):  # stands in for papermill: writes what a run leaves
        template, scenario, out_dir, force, key = job
        ran.append(template.stem)
        out_dir.mkdir(parents=True, exist_ok=True)
        for suffix in (".ipynb", ".results.jsonl"):
            (out_dir / f"{template.stem}{suffix}").write_text("")
        (out_dir / f"{template.stem}.key").write_text(key)
        return build.Executed(template.stem, out_dir / f"{template.stem}.ipynb", 2.0,
                              cached=False, key=key)

    monkeypatch.setattr(build, "_execute_job", execute)
    monkeypatch.setenv(build.WORKERS_ENV, "1")
    templates = [data_root / "notebooks" / name for name in
                 ("01_capex_surge.md", "03_training_costs.md", "07_scenarios.md")]
    scenario = load_scenario(data_root / "data" / "scenarios" / "baseline.yaml")
    executed = build.execute_for_build(scenario, templates, log=lambda _: None)
    # Longest first: the recorded seconds, else the typical ones (07 has no record).
    assert ran == ["07_scenarios", "03_training_costs", "01_capex_surge"]
    assert [ex.name for ex in executed] == [t.stem for t in templates]
    assert json.loads((gen / build.TIMINGS_FILE).read_text())["01_capex_surge"] == 2.0
    ran.clear()
    again = build.execute_for_build(scenario, templates, log=lambda _: None)
    assert ran == [] and all(ex.cached for ex in again)
    assert [ex.key for ex in again] == [ex.key for ex in executed]
